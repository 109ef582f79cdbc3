// set_city_results -- $rows: [{key, props}] (props hold the measures and the run id)
UNWIND $rows AS row
MATCH (c:City {name: row.key})
SET c += row.props
RETURN count(c) AS n

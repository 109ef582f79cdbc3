// set_city_results -- $study, $rows: [{key, props}] (props hold the measures and the run id)
UNWIND $rows AS row
MATCH (c:City {study: $study, name: row.key})
SET c += row.props
RETURN count(c) AS n

// replace_city_props -- $study, $rows: [{key, props}] (every property of the node)
UNWIND $rows AS row
MATCH (n:City {study: $study, name: row.key})
SET n = row.props
RETURN count(n) AS n

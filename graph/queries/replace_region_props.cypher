// replace_region_props -- $study, $rows: [{key, props}] (every property of the node)
UNWIND $rows AS row
MATCH (n:Region {study: $study, name: row.key})
SET n = row.props
RETURN count(n) AS n

// replace_enterprise_props -- $study, $rows: [{key, props}] (every property of the node)
UNWIND $rows AS row
MATCH (n:Enterprise {study: $study, id: row.key})
SET n = row.props
RETURN count(n) AS n

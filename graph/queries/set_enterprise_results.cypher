// set_enterprise_results -- $study, $rows: [{key, props}] (props hold the measures and the run id)
UNWIND $rows AS row
MATCH (e:Enterprise {study: $study, id: row.key})
SET e += row.props
RETURN count(e) AS n

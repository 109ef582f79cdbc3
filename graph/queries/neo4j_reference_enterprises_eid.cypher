// neo4j_reference_enterprises_eid -- $rows: [{id}], $dataset, $study
// reference_enterprises, returning each node's elementId (see neo4j_merge_enterprise_nodes).
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
SET e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END
RETURN collect(row.id) AS ids, collect(elementId(e)) AS eids

// neo4j_merge_located_in -- $rows: [{id, city, props}], $dataset, $study
// Neo4j's merge_enterprises, part 2: LOCATED_IN from each Enterprise to its City (skipped when
// the city is unknown or null), after neo4j_merge_enterprise_nodes wrote the nodes.
UNWIND $rows AS row
MATCH (e:Enterprise {study: $study, id: row.id})
MATCH (c:City {study: $study, name: row.city})
MERGE (e)-[r:LOCATED_IN]->(c)
SET r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END

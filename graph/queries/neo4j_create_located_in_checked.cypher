// neo4j_create_located_in_checked -- $rows: [[enterprise elementId, city elementId, id, city]], $dataset, $study
// neo4j_create_located_in for a batched load: both ends found by elementIds from earlier
// transactions of this load, checked as in neo4j_create_cooperation_checked (same fallback, same
// list comparison).
UNWIND $rows AS row
MATCH (e) WHERE elementId(e) = row[0]
MATCH (c) WHERE elementId(c) = row[1]
WITH row, e, c
WHERE e:Enterprise AND c:City AND [e.study, e.id, c.study, c.name] = [$study, row[2], $study, row[3]]
CREATE (e)-[:LOCATED_IN {dataset: $dataset}]->(c)
RETURN count(*) AS created

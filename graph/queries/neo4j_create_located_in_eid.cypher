// neo4j_create_located_in_eid -- $rows: [[enterprise elementId, city elementId]], $dataset
// neo4j_create_located_in with both ends found by elementId (single-transaction loads, see
// neo4j_merge_enterprise_nodes): the same relationships.
UNWIND $rows AS row
MATCH (e) WHERE elementId(e) = row[0]
MATCH (c) WHERE elementId(c) = row[1]
CREATE (e)-[:LOCATED_IN {dataset: $dataset}]->(c)

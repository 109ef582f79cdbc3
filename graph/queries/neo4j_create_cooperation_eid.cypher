// neo4j_create_cooperation_eid -- $rows: [[source elementId, target elementId, weight, year]], $dataset
// neo4j_create_cooperation with both enterprises found by elementId (single-transaction loads,
// see neo4j_merge_enterprise_nodes): the same relationships.
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row[0]
MATCH (b) WHERE elementId(b) = row[1]
CREATE (a)-[:COOPERATES {year: row[3], weight: row[2], dataset: $dataset}]->(b)

// neo4j_create_cooperation -- $rows: [[source, target, weight, year]], $dataset, $study
// Neo4j's create_cooperation with each row a list instead of a map (the rows of
// cooperation_rows as lists, see Neo4jStore): the same relationships; no keys to pack and
// unpack per row (~10 % less time per statement, docs/design/load-speed.md).
UNWIND $rows AS row
MATCH (a:Enterprise {study: $study, id: row[0]})
MATCH (b:Enterprise {study: $study, id: row[1]})
CREATE (a)-[:COOPERATES {year: row[3], weight: row[2], dataset: $dataset}]->(b)

// neo4j_create_located_in -- $rows: [{id, city, props}], $dataset, $study
// Neo4j's merge_enterprises, part 2: the dataset's LOCATED_IN from each Enterprise to its City
// (none when the city is not given), after neo4j_merge_enterprise_nodes wrote the nodes.
UNWIND $rows AS row
MATCH (e:Enterprise {study: $study, id: row.id})
MATCH (c:City {study: $study, name: row.city})
CREATE (e)-[:LOCATED_IN {dataset: $dataset}]->(c)

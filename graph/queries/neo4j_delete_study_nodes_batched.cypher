// neo4j_delete_study_nodes_batched -- $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (n)
WHERE n.study = $study
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

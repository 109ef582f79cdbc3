// neo4j_wipe_batched -- no parameters (Neo4j only: tests / delete everything; auto-commit batches)
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

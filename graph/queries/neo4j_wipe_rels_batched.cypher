// neo4j_wipe_rels_batched -- no parameters (Neo4j only: relationships first, so that deleting a
// node of high degree does not pile up in one inner transaction; auto-commit batches)
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS

// neo4j_delete_study_rels_batched -- $study (Neo4j only: auto-commit, batches of 10,000)
// Every relationship of the study (both ends are always in the same study).
MATCH (n)-[r]->()
WHERE n.study = $study
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS

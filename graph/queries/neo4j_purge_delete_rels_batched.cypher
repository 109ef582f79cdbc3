// neo4j_purge_delete_rels_batched -- $dataset (Neo4j only: auto-commit, batches of 10,000)
MATCH ()-[r]->()
WHERE r.datasets = [$dataset]
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS

// neo4j_purge_delete_nodes_batched -- $dataset (Neo4j only: auto-commit, batches of 10,000)
MATCH (n)
WHERE n.datasets = [$dataset]
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

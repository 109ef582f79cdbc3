// neo4j_purge_nodes_batched -- $dataset, $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (n)
WHERE n.study = $study AND n.datasets = [$dataset]
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

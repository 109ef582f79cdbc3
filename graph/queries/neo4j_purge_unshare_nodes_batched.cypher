// neo4j_purge_unshare_nodes_batched -- $dataset (Neo4j only: auto-commit, batches of 10,000)
MATCH (n)
WHERE $dataset IN n.datasets
CALL (n) {
  WITH n, [x IN n.datasets WHERE x <> $dataset] AS rest
  SET n.datasets = rest, n.dataset = rest[size(rest) - 1]
} IN TRANSACTIONS OF 10000 ROWS

// neo4j_purge_unshare_rels_batched -- $dataset (Neo4j only: auto-commit, batches of 10,000)
MATCH ()-[r]->()
WHERE $dataset IN r.datasets
CALL (r) {
  WITH r, [x IN r.datasets WHERE x <> $dataset] AS rest
  SET r.datasets = rest, r.dataset = rest[size(rest) - 1]
} IN TRANSACTIONS OF 10000 ROWS

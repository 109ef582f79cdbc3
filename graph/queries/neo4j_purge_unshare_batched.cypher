// neo4j_purge_unshare_batched -- $dataset, $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (n)
WHERE n.study = $study AND $dataset IN n.datasets
CALL (n) {
  SET n.datasets = [d IN n.datasets WHERE d <> $dataset],
      n.provenance = [p IN coalesce(n.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
} IN TRANSACTIONS OF 10000 ROWS

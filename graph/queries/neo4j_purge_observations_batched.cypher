// neo4j_purge_observations_batched -- $dataset, $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (o:Observation {study: $study})
WHERE o.dataset = $dataset
CALL (o) { DETACH DELETE o } IN TRANSACTIONS OF 10000 ROWS

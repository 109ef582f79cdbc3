// neo4j_purge_located_in_batched -- $dataset, $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (:Enterprise {study: $study})-[r:LOCATED_IN]->()
WHERE r.dataset = $dataset
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS

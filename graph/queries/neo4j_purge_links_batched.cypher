// neo4j_purge_links_batched -- $dataset, $study (Neo4j only: auto-commit, batches of 10,000)
MATCH (:City {study: $study})-[r:LINKS]->()
WHERE r.dataset = $dataset
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS

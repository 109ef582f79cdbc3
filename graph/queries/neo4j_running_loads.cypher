// neo4j_running_loads -- $key (the transaction metadata key of load transactions, 'cultnet_load')
// Dataset ids that running transactions are loading (Neo4j only).
SHOW TRANSACTIONS YIELD metaData
WHERE metaData[$key] IS NOT NULL
RETURN metaData[$key] AS id

// neo4j_user_query_transactions -- $key (the transaction metadata key of user queries, 'cultnet_user_query'), $token
// Ids of the transactions of one user query (Neo4j only): terminated when its deadline passes.
SHOW TRANSACTIONS YIELD transactionId, metaData
WHERE metaData[$key] = $token
RETURN transactionId

// neo4j_terminate_transactions -- $ids (transaction ids, from neo4j_user_query_transactions)
// Terminates those transactions (Neo4j only).
TERMINATE TRANSACTIONS $ids

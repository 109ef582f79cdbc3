// read_any_node -- no parameters
// One row when the store holds any node (an empty store has nothing to migrate).
MATCH (n)
RETURN 1 AS x
LIMIT 1

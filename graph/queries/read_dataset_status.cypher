// read_dataset_status -- $id
// The status of one Dataset (no row when it does not exist).
MATCH (d:Dataset {id: $id})
RETURN d.status AS status

// read_dataset_status -- $id
// The status and study of one Dataset (no row when it does not exist).
MATCH (d:Dataset {id: $id})
RETURN d.status AS status, d.study AS study

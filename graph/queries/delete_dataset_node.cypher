// delete_dataset_node -- $id
MATCH (d:Dataset {id: $id})
DETACH DELETE d
RETURN count(*) AS n

// set_dataset_error -- $id, $error
// A reload of a complete dataset failed: it stays complete with its previous data; say why.
MATCH (d:Dataset {id: $id})
SET d.error = $error

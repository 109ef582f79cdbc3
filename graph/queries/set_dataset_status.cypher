// set_dataset_status -- $id, $status, $error (null clears it), $now
// Mark a Dataset loading / complete / failed, creating a bare node when none exists yet.
MERGE (d:Dataset {id: $id})
ON CREATE SET d.loaded_at = $now, d.dataset = $id
SET d.status = $status, d.error = $error

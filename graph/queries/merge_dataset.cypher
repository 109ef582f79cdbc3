// merge_dataset -- $id, $source, $sha256, $simulated, $status, $now
// Create or update the Dataset node; loaded_at is set on create only (a reload keeps it).
MERGE (d:Dataset {id: $id})
ON CREATE SET d.loaded_at = $now
SET d.source = $source, d.sha256 = $sha256, d.simulated = $simulated, d.status = $status,
    d.dataset = $id, d.error = null

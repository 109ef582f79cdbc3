// merge_dataset -- $id, $study, $source, $sha256, $simulated, $status, $edge_sets, $now
// Create or update the Dataset node; loaded_at is set on create only (a reload keeps it).
// edge_sets: the edge sets it loads, as 'level|method|directed' (directed: true, false or null).
MERGE (d:Dataset {id: $id})
ON CREATE SET d.loaded_at = $now
SET d.study = $study, d.source = $source, d.sha256 = $sha256, d.simulated = $simulated,
    d.status = $status, d.edge_sets = $edge_sets, d.dataset = $id, d.error = null

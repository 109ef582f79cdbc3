// touch_dataset -- $id, $now
// Heartbeat of a running load: refreshed with every committed batch.
MATCH (d:Dataset {id: $id})
SET d.heartbeat = $now

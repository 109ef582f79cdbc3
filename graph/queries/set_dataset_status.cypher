// set_dataset_status -- $id, $study, $status, $error (null clears it), $now
// Mark a Dataset loading / complete / failed, creating a bare node (in $study) when none exists.
// heartbeat: while 'loading', when the load last showed progress (touch_dataset refreshes it,
// mark_stale_loads reads it); removed with the final status, so a reload leaves the node as it was.
MERGE (d:Dataset {id: $id})
ON CREATE SET d.loaded_at = $now, d.dataset = $id, d.study = $study
SET d.status = $status, d.error = $error,
    d.heartbeat = CASE WHEN $status = 'loading' THEN $now ELSE null END

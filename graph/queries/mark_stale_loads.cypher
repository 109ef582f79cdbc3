// mark_stale_loads -- $cutoff (ISO time), $running (ids of Datasets a live transaction is loading), $error
// A Dataset still 'loading' whose heartbeat is older than $cutoff, and that no running load
// transaction writes, was interrupted (process killed, server restarted): mark it failed (its
// committed rows are then purged by the store).
MATCH (d:Dataset)
WHERE d.status = 'loading' AND coalesce(d.heartbeat, d.loaded_at, '') < $cutoff
  AND NOT d.id IN $running
SET d.status = 'failed', d.error = $error
RETURN d.id AS id, d.study AS study

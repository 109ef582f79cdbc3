// migrate_v2_completed -- no parameters
// Schema 2 -> 3: when a complete dataset completed (its load time; the order values win in).
MATCH (d:Dataset)
WHERE d.status = 'complete' AND d.completed_at IS NULL
SET d.completed_at = d.loaded_at
RETURN count(d) AS n

// mark_interrupted -- $error
// After a crash: a Dataset still 'loading' while no load runs was interrupted.
MATCH (d:Dataset)
WHERE d.status = 'loading'
SET d.status = 'failed', d.error = $error
RETURN count(d) AS n

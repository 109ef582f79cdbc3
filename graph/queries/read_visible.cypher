// read_visible -- $study
// The study's complete datasets (and write-back runs), in the order they completed: what every
// analysis read sees (a loading or failed dataset's rows are invisible).
MATCH (d:Dataset {study: $study})
WHERE d.status = 'complete'
RETURN d.id AS id
ORDER BY coalesce(d.completed_at, d.loaded_at, ''), id

// read_studies -- no parameters
// Every study: name, creation time, status (null, or 'deleting' while a delete-study runs).
MATCH (s:Study)
RETURN s.name AS name, s.created_at AS created_at, s.status AS status
ORDER BY name

// strongest_links -- $study, $year, $method, $limit
// title: Strongest city links in a year
// description: The heaviest LINKS of one year and method (gravity strength or cooperation count).
// param study: study = liaoning-sample
// param year: year = 2024
// param method: method = cooperation
// param limit: int = 25
MATCH (a:City {study: $study})-[l:LINKS]->(b:City)
WHERE l.year = $year AND l.method = $method AND coalesce(l.linked, true) = true
RETURN a.name AS source, b.name AS target, l.weight AS weight
ORDER BY weight DESC, source, target
LIMIT $limit

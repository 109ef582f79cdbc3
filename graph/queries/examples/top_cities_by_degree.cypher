// top_cities_by_degree -- $study, $year, $method, $limit
// title: Top cities by degree (from LINKS)
// description: Fallback when no measures are written: each city's number of distinct partners (either direction) and total link weight in one year's network of one method; gravity pairs stored with linked = false are skipped.
// param study: study = liaoning-sample
// param year: year = 2024
// param method: method = cooperation
// param limit: int = 10
// Each arc is matched once, directed, and counted for both ends (UNWIND): FalkorDB 4 misses
// reverse arcs in an undirected pattern filtered on the relationship's properties.
MATCH (a:City {study: $study})-[l:LINKS]->(b:City)
WHERE l.year = $year AND l.method = $method AND coalesce(l.linked, true) = true
UNWIND [[a.name, b.name], [b.name, a.name]] AS pair
WITH pair[0] AS city, pair[1] AS partner, l.weight AS weight
RETURN city, count(DISTINCT partner) AS degree, sum(weight) AS strength
ORDER BY degree DESC, strength DESC, city
LIMIT $limit

// city_partners -- $study, $city
// title: A city's partners by year
// description: Every city linked to the chosen one, by year and method, with the direction of the link (out: from the chosen city); strongest first.
// param study: study = liaoning-sample
// param city: city = Shenyang
// Directed match with the city at either end: FalkorDB 4 misses reverse arcs in an undirected
// pattern filtered on the relationship's properties.
MATCH (a:City {study: $study})-[l:LINKS]->(b:City)
WHERE (a.name = $city OR b.name = $city) AND coalesce(l.linked, true) = true
RETURN l.year AS year, l.method AS method,
       CASE WHEN a.name = $city THEN b.name ELSE a.name END AS partner,
       CASE WHEN a.name = $city THEN 'out' ELSE 'in' END AS direction, l.weight AS weight
ORDER BY year, method, weight DESC, partner

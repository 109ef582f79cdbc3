// read_city_links -- $study, $year (null = all), $method (null = any)
MATCH (a:City {study: $study})-[r:LINKS]->(b:City)
WHERE ($year IS NULL OR r.year = $year) AND ($method IS NULL OR r.method = $method)
RETURN a.name AS source, b.name AS target, r.weight AS weight, r.year AS year,
       r.method AS method, properties(r) AS p

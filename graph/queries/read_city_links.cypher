// read_city_links -- $study, $visible (complete dataset ids), $year (null = all), $method (null = any)
// One row per dataset's link (Study.edges() sums the weights per source, target, year, method).
MATCH (a:City {study: $study})-[r:LINKS]->(b:City)
WHERE r.dataset IN $visible AND ($year IS NULL OR r.year = $year)
  AND ($method IS NULL OR r.method = $method)
RETURN a.name AS source, b.name AS target, r.weight AS weight, r.year AS year,
       r.method AS method, r.dataset AS dataset, properties(r) AS p

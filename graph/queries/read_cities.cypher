// read_cities -- $study, $visible (complete dataset ids)
MATCH (c:City {study: $study})
WHERE any(d IN c.datasets WHERE d IN $visible)
RETURN properties(c) AS p
ORDER BY c.name

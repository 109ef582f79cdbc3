// read_cities -- $study
MATCH (c:City {study: $study})
RETURN properties(c) AS p
ORDER BY c.name

// read_cities -- no parameters
MATCH (c:City)
RETURN properties(c) AS p
ORDER BY c.name

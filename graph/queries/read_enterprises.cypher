// read_enterprises -- no parameters
MATCH (e:Enterprise)
RETURN properties(e) AS p
ORDER BY e.id

// read_indicators -- no parameters
MATCH (o:Observation)
WHERE o.city IS NOT NULL
RETURN properties(o) AS p

// read_indicators -- $study
MATCH (o:Observation {study: $study})
WHERE o.city IS NOT NULL
RETURN properties(o) AS p

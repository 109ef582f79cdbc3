// read_series -- $region (null = every region)
MATCH (o:Observation)
WHERE o.region IS NOT NULL AND ($region IS NULL OR o.region = $region)
RETURN properties(o) AS p

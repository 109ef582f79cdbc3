// read_series -- $study, $region (null = every region)
MATCH (o:Observation {study: $study})
WHERE o.region IS NOT NULL AND ($region IS NULL OR o.region = $region)
RETURN properties(o) AS p

// read_series -- $study, $visible (complete dataset ids), $region (null = every region)
MATCH (o:Observation {study: $study})
WHERE o.region IS NOT NULL AND o.dataset IN $visible AND ($region IS NULL OR o.region = $region)
RETURN properties(o) AS p

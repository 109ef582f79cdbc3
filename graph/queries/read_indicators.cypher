// read_indicators -- $study, $visible (complete dataset ids)
// Every complete dataset's city-year observations (Study.indicators() combines them per city-year).
MATCH (o:Observation {study: $study})
WHERE o.city IS NOT NULL AND o.dataset IN $visible
RETURN properties(o) AS p

// read_enterprises -- $study, $visible (complete dataset ids)
MATCH (e:Enterprise {study: $study})
WHERE any(d IN e.datasets WHERE d IN $visible)
RETURN properties(e) AS p
ORDER BY e.id

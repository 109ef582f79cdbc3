// read_enterprises -- $study
MATCH (e:Enterprise {study: $study})
RETURN properties(e) AS p
ORDER BY e.id

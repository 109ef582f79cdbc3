// read_cooperation -- $study, $year (null = all)
MATCH (a:Enterprise {study: $study})-[r:COOPERATES]->(b:Enterprise)
WHERE $year IS NULL OR r.year = $year
RETURN a.id AS source, b.id AS target, r.weight AS weight, r.year AS year

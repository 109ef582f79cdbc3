// read_cooperation -- $year (null = all)
MATCH (a:Enterprise)-[r:COOPERATES]->(b:Enterprise)
WHERE $year IS NULL OR r.year = $year
RETURN a.id AS source, b.id AS target, r.weight AS weight, r.year AS year

// read_cooperation -- $study, $visible (complete dataset ids), $year (null = all)
// The complete datasets' cooperation summed per (source, target, year).
MATCH (a:Enterprise {study: $study})-[r:COOPERATES]->(b:Enterprise)
WHERE r.dataset IN $visible AND ($year IS NULL OR r.year = $year)
RETURN a.id AS source, b.id AS target, sum(r.weight) AS weight, r.year AS year

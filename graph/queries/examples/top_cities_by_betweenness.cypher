// top_cities_by_betweenness -- $study, $limit
// title: Top cities by betweenness (written measures)
// description: The relative betweenness, degree and run id that `cultnet network --write` stores on each City (prefix sna_); empty until it has been run (the Centrality page computes them live).
// param study: study = liaoning-sample
// param limit: int = 10
MATCH (c:City {study: $study})
WHERE c.sna_betweenness IS NOT NULL
RETURN c.name AS city, c.sna_betweenness AS betweenness, c.sna_degree AS degree,
       c.sna_run_id AS run_id
ORDER BY betweenness DESC, city
LIMIT $limit

// city_enterprises -- $study, $city, $limit
// title: Enterprises of a city
// description: Enterprises located in the city with their number of cooperation links (all years, either direction), distinct partners and total weight; most cooperative first.
// param study: study = liaoning-sample
// param city: city = Shenyang
// param limit: int = 100
MATCH (e:Enterprise)-[:LOCATED_IN]->(c:City {study: $study, name: $city})
OPTIONAL MATCH (e)-[r:COOPERATES]-(p:Enterprise)
WITH e, count(r) AS cooperations, count(DISTINCT p) AS partners,
     sum(coalesce(r.weight, 0)) AS weight
RETURN e.id AS id, e.name AS name, e.city AS city, cooperations, partners, weight
ORDER BY cooperations DESC, id
LIMIT $limit

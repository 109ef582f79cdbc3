// shortest_paths -- $study, $from, $to, $year, $method, $limit
// title: Shortest paths between two cities
// description: Routes of one to three links (either direction) in one year's network of one method, fewest links first, then the largest total weight; the Graph tab draws them.
// param study: study = liaoning-sample
// param from: city = Shenyang
// param to: city = Dalian
// param year: year = 2024
// param method: method = cooperation
// param limit: int = 10
MATCH p = (a:City {study: $study, name: $from})-[:LINKS*1..3 {year: $year, method: $method}]-(b:City {study: $study, name: $to})
WITH p, length(p) AS hops, reduce(w = 0.0, r IN relationships(p) | w + r.weight) AS total_weight
RETURN [n IN nodes(p) | n.name] AS route, hops, total_weight, p
ORDER BY hops, total_weight DESC
LIMIT $limit

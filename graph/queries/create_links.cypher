// create_links -- $rows: [{source, target, weight, year, method, props}], $dataset, $study
// The dataset's own LINKS between cities of the study (Study.edges() sums the datasets' weights
// per (source, target, year, method)).
UNWIND $rows AS row
MATCH (a:City {study: $study, name: row.source})
MATCH (b:City {study: $study, name: row.target})
CREATE (a)-[r:LINKS]->(b)
SET r += row.props, r.year = row.year, r.method = row.method, r.weight = row.weight,
    r.dataset = $dataset

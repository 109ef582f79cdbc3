// create_cooperation -- $rows: [{source, target, weight, year}], $dataset, $study
// The dataset's own COOPERATES (one per row; etl sums duplicates within a dataset); year 0 means
// "no year given". Another dataset's relationship between the same pair is a separate one:
// Study.edges() sums the weights per (source, target, year).
UNWIND $rows AS row
MATCH (a:Enterprise {study: $study, id: row.source})
MATCH (b:Enterprise {study: $study, id: row.target})
CREATE (a)-[:COOPERATES {year: row.year, weight: row.weight, dataset: $dataset}]->(b)

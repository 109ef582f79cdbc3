// create_observations -- $rows: [{key, city, year, props}], $dataset, $study
// One Observation per (city, year) of THIS dataset (keyed (study, dataset, key)), hanging off
// its City; owned by the dataset (OBSERVED carries it too). Study.indicators() combines the
// datasets' observations of a city-year.
UNWIND $rows AS row
MATCH (c:City {study: $study, name: row.city})
CREATE (c)-[:OBSERVED {dataset: $dataset}]->(o:Observation {study: $study, dataset: $dataset,
                                                            key: row.key})
SET o += row.props, o.city = row.city, o.year = row.year

// neo4j_city_eids -- $names: [name], $study
// The elementIds of the study's cities with these names (the load MERGEd them earlier in the
// same transaction), for neo4j_create_located_in_eid.
UNWIND $names AS name
MATCH (c:City {study: $study, name: name})
RETURN collect(name) AS names, collect(elementId(c)) AS eids

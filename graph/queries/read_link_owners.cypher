// read_link_owners -- $study
// The datasets and runs that own at least one of the study's LINKS.
MATCH (:City {study: $study})-[r:LINKS]->()
RETURN DISTINCT r.dataset AS dataset

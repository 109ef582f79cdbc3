// neo4j_merge_city_nodes -- $rows: [{name, props}], $dataset, $study
// merge_cities returning one record of two lists, the names and the nodes' elementIds, for
// neo4j_create_located_in_eid (as neo4j_merge_enterprise_nodes does for enterprises): a
// single-transaction load then needs no neo4j_city_eids statement for the cities it MERGEd.
UNWIND $rows AS row
MERGE (c:City {study: $study, name: row.name})
SET c += row.props,
    c.datasets = CASE WHEN $dataset IN coalesce(c.datasets, []) THEN c.datasets
                      ELSE coalesce(c.datasets, []) + [$dataset] END,
    c.provenance = [p IN coalesce(c.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
                   + [k IN keys(row.props) | $dataset + '|' + k]
RETURN collect(row.name) AS names, collect(elementId(c)) AS eids

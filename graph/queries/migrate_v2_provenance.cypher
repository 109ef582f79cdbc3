// migrate_v2_provenance -- $skip (bookkeeping property names)
// Schema 2 -> 3: attribute provenance of the identity nodes. Schema 2 did not record which
// dataset gave which attribute: every attribute is credited to every dataset that wrote the
// node (so deleting one of them keeps the values, as schema 2 did). Measures written back by
// `cultnet network --write` (sna_*) are results, not attributes.
MATCH (n)
WHERE (n:City OR n:Enterprise OR n:Region) AND n.datasets IS NOT NULL AND n.provenance IS NULL
WITH n, CASE WHEN n:Enterprise THEN 'id' ELSE 'name' END AS keyprop
WITH n, [k IN keys(n) WHERE NOT (k IN $skip) AND k <> keyprop AND NOT (k STARTS WITH 'sna_')] AS attrs
SET n.provenance = reduce(acc = [], d IN n.datasets | acc + [k IN attrs | d + '|' + k]),
    n.dataset = null
RETURN count(n) AS n

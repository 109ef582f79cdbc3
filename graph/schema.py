"""Per-backend schema (DDL): uniqueness constraints and indexes, created idempotently.

DDL is the one place where the two backends speak different Cypher, so it lives here rather than
in ``graph/queries``. No statement takes user input.

Keys are per study (schema version 2): ``City (study, name)``, ``Enterprise (study, id)``,
``Region (study, name)``, ``Observation (study, key)``; ``Dataset.id`` and ``Study.name`` are
global. On FalkorDB every label a load writes has an index on ``study`` (the scoped reads look
nodes up by it); on Neo4j only Dataset has one (see NEO4J_DDL: it misled the planner).

Neo4j 5
    Composite node property uniqueness constraints (Community edition; each backed by a range
    index), ``IF NOT EXISTS`` on every statement. The single-property key constraints of schema
    version 1 (``city_name``, ...) are dropped: they would forbid the same city in two studies.

FalkorDB
    Range indexes, one statement per property (FalkorDB keeps one index per label and adds each
    property to it; a two-property ``CREATE INDEX`` fails whole when one property is indexed
    already), on the keys and on ``LINKS(year, method)`` / ``COOPERATES(year)`` (FalkorDB's planner
    keeps using Expand Into for the MERGE; checked with GRAPH.EXPLAIN), then ``GRAPH.CONSTRAINT
    CREATE ... UNIQUE NODE <label> PROPERTIES n ...`` on the keys (FalkorDB requires the index
    first). FalkorDB has no ``IF NOT EXISTS``: "already indexed" / "constraint already exists"
    errors are treated as success.
"""

from __future__ import annotations

#: The schema version this cultnet writes; stored as ``(:Meta {name: 'schema', schema_version})``.
#: 1 = before studies (no Meta node), 2 = studies.
SCHEMA_VERSION = 2

NEO4J_DDL: list[str] = [
    # schema version 1: single-property keys (a city name was global)
    "DROP CONSTRAINT city_name IF EXISTS",
    "DROP CONSTRAINT enterprise_id IF EXISTS",
    "DROP CONSTRAINT region_name IF EXISTS",
    "DROP CONSTRAINT observation_key IF EXISTS",
    "DROP INDEX observation_city_year IF EXISTS",
    "DROP INDEX observation_region_period IF EXISTS",
    "CREATE CONSTRAINT city_study_name IF NOT EXISTS FOR (n:City) REQUIRE (n.study, n.name) IS UNIQUE",
    "CREATE CONSTRAINT enterprise_study_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE (n.study, n.id) IS UNIQUE",
    "CREATE CONSTRAINT region_study_name IF NOT EXISTS FOR (n:Region) REQUIRE (n.study, n.name) IS UNIQUE",
    "CREATE CONSTRAINT observation_study_key IF NOT EXISTS FOR (n:Observation) REQUIRE (n.study, n.key) IS UNIQUE",
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT study_name IF NOT EXISTS FOR (n:Study) REQUIRE n.name IS UNIQUE",
    # No single-property index on `study` for the keyed labels: with both (study) and the
    # composite (study, id) available, Neo4j 5.26's planner (empty statistics in a new store)
    # answered MATCH (e:Enterprise {study: $study, id: row.id}) with a seek on (study) plus a
    # Filter on id: one scan of the study's enterprises per row; loading the sample into Neo4j
    # went from ~8 s to past 300 s. Scoped reads scan the label and filter on study instead.
    "DROP INDEX city_study IF EXISTS",
    "DROP INDEX enterprise_study IF EXISTS",
    "DROP INDEX region_study IF EXISTS",
    "DROP INDEX observation_study IF EXISTS",
    "CREATE INDEX dataset_study IF NOT EXISTS FOR (n:Dataset) ON (n.study)",
    # No relationship property indexes on Neo4j (and drop those an older cultnet created): with
    # an index on COOPERATES(year), the planner answers MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
    # with DirectedRelationshipIndexSeek (every relationship of that year) + Filter instead of
    # Expand(Into) between the two matched nodes: quadratic; a 10k-row batch never finished.
    "DROP INDEX links_year IF EXISTS",
    "DROP INDEX links_method IF EXISTS",
    "DROP INDEX cooperates_year IF EXISTS",
]

#: (label, properties) that are unique keys: indexed, then constrained.
FALKORDB_UNIQUE: list[tuple[str, tuple[str, ...]]] = [
    ("City", ("study", "name")),
    ("Enterprise", ("study", "id")),
    ("Region", ("study", "name")),
    ("Observation", ("study", "key")),
    ("Dataset", ("id",)),
    ("Study", ("name",)),
]

#: The unique keys of schema version 1, dropped by the migration.
FALKORDB_V1_UNIQUE: list[tuple[str, tuple[str, ...]]] = [
    ("City", ("name",)),
    ("Enterprise", ("id",)),
    ("Region", ("name",)),
    ("Observation", ("key",)),
]

FALKORDB_INDEXES: list[str] = [
    "CREATE INDEX FOR (n:City) ON (n.study)",
    "CREATE INDEX FOR (n:City) ON (n.name)",
    "CREATE INDEX FOR (n:Enterprise) ON (n.study)",
    "CREATE INDEX FOR (n:Enterprise) ON (n.id)",
    "CREATE INDEX FOR (n:Region) ON (n.study)",
    "CREATE INDEX FOR (n:Region) ON (n.name)",
    "CREATE INDEX FOR (n:Observation) ON (n.study)",
    "CREATE INDEX FOR (n:Observation) ON (n.key)",
    "CREATE INDEX FOR (n:Observation) ON (n.city)",
    "CREATE INDEX FOR (n:Observation) ON (n.year)",
    "CREATE INDEX FOR (n:Observation) ON (n.region)",
    "CREATE INDEX FOR (n:Observation) ON (n.period)",
    "CREATE INDEX FOR (n:Dataset) ON (n.id)",
    "CREATE INDEX FOR (n:Dataset) ON (n.study)",
    "CREATE INDEX FOR (n:Study) ON (n.name)",
    "CREATE INDEX FOR ()-[r:LINKS]-() ON (r.year)",
    "CREATE INDEX FOR ()-[r:LINKS]-() ON (r.method)",
    "CREATE INDEX FOR ()-[r:COOPERATES]-() ON (r.year)",
]


def falkordb_ddl_already_done(message: str) -> bool:
    """True when a FalkorDB DDL error only says the index / constraint exists already."""
    m = message.lower()
    return "already indexed" in m or "already exists" in m or "already exist" in m

"""A real store in the format cultnet wrote before studies (schema version 1), for the migration
tests: the schema-1 DDL and the schema-1 load statements, copied verbatim from graph/queries as
they were before studies (no ``study`` property anywhere, single-property keys, no Study or Meta
node). Rows come from graph._cypher.bundle_steps, whose row format schema 1 shared."""

from __future__ import annotations

from cultnet.graph._cypher import bundle_steps, now_iso

V1_NEO4J_DDL = [
    "CREATE CONSTRAINT city_name IF NOT EXISTS FOR (n:City) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT enterprise_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT region_name IF NOT EXISTS FOR (n:Region) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT observation_key IF NOT EXISTS FOR (n:Observation) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX observation_city_year IF NOT EXISTS FOR (n:Observation) ON (n.city, n.year)",
    "CREATE INDEX observation_region_period IF NOT EXISTS FOR (n:Observation) ON (n.region, n.period)",
]
V1_FALKORDB_INDEXES = [
    "CREATE INDEX FOR (n:City) ON (n.name)",
    "CREATE INDEX FOR (n:Enterprise) ON (n.id)",
    "CREATE INDEX FOR (n:Dataset) ON (n.id)",
    "CREATE INDEX FOR (n:Region) ON (n.name)",
    "CREATE INDEX FOR (n:Observation) ON (n.key)",
    "CREATE INDEX FOR (n:Observation) ON (n.city, n.year)",
    "CREATE INDEX FOR (n:Observation) ON (n.region, n.period)",
    "CREATE INDEX FOR ()-[r:LINKS]-() ON (r.year, r.method)",
    "CREATE INDEX FOR ()-[r:COOPERATES]-() ON (r.year)",
]
V1_FALKORDB_UNIQUE = [("City", "name"), ("Enterprise", "id"), ("Dataset", "id"),
                      ("Region", "name"), ("Observation", "key")]

_LIST = """{v}.datasets = CASE WHEN $dataset IN coalesce({v}.datasets, []) THEN {v}.datasets
                      ELSE coalesce({v}.datasets, []) + [$dataset] END"""

V1 = {
    "merge_cities": """UNWIND $rows AS row
MERGE (c:City {name: row.name})
SET c += row.props, c.dataset = $dataset, """ + _LIST.format(v="c"),
    "merge_observations": """UNWIND $rows AS row
MATCH (c:City {name: row.city})
MERGE (o:Observation {key: row.key})
SET o += row.props, o.city = row.city, o.year = row.year, o.dataset = $dataset, """
    + _LIST.format(v="o") + """
MERGE (c)-[r:OBSERVED]->(o)
SET r.dataset = $dataset, """ + _LIST.format(v="r"),
    "merge_enterprises": """UNWIND $rows AS row
MERGE (e:Enterprise {id: row.id})
SET e += row.props, e.city = row.city, e.dataset = $dataset, """ + _LIST.format(v="e") + """
WITH e, row
MATCH (c:City {name: row.city})
MERGE (e)-[r:LOCATED_IN]->(c)
SET r.dataset = $dataset, """ + _LIST.format(v="r"),
    "merge_cooperation": """UNWIND $rows AS row
MATCH (a:Enterprise {id: row.source})
MATCH (b:Enterprise {id: row.target})
MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
ON CREATE SET r.weight = row.weight, r.dataset = $dataset, r.datasets = [$dataset]
ON MATCH SET r.weight = row.weight, r.dataset = $dataset, """ + _LIST.format(v="r"),
    "merge_links": """UNWIND $rows AS row
MATCH (a:City {name: row.source})
MATCH (b:City {name: row.target})
MERGE (a)-[r:LINKS {year: row.year, method: row.method}]->(b)
SET r += row.props, r.weight = row.weight, r.dataset = $dataset, """ + _LIST.format(v="r"),
    "merge_series": """UNWIND $rows AS row
MERGE (g:Region {name: row.region})
SET g.dataset = $dataset, """ + _LIST.format(v="g") + """
MERGE (o:Observation {key: row.key})
SET o += row.props, o.region = row.region, o.period = row.period, o.freq = row.freq,
    o.dataset = $dataset, """ + _LIST.format(v="o") + """
MERGE (g)-[r:OBSERVED]->(o)
SET r.dataset = $dataset, """ + _LIST.format(v="r"),
    "merge_dataset": """MERGE (d:Dataset {id: $id})
ON CREATE SET d.loaded_at = $now
SET d.source = $source, d.sha256 = $sha256, d.simulated = $simulated, d.status = 'complete',
    d.dataset = $id, d.error = null""",
}


def _runner(store):
    """(run(cypher, params), ddl()) against the store's database, bypassing the store."""
    if store.backend == "embedded":
        g = store._db.select_graph(store.graph_name)

        def run(cypher, params):
            g.query(cypher, params)

        def ddl():
            for stmt in V1_FALKORDB_INDEXES:
                g.query(stmt)
            for label, prop in V1_FALKORDB_UNIQUE:
                store._r.execute_command("GRAPH.CONSTRAINT", "CREATE", store.graph_name, "UNIQUE",
                                         "NODE", label, "PROPERTIES", 1, prop)
        return run, ddl

    def run(cypher, params):
        with store._driver.session(database=store.database) as s:
            s.run(cypher, params).consume()

    def ddl():
        with store._driver.session(database=store.database) as s:
            # a real schema-1 database: only the schema-1 constraints and indexes
            for r in list(s.run("SHOW CONSTRAINTS YIELD name RETURN name")):
                s.run("DROP CONSTRAINT `" + r["name"] + "` IF EXISTS").consume()
            for r in list(s.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")):
                s.run("DROP INDEX `" + r["name"] + "` IF EXISTS").consume()
            for stmt in V1_NEO4J_DDL:
                s.run(stmt).consume()
            s.run("CALL db.awaitIndexes(300)").consume()
    return run, ddl


def write_v1_store(store, bundles) -> None:
    """Write ``bundles`` the way cultnet wrote them before studies (schema 1, its DDL first)."""
    run, ddl = _runner(store)
    ddl()
    for b in bundles:
        run(V1["merge_dataset"], {"id": b.dataset_id, "source": b.source, "sha256": b.sha256,
                                  "simulated": bool(b.simulated), "now": now_iso()})
        for step in bundle_steps(b):
            for batch in step.batches(1000):
                run(V1[step.query], {"rows": batch, "dataset": b.dataset_id})

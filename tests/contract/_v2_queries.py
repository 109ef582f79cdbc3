"""A real store in the format of schema version 2 (studies; relationships and observations
shared between datasets with a ``datasets`` list, the last writer's values): the load
statements copied verbatim from graph/queries as they were at schema 2, for the migration
tests. Rows come from graph._cypher.bundle_steps (same row format, with the schema-2 step
names mapped below)."""

from __future__ import annotations

V2 = {
    'merge_cities': 'UNWIND $rows AS row\nMERGE (c:City {study: $study, name: row.name})\nSET c += row.props, c.dataset = $dataset,\n    c.datasets = CASE WHEN $dataset IN coalesce(c.datasets, []) THEN c.datasets\n                      ELSE coalesce(c.datasets, []) + [$dataset] END',
    'merge_observations': 'UNWIND $rows AS row\nMATCH (c:City {study: $study, name: row.city})\nMERGE (o:Observation {study: $study, key: row.key})\nSET o += row.props, o.city = row.city, o.year = row.year, o.dataset = $dataset,\n    o.datasets = CASE WHEN $dataset IN coalesce(o.datasets, []) THEN o.datasets\n                      ELSE coalesce(o.datasets, []) + [$dataset] END\nMERGE (c)-[r:OBSERVED]->(o)\nSET r.dataset = $dataset,\n    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets\n                      ELSE coalesce(r.datasets, []) + [$dataset] END',
    'merge_enterprises': 'UNWIND $rows AS row\nMERGE (e:Enterprise {study: $study, id: row.id})\nSET e += row.props, e.city = row.city, e.dataset = $dataset,\n    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets\n                      ELSE coalesce(e.datasets, []) + [$dataset] END\nWITH e, row\nMATCH (c:City {study: $study, name: row.city})\nMERGE (e)-[r:LOCATED_IN]->(c)\nSET r.dataset = $dataset,\n    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets\n                      ELSE coalesce(r.datasets, []) + [$dataset] END',
    'merge_cooperation': 'UNWIND $rows AS row\nMATCH (a:Enterprise {study: $study, id: row.source})\nMATCH (b:Enterprise {study: $study, id: row.target})\nMERGE (a)-[r:COOPERATES {year: row.year}]->(b)\nON CREATE SET r.weight = row.weight, r.dataset = $dataset, r.datasets = [$dataset]\nON MATCH SET r.weight = row.weight, r.dataset = $dataset,\n    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets\n                      ELSE coalesce(r.datasets, []) + [$dataset] END',
    'merge_links': 'UNWIND $rows AS row\nMATCH (a:City {study: $study, name: row.source})\nMATCH (b:City {study: $study, name: row.target})\nMERGE (a)-[r:LINKS {year: row.year, method: row.method}]->(b)\nSET r += row.props, r.weight = row.weight, r.dataset = $dataset,\n    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets\n                      ELSE coalesce(r.datasets, []) + [$dataset] END',
    'merge_series': 'UNWIND $rows AS row\nMERGE (g:Region {study: $study, name: row.region})\nSET g.dataset = $dataset,\n    g.datasets = CASE WHEN $dataset IN coalesce(g.datasets, []) THEN g.datasets\n                      ELSE coalesce(g.datasets, []) + [$dataset] END\nMERGE (o:Observation {study: $study, key: row.key})\nSET o += row.props, o.region = row.region, o.period = row.period, o.freq = row.freq,\n    o.dataset = $dataset,\n    o.datasets = CASE WHEN $dataset IN coalesce(o.datasets, []) THEN o.datasets\n                      ELSE coalesce(o.datasets, []) + [$dataset] END\nMERGE (g)-[r:OBSERVED]->(o)\nSET r.dataset = $dataset,\n    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets\n                      ELSE coalesce(r.datasets, []) + [$dataset] END',
    'merge_dataset': 'MERGE (d:Dataset {id: $id})\nON CREATE SET d.loaded_at = $now\nSET d.study = $study, d.source = $source, d.sha256 = $sha256, d.simulated = $simulated,\n    d.status = $status, d.edge_sets = $edge_sets, d.dataset = $id, d.error = null',
    'merge_study': "MERGE (s:Study {name: $study})\nON CREATE SET s.created_at = $now\nMERGE (m:Meta {name: 'schema'})\nON CREATE SET m.schema_version = $version",
    'replace_links': 'OPTIONAL MATCH (:City {study: $study})-[old:LINKS {method: $method}]->()\nWHERE old.year IN $years\nDELETE old\nWITH count(*) AS removed\nUNWIND $rows AS row\nMATCH (a:City {study: $study, name: row.source})\nMATCH (b:City {study: $study, name: row.target})\nCREATE (a)-[r:LINKS {year: row.year, method: $method}]->(b)\nSET r += row.props, r.weight = row.weight, r.run_id = $run_id, r.dataset = $run_id,\n    r.datasets = [$run_id]\nRETURN count(r) AS n',
}

V2_NEO4J_DDL = [
    "CREATE CONSTRAINT city_study_name IF NOT EXISTS FOR (n:City) REQUIRE (n.study, n.name) IS UNIQUE",
    "CREATE CONSTRAINT enterprise_study_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE (n.study, n.id) IS UNIQUE",
    "CREATE CONSTRAINT region_study_name IF NOT EXISTS FOR (n:Region) REQUIRE (n.study, n.name) IS UNIQUE",
    "CREATE CONSTRAINT observation_study_key IF NOT EXISTS FOR (n:Observation) REQUIRE (n.study, n.key) IS UNIQUE",
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT study_name IF NOT EXISTS FOR (n:Study) REQUIRE n.name IS UNIQUE",
]
V2_FALKORDB_INDEXES = [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in [
    ("City", "study"), ("City", "name"), ("Enterprise", "study"), ("Enterprise", "id"),
    ("Region", "study"), ("Region", "name"), ("Observation", "study"), ("Observation", "key"),
    ("Dataset", "id"), ("Dataset", "study"), ("Study", "name")]]
V2_FALKORDB_UNIQUE = [("City", ("study", "name")), ("Enterprise", ("study", "id")),
                      ("Region", ("study", "name")), ("Observation", ("study", "key")),
                      ("Dataset", ("id",)), ("Study", ("name",))]


def write_v2_store(store, bundles, runs=()) -> None:
    """Write ``bundles`` (each with its ``study``) the way schema 2 wrote them, and the
    write-back runs ``(study, links frame, method, run_id)`` with schema 2's replace_links."""
    from cultnet.graph._cypher import encode_edge_sets, links_rows, now_iso

    from _v1_store import v1_steps

    if store.backend == "embedded":
        g = store._db.select_graph(store.graph_name)
        run = lambda cypher, params: g.query(cypher, params)  # noqa: E731
        for stmt in V2_FALKORDB_INDEXES:
            g.query(stmt)
        for label, props in V2_FALKORDB_UNIQUE:
            store._r.execute_command("GRAPH.CONSTRAINT", "CREATE", store.graph_name, "UNIQUE",
                                     "NODE", label, "PROPERTIES", len(props), *props)
    else:
        def run(cypher, params):
            with store._driver.session(database=store.database) as s:
                s.run(cypher, params).consume()
        with store._driver.session(database=store.database) as s:
            for r in list(s.run("SHOW CONSTRAINTS YIELD name RETURN name")):
                s.run("DROP CONSTRAINT `" + r["name"] + "` IF EXISTS").consume()
            for stmt in V2_NEO4J_DDL:
                s.run(stmt).consume()
            s.run("CALL db.awaitIndexes(300)").consume()
    for b in bundles:
        now = now_iso()
        run(V2["merge_study"], {"study": b.study, "now": now, "version": 2})
        run(V2["merge_dataset"], {"id": b.dataset_id, "study": b.study, "source": b.source,
                                  "sha256": b.sha256, "simulated": bool(b.simulated),
                                  "status": "complete", "edge_sets": encode_edge_sets(b.edge_sets()),
                                  "now": now})
        for query, rows in v1_steps(b):
            run(V2[query], {"rows": rows, "dataset": b.dataset_id, "study": b.study})
    for study, links, method, run_id in runs:
        years, rows = links_rows(links)
        run(V2["replace_links"], {"study": study, "method": method, "years": years, "rows": rows,
                                  "run_id": run_id})

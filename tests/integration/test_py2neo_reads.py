"""Analysts' notebooks read the graph cultnet wrote with py2neo (issue 6, "Load speed").

py2neo 2021.2.4 (end of life) speaks Bolt 4.x, which Neo4j 5 still accepts; its schema helpers
use syntax Neo4j 5 removed, but plain Cypher through ``Graph.run`` works. This test loads a small
seeded dataset with cultnet's Neo4j store and reads it back through py2neo: counts, a property
value, and a relationship property, compared with what was loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _benchload import bench_module

from cultnet.settings import Settings

py2neo = pytest.importorskip("py2neo", reason="py2neo==2021.2.4 is a test dependency (pyproject [test])")

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "p2n-"
DATASET = "py2neo-reads"


_bench = bench_module


@pytest.fixture(scope="module")
def loaded(neo4j_server):
    from cultnet.graph.neo4j_store import Neo4jStore

    b = _bench().synthetic_bundle(500, seed=3, dataset_id=DATASET, prefix=PREFIX)
    store = Neo4jStore(Settings(backend="neo4j", neo4j_uri=neo4j_server.uri, neo4j_user=neo4j_server.user,
                                neo4j_password=neo4j_server.password,
                                neo4j_database=neo4j_server.database))
    store.load_bundle(b)
    yield b
    try:
        store.delete_dataset(DATASET)
    finally:
        store.close()


@pytest.mark.neo4j
def test_py2neo_reads_what_cultnet_wrote(neo4j_server, loaded):
    b = loaded
    g = py2neo.Graph(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password),
                     name=neo4j_server.database)
    p = PREFIX
    n_ent = g.evaluate("MATCH (e:Enterprise) WHERE e.id STARTS WITH $p RETURN count(e)", p=p)
    n_city = g.evaluate("MATCH (c:City) WHERE c.name STARTS WITH $p RETURN count(c)", p=p)
    n_coop = g.evaluate("MATCH (a:Enterprise)-[r:COOPERATES]->(:Enterprise) "
                        "WHERE a.id STARTS WITH $p RETURN count(r)", p=p)
    n_loc = g.evaluate("MATCH (e:Enterprise)-[:LOCATED_IN]->(c:City) "
                       "WHERE e.id STARTS WITH $p RETURN count(*)", p=p)
    assert (n_ent, n_city, n_coop, n_loc) == (len(b.enterprises), len(b.cities), len(b.cooperation),
                                              len(b.enterprises))

    # a node property value, a relationship property value and the dataset status
    e0 = b.enterprises.iloc[7]
    rec = g.run("MATCH (e:Enterprise {id: $id})-[:LOCATED_IN]->(c:City) "
                "RETURN e.name AS name, c.name AS city, c.name_zh AS zh", id=e0["id"]).data()
    zh = dict(zip(b.cities["name"], b.cities["name_zh"]))[e0["city"]]
    assert rec == [{"name": e0["name"], "city": e0["city"], "zh": zh}]
    row = b.cooperation.iloc[42]
    w = g.evaluate("MATCH (:Enterprise {id: $s})-[r:COOPERATES {year: $y}]->(:Enterprise {id: $t}) "
                   "RETURN r.weight", s=row["source"], t=row["target"], y=int(row["year"]))
    assert w == pytest.approx(float(row["weight"]))
    total = g.evaluate("MATCH (a:Enterprise)-[r:COOPERATES]->() WHERE a.id STARTS WITH $p "
                       "RETURN sum(r.weight)", p=p)
    assert total == pytest.approx(float(b.cooperation["weight"].sum()))
    assert g.evaluate("MATCH (d:Dataset {id: $id}) RETURN d.status", id=DATASET) == "complete"

    # the py2neo object API (NodeMatcher) works too, on plain labels / properties
    node = g.nodes.match("Enterprise", id=e0["id"]).first()
    assert node is not None and node["name"] == e0["name"]

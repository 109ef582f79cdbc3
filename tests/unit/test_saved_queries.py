"""The console's saved queries (graph/queries/examples/*.cypher) on both real backends.

The sample (etl.load.load_sample) is loaded into an embedded FalkorDB in a tmp data dir and into
the session's Neo4j 5.26 (wiped first), into the study ``liaoning-sample``; the city measures are
written back as ``cultnet network --write`` does. A second study ``twin`` holds cities with the
same names, a heavy 2024 cooperation link and its own dataset: every saved query takes
``$study`` and must not see it. Every saved query runs read-only through ``Study.query`` with
its default parameters and its rows are checked against the study's own reads
(``edges``, ``enterprises``, ``indicators``) and against networkx.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd
import pytest

from cultnet.errors import CultnetError
from cultnet.settings import Settings
from cultnet.graph.examples import EXAMPLES_DIR, parse_saved_query, saved_queries

KEYS = {"top_cities_by_betweenness", "top_cities_by_degree", "strongest_links", "shortest_paths",
        "city_partners", "city_enterprises", "city_indicators", "datasets"}
QUERIES = {q.key: q for q in saved_queries()}
YEAR, METHOD = 2024, "cooperation"


# -- the files ----------------------------------------------------------------------------------


def test_every_example_file_loads_with_title_description_and_typed_defaults():
    assert set(QUERIES) == KEYS
    assert len(list(EXAMPLES_DIR.glob("*.cypher"))) == len(KEYS)
    for q in QUERIES.values():
        assert q.title and q.description and q.text and not q.text.startswith("//")
        for p in q.params:
            assert f"${p.name}" in q.text
            assert isinstance(p.default, int if p.type in ("int", "year") else str)
    assert QUERIES["shortest_paths"].defaults == {"study": "liaoning-sample", "from": "Shenyang",
                                                 "to": "Dalian", "year": 2024,
                                                 "method": "cooperation", "limit": 10}
    for q in QUERIES.values():  # every saved query is scoped to one study
        assert [p.type for p in q.params if p.name == "study"] == ["study"], q.key
        assert "{study: $study" in q.text, q.key
    titles = [q.title for q in saved_queries()]
    assert titles == sorted(titles, key=str.lower)


def test_header_errors_name_the_file_and_line():
    ok = "// q -- $n\n// title: T\n// description: D\n// param n: int = 3\nRETURN $n AS n"
    assert parse_saved_query(ok, key="q").defaults == {"n": 3}
    with pytest.raises(CultnetError, match=r"x\.cypher:4: default 'three' of \$n is not a valid"):
        parse_saved_query(ok.replace("= 3", "= three"), key="q", source="x.cypher")
    with pytest.raises(CultnetError, match=r"x\.cypher:4: unknown parameter type 'number'"):
        parse_saved_query(ok.replace("int =", "number ="), key="q", source="x.cypher")
    with pytest.raises(CultnetError, match=r"x\.cypher:5: the statement uses \$m without"):
        parse_saved_query(ok + " + $m", key="q", source="x.cypher")
    with pytest.raises(CultnetError, match=r"x\.cypher:1: the header has no 'title:'"):
        parse_saved_query(ok.replace("// title: T\n", ""), key="q", source="x.cypher")


# -- both backends --------------------------------------------------------------------------------


def _write_measures(store) -> pd.DataFrame:
    """What ``cultnet network --write --method cooperation --year 2024`` stores on the cities."""
    from cultnet.analysis.network import analyze_network
    from cultnet.graph.export import frame_to_igraph

    links = store.edges("city", year=YEAR, method=METHOD)
    nodes = analyze_network(frame_to_igraph(links, store.cities(), directed=False)).nodes
    cols = [c for c in nodes.columns if c != "name"]
    store.write_node_results("city", nodes.set_index("name")[cols], run_id="test-run",
                             prefix="sna_")
    return nodes


def _twin_bundle():
    """A second study with the sample's city names: if a saved query read across studies, its
    2024 cooperation link of weight 10,000, its enterprise and its dataset would show."""
    from cultnet.model import Bundle

    return Bundle(
        "ds-twin", "twin.csv", "0" * 64, study="twin",
        cities=pd.DataFrame({"name": ["Shenyang", "Dalian", "Anshan"], "lat": [41.8, 38.9, 41.1],
                             "lon": [123.4, 121.6, 123.0]}),
        indicators=pd.DataFrame({"city": ["Shenyang"], "year": [2024], "cul": [-1.0]}),
        enterprises=pd.DataFrame({"id": ["twin-e"], "name": ["Twin"], "city": ["Shenyang"]}),
        city_links=pd.DataFrame({"source": ["Shenyang", "Anshan"], "target": ["Anshan", "Dalian"],
                                 "weight": [10_000.0, 1.0], "year": [2024, 2024],
                                 "method": ["cooperation"] * 2}))


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def loaded(request, tmp_path_factory):
    """(study view, measures) for the sample loaded into the parametrized backend, next to a
    second study with the same city names."""
    from cultnet.etl.load import load_sample
    from cultnet.graph.store import open_store

    if request.param == "embedded":
        settings = Settings(backend="embedded",
                            data_dir=tmp_path_factory.mktemp("cultnet-saved-queries"),
                            graph_name="cultnet")
    else:
        server = request.getfixturevalue("neo4j_server")
        settings = Settings(backend="neo4j", neo4j_uri=server.uri, neo4j_user=server.user,
                            neo4j_password=server.password, neo4j_database=server.database)
    store = open_store(settings)
    try:
        if request.param == "neo4j":
            store.wipe()
        load_sample(store)
        store.load_bundle(_twin_bundle())
        study = store.study("liaoning-sample")
        measures = _write_measures(study)
        yield study, measures
    finally:
        store.close()
        if request.param == "embedded":
            from cultnet.graph.embedded_store import stop_server

            stop_server(settings)


def _run(store, key: str, **params) -> pd.DataFrame:
    q = QUERIES[key]
    res = store.query(q.text, {**q.defaults, **params}, timeout_s=30, row_cap=100_000)
    assert not res.truncated
    return res.to_frame()


def _links(store, year=YEAR, method=METHOD) -> pd.DataFrame:
    e = store.edges("city", year=year, method=method)
    if "linked" in e.columns:
        e = e[e["linked"].fillna(True).astype(bool)]
    return e


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_saved_query_runs_with_its_defaults(loaded, key):
    store, _ = loaded
    frame = _run(store, key)
    assert len(frame) > 0, key


def test_top_cities_by_betweenness_reads_the_written_measures(loaded):
    store, measures = loaded
    got = _run(store, "top_cities_by_betweenness", limit=14)
    want = measures.sort_values(["betweenness", "name"], ascending=[False, True])
    assert list(got["city"]) == list(want["name"])
    assert got["betweenness"].tolist() == pytest.approx(want["betweenness"].tolist(), abs=1e-12)
    assert got["degree"].tolist() == want["degree"].tolist()
    assert set(got["run_id"]) == {"test-run"}
    assert _run(store, "top_cities_by_betweenness")["city"].tolist() == list(want["name"][:10])


def test_top_cities_by_degree_equals_networkx(loaded):
    store, _ = loaded
    e = _links(store)
    g = nx.Graph()
    g.add_edges_from(zip(e["source"], e["target"]))
    strength = Counter()
    for s, t, w in zip(e["source"], e["target"], e["weight"]):
        strength[s] += w
        strength[t] += w
    got = _run(store, "top_cities_by_degree", limit=100)
    assert len(got) == g.number_of_nodes()
    for city, deg, st in zip(got["city"], got["degree"], got["strength"]):
        assert deg == g.degree(city), city
        assert st == pytest.approx(strength[city], rel=1e-12)
    assert list(got["degree"]) == sorted(got["degree"], reverse=True)


def test_strongest_links_are_the_heaviest_arcs(loaded):
    store, _ = loaded
    e = _links(store)
    got = _run(store, "strongest_links", limit=5)
    assert got["weight"].tolist() == sorted(e["weight"], reverse=True)[:5]
    arcs = set(zip(e["source"], e["target"]))
    assert all((s, t) in arcs for s, t in zip(got["source"], got["target"]))


def test_shortest_paths_are_every_route_networkx_finds(loaded):
    store, _ = loaded
    e = _links(store)
    g = nx.Graph()
    g.add_edges_from(zip(e["source"], e["target"]))
    got = _run(store, "shortest_paths", limit=100_000)
    routes = [tuple(r) for r in got["route"]]
    # one edge per city pair in a cooperation year, so the trails of <= 3 links are simple paths
    assert set(routes) == {tuple(p) for p in nx.all_simple_paths(g, "Shenyang", "Dalian", cutoff=3)}
    assert len(routes) == len(set(routes))
    assert got["hops"].iloc[0] == nx.shortest_path_length(g, "Shenyang", "Dalian")
    assert list(got["hops"]) == sorted(got["hops"])
    top = _run(store, "shortest_paths")
    assert len(top) == 10 and list(top["hops"]) == list(got["hops"][:10])


def test_partners_are_cities_that_link_to_the_city(loaded):
    store, _ = loaded
    e = store.edges("city")
    got = _run(store, "city_partners", city="Shenyang")
    mine = e[(e["source"] == "Shenyang") | (e["target"] == "Shenyang")]
    assert len(got) == len(mine)
    want = Counter((int(y), m, t if s == "Shenyang" else s)
                   for s, t, y, m in zip(mine["source"], mine["target"], mine["year"],
                                         mine["method"]))
    assert Counter(zip(got["year"].astype(int), got["method"], got["partner"])) == want
    assert "Shenyang" not in set(got["partner"])
    assert set(got["direction"]) <= {"in", "out"}
    assert list(got["year"]) == sorted(got["year"])


def test_enterprises_of_a_city_with_their_cooperation_counts(loaded):
    store, _ = loaded
    ents = store.enterprises()
    ids = set(ents.loc[ents["city"] == "Shenyang", "id"].astype(str))
    got = _run(store, "city_enterprises", city="Shenyang", limit=100_000)
    assert set(got["city"]) == {"Shenyang"}
    assert set(got["id"]) == ids
    coop = store.edges("enterprise")
    count = Counter(coop["source"].astype(str)) + Counter(coop["target"].astype(str))
    for i, n in zip(got["id"], got["cooperations"]):
        assert n == count.get(i, 0), i
    assert list(got["cooperations"]) == sorted(got["cooperations"], reverse=True)
    assert len(_run(store, "city_enterprises")) == min(100, len(ids))


def test_indicators_of_a_city_equal_the_indicator_table(loaded):
    store, _ = loaded
    ind = store.indicators()
    want = ind[ind["city"] == "Shenyang"].sort_values("year")
    got = _run(store, "city_indicators", city="Shenyang")
    assert got["year"].tolist() == want["year"].astype(int).tolist()
    for col in ("cul", "dig", "wfb", "wsb"):
        assert got[col].tolist() == pytest.approx(want[col].tolist(), rel=1e-12)


def test_datasets_with_provenance(loaded):
    store, _ = loaded
    ds = store.datasets()
    got = _run(store, "datasets")
    assert got["id"].tolist() == ds["id"].tolist()
    assert got["sha256"].tolist() == ds["sha256"].tolist()
    assert bool(got["simulated"].iloc[0]) is True
    counts = store.counts()["labels"]  # the study's own counts
    assert int(got["nodes"].iloc[0]) == sum(n for label, n in counts.items() if label != "Dataset")
    assert "ds-twin" not in set(got["id"])


def test_saved_queries_are_read_only(loaded):
    """The console runs them through store.query, which the database makes read-only."""
    from cultnet.errors import QueryRejected

    store, _ = loaded
    with pytest.raises(QueryRejected):
        store.query("CREATE (x:City {name: 'Atlantis'}) RETURN x", {}, timeout_s=10, row_cap=10)

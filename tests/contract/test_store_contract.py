"""The GraphStore contract, run against both real backends (embedded FalkorDB and Neo4j 5).

Every expected number below is counted by hand from ``small_bundle`` (tests/contract/conftest.py):
3 cities, 3 city-year observations, 3 enterprises (each LOCATED_IN a city), 2 COOPERATES,
3 LINKS (2015: Shenyang->Dalian 2.0, Dalian->Anshan 5.0; 2016: Shenyang->Dalian 1.5),
1 region with 2 quarterly observations, 1 Dataset, all in the study ``default``. The whole
store also holds one Study node and the schema marker (Meta).
"""

from __future__ import annotations

import json
import math
import time

import pandas as pd
import pytest

from cultnet.errors import LoadFailed, QueryRejected, QueryTimeout
from cultnet.graph.store import Study

STUDY_COUNTS = {
    "labels": {"City": 3, "Dataset": 1, "Enterprise": 3, "Observation": 5, "Region": 1},
    "relationships": {"COOPERATES": 2, "LINKS": 3, "LOCATED_IN": 3, "OBSERVED": 5},
}
EXPECTED_COUNTS = {"labels": {**STUDY_COUNTS["labels"], "Meta": 1, "Study": 1},
                   "relationships": STUDY_COUNTS["relationships"]}
EMPTY_STUDY_STORE = {"labels": {"Meta": 1, "Study": 1}, "relationships": {}}
ALL = 1_000_000  # row cap for inspection queries


def snapshot(store, *, skip_datasets: bool = False) -> tuple:
    """Every node and relationship with its properties, independent of internal ids."""
    nodes = store.query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p", row_cap=ALL).rows
    rels = store.query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(a) AS a, properties(b) AS b, "
        "properties(r) AS p", row_cap=ALL).rows
    if skip_datasets:
        nodes = [n for n in nodes if "Dataset" not in n["l"]]
    key = lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False)  # noqa: E731
    return sorted(map(key, nodes)), sorted(map(key, rels))


def dataset_row(store, dataset_id: str) -> dict:
    df = store.datasets()
    rows = df[df["id"] == dataset_id].to_dict(orient="records")
    assert len(rows) == 1, df
    return rows[0]


# -- schema, loads ---------------------------------------------------------------------------------

def test_schema_is_idempotent(store, backend):
    store.ensure_schema()
    store.ensure_schema()
    if backend == "neo4j":
        rows = store.query("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties "
                           "RETURN name, labelsOrTypes AS l, properties AS p").rows
        cons = {(r["l"][0], tuple(sorted(r["p"]))) for r in rows}
        assert not {"city_name", "enterprise_id", "observation_key"} & {r["name"] for r in rows}
    else:
        rows = store.query("CALL db.constraints() YIELD label, properties RETURN label, properties").rows
        cons = {(r["label"], tuple(sorted(r["properties"]))) for r in rows}
    # keys are per study; a city name alone is not unique any more
    assert cons >= {("City", ("name", "study")), ("Enterprise", ("id", "study")),
                    ("Region", ("name", "study")), ("Observation", ("key", "study")),
                    ("Dataset", ("id",)), ("Study", ("name",))}
    assert ("City", ("name",)) not in cons


def test_load_and_counts(store, make_bundle):
    written = store.load_bundle(make_bundle())
    assert {k: written[k] for k in ("cities", "indicators", "enterprises", "cooperation",
                                    "city_links", "series")} == \
        {"cities": 3, "indicators": 3, "enterprises": 3, "cooperation": 2, "city_links": 3, "series": 2}
    assert store.counts() == EXPECTED_COUNTS
    ds = dataset_row(store, "ds1")
    assert ds["status"] == "complete" and ds["source"] == "ds1.csv" and ds["simulated"] is False
    assert ds["sha256"] == "0" * 64 and ds["loaded_at"]


def test_every_node_and_relationship_carries_dataset(store, make_bundle):
    store.load_bundle(make_bundle())
    r = store.query("MATCH (n) WHERE NOT n:Study AND NOT n:Meta AND "
                    "(n.dataset IS NULL OR n.study <> 'default' OR n.study IS NULL) "
                    "RETURN count(n) AS n").rows
    assert r == [{"n": 0}]  # every node a load writes carries its dataset and its study
    r = store.query("MATCH ()-[x]->() WHERE x.dataset IS NULL RETURN count(x) AS n").rows
    assert r == [{"n": 0}]


def test_reload_is_idempotent(store, make_bundle):
    progress_calls = []
    store.load_bundle(make_bundle(), progress=lambda d, t, what: progress_calls.append((d, t)))
    assert progress_calls[-1] == (16, 16)
    before = snapshot(store)
    loaded_at = dataset_row(store, "ds1")["loaded_at"]
    time.sleep(1.1)  # loaded_at has second resolution: a rewrite would show
    store.load_bundle(make_bundle())
    assert store.counts() == EXPECTED_COUNTS
    assert snapshot(store) == before
    assert dataset_row(store, "ds1")["loaded_at"] == loaded_at


def test_reload_replaces_rows_of_a_changed_bundle(store, make_bundle):
    store.load_bundle(make_bundle())
    fewer = make_bundle().city_links.iloc[:2]
    store.load_bundle(make_bundle(city_links=fewer))
    assert store.counts()["relationships"]["LINKS"] == 2


def test_failed_load_keeps_previous_data_and_rerun_completes(store, make_bundle):
    store.load_bundle(make_bundle())
    before = snapshot(store, skip_datasets=True)
    # A map is not a valid property value: the database itself rejects the write, in the
    # last step of the load (series), after cities, indicators, ... were written.
    bad_series = make_bundle().series.assign(note=[{"a": 1}, {"b": 2}])
    changed_cities = make_bundle().cities.assign(lat=[0.0, 0.0, 0.0])  # would change values
    with pytest.raises(LoadFailed) as err:
        store.load_bundle(make_bundle(series=bad_series, cities=changed_cities))
    assert "ds1" in err.value.user_message
    assert snapshot(store, skip_datasets=True) == before
    ds = dataset_row(store, "ds1")
    assert ds["status"] == "failed" and ds["error"]
    store.load_bundle(make_bundle(cities=changed_cities))
    assert dataset_row(store, "ds1")["status"] == "complete"
    assert dataset_row(store, "ds1")["error"] is None
    assert store.study("default").cities()["lat"].tolist() == [0.0, 0.0, 0.0]
    assert store.counts() == EXPECTED_COUNTS


def test_progress_callback_raising_mid_load_fails_the_load_cleanly(store, make_bundle):
    calls = []

    def progress(done, total, what):
        calls.append(done)
        if len(calls) == 3:  # after cities and indicators were written
            raise RuntimeError("user pressed stop")

    with pytest.raises(LoadFailed, match="user pressed stop"):
        store.load_bundle(make_bundle(), progress=progress)
    counts = store.counts()
    assert counts["labels"] == {"Dataset": 1, "Meta": 1, "Study": 1} and counts["relationships"] == {}
    assert store.study("default").counts() == {"labels": {"Dataset": 1}, "relationships": {}}
    assert dataset_row(store, "ds1")["status"] == "failed"
    store.load_bundle(make_bundle())
    assert store.counts() == EXPECTED_COUNTS
    assert dataset_row(store, "ds1")["status"] == "complete"


# -- user queries ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cypher", ["CREATE (n:X)", "MERGE (n:X {a: 1})", "MATCH (n:City) SET n.x = 1",
                                    "MATCH (n) DETACH DELETE n"])
def test_user_queries_are_read_only(store, make_bundle, cypher):
    store.load_bundle(make_bundle())
    with pytest.raises(QueryRejected, match="read-only"):
        store.query(cypher)
    assert store.counts() == EXPECTED_COUNTS
    assert "x" not in store.study("default").cities().columns


def test_syntax_error_is_rejected(store, make_bundle):
    store.load_bundle(make_bundle())
    with pytest.raises(QueryRejected, match="(?i)syntax|invalid"):
        store.query("MATC (n) RETURN n")


def test_runaway_query_times_out(store, make_bundle):
    store.load_bundle(make_bundle())  # 16 nodes: 16^8 ~ 4e9 combinations
    t0 = time.perf_counter()
    with pytest.raises(QueryTimeout):
        store.query("MATCH (a), (b), (c), (d), (e), (f), (g), (h) "
                    "RETURN count(*) + sum(id(a) + id(b) + id(c) + id(d) + id(e) + id(f) + id(g) + id(h)) AS n",
                    timeout_s=1.0)
    elapsed = time.perf_counter() - t0
    assert elapsed < 8.0, elapsed  # Neo4j checks timeouts every ~2 s


def test_row_cap_truncates(store, make_bundle):
    store.load_bundle(make_bundle())
    r = store.query("UNWIND range(1, 50) AS i RETURN i", row_cap=10)
    assert r.truncated is True and r.columns == ["i"]
    assert [row["i"] for row in r.rows] == list(range(1, 11))
    r = store.query("UNWIND range(1, 50) AS i RETURN i", row_cap=50)
    assert r.truncated is False and len(r.rows) == 50


def test_parameters_pass_values_unchanged(store, make_bundle):
    nasty = "O'Brien \"the\" \\ back}slash{ ` MATCH (n) DETACH DELETE n // -- 沈阳\n$x"
    cities = make_bundle().cities.copy()
    cities.loc[0, "name"] = nasty
    indicators = make_bundle().indicators.replace({"Shenyang": nasty})
    links = make_bundle().city_links.replace({"Shenyang": nasty})
    ents = make_bundle().enterprises.replace({"Shenyang": nasty})
    store.load_bundle(make_bundle(cities=cities, indicators=indicators, city_links=links,
                                  enterprises=ents))
    r = store.query("MATCH (c:City {name: $name}) RETURN c.name AS name", {"name": nasty})
    assert r.rows == [{"name": nasty}]
    r = store.query("RETURN $s AS s, $i AS i, $f AS f, $b AS b, $l AS l, $m AS m",
                    {"s": nasty, "i": 7, "f": 2.5, "b": True, "l": [1, "two", None], "m": {"k": nasty}})
    assert r.rows == [{"s": nasty, "i": 7, "f": 2.5, "b": True, "l": [1, "two", None], "m": {"k": nasty}}]
    assert store.counts() == EXPECTED_COUNTS
    assert nasty in set(store.study("default").cities()["name"])


def test_query_returns_nodes_relationships_and_paths_as_dicts(store, make_bundle):
    store.load_bundle(make_bundle())
    r = store.query("MATCH p = (a:City {name: 'Dalian'})-[l:LINKS]->(b:City) "
                    "RETURN a, l, p, b.name AS target")
    assert len(r.rows) == 1
    row = r.rows[0]
    assert row["a"]["name"] == "Dalian" and row["a"]["_labels"] == ["City"]
    assert row["l"]["_type"] == "LINKS" and row["l"]["weight"] == 5.0
    assert [n["name"] for n in row["p"]["nodes"]] == ["Dalian", "Anshan"]
    assert row["target"] == "Anshan"
    assert {n["properties"]["name"] for n in r.graph["nodes"]} == {"Dalian", "Anshan"}
    assert len(r.graph["edges"]) == 1 and r.graph["edges"][0]["type"] == "LINKS"
    json.dumps(r.rows)  # plain Python all the way down


# -- reads for analysis ---------------------------------------------------------------------------

def test_reads_round_trip(store, make_bundle):
    b = make_bundle()
    store.load_bundle(b)
    cities = store.study("default").cities()
    assert list(cities.columns[:5]) == ["name", "name_zh", "province", "lat", "lon"]
    pd.testing.assert_frame_equal(
        cities[["name", "name_zh", "province", "lat", "lon"]],
        b.cities.sort_values("name").reset_index(drop=True), check_dtype=False)
    ind = store.study("default").indicators()
    assert list(ind.columns) == ["city", "year", "gdp", "patents"]
    assert ind[["city", "year"]].values.tolist() == [["Dalian", 2015], ["Shenyang", 2015], ["Shenyang", 2016]]
    assert math.isnan(ind.loc[0, "gdp"]) and ind.loc[1, "gdp"] == 7272.3 and ind.loc[2, "gdp"] == 5460.0
    assert ind["patents"].tolist() == [95, 120, 130]
    ents = store.study("default").enterprises()
    assert ents[["id", "name", "city"]].values.tolist() == [
        ["e1", "Alpha", "Shenyang"], ["e2", "Beta", "Dalian"], ["e3", "Gamma", "Anshan"]]
    ser = store.study("default").series()
    assert ser.values.tolist() == [["Liaoning", "2015Q1", "Q", 6.1], ["Liaoning", "2015Q2", "Q", 5.9]]
    assert store.study("default").series("Nowhere").empty
    e = store.study("default").edges("city", year=2015).sort_values("source").reset_index(drop=True)
    assert e[["source", "target", "weight", "year", "method"]].values.tolist() == [
        ["Dalian", "Anshan", 5.0, 2015, "cooperation"], ["Shenyang", "Dalian", 2.0, 2015, "cooperation"]]
    assert len(store.study("default").edges("city")) == 3 and len(store.study("default").edges("city", method="gravity")) == 0
    ee = store.study("default").edges("enterprise").sort_values("source")
    assert ee[["source", "target", "weight", "year"]].values.tolist() == [
        ["e1", "e2", 2.0, 2015], ["e2", "e3", 5.0, 2015]]


def test_empty_store_reads(store):
    assert store.counts() == {"labels": {}, "relationships": {}}
    assert store.studies().empty and store.study_names() == [] and store.meta() is None
    empty = Study(store, "default")  # a view of a study that does not exist reads nothing
    assert store.datasets().empty and empty.cities().empty and empty.indicators().empty
    assert empty.edges("city").empty and list(empty.edges("city").columns) == [
        "source", "target", "weight", "year", "method"]
    assert empty.counts() == {"labels": {}, "relationships": {}} and empty.edge_sets().empty
    assert store.query("MATCH (n) RETURN count(n) AS n").rows in ([{"n": 0}], [])


def test_to_igraph(store, make_bundle):
    store.load_bundle(make_bundle())
    g = store.study("default").to_igraph("city")
    assert (g.vcount(), g.ecount()) == (3, 2)
    w = {(g.vs[e.source]["name"], g.vs[e.target]["name"]): e["weight"] for e in g.es}
    assert w == {("Shenyang", "Dalian"): 3.5, ("Dalian", "Anshan"): 5.0}  # 2.0 + 1.5 over two years
    g = store.study("default").to_igraph("city", year=2016)
    assert (g.vcount(), g.ecount()) == (3, 1) and g.es["weight"] == [1.5]
    g = store.study("default").to_igraph("city", weighted=False)
    assert sorted(g.es["weight"]) == [1.0, 1.0]
    g = store.study("default").to_igraph("enterprise")
    assert (g.vcount(), g.ecount()) == (3, 2) and sorted(g.es["weight"]) == [2.0, 5.0]


def test_write_links_replaces_one_method_for_given_years(store, make_bundle):
    store.load_bundle(make_bundle())
    links = pd.DataFrame({"source": ["Shenyang", "Dalian"], "target": ["Anshan", "Shenyang"],
                          "weight": [0.7, 0.2], "year": [2015, 2015], "linked": [True, False]})
    assert store.study("default").write_links(links, method="gravity", run_id="run-a") == 2
    store.study("default").write_links(links.assign(year=2016).iloc[:1], method="gravity", run_id="run-a")
    assert store.study("default").write_links(links.iloc[1:], method="gravity", run_id="run-b") == 1
    g = store.study("default").edges("city", method="gravity").sort_values("year").reset_index(drop=True)
    assert g[["source", "target", "weight", "year"]].values.tolist() == [
        ["Dalian", "Shenyang", 0.2, 2015], ["Shenyang", "Anshan", 0.7, 2016]]
    assert g["linked"].tolist() == [False, True]
    assert g["run_id"].tolist() == ["run-b", "run-a"]
    assert len(store.study("default").edges("city", method="cooperation")) == 3  # other methods untouched


def test_write_node_results(store, make_bundle):
    store.load_bundle(make_bundle())
    res = pd.DataFrame({"outdeg": [1.0, 0.5]}, index=pd.Index(["Shenyang", "Dalian"], name="name"))
    assert store.study("default").write_node_results("city", res, run_id="r1", prefix="sna_") == 2
    c = store.study("default").cities().set_index("name")
    assert c.loc["Shenyang", "sna_outdeg"] == 1.0 and c.loc["Dalian", "sna_outdeg"] == 0.5
    assert c.loc["Shenyang", "sna_run_id"] == "r1"
    ent = pd.DataFrame({"bc": [0.25]}, index=["e2"])
    assert store.study("default").write_node_results("enterprise", ent, run_id="r2") == 1
    assert store.study("default").enterprises().set_index("id").loc["e2", "bc"] == 0.25


def test_delete_dataset_keeps_shared_nodes(store, make_bundle):
    store.load_bundle(make_bundle("ds1"))
    other = make_bundle("ds2",
                        cities=make_bundle().cities.iloc[[0]].reset_index(drop=True),  # Shenyang
                        indicators=None, enterprises=None, cooperation=None, city_links=None,
                        series=None)
    store.load_bundle(other)
    assert set(store.datasets()["id"]) == {"ds1", "ds2"}
    out = store.delete_dataset("ds1")
    assert out["datasets_deleted"] == 1 and out["nodes_kept"] == 1
    counts = store.counts()
    assert counts["labels"] == {"City": 1, "Dataset": 1, "Meta": 1, "Study": 1}
    assert counts["relationships"] == {}
    assert store.study("default").cities()["name"].tolist() == ["Shenyang"]
    r = store.query("MATCH (c:City) RETURN c.dataset AS d, c.datasets AS ds").rows
    assert r == [{"d": "ds2", "ds": ["ds2"]}]
    store.delete_dataset("ds2")
    assert store.counts() == EMPTY_STUDY_STORE  # the (now empty) study stays until delete-study
    assert store.delete_dataset("nope")["datasets_deleted"] == 0


def test_describe(store, backend):
    d = store.describe()
    assert d["backend"] == backend and d["location"] and d["version"]


@pytest.mark.parametrize("cypher", [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "CALL dbms.listConfig() YIELD name RETURN name",
    "CALL db.clearQueryCaches()",
    "SHOW TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
])
def test_file_reads_and_admin_procedures_are_rejected(store, make_bundle, cypher):
    store.load_bundle(make_bundle())
    with pytest.raises(QueryRejected):
        store.query(cypher)
    assert store.counts() == EXPECTED_COUNTS


def test_metadata_procedures_are_allowed(store, make_bundle):
    store.load_bundle(make_bundle())
    labels = {r["label"] for r in store.query("CALL db.labels() YIELD label RETURN label").rows}
    assert {"City", "Enterprise", "Dataset"} <= labels

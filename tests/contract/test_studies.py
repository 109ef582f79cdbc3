"""Studies, the unit of isolation (issue 15 item 1; docs/graph-model.md), on both real backends.

Two studies hold cities with the SAME names (the hand-countable ``small_bundle`` of conftest.py:
3 cities, 3 city-years, 3 enterprises, 2 COOPERATES, 3 LINKS, a region with 2 quarters) but
different values: every read, count, graph, export and delete of one must show nothing of the
other. Then the resolution rules and their errors, and the migration of a real store written
before studies (built with the schema-1 Cypher of tests/contract/_v1_store.py).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cultnet.errors import CultnetError, StudyNotFound
from cultnet.graph.store import Study
from cultnet.model import Bundle

from _v1_store import write_v1_store

ALL = 1_000_000
STUDY_COUNTS = {
    "labels": {"City": 3, "Dataset": 1, "Enterprise": 3, "Observation": 5, "Region": 1},
    "relationships": {"COOPERATES": 2, "LINKS": 3, "LOCATED_IN": 3, "OBSERVED": 5},
}


def _bundle(make_bundle, study: str, ds: str, scale: float = 1.0) -> Bundle:
    """small_bundle in ``study``; ``scale`` multiplies every value so the studies differ."""
    b = make_bundle(ds)
    b.study = study
    b.cities = b.cities.assign(lat=b.cities["lat"] * scale)
    b.indicators = b.indicators.assign(gdp=b.indicators["gdp"] * scale,
                                       patents=(b.indicators["patents"] * scale).astype(int))
    b.cooperation = b.cooperation.assign(weight=b.cooperation["weight"] * scale)
    b.city_links = b.city_links.assign(weight=b.city_links["weight"] * scale)
    b.series = b.series.assign(gdp_growth=b.series["gdp_growth"] * scale)
    return b


def _reads(s: Study) -> dict:
    """Every read of a study, as JSON text (comparable, independent of row order)."""
    def frame(df: pd.DataFrame, by: list[str]) -> str:
        df = df.sort_values(by, kind="mergesort").reset_index(drop=True) if len(df) else df
        return df.to_json(orient="records", force_ascii=False)

    return {"cities": frame(s.cities(), ["name"]),
            "enterprises": frame(s.enterprises(), ["id"]),
            "indicators": frame(s.indicators(), ["city", "year"]),
            "series": frame(s.series(), ["region", "period"]),
            "city_edges": frame(s.edges("city"), ["source", "target", "year", "method"]),
            "ent_edges": frame(s.edges("enterprise"), ["source", "target", "year"]),
            "counts": json.dumps(s.counts(), sort_keys=True)}


@pytest.fixture
def two(store, make_bundle):
    """The store with the studies ``north`` (values as in small_bundle) and ``south`` (x10)."""
    store.load_bundle(_bundle(make_bundle, "north", "ds-n"))
    store.load_bundle(_bundle(make_bundle, "south", "ds-s", scale=10.0))
    return store


# -- isolation ----------------------------------------------------------------------------------

def test_same_city_names_in_two_studies_are_two_nodes(two):
    assert two.study_names() == ["north", "south"]
    n, s = two.study("north"), two.study("south")
    assert n.counts() == s.counts() == STUDY_COUNTS  # nothing pooled
    assert n.cities()["name"].tolist() == s.cities()["name"].tolist() == ["Anshan", "Dalian", "Shenyang"]
    assert n.cities()["lat"].tolist() == [41.1, 38.9, 41.8]
    assert s.cities()["lat"].tolist() == pytest.approx([411.0, 389.0, 418.0])
    assert n.indicators()["patents"].tolist() == [95, 120, 130]
    assert s.indicators()["patents"].tolist() == [950, 1200, 1300]
    assert n.series()["gdp_growth"].tolist() == [6.1, 5.9]
    assert s.series()["gdp_growth"].tolist() == pytest.approx([61.0, 59.0])
    assert sorted(n.edges("city")["weight"]) == [1.5, 2.0, 5.0]
    assert sorted(s.edges("city")["weight"]) == [15.0, 20.0, 50.0]
    assert sorted(s.edges("enterprise")["weight"]) == [20.0, 50.0]
    assert n.datasets()["id"].tolist() == ["ds-n"] and s.datasets()["id"].tolist() == ["ds-s"]
    assert two.datasets()[["id", "study"]].values.tolist() == [["ds-n", "north"], ["ds-s", "south"]]
    # the whole store holds both, each node once per study
    total = two.counts()
    assert total["labels"]["City"] == 6 and total["labels"]["Study"] == 2
    assert total["relationships"]["LINKS"] == 6
    r = two.query("MATCH (c:City {name: 'Dalian'}) RETURN c.study AS s ORDER BY s").rows
    assert r == [{"s": "north"}, {"s": "south"}]


def test_studies_table(two, make_bundle):
    two.load_bundle(Bundle("ds-sim", "sim", "1" * 64, study="south", simulated=True,
                           cities=make_bundle().cities.iloc[[0]]))
    t = two.studies().set_index("name")
    assert t.loc["north", ["datasets", "complete", "cities", "enterprises", "observations",
                           "edges"]].tolist() == [1, 1, 3, 3, 5, 5]
    assert t.loc["north", "years"] == "2015-2016" and t.loc["south", "datasets"] == 2
    assert bool(t.loc["north", "simulated"]) is False and bool(t.loc["south", "simulated"]) is True
    assert two.study("south").simulated() and not two.study("north").simulated()
    assert t.loc["north", "created_at"]


def test_to_igraph_keeps_isolates_and_stays_in_its_study(two, make_bundle):
    extra = _bundle(make_bundle, "north", "ds-n2")
    extra.cities = pd.DataFrame({"name": ["Fushun"], "lat": [41.9], "lon": [123.9]})
    extra.indicators = extra.enterprises = extra.cooperation = extra.city_links = extra.series = None
    two.load_bundle(extra)  # a city without any link
    g = two.study("north").to_igraph("city", year=2015)
    assert sorted(g.vs["name"]) == ["Anshan", "Dalian", "Fushun", "Shenyang"]
    assert g.degree(g.vs.find(name="Fushun").index) == 0
    assert sorted(g.es["weight"]) == [2.0, 5.0]
    g = two.study("south").to_igraph("city", year=2015)
    assert g.vcount() == 3 and sorted(g.es["weight"]) == [20.0, 50.0]
    ge = two.study("south").to_igraph("enterprise")
    assert ge.vcount() == 3 and sorted(ge.es["weight"]) == [20.0, 50.0]


def test_export_writes_only_the_study(two, tmp_path):
    from cultnet.etl.read import read_edge_file
    from cultnet.etl.write import write_network

    s = two.study("south")
    out = tmp_path / "south.net"
    counts = write_network(s.edges("city", year=2015), s.cities(), out, "pajek", directed=True)
    assert counts == {"nodes": 3, "edges": 2}
    back, _ = read_edge_file(out)
    assert sorted(back["weight"]) == [20.0, 50.0]
    assert back.attrs["vertices"] == ["Anshan", "Dalian", "Shenyang"]


def test_write_back_stays_in_its_study(two):
    n = two.study("north")
    res = pd.DataFrame({"deg": [7.0]}, index=pd.Index(["Dalian"], name="name"))
    assert n.write_node_results("city", res, run_id="r1", prefix="sna_") == 1
    assert n.cities().set_index("name").loc["Dalian", "sna_deg"] == 7.0
    assert "sna_deg" not in two.study("south").cities().columns
    links = pd.DataFrame({"source": ["Dalian"], "target": ["Shenyang"], "weight": [0.5],
                          "year": [2015]})
    assert n.write_links(links, method="gravity", run_id="g1") == 1
    assert len(n.edges("city", method="gravity")) == 1
    assert two.study("south").edges("city", method="gravity").empty
    es = n.edge_sets().set_index("method")
    assert es.loc["gravity", "directed"] is True and es.loc["gravity", "datasets"] == ["g1"]
    assert n.directed("city", "gravity") is True


def test_user_query_gets_study_as_parameter(two):
    q = "MATCH (c:City {study: $study}) RETURN sum(c.lat) AS lat"
    assert two.study("south").query(q).rows[0]["lat"] == pytest.approx(1218.0)
    assert two.query(q, study="north").rows[0]["lat"] == pytest.approx(121.8)


def test_delete_dataset_of_one_study_leaves_the_other(two):
    before = _reads(two.study("south"))
    out = two.delete_dataset("ds-n")
    assert out["datasets_deleted"] == 1 and out["nodes_kept"] == 0
    assert two.study("north").counts() == {"labels": {}, "relationships": {}}
    assert _reads(two.study("south")) == before


def test_delete_study(two):
    before = _reads(two.study("south"))
    out = two.delete_study("north")
    assert out == {"studies_deleted": 1, "datasets_deleted": 1, "nodes_deleted": 13,
                   "relationships_deleted": 13, "cities": 3, "enterprises": 3, "observations": 5,
                   "regions": 1}
    assert two.study_names() == ["south"]
    assert _reads(two.study("south")) == before
    assert two.datasets()["id"].tolist() == ["ds-s"]
    r = two.query("MATCH (n) WHERE n.study = 'north' RETURN count(n) AS n").rows
    assert r in ([{"n": 0}], [])
    with pytest.raises(StudyNotFound, match="No study 'north'"):
        two.delete_study("north")
    assert two.resolve_study() == "south"  # now the only one


def test_same_bundle_in_two_studies_and_ids_are_per_study(store, make_bundle):
    store.load_bundle(_bundle(make_bundle, "north", "ds-n"))
    with pytest.raises(CultnetError, match="belongs to the study 'north'"):
        store.load_bundle(_bundle(make_bundle, "south", "ds-n"))
    assert store.study_names() == ["north"]  # refused before anything was written
    assert store.study("north").counts() == STUDY_COUNTS


# -- resolution --------------------------------------------------------------------------------

def test_resolution_rules_and_errors(store_factory, make_bundle):
    from dataclasses import replace

    store = store_factory()
    with pytest.raises(StudyNotFound, match="holds no study yet"):
        store.resolve_study()
    store.load_bundle(_bundle(make_bundle, "shanxi", "ds-1"))
    assert store.resolve_study() == "shanxi"  # the only study
    store.load_bundle(_bundle(make_bundle, "liaoning-sample", "ds-2"))
    with pytest.raises(StudyNotFound) as e:
        store.resolve_study()
    assert e.value.user_message == ("This store holds 2 studies: liaoning-sample, shanxi; choose "
                                    "one with --study NAME or CULTNET_STUDY.")
    assert store.resolve_study("shanxi") == "shanxi"
    with pytest.raises(StudyNotFound, match=r"No study 'shanxy' in this store \(did you mean "
                                            r"'shanxi'\?\); it holds 2 studies"):
        store.resolve_study("shanxy")
    with pytest.raises(StudyNotFound, match="did you mean 'shanxi'"):
        store.study("shanxy")
    with pytest.raises(CultnetError, match="Invalid study name"):
        store.resolve_study("../etc")
    # CULTNET_STUDY / --study: the store's settings.study
    store.settings = replace(store.settings, study="liaoning-sample")
    assert store.resolve_study() == "liaoning-sample"
    assert store.resolve_study("shanxi") == "shanxi"  # an explicit name wins
    store.settings = replace(store.settings, study="nowhere")
    with pytest.raises(StudyNotFound, match="No study 'nowhere'"):
        store.resolve_study()


@pytest.mark.parametrize("name, ok", [("a", True), ("liaoning-sample", True), ("S.2024_v1", True),
                                      ("x" * 64, True), ("x" * 65, False), ("-x", False),
                                      (".hidden", False), ("", False), ("a b", False),
                                      ("沈阳", False), ("a/b", False)])
def test_study_names(name, ok):
    from cultnet.model import check_study_name

    if ok:
        assert check_study_name(name) == name
    else:
        with pytest.raises(CultnetError, match="Invalid study name"):
            check_study_name(name)


def test_invalid_study_is_refused_before_writing(store, make_bundle):
    with pytest.raises(CultnetError, match="Invalid study name"):
        store.load_bundle(_bundle(make_bundle, "no good", "ds-x"))
    assert store.counts() == {"labels": {}, "relationships": {}}


# -- migration of a store written before studies ----------------------------------------------

def _sample_like(make_bundle, ds: str) -> Bundle:
    b = make_bundle(ds)
    b.simulated = True
    b.source = "cultnet simulated sample (scripts/make_sample.py, seed 20150101)"
    return b


@pytest.mark.parametrize("sample", [True, False])
def test_migration_of_a_store_from_before_studies(store_factory, make_bundle, backend, sample):
    old = store_factory()
    bundles = [_sample_like(make_bundle, "ds-old")]
    if not sample:
        bundles.append(make_bundle("ds-user", cities=make_bundle().cities.iloc[[0]],
                                   indicators=None, enterprises=None, cooperation=None,
                                   city_links=None, series=None))
    write_v1_store(old, bundles)
    assert old.query("MATCH (n) WHERE n.study IS NOT NULL RETURN count(n) AS n").rows[0]["n"] == 0
    assert old.meta() is None and old.study_names() == []

    st = store_factory()  # opening migrates, atomically, under the writer lock
    name = "liaoning-sample" if sample else "default"
    assert st.migration is not None and st.migration["study"] == name
    assert st.meta()["version"] == 2 and st.meta()["migrated_from"] == 1
    assert name in st.meta()["note"]
    assert st.study_names() == [name]
    migrated = st.study(name)
    assert st.datasets()["study"].tolist() == [name] * len(bundles)
    assert set(st.datasets()["status"]) == {"complete"}
    # the migrated reads equal those of a fresh load of the same bundle into another study
    fresh = _sample_like(make_bundle, "ds-fresh")
    fresh.study = "fresh"
    st.load_bundle(fresh)  # the same city names: the schema-1 single keys are gone
    want = _reads(st.study("fresh"))
    got = _reads(migrated)
    if sample:
        assert got == want
    else:
        assert {k: v for k, v in got.items() if k != "counts"} == \
            {k: v for k, v in want.items() if k != "counts"}
        assert migrated.counts()["labels"]["Dataset"] == 2
    # direction inferred per dataset: enterprise pairs e1<e2, e2<e3 were stored sorted
    # (undirected); the city links Shenyang->Dalian are not in sorted order (directed)
    es = migrated.edge_sets().set_index(["level", "method"])
    assert es.loc[("enterprise", "cooperation"), "directed"] is False
    assert es.loc[("city", "cooperation"), "directed"] is True
    if backend == "embedded":
        assert not st._r.exists(st.staging_name)
        cons = {(r["label"], tuple(sorted(r["properties"]))) for r in st.query(
            "CALL db.constraints() YIELD label, properties RETURN label, properties").rows}
    else:
        cons = {(r["l"][0], tuple(sorted(r["p"]))) for r in st.query(
            "SHOW CONSTRAINTS YIELD labelsOrTypes, properties "
            "RETURN labelsOrTypes AS l, properties AS p").rows}
    assert ("City", ("name",)) not in cons and ("City", ("name", "study")) in cons
    again = store_factory()
    assert again.migration is None  # reported once; `cultnet info` shows the note from Meta
    assert again.meta()["note"] == st.meta()["note"]


def test_store_from_a_newer_cultnet_is_refused(store_factory, make_bundle):
    from cultnet.errors import StoreUnavailable

    st = store_factory()
    st.load_bundle(make_bundle())
    if st.backend == "embedded":
        st._db.select_graph(st.graph_name).query("MATCH (m:Meta) SET m.schema_version = 99")
    else:
        with st._driver.session(database=st.database) as s:
            s.run("MATCH (m:Meta) SET m.schema_version = 99").consume()
    with pytest.raises(StoreUnavailable, match="newer cultnet"):
        store_factory()
    if st.backend == "embedded":
        st._db.select_graph(st.graph_name).query("MATCH (m:Meta) SET m.schema_version = 2")
    else:
        with st._driver.session(database=st.database) as s:
            s.run("MATCH (m:Meta) SET m.schema_version = 2").consume()

"""Each dataset's contribution kept apart (issue 11 item 1 and its siblings; DESIGN section 2), on
both real backends: relationships and observations owned by one dataset, aggregates summed at
read time, identity nodes listing every dataset that wrote or references them, attribute
provenance; so adding a dataset adds and deleting it restores exactly.

Expected numbers are counted by hand from the files written below, or come from the sample
(data/sample: 556 city cooperation links of total weight 5,383, as ``etl.load.sample_bundle``
aggregates them), or from a second, fresh study into which only the remaining datasets were
loaded (the randomized property test).
"""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

from cultnet.etl.load import load_files, load_sample
from cultnet.graph.store import Study
from cultnet.model import Bundle

SAMPLE = "liaoning-sample"


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _link(study: Study, a: str, b: str, year: int, method: str = "cooperation") -> float:
    e = study.edges("city", year=year, method=method)
    row = e[(e["source"] == a) & (e["target"] == b)]
    assert len(row) <= 1, row
    return float(row["weight"].iloc[0]) if len(row) else 0.0


# -- the red team's case ---------------------------------------------------------------------

def test_second_dataset_adds_to_city_cooperation_and_delete_restores(store, tmp_path):
    """Two datasets with an enterprise pair in the same city pair and year: 16 + 100 = 116;
    deleting the second restores 16; deleting the first leaves the second's 100."""
    cities = _write(tmp_path, "cities.csv", "name,lat,lon\nDalian,38.9,121.6\nShenyang,41.8,123.4\n")
    ent_a = _write(tmp_path, "ent_a.csv", "id,name,city\na1,A1,Shenyang\na2,A2,Dalian\n")
    coop_a = _write(tmp_path, "coop_a.csv", "source,target,weight,year\na1,a2,16,2020\n")
    ent_b = _write(tmp_path, "ent_b.csv", "id,name,city\nb1,B1,Shenyang\nb2,B2,Dalian\n")
    coop_b = _write(tmp_path, "coop_b.csv", "source,target,weight,year\nb1,b2,100,2020\n")
    a = load_files(store, cities=cities, enterprises=ent_a, edges=coop_a, directed=False,
                   study="rt")["dataset_id"]
    s = store.study("rt")
    assert _link(s, "Dalian", "Shenyang", 2020) == 16.0  # undirected: sorted endpoints
    b = load_files(store, enterprises=ent_b, edges=coop_b, directed=False, study="rt")["dataset_id"]
    assert _link(s, "Dalian", "Shenyang", 2020) == 116.0
    assert len(s.edges("city", method="cooperation")) == 1  # one pair, the weights summed
    # each dataset owns its own relationship
    owners = s.query("MATCH (:City {study: $study})-[r:LINKS]->() RETURN r.dataset AS d, "
                     "r.weight AS w ORDER BY w").rows
    assert owners == [{"d": a, "w": 16.0}, {"d": b, "w": 100.0}]
    store.delete_dataset(b)
    assert _link(s, "Dalian", "Shenyang", 2020) == 16.0
    assert sorted(s.enterprises()["id"]) == ["a1", "a2"]
    b = load_files(store, enterprises=ent_b, edges=coop_b, directed=False, study="rt")["dataset_id"]
    store.delete_dataset(a)  # the first one, with the cities file
    assert _link(s, "Dalian", "Shenyang", 2020) == 100.0
    assert sorted(s.cities()["name"]) == ["Dalian", "Shenyang"]  # still referenced by b


def test_sample_cooperation_survives_another_dataset(store, tmp_path):
    """The sample's 556 city cooperation links keep their total weight 5,383 after another
    dataset with a pair in the same city pair and year is loaded and deleted, and the sum is
    additive while both are loaded."""
    load_sample(store, gravity=False)
    s = store.study(SAMPLE)

    def total() -> tuple[int, float]:
        e = s.edges("city", method="cooperation")
        return len(e), float(e["weight"].sum())

    assert total() == (556, 5383.0)
    before = _link(s, "Dalian", "Shenyang", 2020)
    assert before > 0  # the pair the second dataset also gives
    ent = _write(tmp_path, "ent.csv", "id,name,city\nX1,Extra one,Shenyang\nX2,Extra two,Dalian\n")
    coop = _write(tmp_path, "coop.csv", "source,target,weight,year\nX1,X2,100,2020\n")
    other = load_files(store, enterprises=ent, edges=coop, directed=False, study=SAMPLE)["dataset_id"]
    assert total() == (556, 5483.0)
    assert _link(s, "Dalian", "Shenyang", 2020) == before + 100
    store.delete_dataset(other)
    assert total() == (556, 5383.0)
    assert _link(s, "Dalian", "Shenyang", 2020) == before
    assert len(s.enterprises()) == 3000 and "X1" not in set(s.enterprises()["id"])


def test_deleting_the_cities_dataset_keeps_another_datasets_links_and_observations(store, tmp_path):
    cities = _write(tmp_path, "c.csv", "name,lat,lon,area\nA,1,2,10\nB,3,4,20\nC,5,6,30\n")
    ind = _write(tmp_path, "i.csv", "city,year,x\nA,2020,1.5\nB,2020,2.5\n")
    links = _write(tmp_path, "l.csv", "source,target,weight,year\nA,B,3,2020\nB,C,4,2020\n")
    c = load_files(store, cities=cities, study="t")["dataset_id"]
    load_files(store, indicators=ind, edges=links, study="t")
    s = store.study("t")
    store.delete_dataset(c)
    got = s.cities()
    assert got["name"].tolist() == ["A", "B", "C"]  # referenced by the links and indicators
    assert got["lat"].isna().all() and "area" not in got.columns  # only the cities file gave them
    assert s.indicators()[["city", "year", "x"]].values.tolist() == [["A", 2020, 1.5], ["B", 2020, 2.5]]
    e = s.edges("city", method="observed").sort_values("source")
    assert e[["source", "target", "weight", "year"]].values.tolist() == [["A", "B", 3.0, 2020],
                                                                          ["B", "C", 4.0, 2020]]
    assert s.to_igraph().ecount() == 2


def test_attribute_provenance_restores_exactly(store, make_bundle):
    """A second cities dataset gives an extra column and one the first gave too: deleting it
    removes only the extra column; deleting the first then keeps what the second also gave."""
    first = make_bundle("ds-a")
    second = Bundle("ds-b", "b.csv", "b" * 64, cities=pd.DataFrame(
        {"name": ["Dalian"], "lat": [38.9], "area": [12574.0]}))
    store.load_bundle(first)
    s = store.study("default")
    base = s.cities().to_json()
    store.load_bundle(second)
    assert s.cities().set_index("name").loc["Dalian", "area"] == 12574.0
    out = store.delete_dataset("ds-b")
    assert out["attributes_removed"] == 1 and out["nodes_kept"] == 1 and out["nodes_deleted"] == 0
    assert s.cities().to_json() == base
    store.load_bundle(second)
    store.delete_dataset("ds-a")
    c = s.cities().set_index("name")
    assert list(c.index) == ["Dalian"]  # the other cities were only in ds-a
    assert c.loc["Dalian", "lat"] == 38.9 and c.loc["Dalian", "area"] == 12574.0
    assert pd.isna(c.loc["Dalian", "lon"]) and pd.isna(c.loc["Dalian", "name_zh"])  # ds-a's own


def test_observations_per_dataset_are_combined(store, make_bundle):
    a = make_bundle("ds-a")
    b = Bundle("ds-b", "b.csv", "b" * 64, indicators=pd.DataFrame(
        {"city": ["Shenyang", "Anshan"], "year": [2015, 2016], "tech": [3.5, 4.5]}))
    store.load_bundle(a)
    store.load_bundle(b)
    s = store.study("default")
    ind = s.indicators().set_index(["city", "year"])
    assert ind.loc[("Shenyang", 2015), ["gdp", "patents", "tech"]].tolist() == [7272.3, 120, 3.5]
    assert ind.loc[("Anshan", 2016), "tech"] == 4.5 and pd.isna(ind.loc[("Anshan", 2016), "gdp"])
    assert len(ind) == 4 and s.counts()["labels"]["Observation"] == 2 + 3 + 2  # per dataset
    store.delete_dataset("ds-b")
    assert "tech" not in s.indicators().columns and len(s.indicators()) == 3


def test_reload_of_a_complete_dataset_is_a_no_op(store, make_bundle):
    store.load_bundle(make_bundle())
    before = store.query("MATCH (n) RETURN count(n) AS n").rows
    out = store.load_bundle(make_bundle())
    assert out["unchanged"] is True and out["cities"] == 3
    assert store.query("MATCH (n) RETURN count(n) AS n").rows == before


def test_write_back_run_is_a_dataset(store, make_bundle):
    store.load_bundle(make_bundle())
    s = store.study("default")
    links = pd.DataFrame({"source": ["Dalian"], "target": ["Shenyang"], "weight": [0.5],
                          "year": [2015]})
    s.write_links(links, method="gravity", run_id="run-1")
    ds = s.datasets().set_index("id")
    assert ds.loc["run-1", "kind"] == "run" and ds.loc["run-1", "status"] == "complete"
    s.write_links(links.assign(weight=0.7), method="gravity", run_id="run-2")
    assert set(s.datasets()["id"]) == {"ds1", "run-2"}  # run-1's links were all replaced
    assert s.edges("city", method="gravity")["weight"].tolist() == [0.7]
    store.delete_dataset("run-2")
    assert s.edges("city", method="gravity").empty and len(s.edges("city")) == 3
    assert len(s.cities()) == 3  # the run only referenced them


# -- the acceptance property (randomized, seeded) ------------------------------------------

def _pool() -> list[Bundle]:
    """Six small datasets of one study that overlap (shared cities, enterprises, city pairs,
    city-years) without conflicting values, as etl would let them in."""
    cities0 = pd.DataFrame({"name": list("ABCD"), "lat": [1.0, 2.0, 3.0, 4.0],
                            "lon": [5.0, 6.0, 7.0, 8.0]})
    cities1 = pd.DataFrame({"name": list("CDE"), "lat": [3.0, 4.0, 9.0], "lon": [7.0, 8.0, 9.5],
                            "area": [30.0, 40.0, 50.0]})
    return [
        Bundle("p0", "p0", "0", cities=cities0),
        Bundle("p1", "p1", "1", cities=cities1, indicators=pd.DataFrame(
            {"city": ["A", "C"], "year": [2015, 2016], "x": [1.0, 3.0]})),
        Bundle("p2", "p2", "2", enterprises=pd.DataFrame(
            {"id": ["e1", "e2", "e3"], "name": ["E1", "E2", "E3"], "city": ["A", "B", "C"]}),
            cooperation=pd.DataFrame({"source": ["e1", "e2"], "target": ["e2", "e3"],
                                      "weight": [2.0, 3.0], "year": [2015, 2016]}),
            city_links=pd.DataFrame({"source": ["A", "B"], "target": ["B", "C"],
                                     "weight": [2.0, 3.0], "year": [2015, 2016],
                                     "method": ["cooperation"] * 2})),
        Bundle("p3", "p3", "3", enterprises=pd.DataFrame(
            {"id": ["e4", "e5"], "name": ["E4", "E5"], "city": ["A", "B"]}),
            cooperation=pd.DataFrame({"source": ["e4", "e1"], "target": ["e5", "e2"],
                                      "weight": [5.0, 7.0], "year": [2015, 2015]}),
            city_links=pd.DataFrame({"source": ["A"], "target": ["B"], "weight": [12.0],
                                     "year": [2015], "method": ["cooperation"]})),
        Bundle("p4", "p4", "4", indicators=pd.DataFrame(
            {"city": ["A", "B"], "year": [2015, 2015], "y": [0.5, 0.25]}),
            city_links=pd.DataFrame({"source": ["A"], "target": ["C"], "weight": [1.0],
                                     "year": [2016], "method": ["observed"]}),
            series=pd.DataFrame({"region": ["R", "R"], "period": ["2015Q1", "2015Q2"],
                                 "freq": ["Q", "Q"], "g": [1.0, 2.0]})),
        Bundle("p5", "p5", "5", cities=pd.DataFrame({"name": ["A"], "lat": [1.0], "pop": [100.0]}),
               series=pd.DataFrame({"region": ["R"], "period": ["2015Q1"], "freq": ["Q"],
                                    "h": [9.0]})),
    ]


def _in(b: Bundle, study: str, suffix: str = "") -> Bundle:
    out = Bundle(b.dataset_id + suffix, b.source, b.sha256, study=study, cities=b.cities,
                 indicators=b.indicators, enterprises=b.enterprises, cooperation=b.cooperation,
                 city_links=b.city_links, series=b.series)
    return out


def _all_reads(s: Study) -> dict:
    def frame(df: pd.DataFrame, by: list[str]) -> str:
        if len(df):
            df = df[sorted(df.columns)].sort_values(by, kind="mergesort").reset_index(drop=True)
        return df.to_json(orient="records")

    counts = s.counts()
    counts["labels"].pop("Dataset", None)
    return {"cities": frame(s.cities(), ["name"]), "enterprises": frame(s.enterprises(), ["id"]),
            "indicators": frame(s.indicators(), ["city", "year"]),
            "series": frame(s.series(), ["region", "period"]),
            "city": frame(s.edges("city"), ["source", "target", "year", "method"]),
            "enterprise": frame(s.edges("enterprise"), ["source", "target", "year"]),
            "counts": json.dumps(counts, sort_keys=True)}


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_loads_and_deletes_read_as_a_fresh_store_with_the_remaining_datasets(store, seed):
    rng = random.Random(seed)
    pool = _pool()
    loaded: list[str] = []
    for step in range(20):
        b = rng.choice(pool)
        if b.dataset_id in loaded and rng.random() < 0.6:
            store.delete_dataset(b.dataset_id)
            loaded.remove(b.dataset_id)
        else:
            store.load_bundle(_in(b, "prop"))  # a reload of a loaded one is a no-op
            if b.dataset_id not in loaded:
                loaded.append(b.dataset_id)
        if step % 7 == 6 or step == 19:
            fresh = f"fresh-{seed}-{step}"
            for d in loaded:
                store.load_bundle(_in(next(p for p in pool if p.dataset_id == d), fresh,
                                      suffix=f"@{fresh}"))
            got, want = _all_reads(Study(store, "prop")), _all_reads(Study(store, fresh))
            assert got == want, (seed, step, loaded)
            if loaded:
                store.delete_study(fresh)
    assert loaded  # the sequence left something to compare (seeded)


# -- migration of a schema-2 store (shared relationships and observations) ---------------------

def test_migration_of_a_schema_2_store(store_factory):
    """Schema 2 merged the red team's second pair onto the first one's LINKS (weight 100,
    datasets [A, B]) and shared one Observation: the migration credits the relationship to its
    last writer (B), copies the observation per dataset, records the run as a dataset."""
    from _v2_queries import write_v2_store

    old = store_factory()
    cities = pd.DataFrame({"name": ["Dalian", "Shenyang"], "lat": [38.9, 41.8], "lon": [121.6, 123.4]})
    a = Bundle("A", "a", "a", study="rt", cities=cities,
               enterprises=pd.DataFrame({"id": ["a1", "a2"], "name": ["A1", "A2"],
                                         "city": ["Shenyang", "Dalian"]}),
               cooperation=pd.DataFrame({"source": ["a1"], "target": ["a2"], "weight": [16.0],
                                         "year": [2020]}),
               city_links=pd.DataFrame({"source": ["Dalian"], "target": ["Shenyang"],
                                        "weight": [16.0], "year": [2020],
                                        "method": ["cooperation"]}),
               indicators=pd.DataFrame({"city": ["Shenyang"], "year": [2020], "x": [1.0]}))
    b = Bundle("B", "b", "b", study="rt",
               enterprises=pd.DataFrame({"id": ["b1", "b2"], "name": ["B1", "B2"],
                                         "city": ["Shenyang", "Dalian"]}),
               cooperation=pd.DataFrame({"source": ["b1"], "target": ["b2"], "weight": [100.0],
                                         "year": [2020]}),
               city_links=pd.DataFrame({"source": ["Dalian"], "target": ["Shenyang"],
                                        "weight": [100.0], "year": [2020],
                                        "method": ["cooperation"]}),
               indicators=pd.DataFrame({"city": ["Shenyang"], "year": [2020], "y": [2.0]}))
    gravity = pd.DataFrame({"source": ["Dalian"], "target": ["Shenyang"], "weight": [0.5],
                            "year": [2020]})
    write_v2_store(old, [a, b], runs=[("rt", gravity, "gravity", "g1")])
    assert old.meta()["version"] == 2

    st = store_factory()
    assert st.migration["from"] == 2 and st.meta()["version"] == 3
    assert "2 had been written by several" in st.meta()["note"]  # the LINKS and an OBSERVED
    s = st.study("rt")
    assert _link(s, "Dalian", "Shenyang", 2020) == 100.0  # the last writer's weight, B's
    assert sorted(s.edges("enterprise")["weight"]) == [16.0, 100.0]
    ind = s.indicators()
    assert ind[["city", "year", "x", "y"]].values.tolist() == [["Shenyang", 2020, 1.0, 2.0]]
    assert s.counts()["labels"]["Observation"] == 2  # one copy per dataset
    ds = s.datasets().set_index("id")
    assert ds.loc["g1", "kind"] == "run" and ds.loc["g1", "status"] == "complete"
    assert _link(s, "Dalian", "Shenyang", 2020, "gravity") == 0.5
    st.delete_dataset("A")  # B references both cities (LOCATED_IN, LINKS): they stay
    assert s.cities()["name"].tolist() == ["Dalian", "Shenyang"]
    assert s.indicators()[["x", "y"]].values.tolist() == [[1.0, 2.0]]  # B's copy
    assert _link(s, "Dalian", "Shenyang", 2020) == 100.0
    st.delete_dataset("B")
    assert s.edges("city", method="cooperation").empty and s.enterprises().empty
    st.delete_dataset("g1")
    assert s.edges("city").empty and s.cities().empty

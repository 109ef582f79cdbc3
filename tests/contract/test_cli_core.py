"""``cultnet query / info / datasets / delete-dataset / stop`` end to end on the embedded store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cultnet.settings import Settings
from cultnet.graph.embedded_store import EmbeddedStore, stop_server
from cultnet.ui.cli import app


@pytest.fixture
def data_dir(tmp_path, make_bundle):
    d = tmp_path / "data"
    st = EmbeddedStore(Settings(data_dir=d))
    st.load_bundle(make_bundle())
    st.close()
    yield d
    stop_server(Settings(data_dir=d))


def run(data_dir, *args):
    return CliRunner().invoke(app, ["--backend", "embedded", "--data-dir", str(data_dir), *args])


def test_query_json(data_dir):
    r = run(data_dir, "query", "MATCH (c:City) RETURN count(c) AS n", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [{"n": 3}]


def test_query_params_are_json_or_strings(data_dir):
    r = run(data_dir, "query", "MATCH (c:City {name: $name}) RETURN c.name AS name, $k AS k, $s AS s",
            "--param", "name=Dalian", "--param", "k=[1, 2]", "-p", 's="7"', "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [{"name": "Dalian", "k": [1, 2], "s": "7"}]


def test_query_table_and_truncation_notice(data_dir):
    r = run(data_dir, "query", "UNWIND range(1, 5) AS i RETURN i", "--limit", "2")
    assert r.exit_code == 0, r.output
    assert "truncated" in r.stderr and "│ 1 │" in r.stdout and "│ 3 │" not in r.stdout


def test_query_write_is_refused_with_exit_code(data_dir):
    r = run(data_dir, "query", "CREATE (n:X)")
    assert r.exit_code == 4 and "read-only" in r.stderr and "Traceback" not in r.output


def test_query_timeout_exit_code(data_dir):
    r = run(data_dir, "query", "MATCH (a),(b),(c),(d),(e),(f),(g),(h) RETURN count(*)", "--timeout", "0.5")
    assert r.exit_code == 5, r.output


def test_bad_param_syntax(data_dir):
    r = run(data_dir, "query", "RETURN 1", "--param", "novalue")
    assert r.exit_code == 1 and "name=value" in r.stderr


def test_info_and_datasets(data_dir):
    r = run(data_dir, "info", "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["backend"] == "embedded" and info["counts"]["labels"]["City"] == 3
    assert info["datasets"][0]["id"] == "ds1" and info["datasets"][0]["status"] == "complete"
    r = run(data_dir, "info")
    assert r.exit_code == 0 and "COOPERATES" in r.stdout
    r = run(data_dir, "datasets", "--json")
    assert [d["id"] for d in json.loads(r.stdout)] == ["ds1"]


def test_delete_dataset_and_stop(data_dir):
    r = run(data_dir, "delete-dataset", "nope")
    assert r.exit_code == 1 and "No dataset 'nope'" in r.stderr
    r = run(data_dir, "delete-dataset", "ds1", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["datasets_deleted"] == 1
    r = run(data_dir, "stop")
    assert r.exit_code == 0 and "stopped" in r.stdout
    r = run(data_dir, "stop")
    assert r.exit_code == 0 and "no embedded store is running" in r.stdout


# -- studies ------------------------------------------------------------------------------------

@pytest.fixture
def two_studies(tmp_path, make_bundle):
    """The data dir with the study 'default' (small_bundle) and 'south' (the same city names)."""
    d = tmp_path / "two"
    st = EmbeddedStore(Settings(data_dir=d))
    st.load_bundle(make_bundle())
    south = make_bundle("ds-south")
    south.study = "south"
    south.cities = south.cities.iloc[:2]
    south.indicators = south.enterprises = south.cooperation = south.series = None
    south.city_links = south.city_links.iloc[[0]]
    st.load_bundle(south)
    st.close()
    yield d
    stop_server(Settings(data_dir=d))


def test_studies_table_and_json(two_studies):
    r = run(two_studies, "studies", "--json")
    assert r.exit_code == 0, r.output
    rows = {s["name"]: s for s in json.loads(r.stdout)}
    assert set(rows) == {"default", "south"}
    assert (rows["default"]["cities"], rows["default"]["edges"], rows["default"]["years"]) == \
        (3, 5, "2015-2016")
    assert (rows["south"]["cities"], rows["south"]["datasets"], rows["south"]["simulated"]) == \
        (2, 1, False)
    r = run(two_studies, "studies")
    assert r.exit_code == 0 and "south" in r.stdout and "2015-2016" in r.stdout


def test_reads_need_a_study_when_there_are_several(two_studies):
    r = run(two_studies, "export", "--format", "csv", "-o", str(two_studies / "x.csv"))
    assert r.exit_code == 1 and "holds 2 studies: default, south" in r.stderr
    r = run(two_studies, "--study", "south", "export", "--format", "csv",
            "-o", str(two_studies / "x.csv"))
    assert r.exit_code == 0, r.output
    assert (two_studies / "x.csv").read_text().splitlines()[1:] == ["Shenyang,Dalian,2,2015,cooperation"]
    r = CliRunner(env={"CULTNET_STUDY": "sout"}).invoke(
        app, ["--data-dir", str(two_studies), "export", "--format", "csv", "-o", "y.csv"])
    assert r.exit_code == 1 and "did you mean 'south'" in r.stderr


def test_query_passes_the_study(two_studies):
    q = "MATCH (c:City {study: $study}) RETURN count(c) AS n"
    r = run(two_studies, "query", q)
    assert r.exit_code == 1 and "choose one with --study" in r.stderr
    r = run(two_studies, "--study", "south", "query", q, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"n": 2}]
    r = run(two_studies, "query", "MATCH (c:City) RETURN count(c) AS n", "--json")
    assert json.loads(r.stdout) == [{"n": 5}]  # a query without $study reads what it says


def test_info_and_datasets_by_study(two_studies):
    r = run(two_studies, "info", "--json")
    info = json.loads(r.stdout)
    assert info["study"] is None and info["counts"]["labels"]["City"] == 5  # the whole store
    assert [s["name"] for s in info["studies"]] == ["default", "south"]
    assert info["schema"]["version"] == 2
    r = run(two_studies, "--study", "south", "info", "--json")
    info = json.loads(r.stdout)
    assert info["study"] == "south" and info["counts"]["labels"]["City"] == 2
    assert [d["id"] for d in info["datasets"]] == ["ds-south"]
    r = run(two_studies, "datasets", "--json")
    assert [(d["id"], d["study"]) for d in json.loads(r.stdout)] == [("ds-south", "south"),
                                                                    ("ds1", "default")]
    r = run(two_studies, "--study", "south", "datasets", "--json")
    assert [d["id"] for d in json.loads(r.stdout)] == ["ds-south"]


def test_delete_dataset_and_delete_study(two_studies):
    r = run(two_studies, "--study", "south", "delete-dataset", "ds1")
    assert r.exit_code == 1 and "belongs to the study 'default'" in r.stderr
    r = run(two_studies, "delete-study", "south", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["datasets_deleted"], out["cities"], out["relationships_deleted"]) == (1, 2, 1)
    r = run(two_studies, "delete-study", "south")
    assert r.exit_code == 1 and "No study 'south'" in r.stderr
    r = run(two_studies, "studies", "--json")
    assert [s["name"] for s in json.loads(r.stdout)] == ["default"]
    r = run(two_studies, "query", "MATCH (c:City {study: $study}) RETURN count(c) AS n", "--json")
    assert json.loads(r.stdout) == [{"n": 3}]  # the only study


def test_load_into_a_named_study(tmp_path):
    from pathlib import Path

    good = Path(__file__).resolve().parents[1] / "data" / "good"
    d = tmp_path / "load"
    try:
        r = run(d, "load", "--cities", str(good / "cities.csv"), "--study", "shanxi", "--json")
        assert r.exit_code == 0, r.output
        res = json.loads(r.stdout)
        assert res["study"] == "shanxi"
        r2 = run(d, "load", "--cities", str(good / "cities.csv"), "--json")  # 'default'
        res2 = json.loads(r2.stdout)
        assert res2["study"] == "default" and res2["dataset_id"] != res["dataset_id"]
        r = run(d, "load", "--cities", str(good / "cities.csv"), "--study", "no good")
        assert r.exit_code == 1 and "Invalid study name" in r.stderr
        r = run(d, "studies", "--json")
        assert {s["name"]: s["cities"] for s in json.loads(r.stdout)} == {"default": 4, "shanxi": 4}
    finally:
        stop_server(Settings(data_dir=d))


def test_notebook_api(two_studies, monkeypatch):
    """``cultnet.open_store(...)`` / ``cultnet.study(name)``: the notebook entry points."""
    import cultnet
    from cultnet.errors import StudyNotFound

    monkeypatch.delenv("CULTNET_STUDY", raising=False)
    store = cultnet.open_store(backend="embedded", data_dir=str(two_studies))
    try:
        assert store.study_names() == ["default", "south"]
    finally:
        store.close()
    s = cultnet.study("south", data_dir=two_studies)
    try:
        assert s.name == "south" and s.cities()["name"].tolist() == ["Dalian", "Shenyang"]
        assert s.to_igraph().vcount() == 2
    finally:
        s.store.close()
    with pytest.raises(StudyNotFound, match="holds 2 studies"):
        cultnet.study(data_dir=two_studies)

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

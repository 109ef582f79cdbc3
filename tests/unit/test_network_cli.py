"""The network commands on edge files and tables (no store needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cultnet.ui.cli import app

TABLE1 = Path(__file__).resolve().parents[1] / "data" / "network" / "paper_table1.csv"
G2 = [("s", "u"), ("s", "x"), ("u", "v"), ("u", "x"), ("v", "y"), ("x", "u"), ("x", "v"),
      ("x", "y"), ("y", "s"), ("y", "v")]

runner = CliRunner()


@pytest.fixture()
def g2_file(tmp_path):
    p = tmp_path / "g2.csv"
    p.write_text("source,target,weight\n" + "".join(f"{a},{b},1\n" for a, b in G2))
    return p


def test_network_json_from_edge_file(g2_file):
    r = runner.invoke(app, ["network", "--edges", str(g2_file), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert set(d) == {"graph", "nodes"}
    assert d["graph"]["arcs"] == 10 and d["graph"]["directed"] is True
    y = next(n for n in d["nodes"] if n["name"] == "y")
    assert y["betweenness"] == pytest.approx(5 / 12) and y["out_degree"] == 2
    assert "closeness_out" in d["graph"]["conventions"]


def test_network_undirected_and_views(g2_file):
    r = runner.invoke(app, ["network", "--edges", str(g2_file), "--undirected", "--json"])
    d = json.loads(r.stdout)
    assert d["graph"]["directed"] is False and d["graph"]["arcs"] == 8    # u-x and v-y merge
    for view in ("paper", "ucinet", "measures"):
        r = runner.invoke(app, ["network", "--edges", str(g2_file), "--view", view])
        assert r.exit_code == 0, r.output
        assert "conventions" in r.stdout


def test_structure_commands_on_edge_file(g2_file):
    r = runner.invoke(app, ["scalefree", "--edges", str(g2_file), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["verdict"] == "too small to test"
    assert d["sequences"]["total"]["reason"].startswith("too small to test: n=5")
    r = runner.invoke(app, ["smallworld", "--edges", str(g2_file), "--n-random", "3", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n_random"] == 3
    r = runner.invoke(app, ["roles", "--edges", str(g2_file), "--json"])
    assert r.exit_code == 0, r.output
    roles = json.loads(r.stdout)["roles"]
    assert {x["role"] for x in roles} <= {"core hub", "bridge", "sub-node", "edge node"}
    r = runner.invoke(app, ["robustness", "--edges", str(g2_file), "--runs", "3", "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["curves"]) == 3 * 6


def test_audit_command():
    r = runner.invoke(app, ["audit", "--table", str(TABLE1), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["errors"] >= 4
    msgs = " ".join(f["message"] for f in d["findings"])
    assert "41" in msgs and "36" in msgs
    r = runner.invoke(app, ["audit", "--table", str(TABLE1)])
    assert r.exit_code == 0 and "Benxi" in r.stdout


def _flat(s: str) -> str:
    return " ".join(s.split())       # Rich wraps long messages at the terminal width


def test_clear_errors(tmp_path, g2_file):
    r = runner.invoke(app, ["audit", "--table", str(tmp_path / "missing.csv")])
    assert r.exit_code != 0 and "file not found" in _flat(r.output)
    r = runner.invoke(app, ["network", "--edges", str(g2_file), "--closeness", "bogus"])
    assert r.exit_code != 0 and "closeness convention" in _flat(r.output)
    r = runner.invoke(app, ["network", "--edges", str(g2_file), "--write"])
    assert r.exit_code != 0 and "--edges" in _flat(r.output)


REGION_LINKS = Path(__file__).resolve().parents[1] / "data" / "region" / "links.csv"


def test_tables_never_cut_city_names_and_undirected_shows_edges():
    """At 80 columns (CliRunner's width) the node table keeps every name whole, and an
    undirected network shows "edges", no reciprocity and no in/out columns."""
    r = runner.invoke(app, ["network", "--edges", str(REGION_LINKS)])
    assert r.exit_code == 0, r.output
    for name in ("Taiyuan", "Jinzhong", "Yangquan", "Lüliang", "Yuncheng"):
        assert f"│ {name} " in r.stdout, name
    assert "…" not in r.stdout
    assert "│ edges " in r.stdout and "reciprocity" not in r.stdout and "clo_in" not in r.stdout
    r = runner.invoke(app, ["network", "--edges", str(REGION_LINKS), "--directed"])
    assert "│ arcs " in r.stdout and "reciprocity" in r.stdout and "…" not in r.stdout


def test_simulated_notice_once_per_command(capsys):
    import pandas as pd

    from cultnet.ui import common

    ds = pd.DataFrame({"simulated": [True, True]})
    common._NOTICE_SHOWN.clear()
    assert common.warn_if_simulated(ds) and common.warn_if_simulated(ds)
    assert capsys.readouterr().err.count("SIMULATED DATA") == 1

"""Issue 15's acceptance on both real stores: a second region in its own study next to the sample.

The SIMULATED Shanxi region of ``tests/data/region`` (scripts/make_region.py: other column names,
Chinese headers in its cities file, years 2012-2019, a city-level "node, partner, frequency" list
with an isolated city, a user group file, a quarterly series) is loaded into the study
``shanxi`` of a store that already holds ``liaoning-sample``. Every CLI command works on it with
its own variables; the sample's results are identical before and after; nothing of one study
appears in the other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "tests" / "data" / "region"
SHANXI = ["Changzhi", "Datong", "Jincheng", "Jinzhong", "Linfen", "Lüliang", "Shuozhou",
          "Taiyuan", "Xinzhou", "Yangquan", "Yuncheng"]

pytestmark = pytest.mark.slow

# the sample's results that must not move when another study is loaded (stable JSON outputs)
SAMPLE_COMMANDS = [
    ("network", "--year", "2024"),
    ("network", "--method", "cooperation", "--year", "2024"),
    ("roles", "--year", "2024"),
    ("smallworld", "--year", "2024", "--n-random", "5"),
    ("panel", "--y", "cul", "--x", "dig,tech,res,dem,sys", "--log", "--effects", "twoway",
     "--cov", "clustered"),
    ("var", "--reps", "50"),
    ("pvar", "--vars", "dig,wfb,wsb", "--log", "--reps", "50"),
    ("spatial", "--model", "moran", "--vars", "cul,dig", "--permutations", "99"),
]
VOLATILE = {"run_id", "elapsed_ms", "elapsed_s", "loaded_at"}


def _env(settings) -> dict[str, str]:
    if settings.backend == "embedded":
        return {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(settings.data_dir),
                "CULTNET_GRAPH": settings.graph_name, "CULTNET_STUDY": None}
    return {"CULTNET_BACKEND": "neo4j", "NEO4J_URI": settings.neo4j_uri,
            "NEO4J_USER": settings.neo4j_user, "NEO4J_PASSWORD": settings.neo4j_password,
            "NEO4J_DATABASE": settings.neo4j_database, "CULTNET_STUDY": None}


def cli(env: dict, *args: str, as_json: bool = True):
    from cultnet.ui.cli import app

    r = CliRunner(env=env).invoke(app, [*args, *(["--json"] if as_json else [])])
    assert r.exit_code == 0, f"{args}: {r.output}"
    return json.loads(r.stdout) if as_json else r


def _stable(v):
    """The JSON without run ids and times, floats to 12 significant digits: the order in which a
    store returns rows changes float sums in the last bit (in_strength), and igraph's ARPACK
    eigenvector differs at 1e-16 between two runs on the same data."""
    if isinstance(v, dict):
        return {k: _stable(x) for k, x in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [_stable(x) for x in v]
    if isinstance(v, float):
        return float(f"{v:.12g}")
    return v


@pytest.fixture
def two_studies(store_factory):
    """The sample in liaoning-sample (results recorded), then Shanxi loaded into shanxi."""
    from cultnet.etl.load import load_sample

    store = store_factory()
    load_sample(store)
    env = _env(store_factory.settings)
    before = {c: _stable(cli(env, c[0], "--study", "liaoning-sample", *c[1:])) for c in SAMPLE_COMMANDS}
    r = cli(env, "load", "--study", "shanxi", "--cities", str(REGION / "cities.csv"),
            "--indicators", str(REGION / "indicators.csv"), "--edges", str(REGION / "links.csv"),
            "--series", str(REGION / "series.csv"), "--simulated")
    assert r["study"] == "shanxi"
    return store, env, before


def test_the_sample_is_unchanged_and_nothing_is_shared(two_studies):
    store, env, before = two_studies
    for c in SAMPLE_COMMANDS:
        after = _stable(cli(env, c[0], "--study", "liaoning-sample", *c[1:]))
        assert after == before[c], c
    assert store.study_names() == ["liaoning-sample", "shanxi"]
    sample, shanxi = store.study("liaoning-sample"), store.study("shanxi")
    assert sorted(shanxi.cities()["name"]) == SHANXI
    assert not set(SHANXI) & set(sample.cities()["name"]) and len(sample.cities()) == 14
    assert set(shanxi.indicators()["year"]) == set(range(2012, 2020))
    assert set(sample.indicators()["year"]) == set(range(2015, 2025))
    assert "revenue" in shanxi.indicators().columns and "revenue" not in sample.indicators().columns
    assert not set(sample.edges("city")["source"]) & set(SHANXI)
    assert shanxi.enterprises().empty and len(sample.enterprises()) == 3000
    rows = cli(env, "--study", "shanxi", "query",
               "MATCH (c:City {study: $study}) RETURN c.name AS name ORDER BY name")
    assert [r["name"] for r in rows] == SHANXI
    studies = {r["name"]: r for r in cli(env, "studies")}
    assert studies["shanxi"]["simulated"] and studies["shanxi"]["cities"] == 11


def test_every_command_on_the_second_region(two_studies, tmp_path):
    _store, env, _before = two_studies
    s = ("--study", "shanxi")
    # the loaded network: undirected triples, the isolated city is a node
    d = cli(env, "network", *s, "--method", "observed")
    assert d["graph"]["directed"] is False and len(d["nodes"]) == 11
    assert d["graph"]["density"] == pytest.approx(17 / 55)
    assert next(n for n in d["nodes"] if n["name"] == "Shuozhou")["degree"] == 0
    # gravity with its own masses, written, then analysed
    g = cli(env, "gravity", *s, "--write", "--masses", "residents,revenue", "--asymmetry",
            "revenue", "--income", "income_pc")
    assert g["written"] > 0 and g["parameters"]["masses"] == ["residents", "revenue"]
    assert {r["year"] for r in g["summary"]} == set(range(2012, 2020))
    d = cli(env, "network", *s, "--year", "2019")
    assert d["graph"]["directed"] is True and sorted(n["name"] for n in d["nodes"]) == SHANXI
    assert cli(env, "smallworld", *s, "--year", "2019", "--n-random", "5")["n"] <= 11
    assert cli(env, "scalefree", *s, "--year", "2019", "--n-boot", "20")["verdict"] == "too small to test"
    roles = cli(env, "roles", *s, "--year", "2019")["roles"]
    assert sorted(r["name"] for r in roles) == SHANXI
    assert cli(env, "robustness", *s, "--year", "2019", "--runs", "3")["curves"]
    # econometrics with its own variables and its own group file
    p = cli(env, "panel", *s, "--y", "revenue", "--x", "broadband,patents,visitors", "--log",
            "--effects", "twoway", "--cov", "clustered")
    assert {"ln_broadband", "ln_patents", "ln_visitors"} <= set(json.dumps(p).split('"'))
    p = cli(env, "panel", *s, "--y", "revenue", "--x", "broadband,patents,visitors", "--log",
            "--groups", str(REGION / "groups.csv"))
    assert {"central", "north", "south"} <= set(json.dumps(p).split('"'))
    v = cli(env, "var", *s, "--vars", "online_sales,broadband_rate,visitor_index", "--log",
            "--reps", "50")
    assert v["variables"] == ["ln_online_sales", "ln_broadband_rate", "ln_visitor_index"]
    pv = cli(env, "pvar", *s, "--vars", "revenue,broadband,visitors", "--log", "--reps", "50")
    assert pv["variables"] == ["ln_revenue", "ln_broadband", "ln_visitors"]
    m = cli(env, "spatial", *s, "--model", "moran", "--vars", "revenue", "--permutations", "99")
    assert {r["period"] for r in m["moran"]} == set(range(2012, 2020))
    # export: every city, the stored direction
    out = tmp_path / "shanxi.net"
    cli(env, "export", *s, "--format", "pajek", "--method", "observed", "-o", str(out), as_json=False)
    text = out.read_text(encoding="utf-8")
    assert "*Vertices 11" in text and "*Edges" in text and "*Arcs" not in text
    assert '"Shuozhou"' in text and '"Lüliang"' in text

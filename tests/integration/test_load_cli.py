"""``cultnet load`` / ``cultnet export`` end to end on a real embedded store (FalkorDB child
process in a tmp data dir, stopped afterwards): what is written, idempotent reloads, encodings
named, every problem printed, and export -> read back round trips."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from cultnet.etl.load import SAMPLE_FILES, sample_dir, validate_files
from cultnet.etl.read import read_edge_file

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("cultnet.graph.embedded_store") is None,
                                reason="cultnet.graph.embedded_store not available")

BASE = ["load", "--cities", str(GOOD / "cities.csv"), "--indicators", str(GOOD / "indicators.csv"),
        "--enterprises", str(GOOD / "enterprises.csv"), "--edges", str(GOOD / "cooperation.csv"),
        "--series", str(GOOD / "series.csv")]


@pytest.fixture(scope="module")
def env():
    from typer.testing import CliRunner

    from cultnet.settings import Settings
    from cultnet.graph.store import open_store
    from cultnet.ui.cli import app

    with tempfile.TemporaryDirectory(prefix="cultnet-load-") as d:
        runner = CliRunner(env={"CULTNET_DATA_DIR": d, "CULTNET_BACKEND": "embedded",
                                "CULTNET_MAX_FILE_MB": None})
        r = runner.invoke(app, BASE)
        assert r.exit_code == 0, r.output
        store = open_store(Settings.from_env({"CULTNET_DATA_DIR": d}))
        try:
            yield runner, app, store, Path(d), r.output
        finally:
            store.close()
            from cultnet.graph._falkordb_server import stop_server

            stop_server(Path(d))


def invoke(env, *args):
    runner, app = env[0], env[1]
    return runner.invoke(app, [str(a) for a in args])


def test_load_writes_the_bundle(env):
    _, _, store, _, output = env
    for frame, n in [("cities", 4), ("indicators", 8), ("enterprises", 6), ("cooperation", 6),
                     ("city_links", 5), ("series", 3)]:
        assert any(frame in ln and ln.rstrip(" │").endswith(str(n)) for ln in output.splitlines()), (frame, output)
    c = store.counts()
    assert c["labels"]["City"] == 4 and c["labels"]["Enterprise"] == 6
    assert c["relationships"]["COOPERATES"] == 6 and c["relationships"]["LINKS"] == 5
    links = store.study("default").edges("city", method="cooperation").sort_values(["year", "source", "target"])
    assert links[["source", "target", "weight", "year"]].values.tolist() == [
        ["Dalian", "Anshan", 1.0, 2015], ["Shenyang", "Dalian", 3.0, 2015],
        ["Anshan", "Fushun", 1.0, 2016], ["Dalian", "Shenyang", 2.0, 2016], ["Shenyang", "Fushun", 4.0, 2016]]
    ind = store.study("default").indicators().set_index(["city", "year"])
    assert ind.loc[("Shenyang", 2016), "culture_output"] == pytest.approx(131.0)
    assert store.study("default").cities().set_index("name").loc["Dalian", "name_zh"] == "大连"


def test_reload_is_idempotent(env):
    _, _, store, _, _ = env
    before = (store.counts(), store.datasets()["id"].tolist())
    r = invoke(env, *BASE)
    assert r.exit_code == 0, r.output
    bundle = validate_files(None, cities=GOOD / "cities.csv", indicators=GOOD / "indicators.csv",
                            enterprises=GOOD / "enterprises.csv", edges=GOOD / "cooperation.csv",
                            series=GOOD / "series.csv")
    assert bundle.dataset_id in r.output
    assert (store.counts(), store.datasets()["id"].tolist()) == before


def test_dry_run_writes_nothing_and_names_the_encoding(env):
    _, _, store, _, _ = env
    before = store.counts()
    r = invoke(env, "load", "--cities", GOOD / "cities_gbk.csv", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "cities_gbk.csv: read as GB18030" in r.output and "dry run" in r.output
    assert store.counts() == before


def test_gbk_bom_utf16_files_load(env):
    _, _, store, _, _ = env
    for f in ("cities_gbk.csv", "cities_utf8_bom.csv", "cities_utf16_bom.tsv"):
        r = invoke(env, "load", "--cities", GOOD / f)
        assert r.exit_code == 0, (f, r.output)
    cities = store.study("default").cities().set_index("name")
    assert cities.loc["Tieling", "name_zh"] == "铁岭" and cities.loc["Chaoyang", "name_zh"] == "朝阳"
    assert cities.loc["Tieling", "lat"] == pytest.approx(42.286)


def test_city_edges_from_a_chosen_sheet_become_observed_links(env):
    _, _, store, _, _ = env
    r = invoke(env, "load", "--edges", GOOD / "city_links_two_sheets.xlsx", "--sheet", "links")
    assert r.exit_code == 0, r.output
    obs = store.study("default").edges("city", method="observed").sort_values("source")
    assert obs[["source", "target", "weight", "year"]].values.tolist() == [
        ["Fushun", "Shenyang", 1.5, 2016], ["Shenyang", "Anshan", 2.0, 2016]]


def test_every_problem_is_printed(env, tmp_path):
    _, _, store, _, _ = env
    before = store.counts()
    p = tmp_path / "many.csv"
    p.write_text("city,year,x\n" + "".join(f"Atlantis{i},2015,1\n" for i in range(25)), encoding="utf-8")
    r = invoke(env, "load", "--indicators", p)
    assert r.exit_code == 2
    shown = [ln for ln in r.output.splitlines() if ln.startswith("many.csv:")]
    assert len(shown) == 25
    assert shown[0] == ("many.csv:2:city: unknown city 'Atlantis0' (not in the study nor in the cities file of "
                        "this load)")
    assert "25 problem(s) found in the input; nothing was written to the store." in r.output
    assert store.counts() == before


def test_usage_errors(env):
    assert invoke(env, "load").exit_code == 1
    r = invoke(env, "load", "--sample", "--cities", GOOD / "cities.csv")
    assert r.exit_code == 1 and "do not combine" in r.output
    r = invoke(env, "load", "--edges", GOOD / "cooperation.csv", "--format", "json")
    assert r.exit_code == 1 and "Unknown --format 'json'" in r.output
    r = invoke(env, "load", "--cities", "/nonexistent/c.csv")
    assert r.exit_code == 2 and "/nonexistent/c.csv: file not found" in r.output


@pytest.mark.parametrize("level, key", [("city", "name"), ("enterprise", "id")])
def test_export_pajek_round_trip(env, tmp_path, level, key):
    _, _, store, _, _ = env
    out = tmp_path / f"{level}.net"
    r = invoke(env, "export", "--format", "pajek", "--level", level, "-o", out)
    assert r.exit_code == 0, r.output
    stored = store.study("default").edges(level)
    expected = stored.groupby(["source", "target"], as_index=False)["weight"].sum()
    back, directed = read_edge_file(out)
    assert directed is True
    got = back.groupby(["source", "target"], as_index=False)["weight"].sum()
    assert sorted(map(tuple, got.values.tolist())) == sorted(map(tuple, expected.values.tolist()))
    nodes = store.study("default").cities() if level == "city" else store.study("default").enterprises()
    assert back.attrs["vertices"][:len(nodes)] == [str(x) for x in nodes[key]]


def test_export_one_year_and_method(env, tmp_path):
    _, _, store, _, _ = env
    out = tmp_path / "y.net"
    r = invoke(env, "export", "--format", "pajek", "--level", "city", "--year", 2015,
               "--method", "cooperation", "-o", out)
    assert r.exit_code == 0, r.output
    back, _ = read_edge_file(out)
    assert sorted(zip(back["source"], back["target"], back["weight"])) == [
        ("Dalian", "Anshan", 1.0), ("Shenyang", "Dalian", 3.0)]
    r = invoke(env, "export", "--format", "pajek", "--year", 1999, "-o", tmp_path / "none.net")
    assert r.exit_code == 1 and "nothing exported" in r.output


def test_export_graphml_gexf_csv(env, tmp_path):
    _, _, store, _, _ = env
    stored = store.study("default").edges("city")
    for fmt, reader in [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]:
        out = tmp_path / f"c.{fmt}"
        r = invoke(env, "export", "--format", fmt, "-o", out)
        assert r.exit_code == 0, r.output
        g = reader(out)
        assert g.is_directed()
        agg = stored.groupby(["source", "target"])["weight"].sum()
        assert g.number_of_edges() == len(agg)
        for (s, t), w in agg.items():
            assert g[s][t]["weight"] == pytest.approx(w)
        assert float(g.nodes["Shenyang"]["lat"]) == pytest.approx(41.805)
    out = tmp_path / "c.csv"
    assert invoke(env, "export", "--format", "csv", "-o", out).exit_code == 0
    back = pd.read_csv(out)
    cols = ["source", "target", "weight", "year", "method"]
    key = lambda df: sorted(map(tuple, df[cols].astype(str).values.tolist()))  # noqa: E731
    assert key(back) == key(stored)


@pytest.mark.slow
def test_load_sample(env, tmp_path):
    """data/sample/ if generated, else scripts/make_sample.py --out tmp (CULTNET_SAMPLE_DIR)."""
    _, _, store, _, _ = env
    runner, app = env[0], env[1]
    extra = {}
    if not all((sample_dir() / f).is_file() for f in SAMPLE_FILES.values()):
        script = ROOT / "scripts" / "make_sample.py"
        if not script.is_file():
            pytest.fail("no data/sample/ and no scripts/make_sample.py")
        subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True,
                       capture_output=True, timeout=120)
        extra = {"CULTNET_SAMPLE_DIR": str(tmp_path)}
    r = runner.invoke(app, ["load", "--sample"], env=extra)
    assert r.exit_code == 0, r.output
    assert "enterprise edge rows, undirected" in r.output
    ds = store.datasets()
    row = ds[ds["source"].astype(str).str.startswith("cultnet simulated sample")]
    assert len(row) == 1 and bool(row["simulated"].iloc[0]) is True
    assert "seed 20150101" in row["source"].iloc[0]
    assert len(store.study("liaoning-sample").cities()) >= 14  # the sample's own study
    assert row["study"].iloc[0] == "liaoning-sample"


def test_missing_sample_is_a_clear_error(env, tmp_path):
    r = env[0].invoke(env[1], ["load", "--sample"], env={"CULTNET_SAMPLE_DIR": str(tmp_path)})
    assert r.exit_code == 1 and "sample data is missing" in r.output and "make_sample.py" in r.output

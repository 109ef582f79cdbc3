"""The econ CLI on files (--data): panel, by-group, var, pvar, spatial; JSON, LaTeX and CSV outputs."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cultnet.analysis.paper import PAPER_GROUPS

runner = CliRunner()


@pytest.fixture(scope="module")
def app():
    from cultnet.ui.cli import app

    return app


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rng = np.random.default_rng(0)
    d = tmp_path_factory.mktemp("econ")
    cities = list(PAPER_GROUPS)
    rows = []
    a = rng.normal(0, 0.5, len(cities))
    for i, c in enumerate(cities):
        for t in range(10):
            dig = np.exp(rng.normal(3 + 0.1 * t, 0.5))
            tech = np.exp(rng.normal(2, 0.5))
            cul = np.exp(1.1 + a[i] + 0.756 * np.log(dig) + 0.567 * np.log(tech) + rng.normal(0, 0.05))
            gdp = np.exp(rng.normal(7, 0.3))
            va3 = gdp * rng.uniform(0.4, 0.6)
            rows.append({"city": c, "year": 2015 + t, "cul": cul, "dig": dig, "tech": tech, "gdp": gdp,
                         "va1": gdp * 0.1, "va2": gdp * 0.9 - va3, "va3": va3, "va3_modern": va3 * rng.uniform(0.3, 0.6),
                         "cul_va": gdp * rng.uniform(0.02, 0.06)})
    panel = pd.DataFrame(rows)
    panel.to_csv(d / "ind.csv", index=False)
    T = 40
    y = np.zeros((T, 3))
    for t in range(1, T):
        y[t] = 0.02 + np.array([[0.6, 0, 0], [0.3, 0.5, 0], [0.1, 0.1, 0.4]]) @ y[t - 1] + rng.normal(0, 0.05, 3)
    ser = pd.DataFrame(np.exp(y + 1), columns=["dt", "wfb", "wsb"])
    ser.insert(0, "period", [f"{2015 + q // 4}Q{q % 4 + 1}" for q in range(T)])
    ser.insert(0, "region", "Liaoning")
    ser.to_csv(d / "series.csv", index=False)
    M = rng.uniform(0.1, 1, (14, 14))
    np.fill_diagonal(M, 0)
    pd.DataFrame(M, index=cities, columns=cities).rename_axis("city").to_csv(d / "w.csv")
    return d


def test_panel_json(app, files):
    r = runner.invoke(app, ["panel", "--data", str(files / "ind.csv"), "--y", "cul", "--x", "dig,tech",
                            "--log", "--effects", "entity", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["estimator"] == "entity" and d["nobs"] == 140
    est = {c["term"]: c["estimate"] for c in d["coefficients"]}
    assert est["ln_dig"] == pytest.approx(0.756, abs=0.05) and est["ln_tech"] == pytest.approx(0.567, abs=0.05)
    assert "hausman" in d["tests"] and set(d["r2"]) == {"within", "between", "overall"}


def test_panel_table_latex_csv(app, files, tmp_path):
    r = runner.invoke(app, ["panel", "--data", str(files / "ind.csv"), "--y", "cul", "--x", "dig,tech", "--log",
                            "--cov", "driscoll-kraay", "--latex", str(tmp_path / "t.tex"), "--csv", str(tmp_path / "t.csv")])
    assert r.exit_code == 0, r.output
    assert "ln_dig" in r.stdout and "R² within" in r.stdout
    assert "ln\\_dig" in (tmp_path / "t.tex").read_text() and "ln_dig" in (tmp_path / "t.csv").read_text()


def test_panel_by_paper_groups_with_derived_indices(app, files):
    r = runner.invoke(app, ["panel", "--data", str(files / "ind.csv"), "--y", "tiu", "--x", "cia,dig",
                            "--log-only", "dig", "--groups", "paper", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert list(d["groups"]) == ["center", "sub-node", "edge"]
    assert d["groups"]["center"]["n_entities"] == 4 and d["groups"]["sub-node"]["n_entities"] == 6
    assert "p_value" in d["equality_test"]


def test_panel_groups_file_and_bad_log(app, files, tmp_path):
    g = tmp_path / "g.csv"
    pd.DataFrame({"city": list(PAPER_GROUPS), "group": ["a" if i % 2 else "b" for i in range(14)]}).to_csv(g, index=False)
    r = runner.invoke(app, ["panel", "--data", str(files / "ind.csv"), "--y", "cul", "--x", "dig", "--log",
                            "--groups", str(g), "--json"])
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.stdout)["groups"]) == {"a", "b"}
    bad = pd.read_csv(files / "ind.csv")
    bad.loc[5, "dig"] = 0
    bad.to_csv(tmp_path / "bad.csv", index=False)
    r = runner.invoke(app, ["panel", "--data", str(tmp_path / "bad.csv"), "--y", "cul", "--x", "dig", "--log"])
    assert r.exit_code == 2
    msg = " ".join(r.output.split())
    assert "city=Shenyang" in msg and "year=2020" in msg and "dig" in msg


def test_var_json_and_short_sample(app, files, tmp_path):
    r = runner.invoke(app, ["var", "--data", str(files / "series.csv"), "--time", "period", "--lags", "1",
                            "--reps", "50", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["variables"] == ["ln_dt", "ln_wfb", "ln_wsb"] and d["lags"] == 1
    assert len(d["irf"]["orthogonalized"]) == 11 and d["irf"]["lower"] is not None
    assert sum(d["fevd"]["ln_wfb"][0].values()) == pytest.approx(100)
    s = pd.read_csv(files / "series.csv").iloc[:10]
    s.to_csv(tmp_path / "short.csv", index=False)
    r = runner.invoke(app, ["var", "--data", str(tmp_path / "short.csv"), "--time", "period", "--lags", "2"])
    assert r.exit_code == 6 and "Only VAR(1) is estimable" in " ".join(r.output.split())
    r = runner.invoke(app, ["var", "--data", str(files / "series.csv"), "--time", "period", "--order", "wsb,wfb,dt",
                            "--bands", "none"])
    assert r.exit_code == 0, r.output
    assert "Variance decomposition of ln_wfb" in r.stdout and "ln_wsb > ln_wfb > ln_dt" in r.stdout


def test_pvar_and_spatial(app, files):
    r = runner.invoke(app, ["pvar", "--data", str(files / "ind.csv"), "--vars", "cul,dig", "--log", "--reps", "20", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n_entities"] == 14
    r = runner.invoke(app, ["spatial", "--data", str(files / "ind.csv"), "--w", str(files / "w.csv"),
                            "--vars", "cul,dig", "--permutations", "99", "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["moran"]) == 20
    r = runner.invoke(app, ["spatial", "--data", str(files / "ind.csv"), "--w", str(files / "w.csv"),
                            "--model", "lag", "--y", "cul", "--x", "dig,tech", "--log", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["model"] == "lag" and {e["variable"] for e in d["effects"]} == {"ln_dig", "ln_tech"}


# ------------------------------------------------------------------ issue 10 acceptance, through the CLI
def _write(df, path):
    df.to_csv(path, index=False)
    return str(path)


def test_four_cluster_panel_cli(app, tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    for c in ["Taiyuan", "Datong", "Yangquan", "Changzhi"]:
        a = rng.normal()
        for t in range(10):
            x1, x2, x3, x4 = rng.normal(size=4) + 0.2 * a
            rows.append({"city": c, "year": 2010 + t, "x1": x1, "x2": x2, "x3": x3, "x4": x4,
                         "y": a + 0.8 * x1 + rng.normal(0, 0.2)})
    f = _write(pd.DataFrame(rows), tmp_path / "four.csv")
    r = runner.invoke(app, ["panel", "--data", f, "--y", "y", "--x", "x1,x2,x3,x4", "--cov", "robust", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    c = {row["term"]: row for row in d["coefficients"]}
    from scipy import stats
    assert c["x1"]["p_value"] == pytest.approx(2 * stats.t.sf(abs(c["x1"]["statistic"]), 3), rel=1e-10)
    assert d["inference"]["distribution"] == "t(3)"
    assert "stat" not in d["tests"]["model"] and "reason" in d["tests"]["model"]
    assert d["inference"]["bootstrap"]["enumerated"] and c["x1"]["boot_p_value"] is not None
    assert "hausman" in d["tests"] and "mundlak" in d["tests"]
    r = runner.invoke(app, ["panel", "--data", f, "--y", "y", "--x", "x1,x2,x3,x4", "--cov", "robust"])
    text = " ".join(r.stdout.split())
    assert r.exit_code == 0 and "P boot" in text and "model test: not reported" in text
    assert "1,296 weight vectors enumerated" in text and "only 4 clusters" in text


def test_hausman_and_mundlak_beside_it_on_jobtraining(app, tmp_path):
    from linearmodels.datasets import jobtraining

    f = _write(jobtraining.load(), tmp_path / "jt.csv")
    r = runner.invoke(app, ["panel", "--data", f, "--entity", "fcode", "--y", "lscrap", "--x", "d88,d89,grant,grant_1"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Hausman (classical): chi2(4) = 2.1425, p = 0.7096" in text
    assert "Mundlak (cluster-robust Hausman): F(2,53)" in text
    r = runner.invoke(app, ["panel", "--data", f, "--entity", "fcode", "--y", "lscrap", "--x", "d88,d89,grant,grant_1",
                            "--cov", "robust", "--json"])
    d = json.loads(r.stdout)
    assert d["tests"]["hausman"]["df"] == 4 and d["tests"]["mundlak"]["recommended"] is True


def test_wage_panel_twoway_names_exper_in_text_and_json(app, tmp_path):
    from linearmodels.datasets import wage_panel

    f = _write(wage_panel.load(), tmp_path / "wp.csv")
    args = ["panel", "--data", f, "--entity", "nr", "--y", "lwage", "--x", "exper,expersq,union,married",
            "--effects", "twoway"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "dropped exper: absorbed by the entity and year effects" in " ".join(r.stdout.split())
    d = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [x["term"] for x in d["dropped"]] == ["exper"]


def test_pvar_small_region_estimate_or_reason(app, tmp_path):
    from cultnet.analysis.pvar import simulate_pvar

    A3 = np.array([[0.5, 0.1, 0.0], [0.2, 0.4, 0.1], [0.0, 0.1, 0.3]])
    d = simulate_pvar([A3], n_entities=8, n_periods=6, seed=3, names=["gdp", "inv", "pat"])
    f = _write(d, tmp_path / "p86.csv")
    r = runner.invoke(app, ["pvar", "--data", f, "--vars", "gdp,inv,pat", "--reps", "50", "--horizon", "4"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "one-step" in text and "rank at most N = 8" in text and "Monte Carlo band" in text
    short = _write(simulate_pvar([A3], n_entities=8, n_periods=2, seed=3, names=["gdp", "inv", "pat"]), tmp_path / "p82.csv")
    r = runner.invoke(app, ["pvar", "--data", short, "--vars", "gdp,inv,pat"])
    assert r.exit_code == 6 and "Traceback" not in r.output
    assert "needs at least 3 consecutive periods" in " ".join(r.output.split())


def test_groups_for_any_region(app, tmp_path):
    rng = np.random.default_rng(3)
    cities = ["Taiyuan", "Datong", "Yangquan", "Changzhi", "Jincheng", "Shuozhou"]
    rows = [{"city": c, "year": 2018 + t, "output": rng.normal(), "invest": rng.normal(),
             "zone": "north" if i < 3 else "south"} for i, c in enumerate(cities) for t in range(6)]
    f = _write(pd.DataFrame(rows), tmp_path / "region.csv")
    g = _write(pd.DataFrame({"city": cities, "group": ["n", "n", "n", "s", "s", "s"]}), tmp_path / "g.csv")
    r = runner.invoke(app, ["panel", "--data", f, "--y", "output", "--x", "invest", "--groups", g, "--json",
                            "--reps", "99"])
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.stdout)["groups"]) == {"n", "s"}
    r = runner.invoke(app, ["panel", "--data", f, "--y", "output", "--x", "invest", "--group-col", "zone", "--json"])
    assert r.exit_code == 0 and set(json.loads(r.stdout)["membership"].values()) == {"north", "south"}
    bad = _write(pd.DataFrame({"city": ["Taiyuann", "Datong"], "group": ["n", ""]}), tmp_path / "bad.csv")
    r = runner.invoke(app, ["panel", "--data", f, "--y", "output", "--x", "invest", "--groups", bad])
    msg = " ".join(r.output.split())
    assert r.exit_code == 2 and "did you mean 'Taiyuan'" in msg and "Datong: no group given" in msg
    r = runner.invoke(app, ["panel", "--data", f, "--y", "output", "--x", "invest", "--groups", "paper"])
    assert r.exit_code == 1 and "lacks 14 of them" in " ".join(r.output.split())

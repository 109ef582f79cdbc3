"""``cultnet qap`` end to end on both real stores (embedded FalkorDB and Neo4j).

A study of 8 cities in two provinces (two years of indicators, undirected cooperation links
from one dataset, directed observed links from another) is loaded through ``load_bundle``;
then the command runs through the CLI on that store. Its JSON must equal ``analysis.qap``
(``mrqap`` / ``qap_correlation``) called directly on matrices this test builds by hand from the
same frames (an independent haversine, loops over the edge lists, analysis.gravity for the
gravity model) with the per-year seed ``[seed, year]``: coefficients to 1e-9 (relative),
permutation p-values exactly (the same permutations). The JSON layout (schema
``cultnet.qap/1``) is pinned, and bad input gets one clear message and a non-zero exit.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cultnet.analysis.gravity import gravity_links
from cultnet.analysis.qap import mrqap, qap_correlation
from cultnet.model import Bundle
from cultnet.ui.cli import app

STUDY = "qap-contract"
NAMES = ["Anshan", "Benxi", "Changchun", "Dalian", "Fushun", "Jilin", "Shenyang", "Siping"]
LAT = [41.11, 41.30, 43.82, 38.91, 41.88, 43.84, 41.81, 43.17]
LON = [122.99, 123.77, 125.32, 121.61, 123.96, 126.55, 123.43, 124.35]
PROV = ["Liaoning", "Liaoning", "Jilin", "Liaoning", "Liaoning", "Jilin", "Liaoning", "Jilin"]
YEARS = (2019, 2020)

TOP_KEYS = {"schema", "y", "x", "model", "method", "method_text", "statistic", "perms", "seed",
            "seeds", "years", "skipped", "coefficients", "fit", "notes", "study", "simulated",
            "plot"}
YEAR_KEYS = {"correlation", "mrqap"}
MRQAP_KEYS = {"model", "y", "year", "method", "method_text", "statistic", "perms", "exact", "seed",
              "n_nodes", "n_dyads", "directed", "coefficients", "fit", "p_value", "notes"}
COEF_KEYS = {"term", "estimate", "std_estimate", "std_error", "statistic", "p_value", "prop_ge",
             "prop_le", "perm_mean", "perm_sd", "p_classical", "reason"}
CORR_KEYS = {"variables", "pairs", "n_nodes", "n_dyads", "directed", "perms", "exact", "seed",
             "permutation", "p_value", "notes"}


def _frames():
    rng = np.random.default_rng(2026)
    cities = pd.DataFrame({"name": NAMES, "name_zh": [f"市{i}" for i in range(8)],
                           "province": PROV, "lat": LAT, "lon": LON})
    ind = pd.DataFrame([{"city": c, "year": y, "pop": float(rng.uniform(150, 900)),
                         "cul": float(rng.uniform(1e4, 9e5)), "gdp_pc": float(rng.uniform(4e4, 1.3e5)),
                         "dig": float(rng.uniform(0.1, 0.9))} for y in YEARS for c in NAMES])
    coop, obs = [], []
    for y in YEARS:
        for i in range(8):
            for j in range(i + 1, 8):
                if rng.uniform() < 0.45:
                    coop.append({"source": NAMES[i], "target": NAMES[j], "year": y,
                                 "weight": float(rng.integers(1, 30)), "method": "cooperation"})
        for i in range(8):
            for j in range(8):
                if i != j and rng.uniform() < 0.3:
                    obs.append({"source": NAMES[i], "target": NAMES[j], "year": y,
                                "weight": float(rng.integers(1, 9)), "method": "observed"})
    return cities, ind, pd.DataFrame(coop), pd.DataFrame(obs)


def _bundles(study: str = STUDY, simulated: bool = False, tag: str = "") -> list[Bundle]:
    cities, ind, coop, obs = _frames()
    a = Bundle(dataset_id=f"qap-a{tag}", source="qap-a.csv", sha256="a" * 64, study=study,
               simulated=simulated, directed=False, cities=cities, indicators=ind, city_links=coop)
    b = Bundle(dataset_id=f"qap-b{tag}", source="qap-b.csv", sha256="b" * 64, study=study,
               simulated=simulated, directed=True, city_links=obs)
    return [a, b]


@pytest.fixture
def loaded(store_factory):
    """The store with the studies qap-contract, qap-sim (the same, marked simulated) and
    no-coords (the cities without lat/lon); the CLI options that reach it."""
    st = store_factory()
    for b in _bundles() + _bundles("qap-sim", True, "-sim"):
        st.load_bundle(b)
    cities, ind, coop, _ = _frames()
    st.load_bundle(Bundle(dataset_id="qap-nc", source="nc.csv", sha256="c" * 64, study="no-coords",
                          directed=False, cities=cities[["name", "province"]], indicators=ind,
                          city_links=coop))
    s = store_factory.settings
    if s.backend == "embedded":
        opts = ["--backend", "embedded", "--data-dir", str(s.data_dir)]
    else:
        opts = ["--backend", "neo4j", "--neo4j-uri", s.neo4j_uri, "--neo4j-user", s.neo4j_user,
                "--neo4j-password", s.neo4j_password, "--neo4j-database", s.neo4j_database]
    before = st.counts()
    yield opts
    assert st.counts() == before          # qap reads only


def run(opts, *args):
    return CliRunner().invoke(app, [*opts, "qap", *args])


def _json(r):
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ---- the reference, built by hand from the frames ---------------------------------------------
def _haversine() -> np.ndarray:
    d = np.zeros((8, 8))
    for i in range(8):
        for j in range(8):
            if i != j:
                p1, p2 = math.radians(LAT[i]), math.radians(LAT[j])
                a = (math.sin((p2 - p1) / 2) ** 2
                     + math.cos(p1) * math.cos(p2) * math.sin(math.radians(LON[j] - LON[i]) / 2) ** 2)
                d[i, j] = 2 * 6371.0088 * math.asin(math.sqrt(a))
    return d


def _network(frame: pd.DataFrame, year: int, *, directed: bool, weighted: bool) -> np.ndarray:
    m = np.zeros((8, 8))
    for s, t, w in frame[frame.year == year][["source", "target", "weight"]].itertuples(index=False):
        i, j = NAMES.index(s), NAMES.index(t)
        m[i, j] += w
        if not directed:
            m[j, i] += w
    return m if weighted else (m > 0).astype(float)


def _attr(ind: pd.DataFrame, year: int, col: str) -> np.ndarray:
    return ind[ind.year == year].set_index("city").loc[NAMES, col].to_numpy(float)


def _check(got: dict, ref, rc) -> None:
    coef = {c["term"]: c for c in got["mrqap"]["coefficients"]}
    assert list(coef) == list(ref.table.index)
    for term, row in ref.table.iterrows():
        for k in ("estimate", "std_error", "statistic", "p_classical"):
            assert coef[term][k] == pytest.approx(row[k], rel=1e-9, abs=1e-12), (term, k)
        if not math.isnan(row["p_value"]):
            assert coef[term]["p_value"] == row["p_value"], term          # same permutations
            assert coef[term]["prop_ge"] == row["prop_ge"] and coef[term]["prop_le"] == row["prop_le"]
    for k in ("r2", "adj_r2", "r2_p_value", "llf", "pseudo_r2"):
        if k in ref.fit:
            assert got["mrqap"]["fit"][k] == pytest.approx(ref.fit[k], rel=1e-9), k
    pairs = {(p["var1"], p["var2"]): p for p in got["correlation"]["pairs"]}
    for (a, b), p in pairs.items():
        assert p["r"] == pytest.approx(rc.r.loc[a, b], rel=1e-9)
        assert p["p_value"] == rc.p_value.loc[a, b]


def test_qap_one_year_equals_analysis_qap_on_hand_built_matrices(loaded):
    cities, ind, coop, obs = _frames()
    d = _json(run(loaded, "--study", STUDY, "--y", "cooperation", "--year", "2020", "--x",
                  "distance,absdiff:gdp_pc,same:province,network:observed", "--perms", "300",
                  "--seed", "3", "--json"))
    assert set(d) == TOP_KEYS and set(d["years"]) == {"2020"} and set(d["years"]["2020"]) == YEAR_KEYS
    assert set(d["years"]["2020"]["mrqap"]) == MRQAP_KEYS
    assert set(d["years"]["2020"]["correlation"]) == CORR_KEYS
    assert all(set(c) == COEF_KEYS for c in d["years"]["2020"]["mrqap"]["coefficients"])
    assert d["schema"] == "cultnet.qap/1" and d["study"] == STUDY and d["simulated"] is False
    assert d["y"] == {"network": "cooperation", "weighted": False, "directed": False}
    assert d["method"] == "dsp" and d["perms"] == 300 and d["seed"] == 3 and d["plot"] is None
    Y = _network(coop, 2020, directed=False, weighted=False)
    o = _network(obs, 2020, directed=True, weighted=False)
    g = _attr(ind, 2020, "gdp_pc")
    x = {"distance": _haversine(), "absdiff:gdp_pc": np.abs(g[:, None] - g[None, :]),
         "same:province": np.array([[float(PROV[i] == PROV[j] and i != j) for j in range(8)]
                                    for i in range(8)]),
         "network:observed": np.maximum(o, o.T)}   # undirected y: a tie in either direction
    ref = mrqap(Y, x, directed=False, perms=300, seed=[3, 2020], y_name="cooperation")
    rc = qap_correlation({"cooperation": Y, **x}, directed=False, perms=300, seed=[3, 2020])
    _check(d["years"]["2020"], ref, rc)
    assert d["years"]["2020"]["mrqap"]["n_dyads"] == 28
    assert any("symmetrized" in n for n in d["years"]["2020"]["mrqap"]["notes"])


def test_qap_every_year_weighted_and_the_per_year_tables(loaded):
    cities, ind, coop, obs = _frames()
    d = _json(run(loaded, "--study", STUDY, "--y", "cooperation", "--weighted", "--x",
                  "distance,product:pop", "--perms", "200", "--method", "y", "--json"))
    assert set(d["years"]) == {"2019", "2020"} and d["skipped"] == {}
    for y in YEARS:
        Y = _network(coop, y, directed=False, weighted=True)
        p = _attr(ind, y, "pop")
        x = {"distance": _haversine(), "product:pop": p[:, None] * p[None, :]}
        ref = mrqap(Y, x, directed=False, perms=200, seed=[0, y], method="y", y_name="cooperation")
        rc = qap_correlation({"cooperation": Y, **x}, directed=False, perms=200, seed=[0, y])
        _check(d["years"][str(y)], ref, rc)
        rows = [c for c in d["coefficients"] if c["year"] == y]
        assert [c["term"] for c in rows] == list(ref.table.index)
        assert rows[1]["estimate"] == pytest.approx(ref.table["estimate"].iloc[1], rel=1e-9)
        fit = next(f for f in d["fit"] if f["year"] == y)
        assert fit["r2"] == pytest.approx(ref.fit["r2"], rel=1e-9) and fit["n_dyads"] == 28


def test_qap_gravity_on_the_fly_logit(loaded):
    cities, ind, _, _ = _frames()
    d = _json(run(loaded, "--study", STUDY, "--y", "gravity", "--year", "2019", "--x",
                  "distance,absdiff:dig", "--perms", "100", "--logit", "--json"))
    assert d["model"] == "logit" and d["y"]["directed"] is True
    links = gravity_links(cities.sort_values("name"), ind, years=[2019])
    Y = np.zeros((8, 8))
    for s, t in links[links.linked][["source", "target"]].itertuples(index=False):
        Y[NAMES.index(s), NAMES.index(t)] = 1
    dig = _attr(ind, 2019, "dig")
    x = {"distance": _haversine(), "absdiff:dig": np.abs(dig[:, None] - dig[None, :])}
    ref = mrqap(Y, x, directed=True, perms=100, seed=[0, 2019], logit=True, y_name="gravity")
    rc = qap_correlation({"gravity": Y, **x}, directed=True, perms=100, seed=[0, 2019])
    _check(d["years"]["2019"], ref, rc)
    assert any("computed from the cities and indicators" in n
               for n in d["years"]["2019"]["mrqap"]["notes"])


def test_qap_human_output_and_plot(loaded, tmp_path, backend):
    args = ["--study", STUDY, "--y", "observed", "--x", "distance,ratio:gdp_pc", "--perms", "100"]
    if backend == "embedded":
        args += ["--plot", str(tmp_path / "coef.svg")]
    r = run(loaded, *args)
    assert r.exit_code == 0, r.output
    assert "MRQAP (OLS) of observed, 2020" in r.stdout and "QAP correlations, 2020" in r.stdout
    assert "MRQAP by year" in r.stdout and "2019" in r.stdout
    assert "R² =" in r.stdout and "double semi-partialling" in r.stdout
    assert "ratio:gdp_pc" in r.stdout and "Traceback" not in r.output
    assert "SIMULATED" not in r.output
    if backend == "embedded":
        svg = (tmp_path / "coef.svg").read_text()
        assert svg.lstrip().startswith("<") and "<svg" in svg
        assert "ratio:gdp_pc" in svg and "distance" in svg


def test_qap_simulated_study_says_so(loaded):
    r = run(loaded, "--study", "qap-sim", "--y", "cooperation", "--year", "2019", "--x",
            "absdiff:gdp_pc", "--perms", "50", "--json")
    d = _json(r)
    assert d["simulated"] is True and d["study"] == "qap-sim" and "SIMULATED" in r.stderr
    r = run(loaded, "--study", "qap-sim", "--y", "cooperation", "--year", "2019", "--x",
            "absdiff:gdp_pc", "--perms", "50")
    assert r.exit_code == 0 and "SIMULATED DATA" in _flat(r.stdout)


def _flat(s: str) -> str:
    return " ".join(s.split())


def test_qap_errors_are_clear_and_complete(loaded):
    r = run(loaded, "--study", STUDY, "--y", "cooperation", "--x",
            "distance,absdiff:gdp_p,network:foo,ratio:pop")
    err = _flat(r.stderr)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "absdiff:gdp_p: no column 'gdp_p' in the study (did you mean 'gdp_pc'?)" in err
    assert "network:foo: no such network in the study" in err
    assert "ratio:pop: x_i / x_j is asymmetric" in err
    r = run(loaded, "--study", "no-coords", "--y", "cooperation", "--x", "distance")
    assert r.exit_code == 1 and "distance: the study's cities have no coordinates" in _flat(r.stderr)
    r = run(loaded, "--study", STUDY, "--y", "observed", "--year", "2031", "--x", "distance")
    assert r.exit_code == 6 and "no such network: no 'observed' links in 2031" in _flat(r.stderr)
    r = run(loaded, "--study", "no-coords", "--y", "observed", "--x", "absdiff:gdp_pc")
    assert r.exit_code == 6 and "the study has no 'observed' city links" in _flat(r.stderr)
    r = run(loaded, "--y", "cooperation", "--x", "distance")          # three studies, none chosen
    assert r.exit_code == 1 and "qap-contract" in r.stderr and "--study" in r.stderr
    r = run(loaded, "--study", "qap-contrct", "--y", "cooperation", "--x", "distance")
    assert r.exit_code == 1 and "qap-contract" in _flat(r.stderr)
    r = run(loaded, "--study", STUDY, "--x", "distanse", "--plot", "x.pdf", "--logit", "--weighted")
    err = _flat(r.stderr)
    assert r.exit_code == 1 and "did you mean 'distance'" in err and ".png or .svg" in err
    assert "--logit needs a 0/1" in err

"""Parameter recovery on the simulated sample (data/sample/, true DGP in truth.json).

Uses data/sample/ when present; otherwise regenerates it deterministically into a temp dir with
scripts/make_sample.py. Criterion: every true coefficient within 3 reported standard errors of its
estimate (the sample has 14 cities x 10 years; the VAR has 40 quarters).
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.panel import fit_by_group, fit_panel
from cultnet.analysis.pvar import fit_pvar
from cultnet.analysis.var import fit_var, prepare_series

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    d = ROOT / "data" / "sample"
    if not (d / "truth.json").exists():
        script = ROOT / "scripts" / "make_sample.py"
        if not script.exists():
            pytest.fail("no data/sample/truth.json and no scripts/make_sample.py to regenerate it")
        spec = importlib.util.spec_from_file_location("make_sample", script)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        d = tmp_path_factory.mktemp("sample")
        mod.write(d)
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    return pd.read_csv(d / "indicators.csv"), pd.read_csv(d / "series.csv"), truth


def _within(res, true: dict, k=3.0):
    for term, b in true.items():
        est, se = res.params[term], res.std_errors[term]
        assert abs(est - b) < k * se, (term, est, b, se)


def test_table2_twoway_fe(sample):
    ind, _, truth = sample
    t = truth["table2"]
    r = fit_panel(ind, "cul", ["dig", "tech", "res", "dem", "sys"], log=True, effects="twoway")
    _within(r, t["beta"])


def test_table3_isu_entity_fe(sample):
    ind, _, truth = sample
    t = truth["table3_isu"]
    d = ind.assign(isu=(ind.va1 + 2 * ind.va2 + 3 * ind.va3) / ind.gdp)
    from cultnet.analysis.indices import location_quotient, log_transform

    d = d.assign(cia=location_quotient(d))
    d = log_transform(d, ["dig", "em", "tis", "rc"])
    r = fit_panel(d, "isu", t["regressors"], effects="entity")
    _within(r, t["gamma"])


def test_table4_tiu_by_group(sample):
    ind, _, truth = sample
    t = truth["table4_tiu"]
    from cultnet.analysis.indices import location_quotient, log_transform

    d = ind.assign(tiu=ind.va3_modern / ind.va3, cia=location_quotient(ind))
    d = log_transform(d, ["dig", "em", "tis", "rc"])
    groups = {c: g for g, cs in t["groups"].items() for c in cs}
    res = fit_by_group(d, "tiu", t["regressors"], groups, order=list(t["groups"]))
    for g, gamma in t["gamma"].items():
        _within(res.results[g], gamma)
    assert "p_value" in res.equality_test


def test_provincial_var(sample):
    _, ser, truth = sample
    t = truth["var"]
    y = prepare_series(ser, ["dt", "wfb", "wsb"], time="period", log=True)
    r = fit_var(y, lags=1, trend="ct", bands=None)
    A = np.array(t["A"])
    c = r.coefficients
    for i, eq in enumerate(t["variables"]):
        for j, v in enumerate(t["variables"]):
            row = c[(c.equation == eq) & (c.term == f"L1.{v}")].iloc[0]
            assert abs(row.estimate - A[i, j]) < 3 * row.std_error, (eq, v)
    np.testing.assert_allclose(r.fevd.sum(axis=2), 100)


def test_panel_var_with_year_effects(sample):
    ind, _, truth = sample
    t = truth["panel_var"]
    r = fit_pvar(ind, ["dig", "wfb", "wsb"], log=True, lags=1, time_effects=True, bands=None)
    A = np.array(t["A"])
    c = r.coefficients
    for i, eq in enumerate(t["variables"]):
        for j, v in enumerate(t["variables"]):
            row = c[(c.equation == eq) & (c.term == f"L1.{v}")].iloc[0]
            assert abs(row.estimate - A[i, j]) < 3 * row.std_error, (eq, v)

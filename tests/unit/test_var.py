"""VAR: short samples, unit roots, bands, JSON shape, FEVD table, ordering."""

import json

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.var import fevd_from_orth, fit_var, max_feasible_lags, prepare_series, unit_root_tests
from cultnet.errors import NotEnoughData, ValidationError

A1 = np.array([[0.6, 0.0, 0.0], [0.3, 0.5, 0.0], [0.1, 0.1, 0.4]])


def simulate_var(T=160, seed=0, A=A1):
    rng = np.random.default_rng(seed)
    k = A.shape[0]
    S = np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]])[:k, :k] * 0.01
    L = np.linalg.cholesky(S)
    y = np.zeros((T + 50, k))
    for t in range(1, len(y)):
        y[t] = 0.01 + A @ y[t - 1] + L @ rng.standard_normal(k)
    return pd.DataFrame(y[50:], columns=["dt", "wfb", "wsb"][:k])


@pytest.fixture(scope="module")
def var_res():
    return fit_var(simulate_var(), lags="auto", maxlags=4, horizon=10, bands="mc", reps=100, seed=1)


def test_recovers_var1_coefficients(var_res):
    assert var_res.lags == 1
    c = var_res.coefficients
    for i, eq in enumerate(["dt", "wfb", "wsb"]):
        for j, v in enumerate(["dt", "wfb", "wsb"]):
            row = c[(c.equation == eq) & (c.term == f"L1.{v}")].iloc[0]
            assert abs(row.estimate - A1[i, j]) < 3 * row.std_error, (eq, v)


def test_shapes_and_identities(var_res):
    H = 10
    assert var_res.irf.shape == (H + 1, 3, 3) and var_res.fevd.shape == (3, H + 1, 3)
    np.testing.assert_allclose(var_res.fevd.sum(axis=2), 100.0)
    # impact: orthogonalized IRF = Cholesky factor, FEVD of the first variable is 100 % own shock
    np.testing.assert_allclose(var_res.irf[0], np.linalg.cholesky(var_res.sigma_u.to_numpy()))
    assert var_res.fevd[0, 0, 0] == pytest.approx(100.0)
    assert (var_res.lower <= var_res.irf + 1e-12).all() and (var_res.upper >= var_res.irf - 1e-12).all()
    assert var_res.tests["stability"]["stable"]
    assert var_res.tests["stability"]["max_modulus"] == pytest.approx(0.6, abs=0.1)


def test_bands_are_seeded():
    d = simulate_var(T=80)
    a = fit_var(d, lags=1, bands="mc", reps=50, seed=3, unit_roots=False, granger=False)
    b = fit_var(d, lags=1, bands="mc", reps=50, seed=3, unit_roots=False, granger=False)
    np.testing.assert_array_equal(a.lower, b.lower)
    c = fit_var(d, lags=1, bands="bootstrap", reps=60, seed=3, unit_roots=False, granger=False)
    e = fit_var(d, lags=1, bands="bootstrap", reps=60, seed=3, unit_roots=False, granger=False)
    np.testing.assert_array_equal(c.upper, e.upper)
    np.testing.assert_array_equal(c.girf_lower, e.girf_lower)


def test_json_shape(var_res):
    d = json.loads(json.dumps(var_res.to_dict()))
    assert d["variables"] == ["dt", "wfb", "wsb"] and d["lags"] == 1
    irf = d["irf"]["orthogonalized"]
    assert len(irf) == 11 and set(irf[0]) == {"dt", "wfb", "wsb"}
    # irf[h][response][impulse]
    assert irf[2]["wfb"]["dt"] == pytest.approx(var_res.irf[2, 1, 0])
    assert d["irf"]["generalized"][0]["dt"]["dt"] == pytest.approx(var_res.irf[0, 0, 0])
    assert d["fevd"]["wfb"][3]["dt"] == pytest.approx(var_res.fevd[1, 3, 0])
    assert sum(d["fevd"]["wfb"][5].values()) == pytest.approx(100.0)
    assert {"stability", "whiteness", "normality", "granger", "unit_roots"} <= set(d["tests"])


def test_fevd_table_like_table5(var_res):
    t = var_res.fevd_table("wfb")
    assert list(t.columns) == ["period", "S.E.", "dt %", "wfb %", "wsb %"]
    assert t["period"].tolist() == list(range(1, 12))
    np.testing.assert_allclose(t[["dt %", "wfb %", "wsb %"]].sum(axis=1), 100.0)
    assert (np.diff(t["S.E."]) >= 0).all()


def test_fevd_by_hand():
    th = np.array([[[1.0, 0.0], [0.5, 1.0]], [[0.5, 0.0], [0.0, 0.5]]])
    f, se = fevd_from_orth(th)
    # variable 2, h=1: shock1 0.25+0, shock2 1+0.25 -> 0.25/1.5
    assert f[1, 1, 0] == pytest.approx(100 * 0.25 / 1.5)
    assert se[1, 1] == pytest.approx(np.sqrt(1.5))


def test_ordering_changes_orth_not_generalized():
    d = simulate_var(T=100, seed=4)
    a = fit_var(d, lags=1, bands=None, unit_roots=False, granger=False)
    b = fit_var(d, lags=1, bands=None, unit_roots=False, granger=False, order=["wsb", "wfb", "dt"])
    assert b.variables == ("wsb", "wfb", "dt")
    np.testing.assert_allclose(b.girf[:, 2, 2], a.girf[:, 0, 0])
    assert not np.allclose(b.irf[:, 2, 2], a.irf[:, 0, 0])


def test_short_sample_only_var1():
    assert max_feasible_lags(10, 3) == 1
    d = simulate_var(T=10, seed=5)
    r = fit_var(d, lags="auto", bands=None)
    assert r.lags == 1 and any("only VAR(1)" in n for n in r.notes)
    assert np.isfinite(r.fevd).all()
    with pytest.raises(NotEnoughData, match=r"at most a VAR\(1\).*VAR\(2\) requested"):
        fit_var(d, lags=2)
    with pytest.raises(NotEnoughData, match="cannot support even a VAR"):
        fit_var(d.iloc[:6], lags=1)


def test_short_sample_tests_hold_reasons():
    r = fit_var(simulate_var(T=10, seed=6), lags=1, bands=None)
    w = r.tests["whiteness"]
    assert "stat" in w or "reason" in w
    ur = r.unit_roots
    assert set(ur["form"]) == {"level", "diff"}


def test_unit_roots_verdicts():
    rng = np.random.default_rng(0)
    rw = np.cumsum(rng.normal(size=200))
    wn = rng.normal(size=200)
    t = unit_root_tests(pd.DataFrame({"rw": rw, "wn": wn}))
    lv = t[t.form == "level"].set_index("variable")
    assert lv.loc["rw", "verdict"] == "unit root" and lv.loc["rw", "suggestion"].startswith("difference once")
    assert lv.loc["wn", "verdict"] == "stationary" and lv.loc["wn", "suggestion"] == "use levels"


def test_prepare_series_errors_and_logs():
    df = pd.DataFrame({"period": ["2015Q2", "2015Q1"], "dt": [2.0, 1.0], "wfb": [0.5, 0.0]})
    with pytest.raises(ValidationError, match=r"period 2015Q1.*<= 0"):
        prepare_series(df, ["dt", "wfb"], time="period", log=True)
    s = prepare_series(df, ["dt"], time="period", log=True)
    assert s.index.tolist() == ["2015Q1", "2015Q2"] and s["ln_dt"].tolist() == pytest.approx([0.0, np.log(2)])
    with pytest.raises(ValidationError, match="several rows per period"):
        prepare_series(pd.concat([df, df]), ["dt"], time="period")


def test_irf_axis_range_keeps_the_point_estimate_readable():
    from cultnet.analysis.var import irf_axis_range

    point = np.array([0.10, 0.08, 0.05, 0.02])
    lo, hi, clipped = irf_axis_range(point, point - 0.01, point + 0.01)
    assert not clipped and lo < (point - 0.01).min() and hi > (point + 0.01).max()
    lo, hi, clipped = irf_axis_range(point, point - 130, point + 130)   # exploding band (issue 10)
    assert clipped and hi - lo < 1.0 and lo < point.min() and hi > point.max()

"""Econometrics against published numbers and independent computations.

Versions whose numbers are pinned here: linearmodels 7.1, statsmodels 0.15.0, numpy 2.4,
pandas 3.1, spreg 1.9.0, esda 2.9.0, libpysal 4.14. Sources of every reference number are in
tests/reference/data/*.json.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.panel import fit_panel, hausman
from cultnet.analysis.var import fit_var, girf

DATA = Path(__file__).parent / "data"
GRUN = json.loads((DATA / "grunfeld_stata.json").read_text(encoding="utf-8"))
RVARS = json.loads((DATA / "var_macrodata_r_vars.json").read_text(encoding="utf-8"))


def _decimals(v: float) -> float:
    """Half a unit of the last printed digit of a published number (its precision)."""
    s = repr(float(v))
    if "e" in s:
        return 1e-12
    dec = len(s.split(".")[1].rstrip("0")) if "." in s else 0
    return 0.5 * 10 ** (-dec) + 1e-12


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld as g

    d = g.load_pandas().data
    d = d[d["firm"] != "American Steel"].copy()   # Stata/plm/Baltagi use 10 firms
    d["year"] = d["year"].astype(int)              # loads as float
    # Stata's webuse grunfeld stores invest/mvalue/kstock as 4-byte floats: round-trip through
    # float32 to reproduce Stata's printed digits (e.g. _cons -58.74393, sigma_e 52.767964;
    # with float64 data they are -58.743939 and 52.767966).
    for c in ("invest", "value", "capital"):
        d[c] = d[c].astype(np.float32).astype(np.float64)
    return d


@pytest.fixture(scope="module")
def fe(grunfeld):
    return fit_panel(grunfeld, "invest", ["value", "capital"], entity="firm", effects="entity")


@pytest.fixture(scope="module")
def re(grunfeld):
    return fit_panel(grunfeld, "invest", ["value", "capital"], entity="firm", effects="random")


# ------------------------------------------------------------------ Grunfeld, Stata xtreg, fe
@pytest.mark.parametrize("term", ["value", "capital", "const"])
def test_fe_coefficients_and_se_match_stata(fe, term):
    ref = GRUN["fe"]
    assert fe.params[term] == pytest.approx(ref["coef"][term], abs=_decimals(ref["coef"][term]))
    assert fe.std_errors[term] == pytest.approx(ref["se"][term], abs=_decimals(ref["se"][term]))
    assert fe.coefficients.loc[term, "statistic"] == pytest.approx(ref["t"][term], abs=0.005)
    lo, hi = ref["ci"][term]
    assert fe.coefficients.loc[term, "ci_low"] == pytest.approx(lo, abs=_decimals(lo))
    assert fe.coefficients.loc[term, "ci_high"] == pytest.approx(hi, abs=_decimals(hi))


def test_fe_r2_are_statas_corr_squared(fe):
    for k, v in GRUN["fe"]["r2"].items():
        assert fe.r2[k] == pytest.approx(v, abs=5e-5), k


def test_fe_fit_block_matches_stata(fe):
    ref = GRUN["fe"]
    m = fe.tests["model"]
    assert (m["df"], m["df_denom"]) == tuple(ref["F_df"])
    assert m["stat"] == pytest.approx(ref["F"], abs=0.005)
    e = fe.tests["effects_F"]
    assert (e["df"], e["df_denom"]) == tuple(ref["F_u_i_df"])
    assert e["stat"] == pytest.approx(ref["F_u_i"], abs=0.005)
    assert fe.info["sigma_u"] == pytest.approx(ref["sigma_u"], abs=5e-6)
    assert fe.info["sigma_e"] == pytest.approx(ref["sigma_e"], rel=1e-7)
    assert fe.info["rho"] == pytest.approx(ref["rho"], abs=5e-8)
    assert fe.info["corr_u_xb"] == pytest.approx(ref["corr_u_xb"], abs=5e-5)


def test_fe_vce_robust_is_entity_cluster_with_small_sample_factor(grunfeld):
    r = fit_panel(grunfeld, "invest", ["value", "capital"], entity="firm", effects="entity", cov="robust")
    for term, v in GRUN["fe_robust"]["se"].items():
        assert r.std_errors[term] == pytest.approx(v, abs=_decimals(v)), term
    m = r.tests["model"]
    assert (m["df"], m["df_denom"]) == tuple(GRUN["fe_robust"]["F_df"])
    assert m["stat"] == pytest.approx(GRUN["fe_robust"]["F"], abs=0.005)


# ------------------------------------------------------------------ random effects, Hausman
@pytest.mark.parametrize("term", ["value", "capital", "const"])
def test_re_matches_stata(re, term):
    ref = GRUN["re"]
    assert re.params[term] == pytest.approx(ref["coef"][term], abs=_decimals(ref["coef"][term]))
    assert re.std_errors[term] == pytest.approx(ref["se"][term], abs=_decimals(ref["se"][term]))


def test_re_fit_block(re):
    ref = GRUN["re"]
    assert re.tests["wald"]["stat"] == pytest.approx(ref["wald_chi2"], abs=0.005)
    assert re.info["sigma_u"] == pytest.approx(ref["sigma_u"], abs=5e-6)
    assert re.info["rho"] == pytest.approx(ref["rho"], abs=5e-8)
    assert re.stat_name == "z"


def test_hausman_matches_plm_phtest(fe, re):
    h = hausman(fe, re)
    ref = GRUN["hausman"]
    assert h["stat"] == pytest.approx(ref["chi2"], abs=5e-5)
    assert h["df"] == ref["df"]
    assert h["p_value"] == pytest.approx(ref["p"], abs=5e-5)


def test_linearmodels_rsquared_between_is_not_statas(grunfeld, fe):
    """Pitfall 1 pinned: linearmodels' rsquared_between (1-SSR/SST) differs from Stata's corr²."""
    from linearmodels import PanelOLS

    d = grunfeld.set_index(["firm", "year"])
    r = PanelOLS(d["invest"], d[["value", "capital"]].assign(const=1.0), entity_effects=True).fit()
    assert r.corr_squared_between == pytest.approx(fe.r2["between"], abs=1e-12)
    assert abs(r.rsquared_between - fe.r2["between"]) > 1e-3


# ------------------------------------------------------------------ independent computations
def test_fe_equals_explicit_demeaning(grunfeld, fe):
    d = grunfeld
    cols = ["invest", "value", "capital"]
    dm = d[cols] - d.groupby("firm")[cols].transform("mean")
    X = dm[["value", "capital"]].to_numpy()
    b = np.linalg.lstsq(X, dm["invest"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(fe.params[["value", "capital"]].to_numpy(), b, rtol=1e-10)
    resid = dm["invest"].to_numpy() - X @ b
    s2 = resid @ resid / (len(d) - d["firm"].nunique() - 2)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
    np.testing.assert_allclose(fe.std_errors[["value", "capital"]].to_numpy(), se, rtol=1e-10)


def test_driscoll_kraay_vs_statsmodels_hac_groupsum(grunfeld):
    """Pooled OLS with DK SEs: linearmodels kernel (used here) vs statsmodels hac-groupsum.

    Same Bartlett kernel and bandwidth; the variance matrices differ by one documented constant:
    cultnet (linearmodels, debiased) = base · N/(N−K); statsmodels = base · G/(G−1) · (N−1)/(N−K),
    so V_statsmodels / V_cultnet = G/(G−1) · (N−1)/N (pitfalls note 3), G = number of periods.
    """
    import statsmodels.api as sm

    d = grunfeld.sort_values(["year", "firm"])
    T = d["year"].nunique()
    bw = int(np.floor(4 * (T / 100) ** (2 / 9)))
    ours = fit_panel(d, "invest", ["value", "capital"], entity="firm", effects="pooled", cov="driscoll-kraay")
    X = sm.add_constant(d[["value", "capital"]])
    sm_res = sm.OLS(d["invest"], X).fit(cov_type="hac-groupsum",
                                         cov_kwds={"time": d["year"].astype(int).to_numpy() - 1935, "maxlags": bw})
    ratio = (ours.std_errors[["const", "value", "capital"]].to_numpy() / sm_res.bse.to_numpy()) ** 2
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-8)           # one constant scale
    N, G = len(d), T
    assert 1 / ratio[0] == pytest.approx(G / (G - 1) * (N - 1) / N, rel=1e-10)


# ------------------------------------------------------------------ VAR vs R vars (macrodata)
@pytest.fixture(scope="module")
def macro_var():
    from statsmodels.datasets import macrodata

    d = macrodata.load_pandas().data
    x = np.log(d[["realgdp", "realcons", "realinv"]]).diff().dropna().reset_index(drop=True)
    return fit_var(x, lags=2, horizon=5, bands=None, unit_roots=False)


def test_var_coefficients_match_r_vars(macro_var):
    ref = np.array(RVARS["coefs"])        # rows const, L1.gdp, L1.cons, L1.inv, L2...; columns equations
    se = np.array(RVARS["stderr"])
    c = macro_var.coefficients
    est = np.column_stack([c[c.equation == v]["estimate"].to_numpy() for v in RVARS["variables"]])
    ses = np.column_stack([c[c.equation == v]["std_error"].to_numpy() for v in RVARS["variables"]])
    np.testing.assert_allclose(est, ref, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(ses, se, rtol=1e-6, atol=1e-10)


def test_var_orthogonalized_irf_matches_r_vars(macro_var):
    for j, imp in enumerate(RVARS["variables"]):
        ref = np.array(RVARS["orthirf"][imp])          # [h, response]
        np.testing.assert_allclose(macro_var.irf[:, :, j], ref, rtol=1e-6, atol=1e-12)


def test_var_lag_criteria_match_r_vars():
    """R vars VARselect(p=2) criteria at p = 2 vs statsmodels select_order (same sample)."""
    from statsmodels.datasets import macrodata
    from statsmodels.tsa.api import VAR

    d = macrodata.load_pandas().data
    x = np.log(d[["realgdp", "realcons", "realinv"]]).diff().dropna()
    res = VAR(x.to_numpy()).fit(2)
    assert res.aic == pytest.approx(RVARS["crit"]["aic"], rel=1e-8)
    assert res.bic == pytest.approx(RVARS["crit"]["sic"], rel=1e-8)
    assert res.hqic == pytest.approx(RVARS["crit"]["hqic"], rel=1e-8)
    assert res.fpe == pytest.approx(RVARS["crit"]["fpe"], rel=1e-8)


def test_girf_first_variable_equals_orthogonalized(macro_var):
    np.testing.assert_allclose(macro_var.girf[:, :, 0], macro_var.irf[:, :, 0], rtol=1e-12, atol=1e-15)


def test_girf_by_hand_is_ordering_invariant(macro_var):
    from statsmodels.datasets import macrodata

    d = macrodata.load_pandas().data
    x = np.log(d[["realgdp", "realcons", "realinv"]]).diff().dropna().reset_index(drop=True)
    other = fit_var(x, lags=2, horizon=5, bands=None, unit_roots=False, order=["realinv", "realcons", "realgdp"])
    perm = [2, 1, 0]
    np.testing.assert_allclose(other.girf, macro_var.girf[:, perm][:, :, perm], rtol=1e-10)
    # last variable in the new ordering = first in the old: orthogonalized differ, generalized do not
    assert not np.allclose(other.irf[:, :, 2], macro_var.irf[:, :, 0])


def test_fevd_matches_statsmodels_and_sums_to_100(macro_var):
    from statsmodels.datasets import macrodata
    from statsmodels.tsa.api import VAR

    d = macrodata.load_pandas().data
    x = np.log(d[["realgdp", "realcons", "realinv"]]).diff().dropna()
    sm = VAR(x.to_numpy()).fit(2).fevd(6).decomp        # [i, h, j] fractions, h = 0..5
    np.testing.assert_allclose(macro_var.fevd, 100 * sm, rtol=1e-10)
    np.testing.assert_allclose(macro_var.fevd.sum(axis=2), 100.0, rtol=1e-12)
    mse = VAR(x.to_numpy()).fit(2).mse(6)                # forecast MSE matrices, h = 1..6
    np.testing.assert_allclose(macro_var.forecast_se, np.sqrt(np.diagonal(mse, axis1=1, axis2=2)), rtol=1e-10)


def test_girf_hand_formula():
    S = np.array([[2.0, 0.6], [0.6, 1.0]])
    Phi = np.array([np.eye(2), [[0.5, 0.1], [0.2, 0.3]]])
    g = girf(Phi, S)
    # impulse 2 at impact: Σ e_2 / sqrt(σ_22) = (0.6, 1.0)
    np.testing.assert_allclose(g[0][:, 1], [0.6, 1.0])
    np.testing.assert_allclose(g[1][:, 0], Phi[1] @ S[:, 0] / np.sqrt(2.0))

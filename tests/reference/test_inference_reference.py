"""Small-sample inference against published numbers and independent implementations.

* boottest's published example (Roodman et al. 2019; WildBootTests.jl's log): t(7) = 2.0194 and
  p = 0.0757 for ``boottest post_self=.04, weight(webb)``.
* ``wildboottest`` (an independent Python implementation): the full Rademacher distribution on
  Grunfeld (10 clusters, 1,024 draws) equals ours to 1e-10.
* a brute-force refit loop: each bootstrap sample re-estimated by OLS with the CRV1 formula.
* Stata's d.f. rules (t(G−1), F(q, G−1), '.' when q > G−1), R plm/Stata Hausman on
  jobtraining (χ² = 2.1425, 4 d.f., p = 0.710), the cluster-robust Mundlak test, absorbed
  regressors on wage_panel, Stata's two-way constant on unbalanced jobtraining (12.4355).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cultnet.analysis.bootstrap import WildBootstrap, draw_plan
from cultnet.analysis.panel import fit_by_group, fit_panel, hausman, mundlak_test

DATA = Path(__file__).parent / "data"


# ------------------------------------------------------------------ boottest's published example
@pytest.fixture(scope="module")
def collapsed():
    d = pd.read_csv(DATA / "boottest_collapsed.csv")
    X = np.column_stack([np.ones(len(d)), d.selfemployed, d.post, d.post_self]).astype(float)
    return WildBootstrap(X, d.hasinsurance.to_numpy(float), d.year.to_numpy())


def test_boottest_published_example(collapsed):
    ref = json.loads((DATA / "boottest_collapsed.json").read_text(encoding="utf-8"))
    r = collapsed.test_coef(3, null=0.04, weights="webb", reps=6 ** 8, ci=False)
    assert r.plan.enumerated and r.plan.reps == 6 ** 8
    assert r.stat == pytest.approx(ref["t"], abs=5e-5)
    assert r.p_value == pytest.approx(ref["p_webb_9999999"], abs=4e-4)
    # random Webb draws estimate the enumerated value: 99,999 seeded draws within 4 s.d.
    rr = collapsed.test_coef(3, null=0.04, weights="webb", reps=99_999, seed=3, ci=False)
    assert abs(rr.p_value - r.p_value) < 4 * np.sqrt(r.p_value * (1 - r.p_value) / 99_999)


def test_test_inversion_ci_is_where_p_crosses_alpha(collapsed):
    r = collapsed.test_coef(3, weights="webb", reps=9999, seed=1, level=0.95)
    se = (r.ci_high - r.ci_low) / 4
    for end, inside in ((r.ci_low, r.ci_low + 1e-6 * se), (r.ci_high, r.ci_high - 1e-6 * se)):
        outside = end + (end - inside)
        assert collapsed.test_coef(3, null=inside, weights="webb", reps=9999, seed=1, ci=False).p_value >= 0.05
        assert collapsed.test_coef(3, null=outside, weights="webb", reps=9999, seed=1, ci=False).p_value < 0.05
    assert r.ci_low < collapsed.beta[3] < r.ci_high


# ------------------------------------------------------------------ wildboottest (independent)
@pytest.fixture(scope="module")
def grunfeld():
    from statsmodels.datasets import grunfeld as g

    d = g.load_pandas().data
    d = d[d["firm"] != "American Steel"].copy()
    d["year"] = d["year"].astype(int)
    return d


def _wildboottest_dist(X, y, clusters, j):
    from wildboottest.wildboottest import WildboottestCL

    R = np.zeros(X.shape[1])
    R[j] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = WildboottestCL(X=X, Y=y, cluster=clusters, R=R, B=9999, seed=1, parallel=False)
        b.get_scores(bootstrap_type="11", impose_null=True)
        b.get_weights("rademacher")
        b.get_numer()
        b.get_denom()
        b.get_tboot()
        b.get_vcov()
        b.get_tstat()
    return float(np.ravel(b.t_stat)[0]), np.sort(np.ravel(b.t_boot))


@pytest.mark.parametrize("design", ["pooled", "within"])
def test_full_enumeration_equals_wildboottest(grunfeld, design):
    d = grunfeld
    codes = pd.factorize(d.firm)[0]
    if design == "pooled":
        X = np.column_stack([np.ones(len(d)), d.value, d.capital])
        y = d.invest.to_numpy(float)
    else:       # fixed effects partialled out, as cultnet bootstraps xtreg, fe
        cols = d[["invest", "value", "capital"]] - d.groupby("firm")[["invest", "value", "capital"]].transform("mean")
        X, y = cols[["value", "capital"]].to_numpy(float), cols["invest"].to_numpy(float)
    ours = WildBootstrap(X, y, codes)
    for j in range(X.shape[1]):
        t_ref, dist_ref = _wildboottest_dist(X, y, codes, j)
        t, dist = ours.distribution(j, weights="rademacher", reps=9999)
        assert len(dist) == len(dist_ref) == 2 ** 10
        if design == "pooled":       # same small-sample factor: identical statistics
            assert t == pytest.approx(t_ref, rel=1e-10)
            np.testing.assert_allclose(np.sort(dist), dist_ref, rtol=1e-9, atol=1e-12)
        else:                        # wildboottest's (N-1)/(N-K) counts no absorbed effects: one scale
            np.testing.assert_allclose(np.sort(dist) / t, dist_ref / t_ref, rtol=1e-9)
        # p-value: strict exceedance; the draws v = ±1 reproduce |t| exactly and do not count
        p_ref = np.mean(np.abs(dist_ref) > abs(t_ref) * (1 + 1e-9))
        assert ours.test_coef(j, weights="rademacher", ci=False).p_value == pytest.approx(p_ref, abs=1e-12)


def test_fast_algebra_equals_refitting_every_sample():
    rng = np.random.default_rng(4)
    G, n = 5, 12
    g = np.repeat(np.arange(G), n)
    X = np.column_stack([np.ones(G * n), rng.normal(size=G * n), rng.normal(size=G * n)])
    y = X @ [1.0, 0.3, 0.0] + rng.normal(size=G)[g] + rng.normal(size=G * n)
    wb = WildBootstrap(X, y, g)
    for j, r0 in ((1, 0.0), (2, 0.25)):
        t0, dist = wb.distribution(j, null=r0, weights="rademacher")
        # brute force: restricted fit, all 32 sign vectors, OLS + CRV1 on every sample
        keep = [c for c in range(3) if c != j]
        bt = np.linalg.lstsq(X[:, keep], y - r0 * X[:, j], rcond=None)[0]
        fit0 = X[:, keep] @ bt + r0 * X[:, j]
        ut = y - fit0
        N, K = X.shape
        c = G / (G - 1) * (N - 1) / (N - K)
        XtXi = np.linalg.inv(X.T @ X)

        def tstat(yy):
            b = XtXi @ X.T @ yy
            u = yy - X @ b
            meat = sum(np.outer(X[g == h].T @ u[g == h], X[g == h].T @ u[g == h]) for h in range(G))
            return (b[j] - r0) / np.sqrt(c * (XtXi @ meat @ XtXi)[j, j])

        signs = [2 * np.array([(i >> h) & 1 for h in range(G)]) - 1.0 for i in range(2 ** G)]
        brute = [tstat(fit0 + ut * v[g]) for v in signs]
        np.testing.assert_allclose(np.sort(dist), np.sort(brute), rtol=1e-9)
        assert t0 == pytest.approx(tstat(y), rel=1e-10)


def test_draw_plans():
    assert draw_plan(4, weights="rademacher").describe().startswith("Rademacher weights, all 16")
    assert "only 16 weight vectors" in draw_plan(4, weights="rademacher").resolution_note()
    assert draw_plan(5, weights="webb").enumerated and draw_plan(6, weights="webb").reps == 9999
    assert draw_plan(11).weights == "webb" and draw_plan(12).weights == "rademacher"


# ------------------------------------------------------------------ Stata's clustered d.f. rules
def four_clusters(seed=0, T=12):
    rng = np.random.default_rng(seed)
    rows = []
    for i, c in enumerate(["A", "B", "C", "D"]):
        a = rng.normal()
        for t in range(T):
            x = rng.normal(size=5) + 0.3 * a
            rows.append({"city": c, "year": 2000 + t, **{f"x{k}": x[k] for k in range(5)},
                         "y": a + 0.9 * x[0] + 0.2 * x[1] + rng.normal(0, 0.3), "grp": "g1" if i < 2 else "g2"})
    return pd.DataFrame(rows)


def test_four_clusters_t3_no_impossible_F_and_bootstrap_shown():
    d = four_clusters()
    r = fit_panel(d, "y", ["x0", "x1", "x2", "x3", "x4"], effects="entity", cov="clustered")
    c = r.coefficients.loc["x0"]
    assert c["p_value"] == pytest.approx(2 * stats.t.sf(abs(c["statistic"]), 3), rel=1e-12)
    half = stats.t.ppf(0.975, 3) * c["std_error"]
    assert c["ci_high"] - c["estimate"] == pytest.approx(half, rel=1e-12)
    assert r.inference["distribution"] == "t(3)" and r.inference["warnings"]
    for name in ("model", "wald", "model_bootstrap"):      # 5 restrictions, rank <= 3: no number
        assert "stat" not in r.tests[name] and "G − 1 = 3" in r.tests[name]["reason"]
    assert r.fit_stats()["F"] == "."
    assert r.inference["bootstrap"]["enumerated"] and r.inference["bootstrap"]["reps"] == 6 ** 4
    assert np.isfinite(r.coefficients.loc["x0", ["boot_p_value", "boot_ci_low", "boot_ci_high"]].astype(float)).all()
    # the group-difference test: 10 joint restrictions with 4 clusters is not printed as a number
    g = fit_by_group(d, "y", ["x0", "x1", "x2", "x3", "x4"], dict(zip(d.city, d.grp)), cov="clustered")
    assert "stat" not in g.equality_test["joint"] and "reason" in g.equality_test["joint"]
    per = g.equality_test["per_regressor"]["x0"]
    assert per["df"] == 1 and per["df_denom"] == 3 and "p_value" in per["bootstrap"]


def test_grunfeld_robust_p_values_on_t9_as_stata(grunfeld):
    r = fit_panel(grunfeld, "invest", ["value", "capital"], entity="firm", effects="entity", cov="robust",
                  inference="analytic")
    ref = json.loads((DATA / "grunfeld_stata.json").read_text(encoding="utf-8"))["fe_robust"]
    for term, se in ref["se"].items():
        lo, hi = r.coefficients.loc[term, ["ci_low", "ci_high"]]
        assert hi - lo == pytest.approx(2 * stats.t.ppf(0.975, 9) * se, rel=1e-5), term


# ------------------------------------------------------------------ Hausman and Mundlak on jobtraining
@pytest.fixture(scope="module")
def jobtraining():
    from linearmodels.datasets import jobtraining as jt

    return jt.load()


def test_hausman_jobtraining_rank_df(jobtraining):
    x = ["d88", "d89", "grant", "grant_1"]
    fe = fit_panel(jobtraining, "lscrap", x, entity="fcode")
    re = fit_panel(jobtraining, "lscrap", x, entity="fcode", effects="random")
    h = hausman(fe, re)
    assert h["stat"] == pytest.approx(2.1425, abs=5e-5)
    assert h["df"] == 4 and h["p_value"] == pytest.approx(0.710, abs=5e-4)
    assert "not positive definite" in h["note"]


def test_negative_hausman_is_explained():
    from cultnet.analysis.panel import PanelResult

    base = dict(estimator="", cov_type="unadjusted", y="y", terms=("const", "x"), nobs=10, n_entities=2,
                n_periods=5, r2={}, tests={})
    fe = PanelResult(effects="entity", coefficients=pd.DataFrame({"estimate": [0.0, 1.0]}, index=["const", "x"]),
                     cov=pd.DataFrame([[1, 0], [0, 0.5]], index=["const", "x"], columns=["const", "x"]), **base)
    re = PanelResult(effects="random", coefficients=pd.DataFrame({"estimate": [0.0, 0.0]}, index=["const", "x"]),
                     cov=pd.DataFrame([[1, 0], [0, 0.8]], index=["const", "x"], columns=["const", "x"]), **base)
    h = hausman(fe, re)
    assert h["stat"] < 0 and h["p_value"] is None and "not positive semi-definite" in h["explanation"]


def test_mundlak_robust_test(jobtraining):
    x = ["d88", "d89", "grant", "grant_1"]
    m = mundlak_test(jobtraining, "lscrap", x, entity="fcode")
    assert m["terms"] == ["mean_grant", "mean_grant_1"] and m["df"] == 2 and m["df_denom"] == 53
    assert {e["term"] for e in m["excluded"]} == {"d88", "d89"}
    # independent check 1: in a balanced panel the Mundlak RE slopes equal the FE slopes
    d = jobtraining.dropna(subset=["lscrap", *x]).copy()
    for c in ("grant", "grant_1"):
        d[f"mean_{c}"] = d.groupby("fcode")[c].transform("mean")
    re = fit_panel(d, "lscrap", [*x, "mean_grant", "mean_grant_1"], entity="fcode", effects="random",
                   cov="clustered", inference="analytic")
    fe = fit_panel(d, "lscrap", x, entity="fcode")
    np.testing.assert_allclose(re.params[x].to_numpy(), fe.params[x].to_numpy(), rtol=1e-8)
    # independent check 2: the Wald statistic from statsmodels' cluster covariance on the
    # quasi-demeaned data (theta from the RE fit), with Stata's G/(G-1)(N-1)/(N-K) factor
    import statsmodels.api as sm

    th = 1 - np.sqrt(re.info["sigma_e"] ** 2 / (3 * re.info["sigma_u"] ** 2 + re.info["sigma_e"] ** 2))
    cols = ["lscrap", *x, "mean_grant", "mean_grant_1"]
    qd = d[cols] - th * d.groupby("fcode")[cols].transform("mean")
    Xq = qd[cols[1:]].assign(const=1 - th)
    ols = sm.OLS(qd["lscrap"], Xq).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d.fcode)[0]})
    b = ols.params[["mean_grant", "mean_grant_1"]].to_numpy()
    V = ols.cov_params().loc[["mean_grant", "mean_grant_1"], ["mean_grant", "mean_grant_1"]].to_numpy()
    assert m["chi2"] == pytest.approx(float(b @ np.linalg.solve(V, b)), rel=1e-6)


# ------------------------------------------------------------------ nothing silent
def test_wage_panel_twoway_names_exper_absorbed():
    from linearmodels import PanelOLS
    from linearmodels.datasets import wage_panel

    w = wage_panel.load()
    r = fit_panel(w, "lwage", ["exper", "expersq", "union", "married"], entity="nr", effects="twoway")
    assert [d["term"] for d in r.dropped] == ["exper"] and "year" in r.dropped[0]["reason"]
    assert "exper" not in r.terms and any("dropped exper" in f for f in r.footnotes())
    assert r.to_dict()["dropped"][0]["term"] == "exper"
    ref = PanelOLS(w.set_index(["nr", "year"])["lwage"], w.set_index(["nr", "year"])[["expersq", "union", "married"]],
                   entity_effects=True, time_effects=True).fit()
    np.testing.assert_allclose(r.params[["expersq", "union", "married"]].to_numpy(), ref.params.to_numpy(), rtol=1e-9)
    fe = fit_panel(w, "lwage", ["educ", "exper", "black", "union"], entity="nr")
    assert [d["term"] for d in fe.dropped] == ["educ", "black"]


def test_twoway_constant_is_statas_i_year_constant(jobtraining):
    """``xtreg lsales grant lemploy i.year, fe`` on unbalanced jobtraining (issue 10: _cons 12.4355)."""
    r = fit_panel(jobtraining, "lsales", ["grant", "lemploy"], entity="fcode", effects="twoway")
    assert r.nobs == 359 and r.params["const"] == pytest.approx(12.4355, abs=5e-5)
    assert list(r.year_effects.index) == ["1988.year", "1989.year"]
    # the same model written with explicit dummies and entity effects only
    d = jobtraining.dropna(subset=["lsales", "grant", "lemploy"])
    e = fit_panel(d, "lsales", ["grant", "lemploy", "d88", "d89"], entity="fcode", effects="entity")
    assert e.params["const"] == pytest.approx(r.params["const"], rel=1e-12)
    assert r.tests["year_effects"]["df"] == 2


def test_random_effects_theta_range_on_unbalanced(jobtraining):
    r = fit_panel(jobtraining, "lsales", ["grant", "lemploy"], entity="fcode", effects="random")
    i = r.info
    assert "theta" not in i and i["theta_min"] < i["theta_median"] <= i["theta_max"]
    T = jobtraining.dropna(subset=["lsales", "grant", "lemploy"]).groupby("fcode").size()
    th = 1 - np.sqrt(i["sigma_e"] ** 2 / (T * i["sigma_u"] ** 2 + i["sigma_e"] ** 2))
    assert i["theta_min"] == pytest.approx(th.min(), rel=1e-10) and i["theta_max"] == pytest.approx(th.max(), rel=1e-10)
    assert any("varies by entity" in n for n in r.notes)

"""Panel estimators on simulated panels with known coefficients, and independent re-computations."""

import json

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.panel import fit_panel, hausman
from cultnet.errors import NotEnoughData, ValidationError

BETA = {"x1": 0.756, "x2": 0.567, "x3": -0.030}


def simulate(n=40, t=10, beta=BETA, seed=0, sigma=0.1, time_shock=0.0, group_beta=None, corr=0.3):
    rng = np.random.default_rng(seed)
    cities = [f"c{i:02d}" for i in range(n)]
    rows = []
    alpha = rng.normal(0, 1, n)
    gamma = rng.normal(0, time_shock, t) if time_shock else np.zeros(t)
    for i, c in enumerate(cities):
        b = group_beta[i % len(group_beta)] if group_beta else beta
        for s in range(t):
            x = {k: rng.normal(alpha[i] * corr, 1) for k in beta}
            y = 1.1 + alpha[i] + gamma[s] + sum(b[k] * x[k] for k in beta) + rng.normal(0, sigma)
            rows.append({"city": c, "year": 2015 + s, **x, "y": y, "g": f"g{i % len(group_beta)}" if group_beta else "all"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def panel():
    return simulate()


@pytest.mark.parametrize("effects", ["entity", "twoway", "random"])
def test_recovers_true_coefficients(panel, effects):
    r = fit_panel(panel, "y", list(BETA), effects=effects)
    for k, b in BETA.items():
        assert abs(r.params[k] - b) < 3 * r.std_errors[k], (k, r.params[k])
        assert r.coefficients.loc[k, "ci_low"] < b < r.coefficients.loc[k, "ci_high"]
    assert r.nobs == 400 and r.n_entities == 40 and r.n_periods == 10


def test_twoway_removes_common_time_shocks():
    d = simulate(time_shock=3.0, seed=2)
    tw = fit_panel(d, "y", list(BETA), effects="twoway")
    one = fit_panel(d, "y", list(BETA), effects="entity")
    assert abs(tw.params["x1"] - 0.756) < 3 * tw.std_errors["x1"]
    assert tw.std_errors["x1"] < one.std_errors["x1"] / 5


def test_pooled_equals_statsmodels_ols(panel):
    import statsmodels.api as sm

    r = fit_panel(panel, "y", list(BETA), effects="pooled")
    ols = sm.OLS(panel["y"], sm.add_constant(panel[list(BETA)])).fit()
    np.testing.assert_allclose(r.params[["const", *BETA]].to_numpy(), ols.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.std_errors[["const", *BETA]].to_numpy(), ols.bse.to_numpy(), rtol=1e-10)
    rb = fit_panel(panel, "y", list(BETA), effects="pooled", cov="robust")
    hc1 = sm.OLS(panel["y"], sm.add_constant(panel[list(BETA)])).fit(cov_type="HC1")
    np.testing.assert_allclose(rb.std_errors[["const", *BETA]].to_numpy(), hc1.bse.to_numpy(), rtol=1e-8)


def test_between_equals_ols_on_means(panel):
    import statsmodels.api as sm

    r = fit_panel(panel, "y", list(BETA), effects="between")
    m = panel.groupby("city")[["y", *BETA]].mean()
    ols = sm.OLS(m["y"], sm.add_constant(m[list(BETA)])).fit()
    np.testing.assert_allclose(r.params[["const", *BETA]].to_numpy(), ols.params.to_numpy(), rtol=1e-10)


def test_r2_definitions_by_hand(panel):
    r = fit_panel(panel, "y", list(BETA), effects="entity")
    xb = panel[list(BETA)].to_numpy() @ r.params[list(BETA)].to_numpy()
    assert r.r2["overall"] == pytest.approx(np.corrcoef(panel["y"], xb)[0, 1] ** 2, rel=1e-12)
    m = panel.assign(xb=xb).groupby("city")[["y", "xb"]].mean()
    assert r.r2["between"] == pytest.approx(np.corrcoef(m["y"], m["xb"])[0, 1] ** 2, rel=1e-12)


def test_json_shape(panel):
    r = fit_panel(panel, "y", list(BETA), effects="entity", cov="clustered")
    d = json.loads(json.dumps(r.to_dict()))
    assert d["estimator"] == "entity" and d["nobs"] == 400
    assert set(d["r2"]) == {"within", "between", "overall"}
    assert [c["term"] for c in d["coefficients"]] == ["const", *BETA]
    # 40 clusters < 42: the wild cluster bootstrap runs by default and adds its columns
    assert set(d["coefficients"][0]) == {"term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high",
                                         "boot_p_value", "boot_ci_low", "boot_ci_high"}
    assert {"model", "wald", "effects_F", "model_bootstrap"} <= set(d["tests"])
    assert d["inference"]["distribution"] == "t(39)" and d["inference"]["bootstrap"]["reps"] == 9999
    a = fit_panel(panel, "y", list(BETA), effects="entity", cov="clustered", inference="analytic").to_dict()
    assert set(a["coefficients"][0]) == {"term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"}


def test_hausman_does_not_reject_when_re_is_valid():
    rng = np.random.default_rng(5)
    d = simulate(seed=5, sigma=1.0, corr=1.0)
    # alpha correlates with x by construction (x has mean alpha): RE inconsistent -> reject
    fe, re = fit_panel(d, "y", list(BETA)), fit_panel(d, "y", list(BETA), effects="random")
    assert hausman(fe, re)["p_value"] < 0.01
    # regressors independent of the effects -> no rejection
    d2 = d.copy()
    for k in BETA:
        d2[k] = rng.normal(0, 1, len(d2))
    alpha = d2.groupby("city")["y"].transform(lambda s: 0.0) + np.repeat(rng.normal(0, 1, 40), 10)
    d2["y"] = 1 + alpha + sum(b * d2[k] for k, b in BETA.items()) + rng.normal(0, 1.0, len(d2))
    h = hausman(fit_panel(d2, "y", list(BETA)), fit_panel(d2, "y", list(BETA), effects="random"))
    assert h["p_value"] > 0.05
    assert "reason" in hausman(fit_panel(d2, "y", list(BETA), cov="robust"), fit_panel(d2, "y", list(BETA), effects="random"))


def test_log_error_from_fit_names_city(panel):
    d = panel.copy()
    d["pos"] = np.exp(d["x1"])
    d.loc[3, "pos"] = 0.0
    d["ypos"] = np.exp(d["y"] / 10)
    with pytest.raises(ValidationError, match=r"city=c00.*year=2018"):
        fit_panel(d, "ypos", ["pos"], log=True)
    r = fit_panel(d, "ypos", ["pos"], log=True, zero="drop")
    assert r.nobs == 399 and r.terms == ("const", "ln_pos")


def test_not_enough_data():
    d = simulate(n=3, t=2)
    with pytest.raises(NotEnoughData):
        fit_panel(d, "y", list(BETA), effects="between")
    with pytest.raises(NotEnoughData):
        fit_panel(d.iloc[:5], "y", list(BETA), effects="entity")


def test_duplicates_and_missing_columns_are_validation_errors(panel):
    with pytest.raises(ValidationError, match="duplicate"):
        fit_panel(pd.concat([panel, panel.iloc[:1]]), "y", list(BETA))
    with pytest.raises(ValidationError, match="zz"):
        fit_panel(panel, "y", ["zz"])


def test_driscoll_kraay_and_clustered_run(panel):
    for cov in ("robust", "clustered", "driscoll-kraay"):
        r = fit_panel(panel, "y", list(BETA), effects="entity", cov=cov)
        assert np.isfinite(r.std_errors).all() and r.cov_type == cov




def test_twoway_r2_counts_year_dummies_like_stata():
    """Stata: xtreg y x i.year, fe — the year dummies are regressors, so they are in xb."""
    import statsmodels.formula.api as smf

    d = simulate(time_shock=1.0, seed=12, n=15)
    r = fit_panel(d, "y", list(BETA), effects="twoway")
    m = smf.ols("y ~ x1 + x2 + x3 + C(year) + C(city)", d).fit()
    np.testing.assert_allclose(r.params[list(BETA)].to_numpy(), m.params[list(BETA)].to_numpy(), rtol=1e-8)
    xb = sum(m.params[k] * d[k] for k in BETA) + d["year"].map(lambda y: m.params.get(f"C(year)[T.{y}]", 0.0))
    dm = lambda s: s - s.groupby(d["city"]).transform("mean")  # noqa: E731
    assert r.r2["within"] == pytest.approx(np.corrcoef(dm(d["y"]), dm(xb))[0, 1] ** 2, rel=1e-9)
    assert r.r2["overall"] == pytest.approx(np.corrcoef(d["y"], xb)[0, 1] ** 2, rel=1e-9)

"""Regional heterogeneity (per-group fits, equality test) and publication tables."""

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.paper import PAPER_GROUPS
from cultnet.analysis.panel import fit_by_group, fit_panel
from cultnet.analysis.tables import regression_table, stars, to_csv, to_latex
from test_panel import BETA, simulate  # same directory (pytest prepend import mode)


@pytest.fixture(scope="module")
def panel():
    return simulate()


def test_paper_groups_preset():
    assert len(PAPER_GROUPS) == 14
    counts = pd.Series(PAPER_GROUPS).value_counts().to_dict()
    assert counts == {"center": 4, "sub-node": 6, "edge": 4}
    assert PAPER_GROUPS["Shenyang"] == "center" and PAPER_GROUPS["Huludao"] == "edge"


def test_group_equality_test_detects_different_slopes():
    b_lo = {"x1": 0.2, "x2": 0.567, "x3": -0.03}
    d = simulate(group_beta=[BETA, b_lo], seed=7)
    groups = dict(zip(d.city, d.g))
    res = fit_by_group(d, "y", list(BETA), groups, order=["g0", "g1"])
    assert res.results["g0"].params["x1"] == pytest.approx(0.756, abs=0.05)
    assert res.results["g1"].params["x1"] == pytest.approx(0.2, abs=0.05)
    assert res.equality_test["p_value"] < 1e-6 and res.equality_test["df"] == 3
    same = simulate(group_beta=[BETA, BETA], seed=8)
    res2 = fit_by_group(same, "y", list(BETA), dict(zip(same.city, same.g)))
    assert res2.equality_test["p_value"] > 0.05


def test_equality_test_is_chow_for_pooled_unadjusted():
    import statsmodels.api as sm

    d = simulate(group_beta=[BETA, {"x1": 0.6, "x2": 0.5, "x3": 0.0}], seed=9, n=20)
    groups = dict(zip(d.city, d.g))
    res = fit_by_group(d, "y", list(BETA), groups, effects="pooled", order=["g0", "g1"])
    X = sm.add_constant(d[list(BETA)])
    ssr_r = sm.OLS(d["y"], X).fit().ssr
    ssr_u = sum(sm.OLS(g["y"], sm.add_constant(g[list(BETA)])).fit().ssr for _, g in d.groupby("g"))
    k, n = 4, len(d)
    chow = ((ssr_r - ssr_u) / k) / (ssr_u / (n - 2 * k))
    # the Wald test covers the 3 slopes (intercepts may differ), so compare with a slope-only Chow
    Xg = pd.concat([X.assign(**{"d": (d.g == "g1").astype(float)})], axis=1)
    ssr_r2 = sm.OLS(d["y"], Xg).fit().ssr
    chow_slopes = ((ssr_r2 - ssr_u) / 3) / (ssr_u / (n - 2 * k))
    assert res.equality_test["F"] == pytest.approx(chow_slopes, rel=1e-8)
    assert chow > 0


def test_unassigned_entities_are_reported(panel):
    g = {f"c{i:02d}": ("a" if i < 20 else "b") for i in range(38)}
    res = fit_by_group(panel, "y", list(BETA), g)
    assert res.equality_test["unassigned"] == ["c38", "c39"]


# ------------------------------------------------------------------ tables
def test_table_side_by_side_latex_csv(panel, tmp_path):
    a = fit_panel(panel, "y", list(BETA), effects="entity")
    b = fit_panel(panel, "y", list(BETA), effects="random")
    tab = regression_table({"FE": a, "RE": b}, term_labels={"x1": "Digital technology"})
    d = tab.display
    assert list(dict.fromkeys(m for m, _ in d.columns)) == ["FE", "RE"]
    assert [s for _, s in d.columns] == ["Coef", "t", "P", "Coef", "z", "P"]
    assert d.index[0] == "Constant" and "Digital technology" in d.index
    assert "R² within" in d.index and "N" in d.index
    coef = f"{a.params['x1']:.4f}"
    assert d.loc["Digital technology", ("FE", "Coef")] == coef + stars(a.coefficients.loc["x1", "p_value"])
    tex = to_latex(tab, caption="Table 2")
    assert coef in tex and r"\begin{tabular}" in tex and "$^{***}$" in tex and r"\caption{Table 2}" in tex
    csv = to_csv(tab)
    assert coef in csv
    num = pd.read_csv(pd.io.common.StringIO(to_csv(tab, numeric=True)))
    assert num.loc[(num.model == "FE") & (num.term == "x1"), "estimate"].iloc[0] == pytest.approx(a.params["x1"])
    assert coef in a.to_latex() and coef in a.to_csv()
    s = a.summary()
    assert "x1" in s and "R² within" in s and "***" in s


def test_stars():
    assert [stars(p) for p in (0.0, 0.0099, 0.01, 0.049, 0.05, 0.099, 0.1, float("nan"))] == \
        ["***", "***", "**", "**", "*", "*", "", ""]

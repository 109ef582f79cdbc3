"""QAP correlation and MRQAP (analysis/qap.py) against independent implementations.

* coefficients, standard errors, t, R², adjusted R² and the logit fit equal statsmodels on the
  vectorized off-diagonal cells (or the i < j pairs of undirected data) to machine precision;
* the permuted statistics equal a deliberately naive reference (one explicit ``A[pi][:, pi]``
  and one statsmodels fit per permutation, written from the definitions in sna::netlm) on the
  same permutations, and the p-values agree within Monte Carlo error when the reference draws
  its own permutations;
* under a known null (independent random matrices, with node effects that make classical OLS
  p-values too small) the tests reject at their nominal 5 % rate over many seeds, inside a
  stated binomial interval;
* real data: Padgett's Florentine marriage and business networks (16 families), where the QAP
  correlation is the 0.3718679 that sna's ``gcor(flomarriage, flobusiness)`` prints.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from cultnet.analysis.gravity import great_circle_km
from cultnet.analysis.qap import (INTERCEPT, Spec, build_dyadic_data, cell_mask, dyadic_matrix,
                                  edges_to_matrix, mrqap, mrqap_by_year, node_attributes,
                                  parse_specs, permutations, qap_correlation)
from cultnet.errors import CultnetError, NotEnoughData


# ------------------------------------------------------------------------------------------------
def _data(n=12, seed=0, effect=(1.0, 0.3), directed=True):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(n, n))
    x2 = 0.6 * x1 + rng.normal(size=(n, n))
    y = effect[0] * x1 + effect[1] * x2 + 2.0 * rng.normal(size=(n, n))
    if not directed:
        x1, x2, y = x1 + x1.T, x2 + x2.T, y + y.T
    return y, {"x1": x1, "x2": x2}


def _naive_stat(y, xs, pi, method, k, directed, logit=False):
    """sna::netlm / netlogit by the letter: permute one matrix explicitly, refit with statsmodels."""
    n = y.shape[0]
    mask = cell_mask(n, directed)
    full = [np.ones((n, n))] + list(xs.values())
    fit = (lambda yy, X: sm.Logit(yy, X).fit(disp=0, tol=1e-12).tvalues) if logit else \
        (lambda yy, X: sm.OLS(yy, X).fit().tvalues)
    cols = [m[mask] for m in full]
    if method == "y":
        return fit(y[np.ix_(pi, pi)][mask], np.column_stack(cols))[k]
    if method == "x":
        cols[k] = full[k][np.ix_(pi, pi)][mask]
        return fit(y[mask], np.column_stack(cols))[k]
    others = [c for j, c in enumerate(cols) if j != k]
    Z = np.column_stack(others)
    e = cols[k] - Z @ np.linalg.lstsq(Z, cols[k], rcond=None)[0]
    E = np.zeros((n, n))
    E[mask] = e
    if not directed:
        E = E + E.T
    return fit(y[mask], np.column_stack(others + [E[np.ix_(pi, pi)][mask]]))[-1]


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("method", ["dsp", "y", "x"])
def test_ols_equals_statsmodels_on_the_vectorized_cells(directed, method):
    y, xs = _data(directed=directed)
    mask = cell_mask(12, directed)
    X = sm.add_constant(np.column_stack([xs["x1"][mask], xs["x2"][mask]]))
    f = sm.OLS(y[mask], X).fit()
    r = mrqap(y, xs, directed=directed, method=method, perms=50, seed=1)
    t = r.table
    assert r.n_dyads == (132 if directed else 66)
    np.testing.assert_allclose(t["estimate"], f.params, rtol=0, atol=1e-13)
    np.testing.assert_allclose(t["std_error"], f.bse, rtol=1e-12)
    np.testing.assert_allclose(t["statistic"], f.tvalues, rtol=1e-12)
    np.testing.assert_allclose(t["p_classical"], f.pvalues, rtol=1e-9)
    assert r.fit["r2"] == pytest.approx(f.rsquared, abs=1e-14)
    assert r.fit["adj_r2"] == pytest.approx(f.rsquared_adj, abs=1e-14)
    assert r.fit["df_resid"] == f.df_resid and r.fit["df_model"] == f.df_model
    # standardized coefficients = slopes of the regression on z-scores
    z = lambda v: (v - v.mean()) / v.std()
    fz = sm.OLS(z(y[mask]), sm.add_constant(np.column_stack([z(X[:, 1]), z(X[:, 2])]))).fit()
    np.testing.assert_allclose(t["std_estimate"].iloc[1:], fz.params[1:], atol=1e-13)
    assert np.isnan(t.loc[INTERCEPT, "std_estimate"])


def test_logit_equals_statsmodels():
    rng = np.random.default_rng(3)
    n = 15
    x1, x2 = rng.normal(size=(n, n)), (rng.random((n, n)) < 0.4).astype(float)
    y = (rng.random((n, n)) < 1 / (1 + np.exp(-(-0.5 + 0.8 * x1 + 0.7 * x2)))).astype(float)
    mask = cell_mask(n)
    f = sm.Logit(y[mask], sm.add_constant(np.column_stack([x1[mask], x2[mask]]))).fit(disp=0, tol=1e-12)
    r = mrqap(y, {"x1": x1, "x2": x2}, logit=True, perms=20)
    np.testing.assert_allclose(r.table["estimate"], f.params, atol=1e-10)
    np.testing.assert_allclose(r.table["std_error"], f.bse, rtol=1e-8)
    np.testing.assert_allclose(r.table["p_classical"], f.pvalues, rtol=1e-6)
    assert r.fit["llf"] == pytest.approx(f.llf, rel=1e-12)
    assert r.fit["llnull"] == pytest.approx(f.llnull, rel=1e-8)
    assert r.fit["pseudo_r2"] == pytest.approx(f.prsquared, rel=1e-8)
    assert r.fit["aic"] == pytest.approx(f.aic, rel=1e-12)
    assert r.statistic == "z" and r.model == "logit"


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("method", ["dsp", "y", "x"])
def test_permuted_statistics_equal_the_naive_reference(directed, method):
    """Same permutations -> the same null distribution, term by term, to 1e-10."""
    y, xs = _data(n=9, seed=4, directed=directed)
    perms = 60
    r = mrqap(y, xs, directed=directed, method=method, perms=perms, seed=7)
    perm, exact = permutations(9, perms, 7)
    assert not exact and len(perm) == perms
    for k, name in enumerate([INTERCEPT, "x1", "x2"]):
        if method == "x" and name == INTERCEPT:
            assert name not in r.null_distribution and np.isnan(r.table.loc[name, "p_value"])
            continue
        ref = np.array([_naive_stat(y, xs, pi, method, k, directed) for pi in perm])
        np.testing.assert_allclose(r.null_distribution[name], ref, rtol=1e-9, atol=1e-10)
        obs = r.table.loc[name, "statistic"]
        assert r.table.loc[name, "prop_ge"] == np.mean(ref >= obs - 1e-9)
        assert r.table.loc[name, "p_value"] == (np.sum(np.abs(ref) >= abs(obs) - 1e-9) + 1) / (perms + 1)


@pytest.mark.parametrize("method", ["dsp", "y", "x"])
def test_logit_permuted_statistics_equal_the_naive_reference(method):
    rng = np.random.default_rng(5)
    n = 8
    xs = {"x1": rng.normal(size=(n, n)), "x2": rng.normal(size=(n, n))}
    y = (rng.random((n, n)) < 1 / (1 + np.exp(-(0.9 * xs["x1"])))).astype(float)
    r = mrqap(y, xs, logit=True, method=method, perms=25, seed=3)
    perm, _ = permutations(n, 25, 3)
    for k, name in enumerate([INTERCEPT, "x1", "x2"]):
        if name not in r.null_distribution:
            continue
        ref = np.array([_naive_stat(y, xs, pi, method, k, True, logit=True) for pi in perm])
        np.testing.assert_allclose(r.null_distribution[name], ref, rtol=1e-6, atol=1e-7)


def test_p_values_agree_with_an_independent_reference_within_monte_carlo_error():
    """The reference draws its own permutations (``rng.permutation`` in a loop, another seed)."""
    y, xs = _data(n=10, seed=11, effect=(0.25, 0.1))
    P_ours, P_ref = 2000, 400
    rng = np.random.default_rng(12345)
    ref_perms = [rng.permutation(10) for _ in range(P_ref)]
    for method in ("dsp", "y"):
        r = mrqap(y, xs, method=method, perms=P_ours, seed=99)
        for k, name in enumerate([INTERCEPT, "x1", "x2"]):
            obs = r.table.loc[name, "statistic"]
            ref = np.array([_naive_stat(y, xs, pi, method, k, True) for pi in ref_perms])
            p_ref = (np.sum(np.abs(ref) >= abs(obs) - 1e-9) + 1) / (P_ref + 1)
            p = r.table.loc[name, "p_value"]
            pbar = (p + p_ref) / 2
            # 4 standard errors of the difference of two independent Monte Carlo estimates,
            # plus the 1/(P+1) offset of the two estimators
            bound = 4 * math.sqrt(max(pbar * (1 - pbar), 1e-4) * (1 / P_ours + 1 / P_ref)) + 1 / P_ref
            assert abs(p - p_ref) <= bound, (method, name, p, p_ref, bound)
    # a weak effect: x1's p-value lies in the informative range, not at a trivial 1 or 1/(P+1)
    assert 0.01 < r.table.loc["x1", "p_value"] < 0.5


def _null_rate(method, reps, n=10, perms=99, node_effects=True):
    rej = rej_classical = 0
    for s in range(reps):
        rng = np.random.default_rng(1000 + s)
        def mat():
            a = rng.normal(size=(n, n))
            if node_effects:   # row and column effects: dyads sharing a node are correlated
                a = a + 2.0 * rng.normal(size=(n, 1)) + 2.0 * rng.normal(size=(1, n))
            return a
        y, x1, x2 = mat(), mat(), mat()
        x2 = x2 + x1          # correlated predictors, neither related to y
        r = mrqap(y, {"x1": x1, "x2": x2}, method=method, perms=perms, seed=s)
        rej += r.table.loc["x1", "p_value"] <= 0.05
        rej_classical += r.table.loc["x1", "p_classical"] <= 0.05
    return rej, rej_classical


@pytest.mark.parametrize("method", ["dsp", "y"])
def test_known_null_rejects_at_the_nominal_rate(method):
    """400 independent null data sets, alpha = 0.05: the number of rejections must lie in the
    central 99.9 % binomial(400, 0.05) interval [8, 34]. The classical OLS p-values, which treat
    the 90 dyads as independent, reject far more often (node effects), which is why QAP exists."""
    reps = 400
    lo, hi = stats.binom.interval(0.999, reps, 0.05)
    rej, rej_classical = _null_rate(method, reps)
    assert lo <= rej <= hi, (rej, lo, hi)
    assert rej_classical > hi


def test_qap_correlation_known_null_rate():
    reps, n = 400, 10
    lo, hi = stats.binom.interval(0.999, reps, 0.05)
    rej = 0
    for s in range(reps):
        rng = np.random.default_rng(5000 + s)
        a = rng.normal(size=(n, n)) + 2 * rng.normal(size=(n, 1))
        b = rng.normal(size=(n, n)) + 2 * rng.normal(size=(n, 1))
        rej += qap_correlation({"a": a, "b": b}, perms=99, seed=s).p_value.loc["a", "b"] <= 0.05
    assert lo <= rej <= hi


def test_exact_enumeration_for_small_n():
    rng = np.random.default_rng(2)
    n = 5
    a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    qc = qap_correlation({"a": a, "b": b + a}, perms=2000)
    assert qc.exact and qc.perms == 120
    mask = cell_mask(n)
    r = np.corrcoef(a[mask], (b + a)[mask])[0, 1]
    assert qc.r.loc["a", "b"] == pytest.approx(r, abs=1e-14)
    ref = np.array([np.corrcoef(a[np.ix_(p, p)][mask], (b + a)[mask])[0, 1]
                    for p in itertools.permutations(range(n))])
    assert qc.p_value.loc["a", "b"] == np.sum(np.abs(ref) >= abs(r) - 1e-12) / 120
    assert qc.prop_ge.loc["a", "b"] * 120 == pytest.approx(round(qc.prop_ge.loc["a", "b"] * 120))
    assert any("exact test" in s for s in qc.notes)
    assert not any("no p-value can fall below" in s for s in qc.notes)     # 1/120 < 0.01
    q4 = qap_correlation({"a": a[:4, :4], "b": b[:4, :4]})
    assert q4.perms == 24 and any("no p-value can fall below 0.0417" in s for s in q4.notes)


# ------------------------------------------------------------------------------------------------
# real data: Padgett's Florentine families
FAMILIES = ["Acciaiuoli", "Albizzi", "Barbadori", "Bischeri", "Castellani", "Ginori", "Guadagni",
            "Lamberteschi", "Medici", "Pazzi", "Peruzzi", "Pucci", "Ridolfi", "Salviati",
            "Strozzi", "Tornabuoni"]
# business ties (loans, credits, partnerships), Padgett via UCINET's PADGB / statnet flobusiness
BUSINESS = [("Barbadori", "Castellani"), ("Barbadori", "Ginori"), ("Barbadori", "Medici"),
            ("Barbadori", "Peruzzi"), ("Bischeri", "Guadagni"), ("Bischeri", "Lamberteschi"),
            ("Bischeri", "Peruzzi"), ("Castellani", "Lamberteschi"), ("Castellani", "Peruzzi"),
            ("Ginori", "Medici"), ("Guadagni", "Lamberteschi"), ("Lamberteschi", "Peruzzi"),
            ("Medici", "Pazzi"), ("Medici", "Salviati"), ("Medici", "Tornabuoni")]


def _padgett():
    g = nx.florentine_families_graph()       # the marriage ties (networkx ships them; Pucci isolated)
    marriage = pd.DataFrame(list(g.edges()), columns=["source", "target"])
    business = pd.DataFrame(BUSINESS, columns=["source", "target"])
    M, _ = edges_to_matrix(marriage, FAMILIES, directed=False, weighted=False)
    B, _ = edges_to_matrix(business, FAMILIES, directed=False, weighted=False)
    return M, B


def test_padgett_marriage_and_business():
    M, B = _padgett()
    assert M.sum() / 2 == 20 and B.sum() / 2 == 15
    # sna::gcor(flomarriage, flobusiness) over all off-diagonal cells prints 0.3718679
    qc = qap_correlation({"marriage": M, "business": B}, directed=True, perms=2000, seed=0)
    assert qc.r.loc["marriage", "business"] == pytest.approx(0.3718679, abs=5e-8)
    # the same r over the 120 unordered pairs (each counted once)
    qu = qap_correlation({"marriage": M, "business": B}, directed=False, perms=2000, seed=0)
    assert qu.r.loc["marriage", "business"] == pytest.approx(0.3718679, abs=5e-8)
    assert qu.n_dyads == 120
    # "very high compared to the permutations": no permuted r reaches it in 2000 draws
    assert qc.prop_ge.loc["marriage", "business"] < 0.005
    assert qc.p_value.loc["marriage", "business"] < 0.01
    # netlm(flomarriage, flobusiness): OLS on the 240 cells = statsmodels; one predictor -> dsp
    # partials x on the intercept only
    r = mrqap(M, {"business": B}, perms=1000, seed=0)
    mask = cell_mask(16)
    f = sm.OLS(M[mask], sm.add_constant(B[mask])).fit()
    np.testing.assert_allclose(r.params, f.params, atol=1e-14)
    assert r.table.loc["business", "p_value"] < 0.01
    assert r.fit["r2"] == pytest.approx(0.3718679 ** 2, abs=1e-7)


# ------------------------------------------------------------------------------------------------
def test_reasons_and_notes():
    y, xs = _data(n=14)
    r = mrqap(y, {**xs, "const": np.ones((14, 14)), "dup": 2 * xs["x1"]}, perms=30)
    assert "182" in " ".join(r.notes) and "low power" in " ".join(r.notes)
    assert "constant over the dyads" in r.table.loc["const", "reason"]
    assert "collinear with" in r.table.loc["dup", "reason"]
    assert np.isnan(r.table.loc["dup", "estimate"])
    assert r.table.loc["x1", "estimate"] == pytest.approx(mrqap(y, xs, perms=10).params["x1"], abs=1e-12)
    text = r.summary()
    assert "low power" in text and "const: constant" in text and "p_classical" in text
    with pytest.raises(NotEnoughData):
        mrqap(y, {"c": np.ones((14, 14))})
    with pytest.raises(CultnetError, match="0/1"):
        mrqap(y, xs, logit=True)
    yb = (y > 0).astype(float)
    assert any("linear probability" in s for s in mrqap(yb, xs, perms=10).notes)
    with pytest.raises(CultnetError, match="not symmetric"):
        mrqap(y, xs, directed=False)
    with pytest.raises(CultnetError, match="method"):
        mrqap(y, xs, method="z")
    with pytest.raises(NotEnoughData, match="missing"):
        mrqap(np.where(np.eye(14, k=1) > 0, np.nan, y), xs)


def test_results_are_frozen_and_serializable():
    y, xs = _data()
    r = mrqap(y, xs, perms=20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.method = "y"
    d = r.to_dict()
    assert d["method"] == "dsp" and d["perms"] == 20 and len(d["coefficients"]) == 3
    assert list(r.to_frame()["term"]) == [INTERCEPT, "x1", "x2"]
    assert {"estimate", "std_estimate", "statistic", "p_value", "prop_ge", "prop_le",
            "p_classical", "reason"} <= set(r.to_frame().columns)
    qc = qap_correlation({"y": y, **xs}, perms=20)
    assert len(qc.to_frame()) == 3 and "QAP correlation" in qc.summary()


def test_batches_seeds_and_progress():
    y, xs = _data(n=11)
    a = mrqap(y, xs, perms=300, seed=5)
    b = mrqap(y, xs, perms=300, seed=5, _batch=7)
    np.testing.assert_allclose(a.null_distribution, b.null_distribution, rtol=1e-12, atol=1e-13)
    c = mrqap(y, xs, perms=300, seed=6)
    assert not np.allclose(a.null_distribution, c.null_distribution)
    seen = []
    mrqap(y, xs, perms=300, seed=5, _batch=50, progress=lambda d, t, lab: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)


def test_labelled_frames_are_aligned_by_name():
    y, xs = _data(n=6)
    names = list("abcdef")
    Y = pd.DataFrame(y, index=names, columns=names)
    X = pd.DataFrame(xs["x1"], index=names, columns=names).iloc[::-1, ::-1]   # reversed order
    r1 = mrqap(Y, {"x1": X}, perms=50)
    r2 = mrqap(y, {"x1": xs["x1"]}, perms=50)
    np.testing.assert_allclose(r1.params, r2.params, atol=1e-14)


# ------------------------------------------------------------------------------------------------
def _cities():
    cities = pd.DataFrame({"name": ["a", "b", "c", "d"], "lat": [41.8, 38.9, 40.1, np.nan],
                           "lon": [123.4, 121.6, 124.4, 122.0],
                           "province": ["LN", "LN", "JL", "JL"]})
    ind = pd.DataFrame({"city": ["a", "b", "c", "d", "a"], "year": [2020, 2020, 2020, 2020, 2021],
                        "gdp_pc": [4.0, 1.0, 2.0, 8.0, 5.0]})
    return cities, ind


def test_builders_by_hand():
    cities, ind = _cities()
    attrs = node_attributes(cities, ind, 2020)
    assert list(attrs.index) == ["a", "b", "c", "d"] and attrs.loc["a", "gdp_pc"] == 4.0
    assert node_attributes(cities, ind, 2021).loc["a", "gdp_pc"] == 5.0
    g = attrs["gdp_pc"].to_numpy()
    assert dyadic_matrix(Spec("absdiff", "gdp_pc"), attrs)[0, 1] == 3.0
    assert dyadic_matrix(Spec("product", "gdp_pc"), attrs)[0, 3] == 32.0
    ratio = dyadic_matrix(Spec("ratio", "gdp_pc"), attrs)
    assert ratio[0, 1] == 4.0 and ratio[1, 0] == 0.25 and ratio[0, 0] == 0
    same = dyadic_matrix(Spec("same", "province"), attrs)
    assert same.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
    d = dyadic_matrix(Spec("distance"), attrs)
    np.testing.assert_allclose(d[:3, :3], great_circle_km(cities.lat[:3], cities.lon[:3]))
    assert np.isnan(d[3, 0])
    assert g.tolist() == [4.0, 1.0, 2.0, 8.0]
    with pytest.raises(CultnetError, match="did you mean 'gdp_pc'"):
        dyadic_matrix(Spec("absdiff", "gdp_p"), attrs)
    with pytest.raises(CultnetError, match="not numeric"):
        dyadic_matrix(Spec("absdiff", "province"), attrs)


def test_parse_specs_reports_every_problem():
    assert [s.label for s in parse_specs(["distance", "same:province", "network:gravity"])] == \
        ["distance", "same:province", "network:gravity"]
    with pytest.raises(CultnetError) as e:
        parse_specs("distanse,absdiff,distance:x,same:a,same:a")
    msg = e.value.user_message
    assert "did you mean 'distance'" in msg and "absdiff needs a column" in msg
    assert "takes no argument" in msg and "given twice: same:a" in msg


def test_edges_to_matrix_and_symmetrizing():
    e = pd.DataFrame({"source": ["a", "b", "a", "x"], "target": ["b", "c", "b", "a"],
                      "weight": [1.0, 2.0, 3.0, 9.0]})
    m, notes = edges_to_matrix(e, ["a", "b", "c"], directed=True)
    assert m.tolist() == [[0, 4, 0], [0, 0, 2], [0, 0, 0]] and "1 edges" in notes[0]
    u, _ = edges_to_matrix(e, ["a", "b", "c"], directed=False, weighted=False)
    assert u.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    cities, ind = _cities()
    attrs = node_attributes(cities, ind, 2020)
    y = edges_to_matrix(e.iloc[:3], list(attrs.index), directed=False)[0] + np.eye(4) * 0
    net = np.array([[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], float)
    data = build_dyadic_data(y, parse_specs("network:gravity,absdiff:gdp_pc,distance"), attrs,
                             directed=False, y_name="cooperation", networks={"gravity": net})
    assert data.names == ("a", "b", "c")                      # d has no latitude: dropped
    assert "d (distance)" in " ".join(data.notes)
    assert "tie in either direction" in " ".join(data.notes)
    assert data.x["network:gravity"].tolist() == [[0, 1, 1], [1, 0, 0], [1, 0, 0]]
    with pytest.raises(CultnetError, match="asymmetric"):
        build_dyadic_data(y, parse_specs("ratio:gdp_pc"), attrs, directed=False)


def test_per_year_runs_are_reproducible_year_by_year():
    rng = np.random.default_rng(8)
    n = 9
    names = [f"c{i}" for i in range(n)]
    attrs = pd.DataFrame({"lat": rng.uniform(38, 43, n), "lon": rng.uniform(119, 125, n)}, index=names)
    data = {}
    for year in (2019, 2020, 2021):
        d = great_circle_km(attrs.lat, attrs.lon)
        y = -0.01 * d + rng.normal(size=(n, n))
        data[year] = build_dyadic_data(y, parse_specs("distance"), attrs, directed=True, y_name="flows")
    panel = mrqap_by_year(data, perms=200, seed=3)
    f = panel.to_frame()
    assert list(f["year"].unique()) == [2019, 2020, 2021] and set(f["term"]) == {INTERCEPT, "distance"}
    alone = data[2020].mrqap(perms=200, seed=[3, 2020], year=2020)
    pd.testing.assert_frame_equal(panel.results[2020].table, alone.table)
    assert panel.wide("estimate").shape == (3, 2)
    assert (panel.wide("estimate")["distance"] < 0).all()
    # a year without variation is skipped with its reason, the others still run
    data[2022] = dataclasses.replace(data[2021], x={"distance": np.ones((n, n)) - np.eye(n)})
    panel = mrqap_by_year(data, perms=50)
    assert 2022 in panel.skipped and len(panel.results) == 3


@pytest.mark.parametrize("method", ["dsp", "y", "x"])
def test_coefficient_statistic_equals_the_naive_reference(method):
    """``statistic="coef"`` permutes the coefficient (sna netlm test.statistic="beta")."""
    y, xs = _data(n=8, seed=21)
    r = mrqap(y, xs, method=method, perms=40, seed=2, statistic="coef")
    perm, _ = permutations(8, 40, 2)
    mask = cell_mask(8)
    full = [np.ones((8, 8))] + list(xs.values())
    cols = [m[mask] for m in full]
    for k, name in enumerate([INTERCEPT, "x1", "x2"]):
        if name not in r.null_distribution:
            continue
        ref = []
        for pi in perm:
            if method == "y":
                ref.append(np.linalg.lstsq(np.column_stack(cols), y[np.ix_(pi, pi)][mask], rcond=None)[0][k])
            elif method == "x":
                c = list(cols)
                c[k] = full[k][np.ix_(pi, pi)][mask]
                ref.append(np.linalg.lstsq(np.column_stack(c), y[mask], rcond=None)[0][k])
            else:
                Z = np.column_stack([c for j, c in enumerate(cols) if j != k])
                E = np.zeros((8, 8))
                E[mask] = cols[k] - Z @ np.linalg.lstsq(Z, cols[k], rcond=None)[0]
                ref.append(np.linalg.lstsq(np.column_stack([Z, E[np.ix_(pi, pi)][mask]]), y[mask],
                                           rcond=None)[0][-1])
        np.testing.assert_allclose(r.null_distribution[name], ref, rtol=1e-9, atol=1e-11)
    assert r.statistic == "coef"


def test_logit_separation_reports_a_reason_instead_of_numbers():
    rng = np.random.default_rng(0)
    d = rng.uniform(0, 10, size=(12, 12))
    d = d + d.T
    y = (d < 8).astype(float)            # distance classifies every pair: complete separation
    np.fill_diagonal(y, 0)
    r = mrqap(y, {"distance": d}, directed=False, logit=True, perms=50)
    assert r.table["estimate"].isna().all() and r.table["p_value"].isna().all()
    assert "does not exist" in r.table.loc["distance", "reason"]
    assert "separate" in r.summary()

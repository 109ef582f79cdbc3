"""Panel VAR (FOD-GMM): recovery on a simulated panel VAR with known coefficients.

Tolerance: each coefficient within 3 reported standard errors of the truth and within 0.1 in
absolute value (N = 1000 entities, T = 10: the GMM SEs are about 0.02-0.03 here).
"""

import json

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.pvar import fit_pvar, forward_orthogonal_deviations, simulate_pvar
from cultnet.errors import NotEnoughData, ValidationError

A = np.array([[0.5, 0.1], [0.2, 0.4]])


@pytest.fixture(scope="module")
def sim():
    return simulate_pvar([A], n_entities=1000, n_periods=10, seed=11)


@pytest.fixture(scope="module")
def res(sim):
    return fit_pvar(sim, ["y1", "y2"], lags=1, inst_lags=2, reps=100, seed=0, horizon=8)


def test_fod_by_hand():
    x = np.array([[1.0], [2.0], [4.0]])
    f = forward_orthogonal_deviations(x)
    # t=0: sqrt(2/3)*(1 - 3) ; t=1: sqrt(1/2)*(2 - 4)
    np.testing.assert_allclose(f.ravel(), [np.sqrt(2 / 3) * -2, np.sqrt(0.5) * -2])
    # FOD of i.i.d. unit-variance noise keeps unit variance and no serial correlation
    rng = np.random.default_rng(0)
    e = rng.standard_normal((20000, 6))
    fe = np.array([forward_orthogonal_deviations(r[:, None]).ravel() for r in e])
    np.testing.assert_allclose(fe.var(axis=0), 1.0, atol=0.05)
    assert abs(np.corrcoef(fe[:, 0], fe[:, 1])[0, 1]) < 0.03


def test_recovers_coefficients(res):
    c = res.coefficients
    for i, eq in enumerate(["y1", "y2"]):
        for j, v in enumerate(["y1", "y2"]):
            row = c[(c.equation == eq) & (c.term == f"L1.{v}")].iloc[0]
            assert abs(row.estimate - A[i, j]) < 3 * row.std_error, (eq, v, row.estimate)
            assert abs(row.estimate - A[i, j]) < 0.1
    assert res.tests["stability"]["stable"]
    assert "stat" in res.tests["hansen_j"] and res.tests["hansen_j"]["df"] == 4
    assert res.tests["hansen_j"]["p_value"] > 0.01


def test_fixed_effects_ols_is_biased_gmm_is_not(sim, res):
    """Nickell bias: within-OLS on the lagged dependent variable is biased down at T = 10."""
    from linearmodels import PanelOLS

    d = sim.copy()
    d["l1"] = d.groupby("city")["y1"].shift()
    d["l2"] = d.groupby("city")["y2"].shift()
    d = d.dropna().set_index(["city", "year"])
    ols = PanelOLS(d["y1"], d[["l1", "l2"]], entity_effects=True).fit().params["l1"]
    gmm = res.coefficients.query("equation == 'y1' and term == 'L1.y1'").estimate.iloc[0]
    assert A[0, 0] - ols > 0.1
    assert abs(gmm - A[0, 0]) < abs(ols - A[0, 0])


def test_irf_fevd_and_json(res):
    assert res.irf.shape == (9, 2, 2)
    np.testing.assert_allclose(res.fevd.sum(axis=2), 100.0)
    np.testing.assert_allclose(res.girf[:, :, 0], res.irf[:, :, 0])
    assert (res.lower <= res.irf + 1e-12).all() and (res.upper >= res.irf - 1e-12).all()
    # Phi_1 = A for a VAR(1): IRF at h=1 = A P
    A_hat = np.array([[res.coefficients.query(f"equation == '{e}' and term == 'L1.{v}'").estimate.iloc[0]
                       for v in ("y1", "y2")] for e in ("y1", "y2")])
    np.testing.assert_allclose(res.irf[1], A_hat @ res.irf[0], rtol=1e-10)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["n_entities"] == 1000 and d["inst_lags"] == 2 and "FOD-GMM" in d["estimator"]
    assert d["irf"]["orthogonalized"][1]["y2"]["y1"] == pytest.approx(res.irf[1, 1, 0])


def test_one_step_equals_equation_by_equation_2sls(sim):
    r1 = fit_pvar(sim.iloc[:2000], ["y1", "y2"], lags=1, inst_lags=2, steps=1, bands=None)
    # independent 2SLS with numpy on the same transformed data
    Ys, Xs, Zs = [], [], []
    for _, g in sim.iloc[:2000].groupby("city"):
        y = g[["y1", "y2"]].to_numpy()
        rows = np.arange(1, len(y))
        ys = forward_orthogonal_deviations(y[rows])
        xs = forward_orthogonal_deviations(y[rows - 1])
        keep = rows[:-1] - 2 >= 0
        r = rows[:-1][keep]
        Ys.append(ys[keep]), Xs.append(xs[keep]), Zs.append(np.hstack([y[r - 1], y[r - 2]]))
    Y, X, Z = map(np.vstack, (Ys, Xs, Zs))
    Xh = Z @ np.linalg.lstsq(Z, X, rcond=None)[0]
    B = np.linalg.lstsq(Xh, Y, rcond=None)[0]
    got = np.array([[r1.coefficients.query(f"equation == '{e}' and term == 'L1.{v}'").estimate.iloc[0]
                     for e in ("y1", "y2")] for v in ("y1", "y2")])
    np.testing.assert_allclose(got, B, rtol=1e-8)


def test_short_and_gappy_panels():
    d = simulate_pvar([A], n_entities=3, n_periods=3, seed=1)
    with pytest.raises(NotEnoughData):
        fit_pvar(d, ["y1", "y2"], lags=1, inst_lags=2)
    gap = simulate_pvar([A], n_entities=5, n_periods=8, seed=1)
    gap = gap[~((gap.city == "e001") & (gap.year == 3))]
    with pytest.raises(ValidationError, match="not consecutive"):
        fit_pvar(gap, ["y1", "y2"])


def test_paper_size_panel_runs_and_reports():
    """14 cities x 10 years, as the paper: estimable, with wide SEs (documented)."""
    d = simulate_pvar([A], n_entities=14, n_periods=10, seed=2)
    r = fit_pvar(d, ["y1", "y2"], lags=1, bands=None)
    assert r.n_entities == 14 and r.nobs == 14 * 8
    assert (r.coefficients.std_error > 0.05).all()


# ------------------------------------------------------------------ identification, Windmeijer, bands
def test_windmeijer_derivative_equals_finite_differences():
    """D = d vec(B2) / d vec(B1)': the two-step estimate as a function of the first step through W2."""
    from cultnet.analysis import pvar as pv

    d = simulate_pvar([A], n_entities=60, n_periods=7, seed=5)
    r = fit_pvar(d, ["y1", "y2"], inst_lags=2, bands=None)
    assert "Windmeijer" in r.estimator
    Ys, Xs, Zs = [], [], []
    for _, g in d.groupby("city"):
        y = g[["y1", "y2"]].to_numpy()
        rows = np.arange(1, len(y))
        ys, xs = forward_orthogonal_deviations(y[rows]), forward_orthogonal_deviations(y[rows - 1])
        keep = rows[:-1] - 2 >= 0
        rr = rows[:-1][keep]
        Ys.append(ys[keep]), Xs.append(xs[keep]), Zs.append(np.hstack([y[rr - 1], y[rr - 2]]))
    Z, X, Y = map(np.vstack, (Zs, Xs, Ys))
    ZX, ZY = Z.T @ X, Z.T @ Y
    W1 = np.linalg.inv(Z.T @ Z)
    B1 = np.linalg.solve(ZX.T @ W1 @ ZX, ZX.T @ W1 @ ZY)
    G = np.kron(np.eye(2), ZX)

    def two_step(B):
        g = np.array([(Zi.T @ (Yi - Xi @ B)).ravel(order="F") for Yi, Xi, Zi in zip(Ys, Xs, Zs)])
        W2 = np.linalg.inv(g.T @ g)
        return np.linalg.solve(G.T @ W2 @ G, G.T @ W2 @ ZY.ravel(order="F")), W2

    b2, W2 = two_step(B1)
    B2 = b2.reshape(B1.shape, order="F")
    got = np.array([[r.coefficients.query(f"equation == '{e}' and term == 'L1.{v}'").estimate.iloc[0]
                     for e in ("y1", "y2")] for v in ("y1", "y2")])
    np.testing.assert_allclose(got, B2, rtol=1e-8)
    V2 = np.linalg.inv(G.T @ W2 @ G)
    D = pv.windmeijer_derivative(Ys, Xs, Zs, B1, B2, W2, G, V2)
    h = 1e-6
    num = np.column_stack([(two_step(B1 + h * E)[0] - two_step(B1 - h * E)[0]) / (2 * h)
                           for E in (np.eye(4)[i].reshape(B1.shape, order="F") for i in range(4))])
    np.testing.assert_allclose(D, num, rtol=1e-4, atol=1e-7)
    # the corrected SEs exceed the uncorrected two-step SEs (Windmeijer's finding)
    assert (r.coefficients["std_error"].to_numpy() > np.sqrt(np.diag(V2))[[0, 1, 2, 3]] - 1e-12).all()


def test_small_region_gives_one_step_estimate_with_reason():
    """8 cities x 6 years, 3 variables: two-step's 9 x 9 weight matrix has rank <= 8 -> one-step, said so."""
    A3 = np.array([[0.5, 0.1, 0.0], [0.2, 0.4, 0.1], [0.0, 0.1, 0.3]])
    d = simulate_pvar([A3], n_entities=8, n_periods=6, seed=3)
    r = fit_pvar(d, ["y1", "y2", "y3"], reps=100, seed=1)
    assert r.steps == 1 and "one-step" in r.estimator
    assert any("rank at most N = 8" in n for n in r.notes)
    assert r.identification["moments"] == 9 and r.identification["rows"] == 32
    assert r.fevd_lower.shape == r.fevd.shape and (r.fevd_lower <= r.fevd_upper + 1e-12).all()
    d_ = json.loads(json.dumps(r.to_dict()))
    assert d_["fevd_lower"]["y1"][0]["y1"] <= d_["fevd_upper"]["y1"][0]["y1"]


def test_unidentified_panel_gives_one_paragraph_reason():
    d = simulate_pvar([A], n_entities=6, n_periods=2, seed=1)
    with pytest.raises(NotEnoughData, match=r"needs at least 3 consecutive periods.*6 entities with 2–2 periods"):
        fit_pvar(d, ["y1", "y2"])
    const = simulate_pvar([A], n_entities=10, n_periods=6, seed=1).assign(y2=1.0)
    with pytest.raises(NotEnoughData, match="collinear"):
        fit_pvar(const, ["y1", "y2"])

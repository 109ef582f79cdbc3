"""Spatial: W construction, Moran's I (hand formula, seeded permutations), SAR/SDM recovery, effects."""

import json

import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.spatial import fit_spatial_panel, impacts, moran_table, weights_matrix
from cultnet.errors import NotEnoughData, ValidationError

N, T = 30, 10
CITIES = [f"c{i:02d}" for i in range(N)]


def ring_w(n=N, seed=0):
    rng = np.random.default_rng(seed)
    M = np.zeros((n, n))
    for i in range(n):
        M[i, (i + 1) % n] = M[(i + 1) % n, i] = 1.0
        j = rng.integers(n)
        if j != i:
            M[i, j] = M[j, i] = rng.uniform(0.5, 2.0)   # gravity-like strengths
    return M


def simulate_sar(rho=0.4, beta=(1.0, 0.5), theta=(0.0, 0.0), seed=1, sigma=0.3):
    rng = np.random.default_rng(seed)
    M = ring_w()
    W = M / M.sum(1, keepdims=True)
    mu = rng.normal(0, 1, N)
    rows = []
    for t in range(T):
        X = rng.normal(size=(N, 2))
        y = np.linalg.solve(np.eye(N) - rho * W, X @ beta + W @ X @ theta + mu + rng.normal(0, sigma, N))
        rows += [{"city": c, "year": 2015 + t, "x1": X[i, 0], "x2": X[i, 1], "y": y[i]} for i, c in enumerate(CITIES)]
    return pd.DataFrame(rows), pd.DataFrame(M, index=CITIES, columns=CITIES), W


def test_weights_from_matrix_frame_and_edges():
    M = np.array([[0, 2.0, 0], [1.0, 0, 1.0], [3.0, 1.0, 5.0]])
    W, names = weights_matrix(M, ["a", "b", "c"])
    np.testing.assert_allclose(W, [[0, 1, 0], [0.5, 0, 0.5], [0.75, 0.25, 0]])   # diagonal zeroed
    f = pd.DataFrame(M, index=["a", "b", "c"], columns=["a", "b", "c"])
    W2, n2 = weights_matrix(f, ["c", "a", "b"])
    assert n2 == ["c", "a", "b"]
    np.testing.assert_allclose(W2, [[0, 0.75, 0.25], [0, 0, 1], [0.5, 0.5, 0]])
    e = pd.DataFrame({"source": ["a", "b", "b", "c", "c"], "target": ["b", "a", "c", "a", "b"],
                      "weight": [2.0, 1.0, 1.0, 3.0, 1.0]})
    W3, n3 = weights_matrix(e)
    np.testing.assert_allclose(W3, W)
    with pytest.raises(NotEnoughData, match="d"):
        weights_matrix(e, ["a", "b", "c", "d"])


def test_moran_matches_hand_formula_and_is_seeded():
    d, Mf, W = simulate_sar()
    tab = moran_table(d, ["y", "x1"], Mf, permutations=199, seed=4)
    assert len(tab) == 2 * T
    z = d[d.year == 2015].set_index("city").loc[CITIES, "y"].to_numpy()
    z = z - z.mean()
    I = (N / W.sum()) * (z @ W @ z) / (z @ z)
    row = tab[(tab.variable == "y") & (tab.period == 2015)].iloc[0]
    assert row.I == pytest.approx(I, rel=1e-12)
    assert row.EI == pytest.approx(-1 / (N - 1))
    again = moran_table(d, ["y", "x1"], Mf, permutations=199, seed=4)
    np.testing.assert_array_equal(tab.p_sim.to_numpy(), again.p_sim.to_numpy())
    # spatially autocorrelated y (rho = 0.4) vs white-noise x: mean I differs
    assert tab[tab.variable == "y"].I.mean() > tab[tab.variable == "x1"].I.mean()


def test_sar_recovery_and_effects():
    d, Mf, W = simulate_sar(rho=0.4)
    r = fit_spatial_panel(d, "y", ["x1", "x2"], Mf, model="lag", draws=300, seed=0)
    c = r.coefficients
    for term, true in (("x1", 1.0), ("x2", 0.5), ("rho", 0.4)):
        assert abs(c.loc[term, "estimate"] - true) < 3 * c.loc[term, "std_error"], term
    rho, b1 = c.loc["rho", "estimate"], c.loc["x1", "estimate"]
    e = r.effects.set_index("variable")
    # row-standardized W: total = beta / (1 - rho); direct = beta * tr((I - rho W)^-1) / n
    assert e.loc["x1", "total"] == pytest.approx(b1 / (1 - rho), rel=1e-8)
    series = sum(rho ** k * np.trace(np.linalg.matrix_power(W, k)) for k in range(200)) / N
    assert e.loc["x1", "direct"] == pytest.approx(b1 * series, rel=1e-8)
    assert e.loc["x1", "indirect"] == pytest.approx(e.loc["x1", "total"] - e.loc["x1", "direct"])
    assert (e[["direct_se", "indirect_se", "total_se"]] > 0).all().all()
    j = json.loads(json.dumps(r.to_dict()))
    assert j["model"] == "lag" and j["nobs"] == N * T and len(j["effects"]) == 2


def test_row_order_does_not_matter_time_major_handled():
    d, Mf, _ = simulate_sar(seed=3)
    a = fit_spatial_panel(d, "y", ["x1", "x2"], Mf, draws=0)
    b = fit_spatial_panel(d.sample(frac=1.0, random_state=1), "y", ["x1", "x2"], Mf.iloc[::-1, ::-1], draws=0)
    np.testing.assert_allclose(a.coefficients.estimate, b.coefficients.estimate, rtol=1e-6)


def test_durbin_recovers_theta():
    d, Mf, _ = simulate_sar(rho=0.3, theta=(0.5, 0.0), seed=5)
    r = fit_spatial_panel(d, "y", ["x1", "x2"], Mf, model="durbin", draws=0)
    c = r.coefficients
    assert list(c.index) == ["x1", "x2", "W·x1", "W·x2", "rho"]
    for term, true in (("x1", 1.0), ("W·x1", 0.5), ("W·x2", 0.0), ("rho", 0.3)):
        assert abs(c.loc[term, "estimate"] - true) < 3 * c.loc[term, "std_error"], term
    e = r.effects.set_index("variable")
    b, th, rho = c.loc["x1", "estimate"], c.loc["W·x1", "estimate"], c.loc["rho", "estimate"]
    assert e.loc["x1", "total"] == pytest.approx((b + th) / (1 - rho), rel=1e-8)


def test_error_model_effects_are_beta():
    d, Mf, _ = simulate_sar(rho=0.0, seed=6)
    r = fit_spatial_panel(d, "y", ["x1", "x2"], Mf, model="error", draws=0)
    e = r.effects.set_index("variable")
    assert e.loc["x1", "direct"] == pytest.approx(r.coefficients.loc["x1", "estimate"])
    assert e.loc["x1", "indirect"] == 0.0


def test_impacts_two_nodes_by_hand():
    W = np.array([[0, 1.0], [1.0, 0]])
    e = impacts(np.array([1.0, 0.5]), np.zeros((2, 2)), W, 1, draws=0).iloc[0]
    # (I - 0.5 W)^-1 = [[4/3, 2/3], [2/3, 4/3]]
    assert (e.direct, e.indirect, e.total) == pytest.approx((4 / 3, 2 / 3, 2.0))


def test_unbalanced_panel_is_rejected():
    d, Mf, _ = simulate_sar()
    with pytest.raises(ValidationError, match="balanced"):
        fit_spatial_panel(d.iloc[1:], "y", ["x1"], Mf)

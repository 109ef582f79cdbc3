"""Small-world and scale-free tests.

Tolerances: the MLE exponent agrees with the `powerlaw` package to 1e-3 (both maximize the same
discrete likelihood; powerlaw stops its optimizer at ~1e-4); alpha recovery on synthetic samples
within 4 standard errors ((alpha-1)/sqrt(n_tail), CSN eq. 3.6); normalized likelihood ratios
agree with powerlaw to 0.02 (different optimizers for the log-normal).
"""

from __future__ import annotations

import math
import warnings

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from cultnet.analysis.structure import (ScaleFreeResult, broido_clauset, fit_power_law, sample_discrete_power_law,
                                scale_free, small_world)


# ------------------------------------------------------------------------------- small-world --
def _nx(g):
    G = nx.Graph()
    G.add_nodes_from(range(g.vcount()))
    G.add_edges_from(g.get_edgelist())
    return G


def test_watts_strogatz_is_small_world_and_matches_networkx_c_l():
    g = ig.Graph.Watts_Strogatz(1, 300, 3, 0.05)
    r = small_world(g, n_random=10, seed=3)
    G = _nx(g)
    assert r.C == pytest.approx(nx.transitivity(G), abs=1e-12)
    assert r.C_avg == pytest.approx(nx.average_clustering(G), abs=1e-12)
    assert r.L == pytest.approx(nx.average_shortest_path_length(G), abs=1e-12)
    assert r.L_exact and r.L_error == 0
    assert r.sigma_er > 3 and r.sigma_rewired > 3 and abs(r.omega) < 0.3
    assert r.verdict.startswith("small-world")
    # the lattice reference: ring lattice with 3 neighbours a side: C = 3(k-2)/(4(k-1)), k=6
    assert r.lattice["C_avg"] == pytest.approx(3 * 4 / (4 * 5))
    f = r.to_frame()
    assert set(f["quantity"]) == {"C", "C_avg", "L", "sigma_er", "sigma_rewired", "omega"}
    assert {"er_mean", "er_sd", "er_p2_5", "er_p97_5", "rewired_mean"} <= set(f.columns)


def test_random_graph_is_not_small_world_and_seeded():
    g = ig.Graph.Erdos_Renyi(300, m=1500)
    a = small_world(g, n_random=10, seed=11)
    b = small_world(g, n_random=10, seed=11)
    c = small_world(g, n_random=10, seed=12)
    assert a.to_dict() == b.to_dict()
    assert a.sigma_er != c.sigma_er
    assert 0.6 < a.sigma_er < 1.6
    assert not a.verdict.startswith("small-world")
    assert a.er["C"]["p2_5"] <= a.er["C"]["mean"] <= a.er["C"]["p97_5"]


def test_degree_preserving_references_keep_degrees():
    g = ig.Graph.Barabasi(200, 3)
    r = small_world(g, n_random=3, seed=0)
    assert r.rewired["C"]["mean"] >= 0 and r.n == 200 and r.m == g.ecount()


def test_sampled_path_length_error_bound():
    g = ig.Graph.Erdos_Renyi(1500, m=6000)
    g = g.connected_components().giant()
    exact = g.average_path_length()
    r = small_world(g, n_random=2, seed=5, exact_limit=100, n_sources=200)
    assert not r.L_exact and r.L_error > 0
    assert abs(r.L - exact) < 2 * r.L_error          # 95% bound, doubled for a robust test
    assert any("estimated" in n for n in r.notes)


def test_directed_and_small_input_notes():
    g = ig.Graph(n=14, edges=[(i, (i + 1) % 14) for i in range(14)] + [(i, (i + 3) % 14) for i in range(14)],
                 directed=True)
    r = small_world(g, n_random=5, seed=0)
    assert any("undirected" in n for n in r.notes)
    assert any("descriptive" in n for n in r.notes)


# ------------------------------------------------------------------------------- scale-free ---
def test_too_small_to_test():
    r = scale_free([8, 7, 4, 3, 3, 6, 5, 3, 2, 5, 2, 2, 3, 2])
    assert not r.testable and r.verdict == "too small to test"
    assert r.reason.startswith("too small to test: n=14")
    assert r.alpha is None and r.p_value is None


@pytest.mark.parametrize("alpha,xmin,seed", [(2.5, 1, 1), (2.2, 3, 2), (3.0, 2, 3)])
def test_mle_recovers_alpha_and_agrees_with_powerlaw(alpha, xmin, seed):
    import powerlaw
    x = sample_discrete_power_law(alpha, xmin, 3000, seed=seed)
    f = fit_power_law(x, xmin=xmin)
    assert abs(f.alpha - alpha) < 4 * (alpha - 1) / math.sqrt(f.n_tail)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # powerlaw fits lazily, on attribute access
        pf = powerlaw.Fit(x, discrete=True, verbose=False)
        pl_xmin, pl_alpha, pl_D = pf.xmin, pf.power_law.alpha, pf.power_law.D
    free = fit_power_law(x)
    assert free.xmin == int(pl_xmin)
    assert free.alpha == pytest.approx(pl_alpha, abs=1e-3)
    assert free.D == pytest.approx(pl_D, abs=1e-4)


def test_likelihood_ratios_agree_with_powerlaw():
    import powerlaw
    rng = np.random.default_rng(0)
    x = np.concatenate([sample_discrete_power_law(2.6, 4, 2000, seed=3), rng.integers(1, 5, 300)])
    r = scale_free(x, n_boot=20, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf = powerlaw.Fit(x, discrete=True, verbose=False)
        R_exp, p_exp = pf.distribution_compare("power_law", "exponential", normalized_ratio=True)
        R_ln, p_ln = pf.distribution_compare("power_law", "lognormal", normalized_ratio=True)
    assert r.xmin == int(pf.xmin)
    assert r.lr["exponential"]["normalized_R"] == pytest.approx(R_exp, abs=0.02)
    assert r.lr["exponential"]["p"] == pytest.approx(p_exp, abs=1e-3)
    assert r.lr["lognormal"]["normalized_R"] == pytest.approx(R_ln, abs=0.02)


def test_bootstrap_accepts_power_law_rejects_poisson():
    ok = scale_free(sample_discrete_power_law(2.5, 2, 400, seed=9), n_boot=60, seed=1)
    assert ok.testable and ok.p_value >= 0.1 and ok.n_boot == 60
    assert ok.verdict in ("strong", "weak")
    assert ok.p_value_se == pytest.approx(math.sqrt(ok.p_value * (1 - ok.p_value) / 60))
    bad = scale_free(np.random.default_rng(7).poisson(20, 600), n_boot=40, seed=1)
    assert bad.p_value < 0.1 and bad.verdict in ("not scale-free", "super-weak")
    again = scale_free(sample_discrete_power_law(2.5, 2, 400, seed=9), n_boot=60, seed=1)
    assert again.p_value == ok.p_value


def test_sampler_distribution():
    x = sample_discrete_power_law(2.5, 1, 200_000, seed=4)
    from scipy.special import zeta
    p1 = 1 / zeta(2.5, 1)
    assert np.mean(x == 1) == pytest.approx(p1, abs=4 * math.sqrt(p1 * (1 - p1) / len(x)))
    p2 = 2 ** -2.5 / zeta(2.5, 1)
    assert np.mean(x == 2) == pytest.approx(p2, abs=4 * math.sqrt(p2 * (1 - p2) / len(x)))


def test_broido_clauset_aggregation():
    def res(**c):
        return ScaleFreeResult(n=100, testable=True, verdict="", reason="", categories=c)
    strong = dict(super_weak=True, weakest=True, weak=True, strong=True)
    weakest = dict(super_weak=False, weakest=True, weak=False, strong=False)
    none = dict(super_weak=False, weakest=False, weak=False, strong=False)
    assert broido_clauset([res(**strong)] * 3) == "strongest"
    assert broido_clauset([res(**strong), res(**strong), res(**none)]) == "strong"
    assert broido_clauset([res(**weakest), res(**none)]) == "weakest"
    assert broido_clauset([res(**none)]) == "not scale-free"
    assert broido_clauset([scale_free([1, 2, 3])]) == "too small to test"

"""Per-node and whole-network measures: hand-checked cases and agreement with networkx.

Tolerances: 1e-9 for exact combinatorial quantities computed in floating point (betweenness,
closeness, clustering); 1e-6 for iterative ones (PageRank, eigenvector: both libraries stop at
~1e-10 relative change).
"""

from __future__ import annotations

import json
import math
import random

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.network import (analyze_network, centrality_table, graph_measures, node_measures,
                              pareto, ucinet_table)


def to_ig(G: nx.Graph) -> ig.Graph:
    nodes = list(G.nodes())
    idx = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(idx[a], idx[b]) for a, b in G.edges()], directed=G.is_directed())
    g.vs["name"] = [str(v) for v in nodes]
    if G.number_of_edges():
        g.es["weight"] = [float(d.get("weight", 1.0)) for _, _, d in G.edges(data=True)]
    return g


def col(df: pd.DataFrame, c: str, G: nx.Graph) -> np.ndarray:
    return df.set_index("name").loc[[str(v) for v in G.nodes()], c].to_numpy(float)


def vec(d: dict, G: nx.Graph) -> np.ndarray:
    return np.array([d[v] for v in G.nodes()], float)


# -- the hand-checkable directed example of the conventions note (networkx test_G2) -------------
G2_ARCS = [("s", "u"), ("s", "x"), ("u", "v"), ("u", "x"), ("v", "y"), ("x", "u"), ("x", "v"),
           ("x", "y"), ("y", "s"), ("y", "v")]


def test_g2_hand_values():
    G = nx.DiGraph(G2_ARCS)
    g = to_ig(G)
    nm = node_measures(g).set_index("name")
    raw = {"s": 4, "u": 0.5, "v": 1, "x": 2.5, "y": 5}
    out_far = {"s": 6, "u": 7, "v": 9, "x": 5, "y": 6}
    in_far = {"s": 8, "u": 7, "v": 5, "x": 7, "y": 6}
    for v in raw:
        assert nm.loc[v, "betweenness_raw"] == pytest.approx(raw[v], abs=1e-12)
        assert nm.loc[v, "betweenness"] == pytest.approx(raw[v] / 12, abs=1e-12)
        assert nm.loc[v, "farness_out"] == out_far[v]
        assert nm.loc[v, "farness_in"] == in_far[v]
        assert nm.loc[v, "closeness_out"] == pytest.approx(4 / out_far[v], abs=1e-12)
        assert nm.loc[v, "closeness_in"] == pytest.approx(4 / in_far[v], abs=1e-12)
    # sum of betweenness = sum of farness - n(n-1)
    assert nm["betweenness_raw"].sum() == pytest.approx(33 - 20)
    gm = graph_measures(g)
    assert gm["strongly_connected"] and gm["arcs"] == 10 and gm["density"] == pytest.approx(0.5)
    assert gm["avg_path_length"] == pytest.approx(33 / 20)
    assert "all conventions agree" in gm["closeness_convention"]


def test_not_strongly_connected_conventions():
    # a -> b -> c, plus d isolated: n = 4
    g = ig.Graph(n=4, edges=[(0, 1), (1, 2)], directed=True)
    g.vs["name"] = list("abcd")
    by = {c: node_measures(g, closeness=c).set_index("name") for c in ("wf", "reachable", "ucinet", "strict")}
    # a reaches b (1), c (2): r=2, farness 3
    assert by["wf"].loc["a", "closeness_out"] == pytest.approx((2 / 3) * (2 / 3))
    assert by["reachable"].loc["a", "closeness_out"] == pytest.approx(2 / 3)
    assert by["ucinet"].loc["a", "closeness_out"] == pytest.approx(3 / (3 + 1 * 4))
    assert math.isnan(by["strict"].loc["a", "closeness_out"])
    # c reaches nobody
    assert by["wf"].loc["c", "closeness_out"] == 0.0
    assert math.isnan(by["reachable"].loc["c", "closeness_out"])
    assert by["ucinet"].loc["c", "closeness_out"] == pytest.approx(3 / 12)
    nm = by["wf"]
    assert nm.loc["a", "harmonic_out"] == pytest.approx((1 + 0.5) / 3)
    assert nm.loc["c", "harmonic_in"] == pytest.approx((1 + 0.5) / 3)
    assert list(nm["reach_out"]) == [2, 1, 0, 0] and list(nm["reach_in"]) == [0, 1, 2, 0]
    gm = graph_measures(g)
    assert not gm["strongly_connected"] and gm["weak_components"] == 2 and gm["strong_components"] == 4
    assert "closeness_note" in gm and "'wf'" in gm["closeness_note"]
    assert gm["diameter"] == 2
    assert gm["avg_path_length"] == pytest.approx((1 + 2 + 1) / 3)
    assert gm["global_efficiency"] == pytest.approx((1 + 0.5 + 1) / 12)
    u = ucinet_table(analyze_network(g)).set_index("name")
    assert u.loc["a", "outFarness"] == 3 + 4 and u.loc["a", "outCloseness"] == pytest.approx(300 / 7)


def _random_digraphs():
    out = []
    for seed, (n, p) in enumerate([(12, 0.3), (25, 0.12), (40, 0.05), (30, 0.25), (8, 0.6)]):
        G = nx.gnp_random_graph(n, p, seed=seed, directed=True)
        rng = random.Random(seed)
        for a, b in G.edges():
            G[a][b]["weight"] = rng.choice([0.5, 1.0, 2.0, 4.0])
        out.append(G)
    return out


@pytest.mark.parametrize("G", _random_digraphs())
def test_directed_agrees_with_networkx(G):
    g = to_ig(G)
    n = G.number_of_nodes()
    rep = analyze_network(g)
    nm = rep.nodes
    assert np.array_equal(col(nm, "out_degree", G), vec(dict(G.out_degree()), G))
    assert np.array_equal(col(nm, "in_degree", G), vec(dict(G.in_degree()), G))
    U = G.to_undirected()
    assert np.array_equal(col(nm, "degree", G), vec(dict(U.degree()), G))
    assert np.allclose(col(nm, "degree_norm", G), vec(nx.degree_centrality(U), G))
    assert np.allclose(col(nm, "out_degree_norm", G), vec(nx.out_degree_centrality(G), G))
    assert np.allclose(col(nm, "out_strength", G), vec(dict(G.out_degree(weight="weight")), G))
    assert np.allclose(col(nm, "in_strength", G), vec(dict(G.in_degree(weight="weight")), G))
    assert np.allclose(col(nm, "betweenness", G), vec(nx.betweenness_centrality(G), G), atol=1e-9)
    assert np.allclose(col(nm, "betweenness_raw", G),
                       vec(nx.betweenness_centrality(G, normalized=False), G), atol=1e-9)
    # closeness: networkx is inward; outward on the reverse graph. wf = networkx default.
    assert np.allclose(col(nm, "closeness_in", G), vec(nx.closeness_centrality(G), G), atol=1e-9)
    assert np.allclose(col(nm, "closeness_out", G), vec(nx.closeness_centrality(G.reverse()), G), atol=1e-9)
    reach = analyze_network(g, closeness="reachable").nodes
    nx_reach = vec(nx.closeness_centrality(G.reverse(), wf_improved=False), G)
    ours = col(reach, "closeness_out", G)
    assert np.allclose(np.nan_to_num(ours, nan=0.0), nx_reach, atol=1e-9)   # networkx: 0, igraph: NaN
    assert np.allclose(col(nm, "harmonic_in", G), vec(nx.harmonic_centrality(G), G) / (n - 1), atol=1e-9)
    assert np.allclose(col(nm, "harmonic_out", G),
                       vec(nx.harmonic_centrality(G.reverse()), G) / (n - 1), atol=1e-9)
    assert np.allclose(col(nm, "pagerank", G), vec(nx.pagerank(G, weight=None, tol=1e-12), G), atol=1e-6)
    assert np.allclose(col(nm, "clustering", G), vec(nx.clustering(U), G), atol=1e-9)
    assert np.array_equal(col(nm, "coreness", G), vec(nx.core_number(U), G))
    gm = rep.graph
    assert gm["density"] == pytest.approx(nx.density(G))
    assert gm["reciprocity"] == pytest.approx(nx.reciprocity(G))
    assert gm["transitivity"] == pytest.approx(nx.transitivity(U))
    assert gm["avg_clustering"] == pytest.approx(nx.average_clustering(U))
    assert gm["weak_components"] == nx.number_weakly_connected_components(G)
    assert gm["strong_components"] == nx.number_strongly_connected_components(G)
    d = dict(nx.all_pairs_shortest_path_length(G))
    finite = [d[a][b] for a in G for b in d[a] if a != b]
    assert gm["avg_path_length"] == pytest.approx(np.mean(finite))
    assert gm["diameter"] == max(finite)
    assert gm["global_efficiency"] == pytest.approx(sum(1 / x for x in finite) / (n * (n - 1)))
    if nx.is_strongly_connected(G):
        ev = vec(nx.eigenvector_centrality_numpy(G), G)
        assert np.allclose(col(nm, "eigenvector", G), ev / ev.max(), atol=1e-6)
        assert gm["avg_path_length"] == pytest.approx(nx.average_shortest_path_length(G))
        assert gm["diameter"] == nx.diameter(G)
    else:
        assert nm["eigenvector"].isna().all()


@pytest.mark.parametrize("G", _random_digraphs()[:3])
def test_weighted_paths_use_inverse_weights(G):
    for a, b, dd in G.edges(data=True):
        dd["length"] = 1.0 / dd["weight"]
    nm = node_measures(to_ig(G), weighted_paths=True)
    assert np.allclose(col(nm, "betweenness", G),
                       vec(nx.betweenness_centrality(G, weight="length"), G), atol=1e-9)
    assert np.allclose(col(nm, "closeness_in", G),
                       vec(nx.closeness_centrality(G, distance="length"), G), atol=1e-9)
    assert np.allclose(col(nm, "harmonic_out", G),
                       vec(nx.harmonic_centrality(G.reverse(), distance="length"), G)
                       / (G.number_of_nodes() - 1), atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_undirected_agrees_with_networkx(seed):
    G = nx.gnp_random_graph(30, 0.15, seed=seed)
    nm = node_measures(to_ig(G))
    assert np.allclose(col(nm, "betweenness", G), vec(nx.betweenness_centrality(G), G), atol=1e-9)
    assert np.allclose(col(nm, "closeness_out", G), vec(nx.closeness_centrality(G), G), atol=1e-9)
    assert np.allclose(col(nm, "closeness_in", G), vec(nx.closeness_centrality(G), G), atol=1e-9)
    assert np.array_equal(col(nm, "degree", G), vec(dict(G.degree()), G))
    assert np.allclose(col(nm, "harmonic_in", G), vec(nx.harmonic_centrality(G), G) / 29, atol=1e-9)


def test_centralization_extremes():
    n = 6
    star_out = ig.Graph(n=n, edges=[(0, i) for i in range(1, n)], directed=True)
    gm = graph_measures(star_out)
    assert gm["out_degree_centralization"] == pytest.approx(1.0)
    assert gm["degree_centralization"] == pytest.approx(1.0)
    bistar = ig.Graph(n=n, edges=[(0, i) for i in range(1, n)] + [(i, 0) for i in range(1, n)], directed=True)
    assert graph_measures(bistar)["betweenness_centralization"] == pytest.approx(1.0)
    full = ig.Graph.Full(n, directed=True)
    gm = graph_measures(full)
    assert gm["degree_centralization"] == 0 and gm["betweenness_centralization"] == 0
    assert gm["reciprocity"] == 1 and gm["density"] == 1


def test_json_shape_and_table():
    G = nx.DiGraph(G2_ARCS)
    rep = analyze_network(to_ig(G))
    d = json.loads(rep.to_json())
    assert set(d) == {"graph", "nodes"}
    assert d["graph"]["nodes"] == 5 and "conventions" in d["graph"]
    first = d["nodes"][0]
    for k in ("name", "out_degree", "in_degree", "degree", "betweenness", "closeness_in", "closeness_out"):
        assert k in first
    assert 0 <= first["betweenness"] <= 1
    t = centrality_table(rep)
    assert t.iloc[-1]["City"] == "Average"
    assert t.iloc[-1]["Out-degree"] == pytest.approx(2.0) == t.iloc[-1]["In-degree"]
    p = pareto(rep.nodes.set_index("name")["betweenness"])
    assert p["name"].iloc[0] == "y" and p["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert p["share"].iloc[0] == pytest.approx(5 / 13)


def test_weighted_paths_reject_nonpositive():
    g = ig.Graph(n=2, edges=[(0, 1)], directed=True)
    g.es["weight"] = [0.0]
    from cultnet.errors import CultnetError
    with pytest.raises(CultnetError, match="positive"):
        node_measures(g, weighted_paths=True)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_ucinet_and_strict_conventions_from_definitions(seed):
    """UCINET: unreachable at distance n; strict: (n-1)/farness only when everyone is reached."""
    G = nx.gnp_random_graph(15, 0.1, seed=seed, directed=True)
    n = 15
    rep = analyze_network(to_ig(G))
    u = ucinet_table(rep).set_index("name")
    strict = node_measures(to_ig(G), closeness="strict").set_index("name")
    d = dict(nx.all_pairs_shortest_path_length(G))
    for v in G.nodes():
        out_far = sum(d[v].get(w, n) for w in G.nodes() if w != v)
        in_far = sum(d[w].get(v, n) for w in G.nodes() if w != v)
        assert u.loc[str(v), "outFarness"] == out_far and u.loc[str(v), "inFarness"] == in_far
        assert u.loc[str(v), "outCloseness"] == pytest.approx(100 * (n - 1) / out_far)
        assert u.loc[str(v), "inCloseness"] == pytest.approx(100 * (n - 1) / in_far)
        reached = len(d[v]) - 1
        if reached == n - 1:
            assert strict.loc[str(v), "closeness_out"] == pytest.approx((n - 1) / out_far)
        else:
            assert math.isnan(strict.loc[str(v), "closeness_out"])
    assert u["nBetweenness"].to_numpy() == pytest.approx(
        100 * np.array([nx.betweenness_centrality(G)[v] for v in G.nodes()]))

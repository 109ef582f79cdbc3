"""Published centrality values for classic networks.

Sources
-------
* Padgett's Florentine marriage network (16 families; Pucci is an isolate and is left out by
  networkx's ``florentine_families_graph``, which is how the 15-node values below are defined).
  Raw Freeman betweenness as printed by UCINET and reproduced in Hanneman & Riddle (2005),
  *Introduction to social network methods*, ch. 10: Medici 47.5, Guadagni 23.167, Albizzi 19.333,
  Salviati 13, Ridolfi 10.333, Bischeri 9.5, Strozzi 9.333, Barbadori 8.5, Tornabuoni 8.333,
  Castellani 5, Peruzzi 2, others 0 (3 decimals printed -> tolerance 1e-3).
  Closeness (15 nodes, connected) as in the networkx test-suite/docs: Medici 0.56, Ridolfi 0.5,
  Albizzi = Tornabuoni 0.4828, Guadagni 0.4667, Pazzi 0.2857 (4 decimals -> tolerance 5e-5).
* Zachary's karate club (34 members, 78 ties, Zachary 1977). Normalized betweenness and
  closeness of the top members as printed in the networkx documentation/tutorials:
  betweenness member 1 0.43763528, member 34 0.30407498, member 33 0.14524711, member 3 0.14365681,
  member 32 0.13827561; closeness member 1 0.56896552, member 3 0.55932203, member 34 0.55,
  member 32 0.54098361 (8 decimals -> tolerance 1e-8).
* The directed example of /work/shared/notes/sna-conventions.md (networkx test_G2), checked by
  hand in tests/unit/test_network_measures.py.
"""

from __future__ import annotations

import igraph as ig
import networkx as nx
import pytest

from cultnet.analysis.network import analyze_network, graph_measures, ucinet_table


def _ig(G):
    nodes = list(G.nodes())
    idx = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(idx[a], idx[b]) for a, b in G.edges()], directed=G.is_directed())
    g.vs["name"] = [str(v) for v in nodes]
    return g


FLORENTINE_RAW_BETWEENNESS = {
    "Medici": 47.5, "Guadagni": 23.167, "Albizzi": 19.333, "Salviati": 13.0, "Ridolfi": 10.333,
    "Bischeri": 9.5, "Strozzi": 9.333, "Barbadori": 8.5, "Tornabuoni": 8.333, "Castellani": 5.0,
    "Peruzzi": 2.0, "Acciaiuoli": 0.0, "Ginori": 0.0, "Lamberteschi": 0.0, "Pazzi": 0.0,
}
FLORENTINE_CLOSENESS = {"Medici": 0.56, "Ridolfi": 0.5, "Albizzi": 0.4828, "Tornabuoni": 0.4828,
                        "Guadagni": 0.4667, "Pazzi": 0.2857}


def test_florentine_betweenness_ucinet():
    rep = analyze_network(_ig(nx.florentine_families_graph()))
    nm = rep.nodes.set_index("name")
    u = ucinet_table(rep).set_index("name")
    for fam, raw in FLORENTINE_RAW_BETWEENNESS.items():
        assert nm.loc[fam, "betweenness_raw"] == pytest.approx(raw, abs=1e-3)
        assert nm.loc[fam, "betweenness"] == pytest.approx(raw / 91, abs=1e-3 / 91)  # (n-1)(n-2)/2
        assert u.loc[fam, "nBetweenness"] == pytest.approx(100 * raw / 91, abs=1e-1 / 91)
    assert u.loc["Medici", "nBetweenness"] == pytest.approx(52.198, abs=1e-3)


def test_florentine_closeness():
    nm = analyze_network(_ig(nx.florentine_families_graph())).nodes.set_index("name")
    for fam, c in FLORENTINE_CLOSENESS.items():
        assert nm.loc[fam, "closeness_out"] == pytest.approx(c, abs=5e-5)
        assert nm.loc[fam, "closeness_in"] == pytest.approx(c, abs=5e-5)


def test_karate_published():
    rep = analyze_network(_ig(nx.karate_club_graph()))
    nm = rep.nodes.set_index("name")
    btw = {"0": 0.43763528, "33": 0.30407498, "32": 0.14524711, "2": 0.14365681, "31": 0.13827561}
    clo = {"0": 0.56896552, "2": 0.55932203, "33": 0.55, "31": 0.54098361}
    for v, x in btw.items():
        assert nm.loc[v, "betweenness"] == pytest.approx(x, abs=1e-8)
    for v, x in clo.items():
        assert nm.loc[v, "closeness_out"] == pytest.approx(x, abs=1e-8)
    gm = rep.graph
    assert gm["nodes"] == 34 and gm["arcs"] == 78
    assert gm["transitivity"] == pytest.approx(0.2556818, abs=1e-7)       # 45 triangles
    assert gm["avg_clustering"] == pytest.approx(0.5706385, abs=1e-7)
    assert gm["avg_path_length"] == pytest.approx(2.4082, abs=1e-4)
    assert gm["diameter"] == 5


def test_g2_graph_level():
    G = nx.DiGraph([("s", "u"), ("s", "x"), ("u", "v"), ("u", "x"), ("v", "y"), ("x", "u"),
                    ("x", "v"), ("x", "y"), ("y", "s"), ("y", "v")])
    gm = graph_measures(_ig(G))
    assert gm["reciprocity"] == pytest.approx(0.4)   # u<->x, v<->y: 4 of 10 arcs
    # raw betweenness max 5 (y): sum(5 - b) = 1 + 4.5 + 4 + 2.5 + 0 = 12; / ((n-1)^2 (n-2)) = 48
    assert gm["betweenness_centralization"] == pytest.approx(12 / 48)

"""City roles, CONCOR block model and robustness curves."""

from __future__ import annotations

from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.robustness import robustness_curves
from cultnet.analysis.roles import block_model, city_roles, concor, roles_from_measures

TABLE1 = Path(__file__).resolve().parents[1] / "data" / "network" / "paper_table1.csv"


def test_rule_on_paper_table1_reproduces_13_of_14_roles():
    t = pd.read_csv(TABLE1)
    t = t[t.city != "Average"].rename(columns={"city": "name"})
    r = roles_from_measures(t).set_index("name")
    paper = {"Shenyang": "core hub", "Dalian": "core hub", "Jinzhou": "bridge", "Dandong": "bridge",
             "Anshan": "sub-node", "Fushun": "sub-node", "Benxi": "sub-node", "Liaoyang": "sub-node",
             "Yingkou": "sub-node", "Panjin": "sub-node", "Fuxin": "edge node", "Tieling": "edge node",
             "Chaoyang": "edge node", "Huludao": "edge node"}
    differ = [c for c, role in paper.items() if r.loc[c, "role"] != role]
    assert differ == ["Liaoyang"] and r.loc["Liaoyang", "role"] == "bridge"
    assert r.loc["Shenyang", "group"] == "center" and r.loc["Fuxin", "group"] == "edge"
    # thresholds are the stated ones: mean +- population sd
    d = t["degree"].astype(float)
    assert r["deg_high"].iloc[0] == pytest.approx(d.mean() + d.std(ddof=0))
    assert "population sd" in r.attrs["rule"]


def test_city_roles_on_a_star_with_periphery():
    # hub 0 linked both ways to 1..5, 1 -> 6, 6 -> 7: 0 is the hub, 7 the edge node
    arcs = [(0, i) for i in range(1, 6)] + [(i, 0) for i in range(1, 6)] + [(1, 6), (6, 7)]
    g = ig.Graph(n=8, edges=arcs, directed=True)
    g.vs["name"] = [f"v{i}" for i in range(8)]
    r = city_roles(g).set_index("name")
    assert r.loc["v0", "role"] == "core hub"
    assert r.loc["v7", "role"] == "edge node"
    assert set(r.columns) >= {"role", "group", "degree", "betweenness", "closeness"}


def test_concor_note_example_and_depth_two():
    A = np.array([[0, 1, 1, 1, 1], [0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [1, 1, 1, 1, 0]])
    lab = concor(A, depth=1)
    assert {frozenset(np.flatnonzero(lab == k)) for k in set(lab)} == {frozenset({1, 2, 3}), frozenset({0, 4})}
    assert len(set(concor(A, depth=2))) <= 4


def test_block_model_roles_by_hand():
    # two groups: senders S = {0,1,2} send to receivers R = {3,4,5}; R tied internally
    arcs = [(s, r) for s in range(3) for r in range(3, 6)] + [(3, 4), (4, 5), (5, 3), (4, 3), (5, 4), (3, 5)]
    g = ig.Graph(n=6, edges=arcs, directed=True)
    g.vs["name"] = list("abcdef")
    bm = block_model(g, depth=1)
    mem = bm.membership.set_index("name")
    assert mem.loc["a", "block"] == mem.loc["b", "block"] != mem.loc["d", "block"]
    blocks = bm.blocks.set_index("block")
    S, R = mem.loc["a", "block"], mem.loc["d", "block"]
    # senders: no internal ties (actual 0 < expected 2/5), receive nothing -> net spillover
    assert blocks.loc[S, "role"] == "net spillover"
    assert blocks.loc[S, "expected_ratio"] == pytest.approx(2 / 5)
    # receivers: actual 6/6 = 1 >= 2/5 and receive 9 external arcs, send 0 -> net beneficiary
    assert blocks.loc[R, "role"] == "net beneficiary" and blocks.loc[R, "received_external"] == 9
    assert bm.network_density == pytest.approx(15 / 30)
    assert bm.density.loc[S, R] == 1 and bm.image.loc[S, R] == 1 and bm.image.loc[S, S] == 0


def test_block_model_four_blocks_on_random_graph():
    G = nx.gnp_random_graph(20, 0.25, seed=4, directed=True)
    g = ig.Graph(n=20, edges=list(G.edges()), directed=True)
    bm = block_model(g)
    assert bm.blocks["size"].sum() == 20 and 2 <= len(bm.blocks) <= 4
    assert set(bm.blocks["role"]) <= {"net spillover", "bidirectional spillover", "broker", "net beneficiary"}
    # ties sent = internal + external, and every arc is counted once as sent
    assert (bm.blocks["sent_internal"] + bm.blocks["sent_external"]).sum() == g.ecount()
    assert bm.blocks["sent_external"].sum() == bm.blocks["received_external"].sum()


# -- robustness --------------------------------------------------------------------------------
def test_robustness_star_and_path():
    star = ig.Graph.Star(6)
    c = robustness_curves(star, strategies=("degree", "betweenness"))
    deg = c[c.strategy == "degree"]
    assert deg["largest_component_share"].tolist() == pytest.approx([1.0] + [1 / 6] * 5 + [0.0])
    # global efficiency of a star: (2*5 adjacent pairs *1 + 20 pairs at distance 2 * 1/2) / 30
    assert deg["global_efficiency"].iloc[0] == pytest.approx((10 + 10) / 30)
    assert deg["global_efficiency"].iloc[1] == 0
    path = ig.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4)])
    b = robustness_curves(path, strategies=("betweenness",))
    assert b["largest_component_share"].tolist()[:2] == [1.0, 0.4]   # the centre goes first


def test_random_removal_is_seeded_and_averaged():
    g = ig.Graph.Barabasi(60, 2)
    a = robustness_curves(g, strategies=("random", "degree"), runs=10, seed=3)
    b = robustness_curves(g, strategies=("random", "degree"), runs=10, seed=3)
    pd.testing.assert_frame_equal(a, b)
    r = a[a.strategy == "random"].set_index("removed")
    d = a[a.strategy == "degree"].set_index("removed")
    # a targeted attack on a scale-free graph hurts more than random failure
    assert d.loc[12, "largest_component_share"] < r.loc[12, "largest_component_share"]
    assert (r["runs"] == 10).all() and (r["largest_component_sd"] >= 0).all()
    s = robustness_curves(g, strategies=("degree",), steps=6)
    assert len(s) == 7 and s["removed"].iloc[-1] == 60

"""Audit of reported centrality tables, on the paper's Table 1 and on consistent tables."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cultnet.analysis.audit import audit_centrality_table, is_digraphical, is_graphical, normalize_table
from cultnet.analysis.network import analyze_network, centrality_table

TABLE1 = Path(__file__).resolve().parents[1] / "data" / "network" / "paper_table1.csv"


def _by(findings, check, severity=None):
    return [f for f in findings if f.check == check and (severity is None or f.severity == severity)]


def test_paper_table1_findings():
    f = audit_centrality_table(pd.read_csv(TABLE1, dtype=str))
    s = _by(f, "sum_out_in", "error")
    assert len(s) == 1 and "41" in s[0].message and "36" in s[0].message
    assert _by(f, "degree_sum_parity", "error") and "55" in _by(f, "degree_sum_parity")[0].message
    bounds = _by(f, "degree_bounds", "error")
    assert [x.city for x in bounds] == ["Benxi"]          # degree 3 < out-degree 4
    assert _by(f, "digraphical", "error") and _by(f, "graphical_degree", "error")
    assert not _by(f, "betweenness_zero")                 # Chaoyang (in 0), Huludao (out 0) have 0
    assert not _by(f, "average", "error")                 # the averages are the column means
    assert len(_by(f, "average", "info")) == 5
    low = {x.city for x in _by(f, "closeness_minimum") if x.city}
    assert low == {"Yingkou", "Fuxin", "Tieling", "Chaoyang", "Panjin", "Huludao"}
    assert _by(f, "closeness_direction", "warning")
    assert _by(f, "closeness_convention", "warning")


def test_numeric_input_works_like_strings():
    f1 = audit_centrality_table(pd.read_csv(TABLE1))
    f2 = audit_centrality_table(pd.read_csv(TABLE1, dtype=str))
    assert [(x.city, x.check, x.severity) for x in f1] == [(x.city, x.check, x.severity) for x in f2]


def test_paper_header_names_are_recognised():
    df = pd.read_csv(TABLE1, dtype=str)
    df.columns = ["", "Out-degree", "In-degree", "Centrality Degree", "Betweenness Centrality",
                  "Closeness Centrality"]
    t, avg, dec = normalize_table(df)
    assert list(t.columns) == ["city", "out_degree", "in_degree", "degree", "betweenness", "closeness"]
    assert len(t) == 14 and avg["closeness"] == (10.19, 3) and dec["betweenness"] == 3


def test_wrong_average_is_found():
    df = pd.read_csv(TABLE1, dtype=str)
    df.loc[df.city == "Average", "degree"] = "4.100"
    f = audit_centrality_table(df)
    assert any(x.check == "average" and x.severity == "error" and "degree" in x.message for x in f)


@pytest.mark.parametrize("seed", range(4))
def test_table_from_a_real_network_has_no_errors(seed):
    G = nx.gnp_random_graph(14, 0.25, seed=seed, directed=True)
    g = ig.Graph(n=14, edges=list(G.edges()), directed=True)
    g.vs["name"] = [f"c{i}" for i in range(14)]
    t = centrality_table(analyze_network(g)).round(3)
    t = t.rename(columns={"City": "city"})
    f = audit_centrality_table(t)
    assert not [x for x in f if x.severity == "error"], [x.message for x in f if x.severity == "error"]


def test_fca_agrees_with_igraph():
    rng = random.Random(1)
    for _ in range(300):
        n = rng.randint(1, 6)
        out = [rng.randint(0, n - 1) for _ in range(n)]
        inn = [rng.randint(0, n - 1) for _ in range(n)]
        if sum(out) != sum(inn):
            inn[0] += sum(out) - sum(inn)
            if inn[0] < 0:
                continue
        assert is_digraphical(out, inn) == ig.is_graphical(out, inn, loops=False, multiple=False)
    for n in range(1, 7):
        for d in itertools.product(range(n), repeat=min(n, 4)):
            d = list(d) + [0] * (n - len(d))
            assert is_graphical(d) == ig.is_graphical(d, loops=False, multiple=False)

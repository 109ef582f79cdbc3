"""cultnet.graph._partition: schedules under which parallel Neo4j writers never share a node."""

from __future__ import annotations

import itertools
import random

import pytest

import numpy as np

from cultnet.graph._partition import edge_rounds, edge_rounds_index, node_groups, split_rows, tournament


@pytest.mark.parametrize("groups", [2, 4, 6, 8])
def test_tournament_pairs_every_group_pair_once(groups):
    rounds = tournament(groups)
    assert len(rounds) == groups - 1
    seen = []
    for pairs in rounds:
        members = [g for p in pairs for g in p]
        assert sorted(members) == list(range(groups))  # disjoint pairs covering every group
        seen += pairs
    assert sorted(seen) == sorted(itertools.combinations(range(groups), 2))


def test_tournament_rejects_odd():
    with pytest.raises(ValueError):
        tournament(3)


def _rows(n, nodes, seed):
    rng = random.Random(seed)
    out = []
    for k in range(n):
        a, b = rng.sample(range(nodes), 2)
        out.append({"source": f"E{a}", "target": f"E{b}", "k": k})
    return sorted(out, key=lambda r: r["source"])


@pytest.mark.parametrize("writers", [2, 3, 4])
def test_edge_rounds_cover_rows_once_and_writers_never_share_a_node(writers):
    rows = _rows(3000, 200, seed=writers)
    rounds = edge_rounds(rows, writers)
    assert len(rounds) <= 2 * writers - 1
    got = [r["k"] for parts in rounds for part in parts for r in part]
    assert sorted(got) == list(range(3000))  # every row exactly once
    for parts in rounds:
        assert len(parts) == writers
        node_sets = [{r["source"] for r in p} | {r["target"] for r in p} for p in parts]
        for x, y in itertools.combinations(node_sets, 2):
            assert not (x & y)
        for p in parts:  # source order kept inside a part
            assert [r["source"] for r in p] == sorted(r["source"] for r in p)


def test_node_groups_balance_degrees_by_hand():
    # degrees a4 b3 c3 d3 e3; largest first into the lightest group (ties: lowest group, then key)
    rows = [{"source": s, "target": t} for s, t in
            ("ab", "ac", "ad", "ae", "bc", "be", "cd", "de")]
    assert node_groups(rows, 4) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 1}


def test_edge_rounds_hand_case():
    rows = [{"source": s, "target": t} for s, t in
            ("ab", "ac", "ad", "ae", "bc", "be", "cd", "de")]
    ab, ac, ad, ae, bc, be, cd, de = rows
    # tournament(4): round 0 pairs (0,3),(1,2); round 1 (1,3),(0,2); round 2 (2,3),(0,1)
    assert tournament(4) == [[(0, 3), (1, 2)], [(1, 3), (0, 2)], [(2, 3), (0, 1)]]
    # groups a0 b1 c2 d3 e1: b-e is inside group 1, so it goes with pair (1,2) in round 0
    assert edge_rounds(rows, 2) == [[[ad], [bc, be]], [[de], [ac]], [[cd], [ab, ae]]]


def test_edge_rounds_balance():
    # random graph: the two writers' parts are nearly equal in every round
    rows = _rows(5000, 500, seed=7)
    rounds = edge_rounds(rows, 2)
    makespan = sum(max(len(p) for p in parts) for parts in rounds)
    assert makespan <= 0.52 * len(rows)  # one writer needs len(rows); 0.5 is perfect
    # a hub with 400 of 600 edges: only one writer at a time can write its edges, so 400 is the
    # least possible; the schedule stays within 15 % of it (a sequential writer needs 600)
    rows = [{"source": "hub", "target": f"n{i}"} for i in range(400)]
    rows += [{"source": f"n{i}", "target": f"n{i + 200}"} for i in range(200)]
    rounds = edge_rounds(rows, 2)
    assert 400 <= sum(max(len(p) for p in parts) for parts in rounds) <= 460


def test_one_writer_is_one_part():
    rows = _rows(10, 5, seed=1)
    assert edge_rounds(rows, 1) == [[rows]]
    assert edge_rounds([], 2) == []


def test_split_rows_keeps_keys_together_and_balances():
    rows = [{"id": i, "city": c} for i, c in enumerate("AAAAABBBCCDDEF")]
    parts = split_rows(rows, 2, lambda r: r["city"])
    cities = [{r["city"] for r in p} for p in parts]
    assert not (cities[0] & cities[1])
    assert sorted(len(p) for p in parts) == [7, 7]  # A5+D2 | B3+C2+E1+F1
    assert sorted(r["id"] for p in parts for r in p) == list(range(14))
    for p in parts:
        assert [r["id"] for r in p] == sorted(r["id"] for r in p)


def _codes(rows):
    """Rows as end-node numbers in key order (what CoopColumns gives edge_rounds_index)."""
    keys = sorted({r["source"] for r in rows} | {r["target"] for r in rows})
    pos = {k: i for i, k in enumerate(keys)}
    src = np.array([pos[r["source"]] for r in rows], dtype=np.int64)
    dst = np.array([pos[r["target"]] for r in rows], dtype=np.int64)
    return src, dst, len(keys)


@pytest.mark.parametrize("writers,seed", [(1, 1), (2, 2), (2, 3), (3, 4), (4, 5)])
def test_edge_rounds_index_is_edge_rounds_on_positions(writers, seed):
    # two implementations agreeing: the vectorised schedule picks exactly the dict version's
    # rows for every part of every round, in the same order (ties of degree included: 40 nodes)
    rows = _rows(2000, 40 if seed % 2 else 300, seed=seed)
    src, dst, nodes = _codes(rows)
    want = edge_rounds(rows, writers)
    got = edge_rounds_index(src, dst, nodes, writers)
    assert [[[rows[i] for i in p.tolist()] for p in parts] for parts in got] == want


def test_edge_rounds_index_hand_case_and_edges():
    rows = [{"source": s, "target": t} for s, t in
            ("ab", "ac", "ad", "ae", "bc", "be", "cd", "de")]
    src, dst, nodes = _codes(rows)
    # the hand case above: [[ad], [bc, be]], [[de], [ac]], [[cd], [ab, ae]] as row positions
    got = [[p.tolist() for p in parts] for parts in edge_rounds_index(src, dst, nodes, 2)]
    assert got == [[[2], [4, 5]], [[7], [1]], [[6], [0, 3]]]
    assert edge_rounds_index(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 0, 2) == []
    with pytest.raises(ValueError):
        edge_rounds_index(src, dst, nodes, 0)

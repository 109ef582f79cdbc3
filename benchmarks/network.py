"""Benchmark: cultnet's measure suite and small-world test vs bare igraph kernels and networkx.

Run:  python benchmarks/network.py [--sizes 1000,10000,100000] [--arcs-per-node 10] [--seed 0]

For each size n a directed Erdős–Rényi graph G(n, m = 10 n) is generated and timed:

* ``bare igraph``: the kernel calls the suite is built on (degrees, strengths, undirected
  collapse, betweenness, closeness in/out, harmonic in/out, reach counts via the condensation,
  PageRank, eigenvector, local clustering, coreness, diameter, reciprocity, components);
* ``cultnet``: :func:`cultnet.analysis.network.analyze_network` (same settings: exact, unweighted);
* ``networkx``: the same measures (betweenness_centrality, closeness_centrality on G and on
  G.reverse(), harmonic_centrality both ways, pagerank, eigenvector_centrality_numpy,
  clustering, core_number, reciprocity, components). Above ``--nx-full-limit`` nodes the
  all-pairs measures (betweenness, closeness, harmonic) are timed on ``--nx-sample`` sources /
  nodes and **extrapolated linearly** to n (each is a sum of n independent single-source BFS
  passes), and the output says so;
* ``small-world``: :func:`cultnet.analysis.structure.small_world` with 20 references per family.
  ``nx.sigma`` (nrand=10, niter=5) only at ``--nx-sigma-n`` nodes (it runs a connectivity check
  per rewiring swap and is impractically slow beyond a few hundred nodes).

Times are wall-clock seconds; bare kernels and the suite are timed twice, alternating, and the
faster of each is kept (up to ``--repeat-limit`` nodes). Growth is
reported as the exponent log(t2/t1)/log(n2/n1) between consecutive sizes. The load average is
printed: other processes on a shared machine inflate every number alike.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import igraph as ig  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from cultnet.analysis.network import _reach_counts, analyze_network  # noqa: E402
from cultnet.analysis.structure import small_world  # noqa: E402


def timed(fn, *a, **kw):
    t = time.perf_counter()
    r = fn(*a, **kw)
    return time.perf_counter() - t, r


def bare_kernels(g: ig.Graph) -> None:
    g.degree(mode="out"), g.degree(mode="in")
    g.strength(mode="out", weights="weight"), g.strength(mode="in", weights="weight")
    u = g.as_undirected(mode="collapse")
    u.degree()
    g.betweenness(directed=True)
    g.closeness(mode="out"), g.closeness(mode="in")
    g.harmonic_centrality(mode="out"), g.harmonic_centrality(mode="in")
    _reach_counts(g, "out"), _reach_counts(g, "in")
    g.pagerank(directed=True)
    if g.is_connected(mode="strong"):
        g.eigenvector_centrality(directed=True)
    u.transitivity_local_undirected(mode="zero"), u.transitivity_undirected(), u.coreness()
    g.diameter(directed=True, unconn=True)
    g.reciprocity()
    g.connected_components(mode="weak"), g.connected_components(mode="strong")


def networkx_suite(G: nx.DiGraph, full_limit: int, sample: int, seed: int) -> tuple[float, str]:
    n = G.number_of_nodes()
    rng = random.Random(seed)
    t0 = time.perf_counter()
    dict(G.out_degree()), dict(G.in_degree()), dict(G.out_degree(weight="weight"))
    U = G.to_undirected()
    nx.pagerank(G)
    try:
        nx.eigenvector_centrality_numpy(G)
    except Exception:
        pass
    nx.clustering(U), nx.transitivity(U), nx.core_number(U)
    nx.reciprocity(G)
    nx.number_weakly_connected_components(G), nx.number_strongly_connected_components(G)
    cheap = time.perf_counter() - t0
    R = G.reverse(copy=False)
    if n <= full_limit:
        t0 = time.perf_counter()
        nx.betweenness_centrality(G)
        nx.closeness_centrality(G), nx.closeness_centrality(R)
        nx.harmonic_centrality(G), nx.harmonic_centrality(R)
        if nx.is_strongly_connected(G):
            nx.diameter(G)
        return cheap + time.perf_counter() - t0, "exact"
    nodes = list(G.nodes())
    k = min(sample, n)
    src = rng.sample(nodes, k)
    t0 = time.perf_counter()
    nx.betweenness_centrality(G, k=k, seed=seed)                  # k sources
    # closeness_centrality(G, u=v) copies G.reverse() on every call for a DiGraph, so time its
    # kernel instead: one BFS per node and direction (what the full call does n times)
    for v in src:
        nx.single_source_shortest_path_length(R, v), nx.single_source_shortest_path_length(G, v)
    # harmonic_centrality's work is one BFS per *source* (nbunch only filters the output)
    nx.harmonic_centrality(G, sources=src), nx.harmonic_centrality(R, sources=src)
    for v in src:                                                 # eccentricity ~ diameter
        nx.single_source_shortest_path_length(G, v)
    sampled = time.perf_counter() - t0
    return cheap + sampled * n / k, f"extrapolated from {k} sources/nodes x n/{k}"


def _nx_sigma_worker(n: int, seed: int, q) -> None:
    G = nx.connected_watts_strogatz_graph(n, 6, 0.1, seed=seed)
    t = time.perf_counter()
    s = nx.sigma(G, niter=5, nrand=10, seed=seed)
    q.put((time.perf_counter() - t, s))


def nx_sigma_limited(n: int, seed: int, limit: float):
    """nx.sigma in a child process, stopped after ``limit`` seconds: (seconds, sigma) or None."""
    import multiprocessing as mp

    q = mp.Queue()
    p = mp.Process(target=_nx_sigma_worker, args=(n, seed, q))
    p.start()
    p.join(limit)
    if p.is_alive():
        p.terminate()
        p.join()
        return None
    return q.get() if not q.empty() else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--arcs-per-node", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nx-full-limit", type=int, default=2000)
    ap.add_argument("--nx-sample", type=int, default=200)
    ap.add_argument("--nx-sigma-n", type=int, default=100)
    ap.add_argument("--nx-sigma-limit", type=float, default=300.0, help="seconds before nx.sigma is skipped")
    ap.add_argument("--no-networkx", action="store_true")
    ap.add_argument("--repeat-limit", type=int, default=20000,
                    help="time bare kernels and the suite twice (alternating) up to this size")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()}  (cpus: {os.cpu_count()})")
    print(f"igraph {ig.__version__}, networkx {nx.__version__}")
    rows = []
    for n in sizes:
        random.seed(a.seed)
        ig.set_random_number_generator(random)
        g = ig.Graph.Erdos_Renyi(n=n, m=a.arcs_per_node * n, directed=True)
        g.es["weight"] = [1.0] * g.ecount()
        g.vs["name"] = [str(i) for i in range(n)]
        # alternate bare / suite twice and keep the faster of each (load on shared machines)
        t_bare, _ = timed(bare_kernels, g)
        t_suite, rep = timed(analyze_network, g)
        if n <= a.repeat_limit:
            t_suite = min(t_suite, timed(analyze_network, g)[0])
            t_bare = min(t_bare, timed(bare_kernels, g)[0])
        t_sw, sw = timed(small_world, g, n_random=20, seed=a.seed)
        row = {"n": n, "m": g.ecount(), "bare": t_bare, "cultnet": t_suite, "smallworld": t_sw,
               "sw_exact": sw.L_exact, "sw_err": sw.L_error}
        if not a.no_networkx:
            G = nx.DiGraph()
            G.add_nodes_from(range(n))
            G.add_edges_from((e.source, e.target, {"weight": 1.0}) for e in g.es)
            t_nx, how = networkx_suite(G, a.nx_full_limit, a.nx_sample, a.seed)
            row.update(nx=t_nx, nx_how=how)
        rows.append(row)
        print(f"\nn={n:,} m={g.ecount():,}: bare igraph {t_bare:.2f}s | cultnet suite {t_suite:.2f}s "
              f"(x{t_suite / t_bare:.2f} of bare) | small-world (20+20 refs) {t_sw:.2f}s "
              f"[{'exact L' if sw.L_exact else f'sampled L, 95% bound +-{sw.L_error:.4f}'}]")
        if "nx" in row:
            print(f"  networkx suite {row['nx']:.1f}s ({row['nx_how']}): cultnet is "
                  f"{row['nx'] / t_suite:.0f}x faster")
        print(f"  load average now: {os.getloadavg()}")
    if not a.no_networkx and a.nx_sigma_n:
        n = a.nx_sigma_n
        G = nx.connected_watts_strogatz_graph(n, 6, 0.1, seed=a.seed)
        g = ig.Graph(n=n, edges=list(G.edges()))
        t_c, r = timed(small_world, g, n_random=10, seed=a.seed)
        res = nx_sigma_limited(n, a.seed, a.nx_sigma_limit)
        head = (f"\nsmall-world on a {n}-node Watts-Strogatz graph, 10 references: cultnet {t_c:.2f}s "
                f"(sigma_rewired {r.sigma_rewired:.3f}, sigma_er {r.sigma_er:.3f})")
        if res is None:
            print(head + f"; nx.sigma(niter=5, nrand=10) skipped: not finished in {a.nx_sigma_limit:.0f}s")
        else:
            t_nx, s = res
            print(head + f" vs nx.sigma(niter=5, nrand=10) {t_nx:.1f}s (sigma {s:.3f}): x{t_nx / t_c:.0f}")
    if len(rows) > 1:
        print("\ngrowth exponents (time ~ n^k) between consecutive sizes:")
        for r1, r2 in zip(rows, rows[1:]):
            k = {c: math.log(r2[c] / r1[c]) / math.log(r2["n"] / r1["n"])
                 for c in ("bare", "cultnet", "smallworld", "nx") if c in r1 and c in r2}
            print(f"  {r1['n']:,} -> {r2['n']:,}: " + ", ".join(f"{c} {v:.2f}" for c, v in k.items()))
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()

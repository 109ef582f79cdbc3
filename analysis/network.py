r"""Whole-network and per-node measures with stated conventions (UCINET / networkx / igraph).

Orientation: an arc i -> j means "i spills over to j"; out-degree is the row sum of the
adjacency matrix. Paths are **unweighted** by default (as in the paper and UCINET's defaults).
Edge weights (cooperation frequency, gravity strength) measure *closeness*, while igraph and
networkx read path weights as *lengths*: with ``weighted_paths=True`` every path measure uses the
length ``1 / weight``, and the output says so.

Conventions (the ``conventions`` map of a :class:`NetworkReport` repeats them in the JSON):

* ``degree`` is the number of distinct neighbours (in or out), UCINET's symmetrised degree and the
  paper's "centrality degree"; ``*_norm`` columns divide by ``n - 1``.
* ``betweenness`` is Freeman betweenness as a fraction of its maximum: raw / ((n-1)(n-2)) on a
  directed graph (UCINET "nBetweenness"/100, networkx ``betweenness_centrality``), raw /
  ((n-1)(n-2)/2) on an undirected one. The divisor 2 raw / (n^2 - 3n + 2) quoted in textbooks is
  the undirected one; on directed raw scores it can exceed 1.
* ``closeness_out`` uses distances *from* the node, ``closeness_in`` distances *to* it. On a
  strongly connected graph every tool agrees: (n-1) / farness. Otherwise the tools disagree and the
  ``closeness`` argument picks one convention (stated in the output):

  - ``"wf"`` (default) Wasserman-Faust / networkx ``wf_improved=True``:
    (r/(n-1)) * (r / farness_r), r = number of nodes reached, farness over reached nodes only,
    0 when r = 0;
  - ``"reachable"`` igraph: r / farness_r, NaN when r = 0;
  - ``"ucinet"`` unreachable nodes counted at distance n (one more than the longest possible
    geodesic): (n-1) / (farness_r + (n-1-r) n);
  - ``"strict"`` (n-1) / farness, NaN unless the node reaches (is reached by) everyone.

  ``harmonic_in`` / ``harmonic_out`` (sum of 1/d over other nodes, 1/inf = 0, divided by n-1) are
  always given beside them; they need no convention.
* ``pagerank``: damping 0.85, dangling nodes jump uniformly (igraph PRPACK = networkx).
* ``eigenvector``: left eigenvector (centrality from incoming arcs), scaled to max 1 (igraph);
  NaN when a directed graph is not strongly connected (undefined there).
* ``clustering``, ``coreness``, transitivity: on the undirected graph with mutual arcs collapsed.

References: Freeman (1979) Social Networks 1:215, doi:10.1016/0378-8733(78)90021-7;
Wasserman & Faust (1994) Social Network Analysis, CUP; Brandes (2001) J. Math. Sociol. 25:163,
doi:10.1080/0022250X.2001.9990249; Borgatti, Everett & Freeman (2002) UCINET for Windows.

>>> import igraph as ig
>>> g = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
>>> g.vs["name"] = ["a", "b", "c"]
>>> nm = node_measures(g)
>>> nm[["name", "out_degree", "in_degree", "degree", "betweenness"]].values.tolist()
[['a', 1, 0, 1, 0.0], ['b', 1, 1, 2, 0.5], ['c', 0, 1, 1, 0.0]]
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from cultnet.errors import CultnetError

CLOSENESS_CONVENTIONS = ("wf", "reachable", "ucinet", "strict")

__all__ = ["node_measures", "graph_measures", "analyze_network", "NetworkReport",
           "centrality_table", "ucinet_table", "pareto", "conventions", "CLOSENESS_CONVENTIONS"]

_CLOSENESS_TEXT = {
    "wf": "Wasserman-Faust (networkx wf_improved=True): (r/(n-1))*(r/farness over the r reached "
          "nodes); 0 when r=0",
    "reachable": "igraph: r/farness over the r reached nodes; NaN when r=0",
    "ucinet": "UCINET-style: unreachable nodes at distance n; (n-1)/(farness + (n-1-r)*n)",
    "strict": "(n-1)/farness; NaN unless every other node is reached",
}


def conventions(*, directed: bool = True, closeness: str = "wf",
                weighted_paths: bool = False, strongly_connected: bool = True) -> dict[str, str]:
    """The measure -> convention text map used in reports and JSON output."""
    paths = ("weighted: path length = 1/weight" if weighted_paths
             else "unweighted: every arc has length 1")
    bdiv = "(n-1)(n-2)" if directed else "(n-1)(n-2)/2"
    cl = _CLOSENESS_TEXT[closeness]
    if strongly_connected:
        cl = "(n-1)/farness (graph strongly connected: all conventions agree)"
    return {
        "orientation": "arc i->j: i sends (spills over) to j; out-degree = row sum",
        "paths": paths,
        "out_degree": "number of arcs sent (raw count); out_degree_norm = out_degree/(n-1)",
        "in_degree": "number of arcs received (raw count); in_degree_norm = in_degree/(n-1)",
        "degree": "distinct neighbours, in or out (UCINET symmetrised degree, the paper's "
                  "centrality degree); degree_norm = degree/(n-1)",
        "out_strength": "sum of weights of arcs sent", "in_strength": "sum of weights of arcs received",
        "betweenness": f"Freeman betweenness / its maximum {bdiv} (fraction, not percent; "
                       "UCINET nBetweenness/100; networkx betweenness_centrality)",
        "betweenness_raw": "Freeman betweenness, raw pair-dependency sum (Brandes)",
        "closeness_in": "distances to the node; " + cl,
        "closeness_out": "distances from the node; " + cl,
        "harmonic_in": "sum over other nodes of 1/d(j,i), 1/inf=0, divided by n-1",
        "harmonic_out": "sum over other nodes of 1/d(i,j), 1/inf=0, divided by n-1",
        "farness_in": "sum of finite distances to the node", "farness_out": "sum of finite distances from the node",
        "reach_in": "number of nodes that reach the node", "reach_out": "number of nodes the node reaches",
        "pagerank": "PageRank, damping 0.85, dangling nodes jump uniformly, unweighted",
        "eigenvector": "eigenvector centrality from incoming arcs, max scaled to 1; NaN when a "
                       "directed graph is not strongly connected",
        "clustering": "local clustering on the undirected collapsed graph; 0 for degree < 2",
        "coreness": "k-core number on the undirected collapsed graph",
        "density": "arcs/(n(n-1)) directed; edges/(n(n-1)/2) undirected",
        "reciprocity": "share of arcs whose reverse arc exists (networkx reciprocity)",
        "diameter": "longest finite shortest path (pairs that cannot reach each other skipped)",
        "avg_path_length": "mean shortest path over ordered pairs that are connected by a path",
        "global_efficiency": "mean of 1/d over all ordered pairs (1/inf = 0)",
        "transitivity": "global clustering (3 x triangles / connected triples), undirected collapsed",
        "avg_clustering": "mean local clustering (nodes with degree < 2 count as 0)",
        "degree_centralization": "Freeman: sum(max-d_i)/((n-1)(n-2)) on symmetrised degree; star = 1",
        "out_degree_centralization": "Freeman: sum(max-out_i)/(n-1)^2; out-star = 1",
        "in_degree_centralization": "Freeman: sum(max-in_i)/(n-1)^2; in-star = 1",
        "betweenness_centralization": "Freeman: sum(max-b_i)/max possible sum, on raw betweenness; "
                                      + ("(n-1)^2(n-2) directed (bidirected star = 1)" if directed
                                         else "(n-1)^2(n-2)/2 undirected (star = 1)"),
        "closeness_convention": cl,
    }


# ----------------------------------------------------------------------------------------------
def _lengths(g: ig.Graph, weighted_paths: bool) -> list[float] | None:
    if not weighted_paths:
        return None
    if "weight" not in g.es.attributes():
        raise CultnetError("weighted paths requested but the graph has no 'weight' edge attribute")
    w = np.asarray(g.es["weight"], dtype=float)
    if g.ecount() and (~np.isfinite(w) | (w <= 0)).any():
        raise CultnetError("weighted paths need positive finite weights (length = 1/weight)")
    return list(1.0 / w)


def _names(g: ig.Graph) -> list[str]:
    if "name" in g.vs.attributes():
        return [str(x) for x in g.vs["name"]]
    return [str(i) for i in range(g.vcount())]


def _reach_counts(g: ig.Graph, mode: str) -> np.ndarray:
    """Number of other nodes reachable from (mode='out') / reaching (mode='in') each node.

    Uses the condensation (DAG of strongly connected components): the reach of a component is
    the union of the reach of its successors, as boolean rows; falls back to BFS counts for
    condensations above 4000 components.
    """
    n = g.vcount()
    if not g.is_directed():
        memb = np.asarray(g.connected_components().membership)
        sizes = np.bincount(memb)
        return sizes[memb] - 1
    scc = g.connected_components(mode="strong")
    memb = np.asarray(scc.membership)
    k = len(scc)
    if k == 1:
        return np.full(n, n - 1)
    if k > 4000:
        return np.asarray(g.neighborhood_size(order=n, mode=mode)) - 1
    sizes = np.bincount(memb, minlength=k)
    src = memb[[e.source for e in g.es]] if g.ecount() else np.array([], int)
    dst = memb[[e.target for e in g.es]] if g.ecount() else np.array([], int)
    keep = src != dst
    if mode == "in":
        src, dst = dst, src
    succ: list[set[int]] = [set() for _ in range(k)]
    for a, b in zip(src[keep], dst[keep]):
        succ[a].add(int(b))
    cg = ig.Graph(n=k, edges=[(a, b) for a in range(k) for b in succ[a]], directed=True)
    order = cg.topological_sorting(mode="out")
    reach = np.zeros((k, k), dtype=bool)
    for c in reversed(order):
        reach[c, c] = True
        for s in succ[c]:
            reach[c] |= reach[s]
    counts = reach.astype(np.int64) @ sizes
    return counts[memb] - 1


def _closeness_from(farness: np.ndarray, reach: np.ndarray, n: int, convention: str) -> np.ndarray:
    farness = np.asarray(farness, float)
    reach = np.asarray(reach, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if convention == "wf":
            c = np.where(reach > 0, (reach / (n - 1)) * (reach / farness), 0.0)
        elif convention == "reachable":
            c = np.where(reach > 0, reach / farness, np.nan)
        elif convention == "ucinet":
            c = (n - 1) / (farness + (n - 1 - reach) * n)
        elif convention == "strict":
            c = np.where(reach == n - 1, (n - 1) / farness, np.nan)
        else:
            raise CultnetError(f"unknown closeness convention '{convention}': use one of "
                               f"{CLOSENESS_CONVENTIONS}")
    if n <= 1:
        c = np.full_like(farness, np.nan)
    return c


def _path_stats(g: ig.Graph, lengths, mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """farness (sum of finite distances), reach count, harmonic sum, in direction ``mode``."""
    n = g.vcount()
    reach = _reach_counts(g, mode)
    c = np.asarray(g.closeness(mode=mode, weights=lengths, normalized=True), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = np.where(reach > 0, reach / c, 0.0)
    if lengths is None:
        far = np.rint(far)
    h = np.asarray(g.harmonic_centrality(mode=mode, weights=lengths, normalized=False), dtype=float)
    return far, reach, h


def _undirected(g: ig.Graph) -> ig.Graph:
    if not g.is_directed():
        u = g.copy()
        u.simplify(multiple=True, loops=True, combine_edges="sum")
        return u
    return g.as_undirected(mode="collapse", combine_edges="sum") if "weight" in g.es.attributes() \
        else g.as_undirected(mode="collapse")


def node_measures(g: ig.Graph, *, closeness: str = "wf", weighted_paths: bool = False,
                  damping: float = 0.85, _cache: dict | None = None) -> pd.DataFrame:
    r"""Per-node measures, one row per node, in the conventions of the module docstring.

    Parameters
    ----------
    g : igraph Graph, directed or not; vertex attribute ``name`` (else the index is used),
        optional edge attribute ``weight`` (a strength, not a length).
    closeness : ``"wf"`` (default), ``"reachable"``, ``"ucinet"`` or ``"strict"``; only matters
        when the graph is not strongly connected.
    weighted_paths : use path length 1/weight for betweenness, closeness and harmonic
        closeness (default: unweighted).
    damping : PageRank damping factor.

    Returns
    -------
    DataFrame with columns name, out_degree, in_degree, degree, out_degree_norm, in_degree_norm,
    degree_norm, out_strength, in_strength, betweenness (fraction of the maximum),
    betweenness_raw, closeness_in, closeness_out, harmonic_in, harmonic_out, farness_in,
    farness_out, reach_in, reach_out, pagerank, eigenvector, clustering, coreness.

    Examples
    --------
    A directed 3-cycle is strongly connected: closeness is (n-1)/farness = 2/3 everywhere, and
    each node is the middle of exactly one geodesic (e.g. 0->1->2): raw betweenness 1, divided
    by (n-1)(n-2) = 2.

    >>> import igraph as ig
    >>> g = ig.Graph(n=3, edges=[(0, 1), (1, 2), (2, 0)], directed=True)
    >>> m = node_measures(g)
    >>> m[["closeness_out", "closeness_in", "betweenness_raw", "betweenness"]].round(4).values.tolist()[0]
    [0.6667, 0.6667, 1.0, 0.5]
    """
    if closeness not in CLOSENESS_CONVENTIONS:
        raise CultnetError(f"unknown closeness convention '{closeness}': use one of {CLOSENESS_CONVENTIONS}")
    n = g.vcount()
    directed = g.is_directed()
    lengths = _lengths(g, weighted_paths)
    has_w = "weight" in g.es.attributes()
    w = g.es["weight"] if has_w else None

    u = _undirected(g)
    if directed:
        outd = np.asarray(g.degree(mode="out", loops=False))
        ind = np.asarray(g.degree(mode="in", loops=False))
        outs = np.asarray(g.strength(mode="out", weights=w, loops=False), float)
        ins = np.asarray(g.strength(mode="in", weights=w, loops=False), float)
    else:
        outd = ind = np.asarray(u.degree())
        outs = ins = np.asarray(g.strength(weights=w, loops=False), float)
    deg = np.asarray(u.degree())

    raw_b = np.asarray(g.betweenness(directed=directed, weights=lengths), float)
    bmax = (n - 1) * (n - 2) if directed else (n - 1) * (n - 2) / 2
    b = raw_b / bmax if bmax > 0 else np.zeros(n)

    if directed:
        far_o, r_o, h_o = _path_stats(g, lengths, "out")
        far_i, r_i, h_i = _path_stats(g, lengths, "in")
    else:
        far_o, r_o, h_o = _path_stats(g, lengths, "all")
        far_i, r_i, h_i = far_o, r_o, h_o
    cl_o = _closeness_from(far_o, r_o, n, closeness)
    cl_i = _closeness_from(far_i, r_i, n, closeness)
    norm = max(n - 1, 1)

    pr = np.asarray(g.pagerank(directed=directed, damping=damping), float) if n else np.array([])
    strongly = n > 0 and (g.is_connected(mode="strong") if directed else g.is_connected())
    if strongly and g.ecount():
        ev = np.asarray(g.eigenvector_centrality(directed=True) if directed
                        else g.eigenvector_centrality(), float)
    else:
        ev = np.full(n, np.nan)
    clus = np.asarray(u.transitivity_local_undirected(mode="zero"), float)
    core = np.asarray(u.coreness())

    df = pd.DataFrame({
        "name": _names(g), "out_degree": outd, "in_degree": ind, "degree": deg,
        "out_degree_norm": outd / norm, "in_degree_norm": ind / norm, "degree_norm": deg / norm,
        "out_strength": outs, "in_strength": ins,
        "betweenness": b, "betweenness_raw": raw_b,
        "closeness_in": cl_i, "closeness_out": cl_o,
        "harmonic_in": h_i / norm, "harmonic_out": h_o / norm,
        "farness_in": far_i, "farness_out": far_o,
        "reach_in": np.asarray(r_i, int), "reach_out": np.asarray(r_o, int),
        "pagerank": pr, "eigenvector": ev, "clustering": clus, "coreness": core,
    })
    if _cache is not None:
        _cache.update(u=u, strongly=strongly, lengths=lengths)
    return df


def _centralization(x: np.ndarray, denom: float) -> float:
    if len(x) == 0 or denom <= 0:
        return float("nan")
    return float(np.sum(np.max(x) - x) / denom)


def graph_measures(g: ig.Graph, *, weighted_paths: bool = False, closeness: str = "wf",
                   nodes: pd.DataFrame | None = None, _cache: dict | None = None) -> dict[str, Any]:
    r"""Whole-network measures (conventions in :func:`conventions`).

    Keys: nodes, arcs, directed, density, reciprocity, weak_components, strong_components,
    strongly_connected, diameter, avg_path_length, global_efficiency, transitivity,
    avg_clustering, degree_centralization, out_degree_centralization,
    in_degree_centralization, betweenness_centralization, weighted_paths,
    closeness_convention.

    >>> import igraph as ig
    >>> star = ig.Graph.Star(5, mode="undirected")
    >>> gm = graph_measures(star)
    >>> gm["degree_centralization"], gm["betweenness_centralization"], gm["density"]
    (1.0, 1.0, 0.4)
    """
    cache: dict = {} if _cache is None else _cache
    if nodes is None:
        nodes = node_measures(g, closeness=closeness, weighted_paths=weighted_paths, _cache=cache)
    n, m = g.vcount(), g.ecount()
    directed = g.is_directed()
    lengths = cache.get("lengths", _lengths(g, weighted_paths))
    u = cache["u"] if cache.get("u") is not None else _undirected(g)
    pairs = n * (n - 1)
    density = (m / pairs if directed else 2 * m / pairs) if pairs else float("nan")
    weak = len(g.connected_components(mode="weak")) if n else 0
    strong = len(g.connected_components(mode="strong")) if (n and directed) else weak
    reach_sum = float(nodes["reach_out"].sum())
    avg_path = float(nodes["farness_out"].sum() / reach_sum) if reach_sum else float("nan")
    diam = float(g.diameter(directed=directed, unconn=True, weights=lengths)) if m else 0.0
    if lengths is None:
        diam = int(diam)
    eff = float(nodes["harmonic_out"].mean()) if n > 1 else float("nan")
    deg = nodes["degree"].to_numpy(float)
    bdenom = (n - 1) ** 2 * (n - 2) if directed else (n - 1) ** 2 * (n - 2) / 2
    strongly = bool(n > 0 and strong == 1)
    out = {
        "nodes": n, "arcs": m, "directed": directed, "density": density,
        "reciprocity": float(g.reciprocity(ignore_loops=True)) if (m and directed) else (1.0 if m else float("nan")),
        "weak_components": weak, "strong_components": strong, "strongly_connected": strongly,
        "diameter": diam, "avg_path_length": avg_path, "global_efficiency": eff,
        "transitivity": float(u.transitivity_undirected()) if u.ecount() else 0.0,
        "avg_clustering": float(nodes["clustering"].mean()) if n else float("nan"),
        "degree_centralization": _centralization(deg, (n - 1) * (n - 2)),
        "out_degree_centralization": _centralization(nodes["out_degree"].to_numpy(float), (n - 1) ** 2),
        "in_degree_centralization": _centralization(nodes["in_degree"].to_numpy(float), (n - 1) ** 2),
        "betweenness_centralization": _centralization(nodes["betweenness_raw"].to_numpy(float), bdenom),
        "weighted_paths": weighted_paths,
        "closeness_convention": conventions(directed=directed, closeness=closeness,
                                            strongly_connected=strongly)["closeness_convention"],
    }
    if not strongly:
        out["closeness_note"] = (f"the network is not strongly connected ({strong} strong components): "
                                 "closeness conventions of UCINET, igraph and networkx differ; "
                                 f"cultnet uses '{closeness}'; harmonic closeness is given beside it")
    return out


@dataclass(frozen=True)
class NetworkReport:
    """Result of :func:`analyze_network`: whole-network values, node table, conventions."""

    graph: dict[str, Any]
    nodes: pd.DataFrame
    conventions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"graph": {..., "conventions": {...}}, "nodes": [{name, out_degree, ...}]}``;
        NaN becomes None."""
        g = {k: _plain(v) for k, v in self.graph.items()}
        g["conventions"] = dict(self.conventions)
        rows = [{k: _plain(v) for k, v in r.items()} for r in self.nodes.to_dict(orient="records")]
        return {"graph": g, "nodes": rows}

    def to_json(self, **kw: Any) -> str:
        """The JSON text of :meth:`to_dict` (the issue's ``{"graph": ..., "nodes": [...]}``)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    def to_frame(self) -> pd.DataFrame:
        return self.nodes.copy()


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def analyze_network(g: ig.Graph, *, closeness: str = "wf", weighted_paths: bool = False,
                    damping: float = 0.85) -> NetworkReport:
    """Node and whole-network measures of ``g`` in one pass (see :func:`node_measures`)."""
    cache: dict = {}
    nodes = node_measures(g, closeness=closeness, weighted_paths=weighted_paths, damping=damping,
                          _cache=cache)
    gm = graph_measures(g, weighted_paths=weighted_paths, closeness=closeness, nodes=nodes,
                        _cache=cache)
    conv = conventions(directed=g.is_directed(), closeness=closeness, weighted_paths=weighted_paths,
                       strongly_connected=gm["strongly_connected"])
    return NetworkReport(graph=gm, nodes=nodes, conventions=conv)


# ----------------------------------------------------------------------------------------------
def centrality_table(report: NetworkReport, *, closeness: str = "closeness_out",
                     closeness_scale: float = 100.0) -> pd.DataFrame:
    """The paper's Table 1 layout: City, Out-degree, In-degree, Centrality Degree, Betweenness
    Centrality (fraction of max), Closeness Centrality (``closeness`` column x
    ``closeness_scale``, percent like UCINET by default), plus an "Average" row.

    ``attrs["conventions"]`` states what each column is.
    """
    nd = report.nodes
    t = pd.DataFrame({
        "City": nd["name"], "Out-degree": nd["out_degree"].astype(float),
        "In-degree": nd["in_degree"].astype(float), "Centrality Degree": nd["degree"].astype(float),
        "Betweenness Centrality": nd["betweenness"],
        "Closeness Centrality": nd[closeness] * closeness_scale,
    })
    avg = t.drop(columns="City").mean(numeric_only=True)
    t = pd.concat([t, pd.DataFrame([{"City": "Average", **avg.to_dict()}])], ignore_index=True)
    t.attrs["conventions"] = {
        "Centrality Degree": report.conventions.get("degree", ""),
        "Betweenness Centrality": report.conventions.get("betweenness", ""),
        "Closeness Centrality": f"{closeness} x {closeness_scale:g}; "
                                + report.conventions.get(closeness, ""),
    }
    return t


def ucinet_table(report: NetworkReport) -> pd.DataFrame:
    """The same numbers in UCINET's output scales and names: OutDeg, InDeg, NrmOutDeg, NrmInDeg
    (x100), Degree, nDegree (x100), Betweenness (raw), nBetweenness (x100), inFarness /
    outFarness and inCloseness / outCloseness (x100) with unreachable nodes at distance n."""
    nd = report.nodes
    n = len(nd)
    ucl_in = _closeness_from(nd["farness_in"], nd["reach_in"], n, "ucinet")
    ucl_out = _closeness_from(nd["farness_out"], nd["reach_out"], n, "ucinet")
    return pd.DataFrame({
        "name": nd["name"], "OutDeg": nd["out_degree"], "InDeg": nd["in_degree"],
        "NrmOutDeg": 100 * nd["out_degree_norm"], "NrmInDeg": 100 * nd["in_degree_norm"],
        "Degree": nd["degree"], "nDegree": 100 * nd["degree_norm"],
        "Betweenness": nd["betweenness_raw"], "nBetweenness": 100 * nd["betweenness"],
        "inFarness": nd["farness_in"] + (n - 1 - nd["reach_in"]) * n,
        "outFarness": nd["farness_out"] + (n - 1 - nd["reach_out"]) * n,
        "inCloseness": 100 * ucl_in, "outCloseness": 100 * ucl_out,
    })


def pareto(series: pd.Series, *, name: str = "value") -> pd.DataFrame:
    """Pareto data (Figures 2-3): values sorted descending with share and cumulative share.

    >>> pareto(pd.Series({"a": 1.0, "b": 3.0})).values.tolist()
    [['b', 3.0, 0.75, 0.75], ['a', 1.0, 0.25, 1.0]]
    """
    s = pd.Series(series, dtype=float).dropna().sort_values(ascending=False, kind="mergesort")
    total = s.sum()
    share = s / total if total else s * np.nan
    return pd.DataFrame({"name": [str(i) for i in s.index], name: s.to_numpy(),
                         "share": share.to_numpy(), "cumulative_share": share.cumsum().to_numpy()})

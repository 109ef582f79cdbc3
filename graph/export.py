"""Conversion of edge/node frames to python-igraph graphs (how analysis/ reads the store)."""

from __future__ import annotations

import igraph as ig
import pandas as pd


def frame_to_igraph(edges: pd.DataFrame, nodes: pd.DataFrame | None = None, *,
                    directed: bool = True, weighted: bool = True, key: str | None = None) -> ig.Graph:
    """Build an igraph Graph from an edge frame (source, target, weight[, year, ...]).

    Vertices are every node of ``nodes`` (keyed by ``key``: ``name`` for cities, ``id`` for
    enterprises; default: ``name`` if present, else ``id``) plus every endpoint of ``edges``, in
    that order; vertex attribute ``name`` holds the key, other node columns become attributes.
    Parallel edges (e.g. the same pair in several years) are merged with their weights summed;
    ``weighted=False`` sets every weight to 1 after merging. Self-loops are dropped. For
    ``directed=False`` the pair (a, b) and (b, a) merge into one edge.

    >>> e = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "b"], "weight": [1.0, 2.0, 3.0]})
    >>> g = frame_to_igraph(e)
    >>> g.vcount(), g.ecount(), g.es["weight"]
    (3, 2, [4.0, 2.0])
    """
    names: list[str] = []
    attrs: dict[str, list] = {}
    if nodes is not None and len(nodes):
        key = key or ("name" if "name" in nodes.columns else "id")
        nodes = nodes.drop_duplicates(subset=[key])
        names = [str(x) for x in nodes[key]]
        for c in nodes.columns:
            if c != key:
                attrs[c] = list(nodes[c])
    index = {n: i for i, n in enumerate(names)}
    for col in ("source", "target"):
        for n in edges[col].astype(str) if len(edges) else []:
            if n not in index:
                index[n] = len(names)
                names.append(n)
    n_extra = len(names) - (len(next(iter(attrs.values()))) if attrs else 0)
    g = ig.Graph(n=len(names), directed=directed)
    g.vs["name"] = names
    for c, vals in attrs.items():
        g.vs[c] = vals + [None] * n_extra
    if len(edges):
        e = edges[["source", "target"]].astype(str).copy()
        e["weight"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(1.0).astype(float) \
            if "weight" in edges.columns else 1.0
        e = e[e["source"] != e["target"]]
        if not directed:
            a = e[["source", "target"]].min(axis=1)
            b = e[["source", "target"]].max(axis=1)
            e = e.assign(source=a, target=b)
        e = e.groupby(["source", "target"], sort=False, as_index=False)["weight"].sum()
        g.add_edges(list(zip(e["source"].map(index), e["target"].map(index))))
        g.es["weight"] = [float(w) for w in e["weight"]] if weighted else [1.0] * len(e)
    return g


def sorted_pairs(edges: pd.DataFrame) -> bool:
    """Whether every edge has its endpoints in sorted order (``source < target``).

    That is how the ETL stores an undirected edge list (each pair once, endpoints sorted; see
    :func:`cultnet.etl.validate.sum_duplicate_edges`). A directed list of three or more arcs almost
    never has this shape by chance, so it is the read-side test for "loaded as undirected" until
    the store records the direction per edge set (``Study.directed()``).
    """
    if edges is None or len(edges) < 3:
        return False
    return bool((edges["source"].astype(str) < edges["target"].astype(str)).all())


def stored_direction(edges: pd.DataFrame, *, level: str = "city", method: str | None = None) -> bool:
    """The direction of a stored edge set: gravity links are directed; any other edge set
    (enterprise COOPERATES, the city ``cooperation`` LINKS aggregated from them, ``observed``
    links) is undirected when it was loaded from an undirected file, i.e. stored in sorted pair
    order (:func:`sorted_pairs`), else directed.

    >>> e = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "c", "c"]})
    >>> stored_direction(e, method="observed"), stored_direction(e, method="gravity")
    (False, True)
    """
    if level == "city" and method == "gravity":
        return True
    return not sorted_pairs(edges)


def vertex_frame(names) -> pd.DataFrame:
    """A node frame (column ``name``) from the vertex labels of a file, e.g. a Pajek file's
    ``*Vertices`` (``edges.attrs["vertices"]`` from :func:`cultnet.etl.pajek.read_pajek`): isolated
    vertices stay nodes of the graph."""
    return pd.DataFrame({"name": [str(n) for n in names]})

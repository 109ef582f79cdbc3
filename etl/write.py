"""Write a network from the store to a file: Pajek, GraphML, GEXF or a CSV edge list.

Input is what the store returns: an edge frame (source, target, weight, year[, method]) and a
node frame (cities keyed by ``name``, enterprises by ``id``). For Pajek, GraphML and GEXF the
edges of several years between the same pair are summed into one arc (export one ``year`` to
avoid that); the CSV keeps one row per (source, target, year[, method]).

Direction: ``directed`` (required: the caller reads it from the store's edge set, see
:func:`cultnet.graph.export.stored_direction`) decides the whole file. Directed: Pajek ``*Arcs``,
GraphML ``edgedefault="directed"``, GEXF ``defaultedgetype="directed"``. Undirected: Pajek
``*Edges``, ``edgedefault="undirected"``, ``defaultedgetype="undirected"``, and the pairs (a, b)
and (b, a) are one edge (weights summed). Re-reading the file with networkx or igraph therefore
gives the same direction, and every measure computed on it is the same.

Nodes: every node of the node frame is written, also those without a link (isolated cities stay
vertices, so density and centralities computed on the file equal those computed on the store).

Pajek output: ``*Vertices n`` with every node in the node frame's order (then any endpoint not in
it), labels always double-quoted (a ``"`` inside a label becomes ``'``: Pajek has no escape),
then ``*Arcs`` or ``*Edges`` with weights. :func:`cultnet.etl.read.read_edge_file` reads it back
to the same edges and direction.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from cultnet.export_safety import neutralize_cell

EXPORT_FORMATS = ("pajek", "graphml", "gexf", "csv")


def write_network(edges: pd.DataFrame, nodes: pd.DataFrame | None, path: str | Path, fmt: str, *,
                  directed: bool, key: str = "name", comment: str | None = None) -> dict[str, int]:
    """Write ``edges``/``nodes`` to ``path`` in ``fmt``; returns ``{"nodes": n, "edges": m}``
    as written (the CSV keeps the stored rows and counts the nodes they name)."""
    path = Path(path)
    if fmt == "csv":
        return write_csv(edges, path)
    names, attrs = _nodes(edges, nodes, key)
    arcs = aggregate(edges, directed=directed)
    if fmt == "pajek":
        return write_pajek(names, arcs, path, comment=comment, directed=directed)
    if fmt in ("graphml", "gexf"):
        return _write_nx(names, attrs, arcs, path, fmt, directed=directed)
    raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")


def aggregate(edges: pd.DataFrame, *, directed: bool = True) -> pd.DataFrame:
    """Sum weights per (source, target) over years/methods; self-loops dropped. Undirected:
    per unordered pair, written with the endpoints in sorted order.

    >>> e = pd.DataFrame({"source": ["b", "a"], "target": ["a", "b"], "weight": [1.0, 2.0]})
    >>> aggregate(e, directed=False).values.tolist(), len(aggregate(e))
    ([['a', 'b', 3.0]], 2)
    """
    if not len(edges):
        return pd.DataFrame({"source": [], "target": [], "weight": []})
    e = edges[["source", "target"]].astype(str).copy()
    e["weight"] = pd.to_numeric(edges["weight"], errors="coerce").fillna(1.0).astype(float)
    e = e[e["source"] != e["target"]]
    if not directed:
        a, b = e["source"], e["target"]
        e = e.assign(source=a.where(a < b, b), target=b.where(a < b, a))
    return e.groupby(["source", "target"], sort=False, as_index=False)["weight"].sum()


def write_pajek(names: list[str], arcs: pd.DataFrame, path: Path, *, comment: str | None = None,
                directed: bool = True) -> dict[str, int]:
    """``*Vertices`` with quoted labels, then ``*Arcs i j weight`` (directed) or
    ``*Edges i j weight`` (undirected).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.net"
    >>> arcs = pd.DataFrame({"source": ["A"], "target": ["B b"], "weight": [2.5]})
    >>> write_pajek(["A", "B b"], arcs, p)
    {'nodes': 2, 'edges': 1}
    >>> print(p.read_text())
    *Vertices 2
    1 "A"
    2 "B b"
    *Arcs
    1 2 2.5
    <BLANKLINE>
    """
    index = {n: i for i, n in enumerate(names, 1)}
    lines = []
    if comment:
        lines += [f"% {ln}" for ln in comment.splitlines()]
    lines.append(f"*Vertices {len(names)}")
    for n, i in index.items():
        label = n.replace('"', "'").replace("\n", " ").replace("\r", " ")
        lines.append(f'{i} "{label}"')
    lines.append("*Arcs" if directed else "*Edges")
    for s, t, w in zip(arcs["source"], arcs["target"], arcs["weight"]):
        lines.append(f"{index[s]} {index[t]} {_num(w)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"nodes": len(names), "edges": len(arcs)}


def write_csv(edges: pd.DataFrame, path: Path) -> dict[str, int]:
    """source,target,weight,year[,method] as stored (UTF-8, header).

    Text cells that a spreadsheet would run as a formula (``=...``, ``-2+cmd|...``, ``@...``) get
    a leading ``'`` (:func:`cultnet.export_safety.neutralize_cell`, OWASP's CSV injection rule);
    numbers are written as numbers.
    """
    cols = [c for c in ("source", "target", "weight", "year", "method") if c in edges.columns]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for rec in edges[cols].itertuples(index=False):
            w.writerow([_num(x) if isinstance(x, float) else neutralize_cell(x) for x in rec])
    nodes = set(edges["source"]) | set(edges["target"]) if len(edges) else set()
    return {"nodes": len(nodes), "edges": len(edges)}


def _write_nx(names: list[str], attrs: dict[str, dict], arcs: pd.DataFrame, path: Path, fmt: str, *,
              directed: bool) -> dict[str, int]:
    import networkx as nx

    g = nx.DiGraph() if directed else nx.Graph()  # sets edgedefault / defaultedgetype
    for n in names:
        g.add_node(n, **attrs.get(n, {}))
    for s, t, w in zip(arcs["source"], arcs["target"], arcs["weight"]):
        g.add_edge(s, t, weight=float(w))
    if fmt == "graphml":
        nx.write_graphml(g, path)
    else:
        nx.write_gexf(g, path)
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}


def _nodes(edges: pd.DataFrame, nodes: pd.DataFrame | None, key: str) -> tuple[list[str], dict[str, dict]]:
    names: list[str] = []
    attrs: dict[str, dict] = {}
    if nodes is not None and len(nodes):
        if key not in nodes.columns:
            key = "name" if "name" in nodes.columns else "id"
        for rec in nodes.drop_duplicates(subset=[key]).to_dict("records"):
            n = str(rec.pop(key))
            names.append(n)
            attrs[n] = {k: _plain(v) for k, v in rec.items() if _plain(v) is not None}
    seen = set(names)
    for col in ("source", "target"):
        for n in edges[col].astype(str) if len(edges) else []:
            if n not in seen:
                seen.add(n)
                names.append(n)
    return names, attrs


def _plain(v):
    """Plain Python scalars for GraphML/GEXF; None for missing or unsupported values."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _num(w: float) -> str:
    w = float(w)
    return str(int(w)) if w.is_integer() and abs(w) < 1e15 else repr(w)

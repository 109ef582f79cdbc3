"""Turning driver values into plain Python for :class:`cultnet.graph.store.QueryResult` (both backends).

A node becomes ``{"_id", "_labels", **properties}``, a relationship ``{"_id", "_type", "_start",
"_end", **properties}``, a path ``{"nodes": [...], "relationships": [...]}``. Every node and
relationship seen is also collected for ``QueryResult.graph``:
``{"nodes": [{"id", "labels", "properties"}], "edges": [{"id", "type", "source", "target", "properties"}]}``.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any


class GraphCollector:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}

    def node(self, nid: Any, labels: list[str], props: dict[str, Any]) -> dict[str, Any]:
        nid = str(nid)
        props = {k: scalar(v) for k, v in props.items()}
        self.nodes.setdefault(nid, {"id": nid, "labels": list(labels), "properties": props})
        return {"_id": nid, "_labels": list(labels), **props}

    def edge(self, eid: Any, rtype: str, src: Any, dst: Any, props: dict[str, Any]) -> dict[str, Any]:
        eid, src, dst = str(eid), str(src), str(dst)
        props = {k: scalar(v) for k, v in props.items()}
        self.edges.setdefault(eid, {"id": eid, "type": rtype, "source": src, "target": dst,
                                    "properties": props})
        return {"_id": eid, "_type": rtype, "_start": src, "_end": dst, **props}

    def graph(self) -> dict | None:
        if not self.nodes and not self.edges:
            return None
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values())}


def scalar(v: Any) -> Any:
    """Plain JSON-friendly value for a property / scalar column."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, (list, tuple)):
        return [scalar(x) for x in v]
    if isinstance(v, dict):
        return {str(k): scalar(x) for k, x in v.items()}
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if hasattr(v, "iso_format"):  # neo4j.time types
        return v.iso_format()
    return str(v)


def is_nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)

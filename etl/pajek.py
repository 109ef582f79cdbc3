"""A strict reader for Pajek ``.net`` files.

cultnet does not use library readers: python-igraph 1.0.0 ``Read_Pajek`` segfaults on valid files
mixing an attributed arc, ``*Edges`` and ``*Arcslist`` and makes any file mixing ``*Arcs`` and
``*Edges`` undirected; networkx reads ``*Arcslist 1 2 3`` as one arc of weight 3 instead of arcs
1->2 and 1->3.

Supported
    - ``*Network name`` (ignored), ``*Vertices n``; ``*Vertices n m`` (two-mode) is refused.
    - vertex lines ``id "quoted label" [x y [z]] [attributes]`` or ``id label ...`` (unquoted
      label without spaces) or ``id`` alone; vertices not listed get their number as label.
      Labels must be unique (they become node names).
    - ``*Arcs`` / ``*Edges`` lines ``i j [weight] [attributes, e.g. c Blue]``; weight 1 when
      absent. ``*Arcs :2 "label"`` (multi-relational headers) are read as plain arcs.
    - ``*Arcslist`` / ``*Edgeslist`` lines ``i j k ...`` (arcs/edges i->j, i->k, weight 1).
    - ``*Matrix``: n rows of n numbers, one row per line; a non-zero cell (i, j) is an arc
      i -> j with that weight.
    - comments (``%``), blank lines, CRLF, section names in any case.

Directedness
    A network is directed when it has any arcs (``*Arcs``, ``*Arcslist``, ``*Matrix``). Edges of a
    directed network become two arcs, one each way, with the edge's weight. ``directed=False``
    reads arcs as edges; ``directed=True`` turns every edge into two arcs.

Errors (all collected, each with its line): vertex id out of range, vertex lines beyond the
declared count, duplicate vertex ids or labels, non-numeric weights, lines too short, text before
``*Vertices``, unknown or unsupported sections (``*Partition``, ``*Vector``, ...).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from cultnet.errors import Problem, ValidationError
from cultnet.etl.read import read_text

# Pajek arc/edge attribute keywords (Pajek manual, "Arc/edge description")
EDGE_KEYWORDS = {"w", "c", "p", "s", "a", "ap", "l", "lp", "lr", "lphi", "lc", "la", "lx",
                 "fos", "font", "h1", "h2", "a1", "k1", "k2", "ap1", "ap2"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_SECTIONS = {"*arcs": "arcs", "*edges": "edges", "*arcslist": "arcslist",
             "*edgeslist": "edgeslist", "*matrix": "matrix"}
_UNSUPPORTED = ("*partition", "*vector", "*cluster", "*permutation", "*hierarchy")


def read_pajek(path: str | Path, *, directed: bool | None = None) -> tuple[pd.DataFrame, bool]:
    """Read a Pajek ``.net`` file into an edge frame.

    Returns ``(edges, directed)``; ``edges`` has columns ``source``, ``target`` (vertex labels),
    ``weight`` (float), ``year`` (always 0) and ``line`` (where the arc/edge was read). The vertex
    labels in order are in ``edges.attrs["vertices"]`` (isolated vertices included).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.net"
    >>> _ = p.write_text('*Vertices 3\\n1 "A"\\n2 "B"\\n*Arcslist\\n1 2 3\\n*Edges\\n2 3 4\\n')
    >>> e, d = read_pajek(p)
    >>> e[["source", "target", "weight"]].values.tolist(), d
    ([['A', 'B', 1.0], ['A', '3', 1.0], ['B', '3', 4.0], ['3', 'B', 4.0]], True)
    """
    path = Path(path)
    name = path.name
    text, _enc = read_text(path)
    problems: list[Problem] = []

    def bad(line: int, reason: str, column: str | None = None) -> None:
        problems.append(Problem(name, line, column, reason))

    n: int | None = None
    labels: dict[int, str] = {}
    label_line: dict[str, int] = {}
    section: str | None = None
    rel: list[tuple[int, int, float, bool, int]] = []  # (i, j, w, is_arc, line)
    matrix_row = 0

    for lineno, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s or s.startswith("%"):
            continue
        if len(problems) > 200:
            break
        if s.startswith("*"):
            key = s.split()[0].lower()
            if key == "*network":
                section = "network"
                continue
            if key == "*vertices":
                parts = s.split()
                if n is not None:
                    bad(lineno, "a second *Vertices section: one network per file")
                    section = "skip"
                    continue
                if len(parts) < 2 or not parts[1].isdigit():
                    bad(lineno, f"*Vertices needs a vertex count, found {s!r}")
                    section = "skip"
                    n = 0
                    continue
                if len(parts) >= 3:
                    bad(lineno, f"two-mode network (*Vertices {parts[1]} {parts[2]}) is not "
                                "supported: give a one-mode network")
                    section = "skip"
                    n = int(parts[1])
                    continue
                n = int(parts[1])
                section = "vertices"
                continue
            if key in _SECTIONS:
                if n is None:
                    bad(lineno, f"{s.split()[0]} before *Vertices: not a Pajek .net network")
                    break
                section = _SECTIONS[key]
                matrix_row = 0
                continue
            if key in _UNSUPPORTED:
                bad(lineno, f"{s.split()[0]} sections (Pajek project files) are not supported: "
                            "give a .net network file")
                section = "skip"
                continue
            bad(lineno, f"unknown section {s.split()[0]!r}")
            section = "skip"
            continue
        if section in ("skip", "network"):
            continue
        if section is None:
            bad(lineno, "data before the *Vertices line")
            section = "skip"
            continue
        tokens, err = _tokens(s)
        if err:
            bad(lineno, err)
            continue
        assert n is not None
        if section == "vertices":
            vid = _int(tokens[0])
            if vid is None:
                bad(lineno, f"vertex id {tokens[0]!r} is not an integer")
                continue
            if not 1 <= vid <= n:
                bad(lineno, f"vertex id {vid} out of range 1..{n} (*Vertices says {n}): "
                            "wrong vertex count?")
                continue
            if vid in labels:
                bad(lineno, f"vertex {vid} listed twice")
                continue
            label = tokens[1] if len(tokens) > 1 else str(vid)
            if not label.strip():
                bad(lineno, f"vertex {vid} has an empty label")
                continue
            if label in label_line:
                bad(lineno, f"duplicate vertex label {label!r} (also on line {label_line[label]})")
                continue
            labels[vid] = label
            label_line[label] = lineno
        elif section in ("arcs", "edges"):
            if len(tokens) < 2:
                bad(lineno, f"{section[:-1]} line needs two vertex ids, found {s!r}")
                continue
            ij = [_vertex(t, n, lineno, bad) for t in tokens[:2]]
            if None in ij:
                continue
            w = 1.0
            if len(tokens) > 2 and tokens[2].lower() not in EDGE_KEYWORDS:
                w = _float(tokens[2])
                if w is None:
                    bad(lineno, f"weight {tokens[2]!r} is not a number", "3")
                    continue
            rel.append((ij[0], ij[1], w, section == "arcs", lineno))
        elif section in ("arcslist", "edgeslist"):
            ids = [_vertex(t, n, lineno, bad) for t in tokens]
            if None in ids:
                continue
            if len(ids) < 2:
                continue  # a vertex with no neighbours
            for j in ids[1:]:
                rel.append((ids[0], j, 1.0, section == "arcslist", lineno))
        elif section == "matrix":
            matrix_row += 1
            if matrix_row > n:
                bad(lineno, f"*Matrix has more than {n} rows")
                continue
            vals = [_float(t) for t in tokens]
            if len(vals) != n or None in vals:
                bad(lineno, f"*Matrix row {matrix_row} must hold {n} numbers, found {s!r}")
                continue
            for j, v in enumerate(vals, 1):
                if v != 0:
                    rel.append((matrix_row, j, v, True, lineno))

    if n is None and not problems:
        bad(1, "no *Vertices line: not a Pajek .net file")
    if problems:
        raise ValidationError(problems)
    assert n is not None
    names = [labels.get(i, str(i)) for i in range(1, n + 1)]
    clash = {x for x in names if names.count(x) > 1} if len(set(names)) < len(names) else set()
    if clash:
        c = sorted(clash)[0]
        raise ValidationError([Problem(name, label_line.get(c), None,
                                       f"vertex label {c!r} is also the number of an unlisted vertex; "
                                       "labels must be unique")])
    is_directed = any(r[3] for r in rel) if directed is None else bool(directed)
    out = []
    for i, j, w, arc, line in rel:
        out.append((names[i - 1], names[j - 1], w, line))
        if is_directed and not arc and i != j:
            out.append((names[j - 1], names[i - 1], w, line))
    df = pd.DataFrame({
        "source": pd.Series([o[0] for o in out], dtype=object),
        "target": pd.Series([o[1] for o in out], dtype=object),
        "weight": pd.Series([o[2] for o in out], dtype="float64"),
        "year": pd.Series([0] * len(out), dtype="int64"),
        "line": pd.Series([o[3] for o in out], dtype="int64"),
    })
    df.attrs.update({"file": name, "encoding": _enc, "vertices": names})
    return df, is_directed


def _tokens(s: str) -> tuple[list[str], str | None]:
    if s.count('"') % 2:
        return [], "unterminated double quote"
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(s)], None


def _int(t: str) -> int | None:
    return int(t) if re.fullmatch(r"\d+", t) else None


def _float(t: str) -> float | None:
    try:
        v = float(t)
    except ValueError:
        return None
    return v if not math.isnan(v) else v


def _vertex(t: str, n: int, lineno: int, bad) -> int | None:
    v = _int(t)
    if v is None:
        bad(lineno, f"vertex id {t!r} is not an integer")
        return None
    if not 1 <= v <= n:
        bad(lineno, f"vertex id {v} out of range 1..{n}")
        return None
    return v

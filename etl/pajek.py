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
    - comments (``%``), blank lines, CRLF, section names in any case. Lines end at ``\\n``,
      ``\\r\\n`` or ``\\r`` (U+2028 or U+0085 in a comment or a quoted label do not end a line).

Directedness
    A network is directed when it has any arcs (``*Arcs``, ``*Arcslist``, ``*Matrix``). Edges of a
    directed network become two arcs, one each way, with the edge's weight. ``directed=False``
    reads arcs as edges; ``directed=True`` turns every edge into two arcs.

Cost follows the file's size
    A declared count ``*Vertices n`` is refused at once when the file cannot describe that many
    vertices: ``n`` may be at most ``max(IMPLICIT_VERTICES, size // 2)`` for a file of ``size``
    bytes (a listed vertex, or a vertex's first mention on an arc line, takes at least two
    bytes: a digit and a separator). Vertices that the file never lists nor mentions (implicit
    isolates, as igraph writes unnamed graphs) are accepted up to :data:`IMPLICIT_VERTICES`.
    Label checks are linear (dictionaries). Numbers are ASCII digits (``*Vertices ²`` is a clear
    error).

Errors (all collected, each with its line): vertex id out of range, vertex lines beyond the
declared count, duplicate vertex ids or labels, non-numeric weights, lines too short, text before
``*Vertices``, unknown or unsupported sections (``*Partition``, ``*Vector``, ...).
"""

from __future__ import annotations

import re
from array import array
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from cultnet.errors import Problem, ValidationError
from cultnet.etl.cells import number_hint

#: Vertices a file may declare without listing or mentioning them (implicit isolates).
IMPLICIT_VERTICES = 100_000
MAX_PROBLEMS = 200

# Pajek arc/edge attribute keywords (Pajek manual, "Arc/edge description")
EDGE_KEYWORDS = {"w", "c", "p", "s", "a", "ap", "l", "lp", "lr", "lphi", "lc", "la", "lx",
                 "fos", "font", "h1", "h2", "a1", "k1", "k2", "ap1", "ap2"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_ASCII_INT = re.compile(r"[0-9]+")
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
    from cultnet.etl.read import Source, text_lines

    src = Source(path)
    df, is_directed, vertices = parse_pajek(text_lines(src), src, directed=directed)
    df = df.drop(columns="weight_bad").reset_index()[["source", "target", "weight", "year", "line"]]
    df.attrs.update({"file": src.name, "encoding": src.encoding, "vertices": vertices,
                     "sha256": src.sha256})
    return df, is_directed


def parse_pajek(lines: Iterator[str], src, *, directed: bool | None = None
                ) -> tuple[pd.DataFrame, bool, list[str]]:
    """Parse the decoded lines of a Pajek file (``src`` names it and gives its size).

    Returns ``(edges, directed, vertex labels)``; ``edges`` is indexed by line with columns
    ``source``, ``target``, ``weight``, ``year`` (0) and ``weight_bad`` (False). Raises
    ValidationError with every problem (at most :data:`MAX_PROBLEMS`)."""
    name = src.name
    size = int(getattr(src, "size", 0) or 0)
    problems: list[Problem] = []

    def bad(line: int, reason: str, column: str | None = None) -> None:
        problems.append(Problem(name, line, column, reason))

    n: int | None = None
    labels: dict[int, str] = {}
    label_line: dict[str, int] = {}
    section: str | None = None
    ri, rj, rarc, rline = array("q"), array("q"), array("b"), array("q")
    rw = array("d")
    matrix_row = 0
    broken = False

    for lineno, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s or s.startswith("%"):
            continue
        if len(problems) > MAX_PROBLEMS:
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
                if len(parts) < 2 or not _ASCII_INT.fullmatch(parts[1]):
                    what = (f"{parts[1]!r} is not a count written in ASCII digits 0-9"
                            if len(parts) >= 2 and any(ch.isdigit() and not ch.isascii() for ch in parts[1])
                            else f"found {s!r}")
                    bad(lineno, f"*Vertices needs a vertex count, {what}")
                    section = "skip"
                    n = 0
                    broken = True  # the rest cannot be checked against a count
                    continue
                n = int(parts[1])
                bound = max(IMPLICIT_VERTICES, size // 2)
                if len(parts) >= 3:
                    bad(lineno, f"two-mode network (*Vertices {parts[1]} {parts[2]}) is not "
                                "supported: give a one-mode network")
                    section = "skip"
                    n = n if n <= bound else 0
                    continue
                if n > bound:
                    bad(lineno, f"*Vertices {n:,} declares more vertices than a file of {size:,} bytes "
                                f"can describe (at most {bound:,}: a listed or mentioned vertex takes at "
                                f"least 2 bytes; up to {IMPLICIT_VERTICES:,} may be implicit): "
                                "a wrong count, or a truncated file?")
                    raise ValidationError(problems)
                section = "vertices"
                continue
            if key in _SECTIONS:
                if n is None:
                    bad(lineno, f"{s.split()[0]} before *Vertices: not a Pajek .net network")
                    break
                section = "skip" if broken else _SECTIONS[key]
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
                bad(lineno, f"vertex id {tokens[0]!r} is not an integer{_digits_hint(tokens[0])}")
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
                    bad(lineno, f"weight {tokens[2]!r} is not a number{number_hint(tokens[2])}", "3")
                    continue
            ri.append(ij[0]), rj.append(ij[1]), rw.append(w), rarc.append(section == "arcs"), rline.append(lineno)
        elif section in ("arcslist", "edgeslist"):
            ids = [_vertex(t, n, lineno, bad) for t in tokens]
            if None in ids:
                continue
            for j in ids[1:]:  # a line with one id: a vertex with no neighbours
                ri.append(ids[0]), rj.append(j), rw.append(1.0), rarc.append(section == "arcslist"), rline.append(lineno)
        elif section == "matrix":
            matrix_row += 1
            if matrix_row > n:
                bad(lineno, f"*Matrix has more than {n} rows")
                continue
            vals = [_float(t) for t in tokens]
            if len(vals) != n or None in vals:
                bad(lineno, f"*Matrix row {matrix_row} must hold {n} numbers, found {s[:60]!r}")
                continue
            for j, v in enumerate(vals, 1):
                if v != 0:
                    ri.append(matrix_row), rj.append(j), rw.append(v), rarc.append(True), rline.append(lineno)

    if n is None and not problems:
        bad(1, "no *Vertices line: not a Pajek .net file")
    if problems:
        raise ValidationError(problems)
    assert n is not None
    i = np.frombuffer(ri, dtype=np.int64) if len(ri) else np.zeros(0, np.int64)
    j = np.frombuffer(rj, dtype=np.int64) if len(rj) else np.zeros(0, np.int64)
    # implicit vertices: neither listed nor on any arc/edge line
    mentioned = np.union1d(np.unique(i), np.unique(j))
    known = len(np.union1d(mentioned, np.fromiter(labels, dtype=np.int64, count=len(labels))))
    implicit = n - known
    if implicit > IMPLICIT_VERTICES:
        raise ValidationError([Problem(
            name, None, None,
            f"*Vertices {n:,} but only {known:,} vertices are listed or on an arc/edge line: "
            f"{implicit:,} implicit isolated vertices, above the limit of {IMPLICIT_VERTICES:,} "
            "(a wrong count?); list the vertices or correct the count")])
    _label_clashes(labels, label_line, n, name)
    names = [labels.get(k) or str(k) for k in range(1, n + 1)]
    w = np.frombuffer(rw, dtype=np.float64) if len(rw) else np.zeros(0)
    arc = np.frombuffer(rarc, dtype=np.int8).astype(bool) if len(rarc) else np.zeros(0, bool)
    line = np.frombuffer(rline, dtype=np.int64) if len(rline) else np.zeros(0, np.int64)
    is_directed = bool(arc.any()) if directed is None else bool(directed)
    # each edge of a directed network is followed by its reverse arc
    twice = (~arc & (i != j)) if is_directed else np.zeros(len(i), bool)
    counts = 1 + twice.astype(np.int64)
    idx = np.repeat(np.arange(len(i)), counts)
    rev = np.zeros(len(idx), bool)
    if twice.any():
        rev[(np.cumsum(counts) - 1)[twice]] = True
    lab = np.asarray(names, dtype=object)
    src_ids = np.where(rev, j[idx], i[idx]) - 1
    dst_ids = np.where(rev, i[idx], j[idx]) - 1
    index = pd.Index(line[idx], name="line")
    df = pd.DataFrame({"source": pd.Series(lab[src_ids], dtype=object, index=index),
                       "target": pd.Series(lab[dst_ids], dtype=object, index=index),
                       "weight": w[idx], "year": np.zeros(len(idx), np.int64),
                       "weight_bad": np.zeros(len(idx), bool)}, index=index)
    return df, is_directed, names


def _label_clashes(labels: dict[int, str], label_line: dict[str, int], n: int, name: str) -> None:
    """A listed label that is the number of an unlisted vertex (which is labelled by its
    number) names two vertices. Linear in the number of listed vertices."""
    clashes = []
    for vid, label in labels.items():
        if _ASCII_INT.fullmatch(label) and label == str(int(label)):
            k = int(label)
            if k != vid and 1 <= k <= n and k not in labels:
                clashes.append(label)
    if clashes:
        clashes.sort(key=lambda x: label_line[x])
        problems = [Problem(name, label_line[c], None,
                            f"vertex label {c!r} is also the number of an unlisted vertex; "
                            "labels must be unique") for c in clashes[:MAX_PROBLEMS]]
        raise ValidationError(problems)


def _tokens(s: str) -> tuple[list[str], str | None]:
    if s.count('"') % 2:
        return [], "unterminated double quote"
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(s)], None


def _int(t: str) -> int | None:
    return int(t) if _ASCII_INT.fullmatch(t) else None


def _digits_hint(t: str) -> str:
    return " (ASCII digits 0-9)" if any(ch.isdigit() for ch in t) and not t.isascii() else ""


def _float(t: str) -> float | None:
    if not t.isascii() or "_" in t:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v  # NaN is reported by validation ("weight is NaN or missing")


def _vertex(t: str, n: int, lineno: int, bad) -> int | None:
    v = _int(t)
    if v is None:
        bad(lineno, f"vertex id {t!r} is not an integer{_digits_hint(t)}")
        return None
    if not 1 <= v <= n:
        bad(lineno, f"vertex id {v} out of range 1..{n}")
        return None
    return v

r"""Audit of reported centrality tables: every inconsistency that can be proved from the table.

Input: a table like the paper's Table 1 (city, out-degree, in-degree, degree, betweenness,
closeness; optionally an "Average" row). Each :class:`Finding` names the check, the city (or
None for whole-table findings), a severity and the reason:

* ``error``: no network can produce these numbers (under the column's stated meaning:
  degree = distinct neighbours, betweenness = fraction of its maximum);
* ``warning``: impossible under every standard convention (UCINET, Wasserman–Faust/networkx,
  igraph, harmonic), or a convention the table must state and does not;
* ``info``: what was checked and held.

Checks (n = number of cities):

1. Σ out-degree = Σ in-degree (both count the arcs of a directed network).
2. Σ degree is even (distinct-neighbour degree counts every connected pair twice).
3. Per node: max(out, in) <= degree <= out + in (out + in - degree = reciprocated neighbours,
   between 0 and min(out, in)); out, in, degree <= n - 1.
4. Betweenness is 0 for a node with in-degree 0, out-degree 0 or a single neighbour (it lies inside
   no path); relative betweenness lies in [0, 1] (or [0, 100] as a percentage).
5. Closeness: non-negative, at most 1 (100 %). A node with in-degree 0 (out-degree 0) is reached by
   (reaches) nobody, so the network is not strongly connected and a convention must be stated;
   its in- (out-) closeness is 0 or undefined under every convention except UCINET's distance-n
   substitution, which gives exactly 1/n. Any nonzero closeness is >= 1/n under all standard
   conventions (a node reaching anyone reaches a neighbour at distance 1).
6. Reported averages equal the column means within rounding (half a unit of the last printed
   digit of the average, plus half a unit of the values' last digit for non-count columns).
7. Realizability: the (out, in) pairs are digraphical (Fulkerson 1960; Chen 1966; Anstee 1982
   test, as used by Kleitman & Wang's construction), the degree sequence is graphical and the
   reciprocated-neighbour sequence out + in - degree is graphical (Erdős & Gallai 1960).

>>> t = pd.DataFrame({"city": ["a", "b"], "out_degree": [1, 0], "in_degree": [0, 0],
...                   "degree": [1, 0], "betweenness": [0, 0], "closeness": [0.5, 0]})
>>> [f.check for f in audit_centrality_table(t) if f.severity == "error"]
['sum_out_in', 'degree_sum_parity', 'digraphical', 'graphical_degree']
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from cultnet.errors import CultnetError

__all__ = ["Finding", "audit_centrality_table", "normalize_table", "is_digraphical", "is_graphical",
           "findings_frame"]

_ALIASES = {
    "city": "city", "name": "city", "node": "city", "region": "city", "": "city",
    "out_degree": "out_degree", "outdegree": "out_degree", "outdeg": "out_degree", "out": "out_degree",
    "in_degree": "in_degree", "indegree": "in_degree", "indeg": "in_degree", "in": "in_degree",
    "degree": "degree", "centrality_degree": "degree", "degree_centrality": "degree",
    "betweenness": "betweenness", "betweenness_centrality": "betweenness",
    "relative_betweenness": "betweenness", "closeness": "closeness",
    "closeness_centrality": "closeness",
}
COLUMNS = ("out_degree", "in_degree", "degree", "betweenness", "closeness")


@dataclass(frozen=True)
class Finding:
    """One audit result. ``city`` is None for whole-table findings."""

    city: str | None
    check: str
    severity: str          # "error" | "warning" | "info"
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    return pd.DataFrame([f.to_dict() for f in findings], columns=["city", "check", "severity", "message"])


# ---------------------------------------------------------------------------------------------
def is_digraphical(out: Sequence[int], inn: Sequence[int]) -> bool:
    """Fulkerson–Chen–Anstee: is there a simple digraph (no loops, no parallel arcs) with these
    out- and in-degrees?

    >>> is_digraphical([1, 1, 1], [1, 1, 1]), is_digraphical([2, 0], [0, 2])
    (True, False)
    """
    a = np.asarray(out, int)
    b = np.asarray(inn, int)
    n = len(a)
    if len(b) != n or (a < 0).any() or (b < 0).any() or a.sum() != b.sum():
        return False
    order = np.lexsort((-b, -a))            # out-degree descending, ties by in-degree descending
    a, b = a[order], b[order]
    for k in range(1, n + 1):
        lhs = a[:k].sum()
        rhs = np.minimum(b[:k], k - 1).sum() + np.minimum(b[k:], k).sum()
        if lhs > rhs:
            return False
    return True


def is_graphical(deg: Sequence[int]) -> bool:
    """Erdős–Gallai: is there a simple undirected graph with this degree sequence?

    >>> is_graphical([2, 2, 2]), is_graphical([3, 1, 1]), is_graphical([1, 1, 1])
    (True, False, False)
    """
    d = np.sort(np.asarray(deg, int))[::-1]
    n = len(d)
    if (d < 0).any() or d.sum() % 2:
        return False
    for k in range(1, n + 1):
        if d[:k].sum() > k * (k - 1) + np.minimum(d[k:], k).sum():
            return False
    return True


def _decimals(v) -> int:
    if isinstance(v, str):
        s = v.strip()
        return len(s.split(".")[1]) if "." in s else 0
    x = float(v)
    for d in range(0, 7):
        if abs(round(x, d) - x) < 1e-12:
            return d
    return 6


def normalize_table(df: pd.DataFrame) -> tuple[pd.DataFrame, dict | None, dict[str, int]]:
    """Map column names to city/out_degree/in_degree/degree/betweenness/closeness, split off an
    "Average"/"Mean" row, convert to numbers. Returns (table, average row or None, decimals per
    column as printed)."""
    ren = {}
    for c in df.columns:
        key = re.sub(r"[^a-z]+", "_", str(c).strip().lower()).strip("_")
        if key.startswith("unnamed"):
            key = ""
        if key in _ALIASES:
            ren[c] = _ALIASES[key]
    t = df.rename(columns=ren)
    if "city" not in t.columns:
        t = t.rename(columns={t.columns[0]: "city"})
    missing = [c for c in ("out_degree", "in_degree") if c not in t.columns]
    if missing:
        raise CultnetError(f"the table needs out-degree and in-degree columns; missing {missing} "
                           f"(columns found: {list(df.columns)})")
    t["city"] = t["city"].astype(str).str.strip()
    is_avg = t["city"].str.lower().isin(["average", "mean", "avg", "平均", "平均值"])
    avg_row = t[is_avg]
    t = t[~is_avg].reset_index(drop=True)
    cols = [c for c in COLUMNS if c in t.columns]
    decimals = {c: max((_decimals(v) for v in t[c] if str(v).strip() not in ("", "nan")), default=0)
                for c in cols}
    average = None
    if len(avg_row):
        r = avg_row.iloc[0]
        average = {c: (float(r[c]), _decimals(r[c])) for c in cols if str(r[c]).strip() not in ("", "nan")}
    for c in cols:
        t[c] = pd.to_numeric(t[c], errors="coerce")
        bad = t.loc[t[c].isna(), "city"].tolist()
        if bad:
            raise CultnetError(f"column '{c}' is not numeric for {bad}")
    return t, average, decimals


def audit_centrality_table(df: pd.DataFrame) -> list[Finding]:
    """Every inconsistency provable from a reported centrality table (module docstring)."""
    t, average, dec = normalize_table(df)
    F: list[Finding] = []
    n = len(t)
    has = set(t.columns)
    out, inn = t["out_degree"].to_numpy(float), t["in_degree"].to_numpy(float)
    city = t["city"].tolist()
    so, si = out.sum(), inn.sum()

    # 1. sums
    if so != si:
        F.append(Finding(None, "sum_out_in", "error",
                         f"sum of out-degrees = {so:g} but sum of in-degrees = {si:g}: every arc has one "
                         "sender and one receiver, so the two sums are the number of arcs and must be "
                         "equal in any directed network"))
    else:
        F.append(Finding(None, "sum_out_in", "info", f"sum of out-degrees = sum of in-degrees = {so:g}"))
    # 2. degree parity and dyad counts
    if "degree" in has:
        deg = t["degree"].to_numpy(float)
        sd = deg.sum()
        if sd % 2:
            F.append(Finding(None, "degree_sum_parity", "error",
                             f"sum of degrees (distinct neighbours) = {sd:g} is odd: each connected pair "
                             "of cities is counted once at each end, so the sum must be even"))
        mutual_total = (so + si - sd) / 2
        F.append(Finding(None, "dyads", "info",
                         f"implied dyads: {sd / 2:g} connected pairs, {mutual_total:g} reciprocated "
                         f"(from (sum out + sum in - sum degree)/2 = ({so:g}+{si:g}-{sd:g})/2)"))
    # 3. per-node bounds
    for i, c in enumerate(city):
        for col, v in (("out_degree", out[i]), ("in_degree", inn[i])) + \
                ((("degree", t["degree"].iloc[i]),) if "degree" in has else ()):
            if v > n - 1:
                F.append(Finding(c, "bound_n_minus_1", "error",
                                 f"{col} = {v:g} exceeds n-1 = {n - 1}: a node has at most n-1 neighbours"))
            if v < 0 or v != int(v):
                F.append(Finding(c, "integer_counts", "error", f"{col} = {v:g} is not a non-negative integer"))
        if "degree" in has:
            d = t["degree"].iloc[i]
            lo, hi = max(out[i], inn[i]), out[i] + inn[i]
            if d < lo:
                F.append(Finding(c, "degree_bounds", "error",
                                 f"degree {d:g} < max(out {out[i]:g}, in {inn[i]:g}) = {lo:g}: the {lo:g} "
                                 f"cities it {'sends to' if out[i] >= inn[i] else 'receives from'} are "
                                 f"distinct neighbours, so it has at least {lo:g} (equivalently out+in-degree "
                                 f"= {hi - d:g} reciprocated neighbours > min(out, in) = {min(out[i], inn[i]):g})"))
            elif d > hi:
                F.append(Finding(c, "degree_bounds", "error",
                                 f"degree {d:g} > out + in = {hi:g}: every neighbour sends or receives an arc"))
    # 4. betweenness
    if "betweenness" in has:
        b = t["betweenness"].to_numpy(float)
        scale = 100.0 if b.max() > 1 else 1.0
        if scale == 100.0:
            F.append(Finding(None, "betweenness_scale", "warning",
                             "betweenness values exceed 1: read as percentages of the maximum "
                             "(UCINET nBetweenness); the table should say so"))
        for i, c in enumerate(city):
            if b[i] < 0 or b[i] > scale:
                F.append(Finding(c, "betweenness_range", "error",
                                 f"relative betweenness {b[i]:g} outside [0, {scale:g}]; note the divisor "
                                 "2/(n^2-3n+2) is the undirected one and can exceed 1 on directed graphs"))
            if b[i] > 0 and (inn[i] == 0 or out[i] == 0):
                F.append(Finding(c, "betweenness_zero", "error",
                                 f"betweenness {b[i]:g} > 0 but {'in' if inn[i] == 0 else 'out'}-degree is 0: "
                                 "a node that no arc enters (or leaves) lies inside no directed path"))
            if "degree" in has and b[i] > 0 and t["degree"].iloc[i] <= 1:
                F.append(Finding(c, "betweenness_zero", "error",
                                 f"betweenness {b[i]:g} > 0 with a single neighbour: no shortest path "
                                 "passes through it"))
    # 5. closeness
    if "closeness" in has:
        cl = t["closeness"].to_numpy(float)
        cscale = 100.0 if cl.max() > 1 else 1.0
        for i, c in enumerate(city):
            if cl[i] < 0 or cl[i] > cscale:
                F.append(Finding(c, "closeness_range", "error",
                                 f"closeness {cl[i]:g} outside [0, {cscale:g}]"))
        src = [c for i, c in enumerate(city) if inn[i] == 0]
        snk = [c for i, c in enumerate(city) if out[i] == 0]
        if src or snk:
            F.append(Finding(None, "closeness_convention", "warning",
                             "the network is not strongly connected ("
                             + ", ".join(filter(None, [f"in-degree 0: {src}" if src else "",
                                                       f"out-degree 0: {snk}" if snk else ""]))
                             + "), so (n-1)/farness is undefined for some nodes and UCINET, igraph and "
                               "networkx disagree; the table must state its closeness convention and "
                               "direction (in or out)"))
            z_in = [(c, cl[city.index(c)]) for c in src if cl[city.index(c)] > 0]
            z_out = [(c, cl[city.index(c)]) for c in snk if cl[city.index(c)] > 0]
            ucinet = cscale / n
            bad_in = [c for c, v in z_in if abs(v - ucinet) > 0.5 * 10 ** -dec.get("closeness", 3)]
            bad_out = [c for c, v in z_out if abs(v - ucinet) > 0.5 * 10 ** -dec.get("closeness", 3)]
            if bad_in and bad_out:
                F.append(Finding(None, "closeness_direction", "warning",
                                 f"{bad_in} (in-degree 0) and {bad_out} (out-degree 0) all have nonzero "
                                 f"closeness other than {ucinet:.3f} (=1/n): as in-closeness the first must "
                                 "be 0/undefined, as out-closeness the second; no directed convention fits "
                                 "both"))
        low = [(c, cl[i]) for i, c in enumerate(city) if 0 < cl[i] < cscale / n - 0.5 * 10 ** -dec.get("closeness", 3)]
        if low:
            F.append(Finding(None, "closeness_minimum", "warning",
                             f"{len(low)} closeness value(s) are positive but below {cscale / n:.3f} "
                             f"(= 1/n, n={n}): {', '.join(f'{c} {v:g}' for c, v in low)}. Under every "
                             "standard convention a nonzero closeness is at least 1/n (UCINET substitutes "
                             "distance n: minimum exactly 1/n; Wasserman-Faust, harmonic: >= 1/(n-1); "
                             "igraph and strict (n-1)/farness: >= 2/n), since a node that reaches anyone "
                             "reaches a neighbour at distance 1"))
            for c, v in low:
                F.append(Finding(c, "closeness_minimum", "warning",
                                 f"closeness {v:g} is below {cscale / n:.3f} (= 1/n): no standard convention "
                                 "gives a value strictly between 0 and 1/n"))
    # 6. averages
    if average:
        for col, (rep, d_avg) in average.items():
            if col not in has:
                continue
            mean = float(t[col].mean())
            # counts are exact; other printed values carry up to half a unit of rounding each
            val_tol = 0.0 if col in ("out_degree", "in_degree", "degree") else 0.5 * 10 ** -dec.get(col, d_avg)
            tol = 0.5 * 10 ** -d_avg + val_tol + 1e-12
            if abs(mean - rep) > tol:
                F.append(Finding(None, "average", "error",
                                 f"reported average {col} {rep:g} but the column mean is {mean:.6g} "
                                 f"(tolerance {tol:.2g} for rounding)"))
            else:
                F.append(Finding(None, "average", "info",
                                 f"average {col} {rep:g} matches the column mean {mean:.4f}"))
    # 7. realizability
    oi = (out.round().astype(int), inn.round().astype(int))
    if is_digraphical(*oi):
        F.append(Finding(None, "digraphical", "info", "some simple digraph has these out- and in-degrees"))
    else:
        why = ("the sums differ" if so != si else
               "the Fulkerson-Chen-Anstee inequalities fail")
        F.append(Finding(None, "digraphical", "error",
                         f"no simple directed network has these out- and in-degree sequences ({why})"))
    if "degree" in has:
        deg = t["degree"].round().astype(int).to_numpy()
        if not is_graphical(deg):
            F.append(Finding(None, "graphical_degree", "error",
                             "no simple network has this degree (distinct-neighbour) sequence "
                             f"(Erdős-Gallai{'; its sum is odd' if deg.sum() % 2 else ''})"))
        mutual = oi[0] + oi[1] - deg
        if (mutual >= 0).all() and not is_graphical(mutual):
            F.append(Finding(None, "graphical_mutual", "error",
                             f"reciprocated-neighbour counts out+in-degree = {mutual.tolist()} are not "
                             "a graphical sequence (Erdős-Gallai)"))
    return F

r"""Node roles: core hub / bridge / sub-node / edge node, and the CONCOR four-block model.

City roles
----------
"Core hub / bridge / sub-node / edge node" has no standard definition in the literature; cultnet
derives it from an explicit rule on three measures of :mod:`cultnet.analysis.network`:
``degree`` (distinct neighbours), ``betweenness`` (fraction of its maximum) and ``closeness``
(harmonic closeness, mean of the in and out directions; defined on any network). With ``m`` the
mean and ``s`` the population standard deviation over the nodes, and ``k`` (default 1):

1. **core hub**: degree >= m_deg + k s_deg **and** betweenness >= m_btw + k s_btw;
2. **bridge** (not a hub): betweenness > m_btw **and** degree > m_deg (an above-average broker
   with above-average reach), or betweenness >= m_btw + k s_btw;
3. **edge node** (neither): degree <= m_deg - k s_deg, or closeness <= m_clo - k s_clo with
   betweenness below its mean;
4. **sub-node**: every other node.

Groups for the regional-heterogeneity regressions: core hub + bridge = "center", "sub-node",
"edge". On the paper's Table 1 this rule reproduces 13 of the 14 roles of the text (Liaoyang,
called a sub-node there, has above-average degree and betweenness and comes out a bridge).

Four-block model
----------------
CONCOR (Breiger, Boorman & Arabie 1975, J. Math. Psych. 12:328,
doi:10.1016/0022-2496(75)90028-0): stack [A; A^T] (diagonal cells missing), correlate its
columns (pairwise complete), iterate correlations of the correlation matrix until every entry is
+-1, split the columns by sign, and split each part again (depth 2 -> up to 4 blocks, UCINET's
default). Block roles (Wasserman & Faust 1994, ch. 16 positional analysis, as used in the
spatial-correlation literature): for block k with g_k of g nodes, expected internal ratio
(g_k - 1)/(g - 1), actual = arcs sent inside the block / all arcs sent by its members;
"receives few" = the block receives fewer arcs from other blocks than it sends to them.

================  ==========================  ======================
..                receives few external arcs  receives external arcs
================  ==========================  ======================
actual >= expect  bidirectional spillover     net beneficiary
actual <  expect  net spillover               broker
================  ==========================  ======================

Image matrix: block density above the whole-network density -> 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from cultnet.errors import CultnetError

__all__ = ["city_roles", "roles_from_measures", "block_model", "concor", "BlockModelResult",
           "ROLES", "GROUPS"]

ROLES = ("core hub", "bridge", "sub-node", "edge node")
GROUPS = {"core hub": "center", "bridge": "center", "sub-node": "sub-node", "edge node": "edge"}


def roles_from_measures(df: pd.DataFrame, *, k: float = 1.0) -> pd.DataFrame:
    """Apply the role rule of the module docstring to a frame with ``name``, ``degree``,
    ``betweenness``, ``closeness``.

    Returns the frame with ``role``, ``group`` and the thresholds used (``deg_high``,
    ``deg_mean``, ``deg_low``, ``btw_high``, ``btw_mean``, ``clo_low``).

    >>> d = pd.DataFrame({"name": list("abcd"), "degree": [3, 2, 2, 1],
    ...                   "betweenness": [0.8, 0.1, 0.1, 0.0], "closeness": [1, .7, .7, .5]})
    >>> roles_from_measures(d)["role"].tolist()
    ['core hub', 'sub-node', 'sub-node', 'edge node']
    """
    out = df[["name", "degree", "betweenness", "closeness"]].copy()
    d = out["degree"].astype(float)
    b = out["betweenness"].astype(float)
    c = out["closeness"].astype(float)
    md, sd = d.mean(), d.std(ddof=0)
    mb, sb = b.mean(), b.std(ddof=0)
    mc, sc = c.mean(), c.std(ddof=0)
    eps = 1e-12
    hub = (d >= md + k * sd - eps) & (b >= mb + k * sb - eps)
    bridge = ~hub & (((b > mb + eps) & (d > md + eps)) | (b >= mb + k * sb - eps))
    edge = ~hub & ~bridge & ((d <= md - k * sd + eps) | ((c <= mc - k * sc + eps) & (b < mb)))
    role = np.where(hub, "core hub", np.where(bridge, "bridge", np.where(edge, "edge node", "sub-node")))
    out["role"] = role
    out["group"] = [GROUPS[r] for r in role]
    out["deg_high"], out["deg_mean"], out["deg_low"] = md + k * sd, md, md - k * sd
    out["btw_high"], out["btw_mean"] = mb + k * sb, mb
    out["clo_low"] = mc - k * sc
    out.attrs["rule"] = (f"core hub: degree >= mean+{k:g}sd and betweenness >= mean+{k:g}sd; bridge: "
                         f"betweenness and degree above their means, or betweenness >= mean+{k:g}sd; "
                         f"edge node: degree <= mean-{k:g}sd, or closeness <= mean-{k:g}sd with "
                         "betweenness below its mean; sub-node: the rest (population sd)")
    return out


def city_roles(g: ig.Graph, *, k: float = 1.0) -> pd.DataFrame:
    """Roles of the nodes of ``g`` by the documented rule (module docstring).

    Columns: name, role, group, degree, betweenness, closeness (harmonic, mean of in and out),
    and the thresholds. ``attrs["rule"]`` states the rule.
    """
    from cultnet.analysis.network import node_measures

    nm = node_measures(g)
    df = pd.DataFrame({"name": nm["name"], "degree": nm["degree"], "betweenness": nm["betweenness"],
                       "closeness": (nm["harmonic_in"] + nm["harmonic_out"]) / 2})
    r = roles_from_measures(df, k=k)
    cols = ["name", "role", "group", "degree", "betweenness", "closeness"]
    out = r[cols + [c for c in r.columns if c not in cols]]
    out.attrs["rule"] = r.attrs["rule"]
    return out


# ------------------------------------------------------------------------------------------------
def _converge(C: np.ndarray, max_iter: int, tol: float) -> np.ndarray:
    for _ in range(max_iter):
        if np.all(np.abs(np.abs(C) - 1) < tol):
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            C = np.corrcoef(C)
        C = np.nan_to_num(C, nan=0.0)
    return C


def _split(M: np.ndarray, cols: list[int], max_iter: int, tol: float) -> tuple[list[int], list[int]]:
    sub = pd.DataFrame(M[:, cols])
    C = sub.corr().to_numpy()                  # pairwise complete observations
    C = np.nan_to_num(C, nan=0.0)
    np.fill_diagonal(C, 1.0)
    C = _converge(C, max_iter, tol)
    first = [cols[i] for i in range(len(cols)) if C[0, i] > 0]
    second = [cols[i] for i in range(len(cols)) if C[0, i] <= 0]
    return first, second


def concor(A: np.ndarray, *, depth: int = 2, max_iter: int = 200, tol: float = 1e-9) -> np.ndarray:
    """CONCOR block labels (0-based, in order of first appearance) for adjacency ``A``.

    >>> A = np.array([[0,1,1,1,1],[0,0,1,0,0],[0,1,0,1,0],[0,0,1,0,0],[1,1,1,1,0]])
    >>> concor(A, depth=1).tolist()
    [0, 1, 1, 1, 0]
    """
    A = np.asarray(A, float)
    n = A.shape[0]
    Ad = A.copy()
    np.fill_diagonal(Ad, np.nan)
    M = np.vstack([Ad, Ad.T])
    groups = [list(range(n))]
    for _ in range(depth):
        nxt = []
        for grp in groups:
            if len(grp) < 2:
                nxt.append(grp)
                continue
            a, b = _split(M, grp, max_iter, tol)
            nxt.extend([x for x in (a, b) if x])
        groups = nxt
    labels = np.empty(n, int)
    for i, grp in enumerate(sorted(groups, key=min)):
        labels[grp] = i
    return labels


@dataclass(frozen=True)
class BlockModelResult:
    """CONCOR blocks with their roles, density and image matrices."""

    membership: pd.DataFrame          # name, block, block_role
    blocks: pd.DataFrame              # block, size, members, sent_internal, sent_external,
    #                                   received_external, expected_ratio, actual_ratio, role
    density: pd.DataFrame             # block x block densities
    image: pd.DataFrame               # 0/1
    network_density: float
    criteria: str = ""
    depth: int = 2
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        return self.membership.copy()

    def to_dict(self) -> dict[str, Any]:
        return {"membership": self.membership.to_dict(orient="records"),
                "blocks": self.blocks.to_dict(orient="records"),
                "density": self.density.to_numpy().tolist(), "image": self.image.to_numpy().tolist(),
                "network_density": self.network_density, "criteria": self.criteria,
                "depth": self.depth, "notes": list(self.notes)}


def _block_role(actual: float, expected: float, few: bool) -> str:
    if actual >= expected:
        return "bidirectional spillover" if few else "net beneficiary"
    return "net spillover" if few else "broker"


def block_model(g: ig.Graph, *, depth: int = 2) -> BlockModelResult:
    """CONCOR block model of ``g`` (0/1 arcs; weights ignored) with block roles (module docstring)."""
    n = g.vcount()
    if n < 4:
        raise CultnetError(f"a block model needs at least 4 nodes, got {n}")
    A = np.asarray(g.get_adjacency().data, float)
    if not g.is_directed():
        A = np.maximum(A, A.T)
    A = (A > 0).astype(float)
    np.fill_diagonal(A, 0)
    names = [str(x) for x in (g.vs["name"] if "name" in g.vs.attributes() else range(n))]
    labels = concor(A, depth=depth)
    nb = labels.max() + 1
    dens_all = A.sum() / (n * (n - 1))
    rows = []
    D = np.zeros((nb, nb))
    for k in range(nb):
        S = labels == k
        gk = int(S.sum())
        sent_int = float(A[np.ix_(S, S)].sum())
        sent_tot = float(A[S].sum())
        sent_ext = sent_tot - sent_int
        recv_ext = float(A[np.ix_(~S, S)].sum())
        expected = (gk - 1) / (n - 1)
        actual = sent_int / sent_tot if sent_tot else 0.0
        rows.append({"block": k + 1, "size": gk, "members": ", ".join(np.asarray(names)[S]),
                     "sent_internal": int(sent_int), "sent_external": int(sent_ext),
                     "received_external": int(recv_ext), "expected_ratio": expected,
                     "actual_ratio": actual,
                     "role": _block_role(actual, expected, recv_ext < sent_ext)})
        for l in range(nb):
            T = labels == l
            cells = gk * (gk - 1) if k == l else gk * int(T.sum())
            D[k, l] = A[np.ix_(S, T)].sum() / cells if cells else 0.0
    blocks = pd.DataFrame(rows)
    idx = pd.Index(range(1, nb + 1), name="block")
    density = pd.DataFrame(D, index=idx, columns=idx)
    image = (density > dens_all).astype(int)
    role_of = dict(zip(blocks["block"], blocks["role"]))
    membership = pd.DataFrame({"name": names, "block": labels + 1,
                               "block_role": [role_of[b + 1] for b in labels]})
    notes = []
    if nb < 2 ** depth:
        notes.append(f"CONCOR produced {nb} blocks (a split left a block of one node or no split)")
    crit = ("CONCOR on [A; A^T] (diagonal missing), depth %d; expected internal ratio (g_k-1)/(g-1), "
            "actual = internal arcs sent / arcs sent; 'receives few' = external arcs received < "
            "external arcs sent; image: block density > network density %.4f" % (depth, dens_all))
    return BlockModelResult(membership=membership, blocks=blocks, density=density, image=image,
                            network_density=float(dens_all), criteria=crit, depth=depth,
                            notes=tuple(notes))

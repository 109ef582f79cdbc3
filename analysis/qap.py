r"""QAP correlation and MRQAP regression on dyadic (n x n) data, with vectorized permutations.

What is tested is a *dyadic* hypothesis: the cells ``y_ij`` of one network against the cells of
one or more explanatory matrices (distance, differences of city attributes, other networks). The
cells are not independent (every row and column shares a node), so classical p-values are too
small; the quadratic assignment procedure (QAP) draws the null distribution by relabelling the
nodes, i.e. permuting **rows and columns together** (Hubert 1987; Krackhardt 1987).

Cells used
----------
* directed data: the ``n(n-1)`` off-diagonal cells (the diagonal is never used);
* undirected data: each **unordered pair once** (``i < j``), ``n(n-1)/2`` cells. Every matrix
  must then be symmetric (the builders symmetrize stored networks and say so; ``ratio:COL`` is
  asymmetric and is refused).

A permutation maps the set of used cells onto itself, so sums over the cells (means, variances,
``y'y``) are invariant; only cross-products change. Every statistic below is computed from the
cross-products of the permuted matrix with fixed columns, gathered for a batch of permutations
at once (one fancy-indexing gather and one matrix product per batch): 2,000 permutations of a
300-city network take seconds (``benchmarks/qap.py``).

QAP correlation (:func:`qap_correlation`)
-----------------------------------------
Pearson ``r`` over the used cells for every pair of matrices; the first matrix of the pair is
permuted (UCINET QAP-Correlation, sna ``qaptest(gcor)``).

MRQAP (:func:`mrqap`)
---------------------
OLS of ``vec(y)`` on an intercept and ``vec(x_1) ... vec(x_k)`` over the used cells. The
coefficients, standard errors and R² are those of an ordinary regression on the vectorized
cells (tested against statsmodels to machine precision); only the p-values come from
permutations. Null hypotheses (``method``):

* ``"dsp"`` (default): Dekker, Krackhardt & Snijders (2007) double semi-partialling. For each
  term k, ``x_k`` is regressed on the other columns (intercept included), its residual matrix
  ``e_k`` is permuted and y is regressed on the other columns and the permuted ``e_k``; the
  statistic is the t-value of the permuted term. Robust to collinear predictors and to network
  autocorrelation (DKS 2007). R ``sna::netlm(nullhyp="qapspp")``; UCINET "Double
  Dekker Semi-Partialling".
* ``"y"``: Y-permutation (Krackhardt 1988): y is permuted, the predictors stay. UCINET
  "Y-permutation", sna ``nullhyp="qapy"``. Tests all terms against "y unrelated to every x".
* ``"x"``: X-permutation: each ``x_k`` in turn is permuted, the others stay (sna
  ``nullhyp="qapx"``). Not robust to collinearity; given for comparison.

Statistic: the t-value (``statistic="t"``, the pivotal statistic DKS recommend; sna's default)
or the raw coefficient (``"coef"``). The observed statistic is recomputed by the same code path
as the permuted ones (identity permutation) so that ties compare exactly.

p-values: ``p_value`` is two-sided, :math:`(1 + \#\{|T_\pi| \ge |T|\}) / (1 + P)` for ``P``
random permutations (Phipson & Smyth 2010: never zero); ``prop_ge`` and ``prop_le`` are the
proportions of permuted statistics as large / as small as the observed one (UCINET's
"Proportion As Large / As Small", sna's ``pgreq`` / ``pleeq``). When ``n! <= perms`` every
permutation is enumerated and the test is exact (``p = \#\{|T_\pi| \ge |T|\} / n!``, identity
included). R² has its own Y-permutation p-value ``r2_p_value`` (the null "y unrelated to all
x") whatever the method. Classical OLS p-values (t distribution, ``m - p`` d.f.) are shown beside
them for comparison only: they assume independent dyads.

Logistic MRQAP (``logit=True``): the same designs with a binary y, maximum likelihood by
Newton-Raphson (IRLS), Wald z as the pivotal statistic (sna ``netlogit`` uses the coefficient;
``statistic="coef"`` gives that). Fit: log-likelihood, null log-likelihood, McFadden pseudo-R²,
deviance, AIC. DSP residualizes ``x_k`` linearly (as sna does); the observed statistic is the
full-model z of ``x_k`` because the reparametrisation leaves the MLE unchanged.

Small networks: a province's n = 8-20 cities give n(n-1) = 56-380 ordered dyads, and each city
enters 2(n-1) of them; permutation tests on so few nodes have low power (a non-significant coefficient
is weak evidence of no effect). Results say so in ``notes``.

References
----------
Hubert, L. J. (1987). *Assignment Methods in Combinatorial Data Analysis*. Marcel Dekker.
Krackhardt, D. (1987). QAP partialling as a test of spuriousness. *Social Networks* 9, 171-186.
https://doi.org/10.1016/0378-8733(87)90012-8
Krackhardt, D. (1988). Predicting with networks: nonparametric multiple regression analysis of
dyadic data. *Social Networks* 10, 359-381. https://doi.org/10.1016/0378-8733(88)90004-4
Dekker, D., Krackhardt, D., & Snijders, T. A. B. (2007). Sensitivity of MRQAP tests to
collinearity and autocorrelation conditions. *Psychometrika* 72, 563-581.
https://doi.org/10.1007/s11336-007-9016-1
Butts, C. T. (2008). Social network analysis with sna. *J. Stat. Softw.* 24(6).
https://doi.org/10.18637/jss.v024.i06
Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero. *Stat. Appl.
Genet. Mol. Biol.* 9(1), 39. https://doi.org/10.2202/1544-6115.1585

>>> rng = np.random.default_rng(1)
>>> x = rng.normal(size=(8, 8)); y = 2.0 * x + rng.normal(size=(8, 8))
>>> r = mrqap(y, {"x": x}, perms=199, seed=0)
>>> bool(r.table.loc["x", "p_value"] <= 0.01), r.method, r.n_dyads
(True, 'dsp', 56)
"""

from __future__ import annotations

import difflib
import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from cultnet.errors import CultnetError, NotEnoughData

METHODS = ("dsp", "y", "x")
STATISTICS = ("t", "coef")
INTERCEPT = "(intercept)"
SPEC_KINDS = ("distance", "absdiff", "product", "ratio", "same", "network")
#: below this many nodes results carry the low-power note
LOW_POWER_NODES = 20
# memory for one batch of gathered cells (float64 values + int32 indices)
_BATCH_BYTES = 48_000_000

Progress = Callable[[int, int, str], None]

__all__ = ["qap_correlation", "mrqap", "mrqap_by_year", "permutations", "cell_mask",
           "QAPCorrelation", "MRQAPResult", "MRQAPYears", "DyadicData", "Spec", "parse_specs",
           "node_attributes", "dyadic_matrix", "edges_to_matrix", "build_dyadic_data",
           "METHODS", "STATISTICS", "SPEC_KINDS", "INTERCEPT", "Y_NETWORKS",
           "SpecChoices", "spec_choices", "check_specs", "StudyDyads", "study_dyads", "StudyQAP",
           "study_qap"]

_METHOD_TEXT = {
    "dsp": ("double semi-partialling (Dekker, Krackhardt & Snijders 2007): each x_k is regressed "
            "on the other predictors and its residual matrix is permuted (rows and columns "
            "together); sna netlm nullhyp='qapspp', UCINET 'Double Dekker Semi-Partialling'"),
    "y": ("Y-permutation (Krackhardt 1988): y's rows and columns are permuted together, the "
          "predictors stay; sna netlm nullhyp='qapy', UCINET 'Y-permutation'"),
    "x": ("X-permutation: each x_k in turn is permuted (rows and columns together), the other "
          "predictors stay; sna netlm nullhyp='qapx'; not robust to collinear predictors"),
}


# ================================================================================================
# cells and permutations
# ================================================================================================
def cell_mask(n: int, directed: bool = True) -> np.ndarray:
    """Boolean n x n mask of the cells used: off-diagonal (directed) or ``i < j`` (undirected).

    >>> cell_mask(3, directed=False).astype(int).tolist()
    [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    """
    if directed:
        return ~np.eye(n, dtype=bool)
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def permutations(n: int, perms: int, seed: int | Sequence[int] | None = 0) -> tuple[np.ndarray, bool]:
    """The node permutations of a test: ``(P x n int array, exact)``.

    When ``n! <= perms`` all ``n!`` permutations are enumerated (identity included) and
    ``exact`` is True; otherwise ``perms`` uniform random permutations are drawn with
    ``numpy.random.default_rng(seed)`` (each row by ``Generator.permuted``).

    >>> p, exact = permutations(3, 100); p.shape, exact
    ((6, 3), True)
    >>> permutations(10, 5, seed=1)[0].shape
    (5, 10)
    """
    if perms < 1:
        raise CultnetError(f"the number of permutations must be at least 1, got {perms}")
    if n <= 12 and math.factorial(n) <= perms:
        return np.array(list(itertools.permutations(range(n))), dtype=np.int64), True
    rng = np.random.default_rng(seed)
    return rng.permuted(np.tile(np.arange(n, dtype=np.int64), (int(perms), 1)), axis=1), False


class _Gatherer:
    """Cross-products of permuted matrices with fixed columns, batch by batch.

    For a permutation pi and matrix A, the permuted cell (i, j) is ``A[pi_i, pi_j]``. With the
    used cells (rows, cols) and fixed columns C (m x q), ``products(A, C)`` returns the P x q
    array ``sum_c A[pi_{rows_c}, pi_{cols_c}] C[c, :]`` for every permutation.
    """

    def __init__(self, n: int, mask: np.ndarray, perm: np.ndarray, batch: int | None = None):
        self.n = n
        self.rows, self.cols = np.nonzero(mask)
        self.m = len(self.rows)
        self.perm = perm.astype(np.int32) if n < 46_000 else perm
        self.rows = self.rows.astype(self.perm.dtype)
        self.cols = self.cols.astype(self.perm.dtype)
        self.P = len(perm)
        self.batch = int(batch) if batch else max(1, min(self.P, _BATCH_BYTES // (16 * max(self.m, 1))))

    def batches(self):
        for s in range(0, self.P, self.batch):
            p = self.perm[s:s + self.batch]
            yield s, p[:, self.rows] * self.n + p[:, self.cols]   # int32: n^2 < 2^31

    def products(self, mats: Sequence[np.ndarray], cols: Sequence[np.ndarray],
                 progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
        """For each (A, C) pair: the P x q cross-products; the flat cell indices of a batch of
        permutations are computed once and shared by all matrices."""
        outs = [np.empty((self.P, c.shape[1])) for c in cols]
        flats = [np.ascontiguousarray(a, dtype=float).ravel() for a in mats]
        for s, idx in self.batches():
            for k, (flat, c) in enumerate(zip(flats, cols)):
                outs[k][s:s + len(idx)] = flat[idx] @ c
            if progress is not None:
                progress(len(idx) * len(flats))
        return outs

    def values(self, mat: np.ndarray):
        """Yield ``(start, B x m permuted cell values)`` batch by batch (for the logit fits)."""
        flat = np.ascontiguousarray(mat, dtype=float).ravel()
        for s, idx in self.batches():
            yield s, flat[idx]


def _tail_counts(dist: np.ndarray, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of permuted statistics >= obs, <= obs and |.| >= |obs| per column (ties included,
    with a relative tolerance of 1e-9 so that the identity permutation matches exactly). NaN
    permuted statistics count as extreme (conservative)."""
    tol = 1e-9 * np.maximum(1.0, np.abs(obs))
    nan = np.isnan(dist)
    d = np.where(nan, 0.0, dist)
    ge = ((d >= obs - tol) | nan).sum(axis=0)
    le = ((d <= obs + tol) | nan).sum(axis=0)
    ab = ((np.abs(d) >= np.abs(obs) - tol) | nan).sum(axis=0)
    return ge, le, ab


def _p_two_sided(count_abs: np.ndarray, P: int, exact: bool) -> np.ndarray:
    return count_abs / P if exact else (count_abs + 1.0) / (P + 1.0)


# ================================================================================================
# inputs
# ================================================================================================
def _as_matrix(name: str, a: Any, n: int | None, labels: list[str] | None) -> tuple[np.ndarray, list[str] | None]:
    if isinstance(a, pd.DataFrame):
        lab = [str(v) for v in a.index]
        if [str(c) for c in a.columns] != lab:
            if set(map(str, a.columns)) == set(lab):
                a = a.loc[:, a.index]
            else:
                raise CultnetError(f"matrix '{name}': its rows and columns name different nodes")
        if labels is not None and lab != labels:
            if set(lab) != set(labels):
                raise CultnetError(f"matrix '{name}' has other nodes than the first matrix")
            a = a.loc[labels, labels]
            lab = labels
        arr = a.to_numpy(dtype=float)
    else:
        arr, lab = np.asarray(a, dtype=float), labels
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise CultnetError(f"matrix '{name}' must be square (n x n), got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise CultnetError(f"matrix '{name}' is {arr.shape[0]} x {arr.shape[0]}; the others are {n} x {n}")
    return arr, lab


def _prepare(mats: Mapping[str, Any], directed: bool) -> tuple[dict[str, np.ndarray], list[str] | None, np.ndarray]:
    if not mats:
        raise CultnetError("QAP needs at least one matrix")
    out: dict[str, np.ndarray] = {}
    n, labels = None, None
    for name, a in mats.items():
        arr, lab = _as_matrix(name, a, n, labels)
        n = arr.shape[0]
        labels = labels if labels is not None else lab
        out[str(name)] = arr
    mask = cell_mask(n, directed)
    for name, arr in out.items():
        bad = ~np.isfinite(arr[mask])
        if bad.any():
            raise NotEnoughData(f"matrix '{name}' has {int(bad.sum())} missing or infinite cells; drop "
                                "the nodes without data first (build_dyadic_data does)")
        if not directed:
            scale = max(1.0, float(np.abs(arr[mask]).max()))
            if not np.allclose(arr, arr.T, rtol=1e-9, atol=1e-12 * scale, equal_nan=True):
                raise CultnetError(f"matrix '{name}' is not symmetric, but the data are undirected "
                                   "(each unordered pair is used once): symmetrize it or treat "
                                   "the data as directed")
    return out, labels, mask


def _size_notes(n: int, m: int, directed: bool, exact: bool, P: int) -> list[str]:
    notes = []
    cells = (f"directed: the {m} off-diagonal cells (ordered dyads) are used" if directed else
             f"undirected: each unordered pair is used once (i < j): {m} pairs")
    notes.append(cells)
    if n < LOW_POWER_NODES:
        notes.append(f"low power: n = {n} nodes give only {m} {'dyads' if directed else 'pairs'}, "
                     f"and each node enters {2 * (n - 1) if directed else n - 1} of them; QAP tests "
                     "on so few nodes rarely detect moderate effects, so a non-significant "
                     "coefficient is weak evidence of no effect")
    if exact:
        notes.append(f"exact test: all {P} = {n}! permutations enumerated; the smallest "
                     f"attainable p-value is {1 / P:.4g}")
        if 1 / P > 0.01:
            notes.append(f"with {n} nodes no p-value can fall below {1 / P:.3g}")
    return notes


# ================================================================================================
# QAP correlation
# ================================================================================================
@dataclass(frozen=True)
class QAPCorrelation:
    """QAP correlation matrix. Square frames indexed by variable: ``r`` (Pearson over the used
    cells), ``p_value`` (two-sided permutation p), ``prop_ge`` / ``prop_le`` (proportions of
    permuted r as large / as small), ``perm_mean`` / ``perm_sd`` of the permuted r."""

    variables: tuple[str, ...]
    r: pd.DataFrame
    p_value: pd.DataFrame
    prop_ge: pd.DataFrame
    prop_le: pd.DataFrame
    perm_mean: pd.DataFrame
    perm_sd: pd.DataFrame
    n_nodes: int
    n_dyads: int
    directed: bool
    perms: int
    exact: bool
    seed: Any
    notes: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: var1, var2, r, p_value, prop_ge, prop_le, perm_mean, perm_sd, reason."""
        rows = []
        for i, a in enumerate(self.variables):
            for b in self.variables[i + 1:]:
                rows.append({"var1": a, "var2": b, "r": self.r.loc[a, b],
                             "p_value": self.p_value.loc[a, b], "prop_ge": self.prop_ge.loc[a, b],
                             "prop_le": self.prop_le.loc[a, b], "perm_mean": self.perm_mean.loc[a, b],
                             "perm_sd": self.perm_sd.loc[a, b],
                             "reason": self.reasons.get(f"{a}|{b}", "")})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {"variables": list(self.variables), "pairs": _records(self.to_frame()),
                "n_nodes": self.n_nodes, "n_dyads": self.n_dyads, "directed": self.directed,
                "perms": self.perms, "exact": self.exact, "seed": _plain(self.seed),
                "permutation": "rows and columns of the first matrix of each pair permuted together",
                "p_value": _P_TEXT_EXACT if self.exact else _P_TEXT, "notes": list(self.notes)}

    def summary(self) -> str:
        t = self.to_frame()
        lines = [f"QAP correlation ({'exact, all ' if self.exact else ''}{self.perms} permutations, "
                 f"seed {self.seed}; {self.n_nodes} nodes, {self.n_dyads} "
                 f"{'dyads' if self.directed else 'pairs'})", ""]
        lines.append(_text_table(t.drop(columns=["reason"]), floatfmt=".4f"))
        lines += ["", _P_TEXT_EXACT if self.exact else _P_TEXT, *self.notes]
        return "\n".join(lines)


_P_TEXT = ("p_value: two-sided, (1 + #{|T_perm| >= |T|}) / (1 + permutations); prop_ge / prop_le: "
           "share of permuted statistics >= / <= the observed one")
_P_TEXT_EXACT = ("p_value: two-sided exact, #{|T_perm| >= |T|} / n! over all permutations; "
                 "prop_ge / prop_le: share of permuted statistics >= / <= the observed one")


def qap_correlation(matrices: Mapping[str, Any], *, directed: bool = True, perms: int = 2000,
                    seed: int | Sequence[int] | None = 0, progress: Progress | None = None,
                    _batch: int | None = None) -> QAPCorrelation:
    r"""QAP correlation matrix of two or more n x n matrices.

    ``r_ab`` is Pearson's correlation of the used cells (off-diagonal; ``i < j`` when
    ``directed=False``). Its null distribution permutes the rows and columns of ``a`` together
    (UCINET QAP-Correlation, sna ``qaptest(..., gcor)``), with the same permutations for every
    pair. See the module docstring for the p-value conventions.

    Parameters
    ----------
    matrices : name -> n x n array or labelled DataFrame (aligned by label).
    directed : use all off-diagonal cells (True) or each unordered pair once (False; the
        matrices must be symmetric).
    perms : number of random permutations (all n! when that is fewer).
    seed : seed of ``numpy.random.default_rng``.
    progress : optional ``progress(done, total, label)`` callback.

    Returns
    -------
    QAPCorrelation

    >>> a = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0]], float)
    >>> qc = qap_correlation({"a": a, "b": 2 * a}, directed=False)
    >>> round(float(qc.r.loc["a", "b"]), 12), qc.exact, qc.perms
    (1.0, True, 6)
    """
    mats, _, mask = _prepare(matrices, directed)
    names = list(mats)
    if len(names) < 2:
        raise CultnetError("QAP correlation needs at least two matrices")
    n = next(iter(mats.values())).shape[0]
    perm, exact = permutations(n, perms, seed)
    g = _Gatherer(n, mask, perm, _batch)
    m, P, q = g.m, g.P, len(names)
    if m < 3:
        raise NotEnoughData(f"QAP correlation needs at least 3 dyads; {n} nodes give {m}")
    cols, scaled, reasons = [], {}, {}
    for k in names:
        v = mats[k][mask]
        sd = v.std()
        if sd == 0:
            reasons[k] = "constant over the dyads: correlation undefined"
            z = np.zeros_like(v)
        else:
            z = (v - v.mean()) / (sd * math.sqrt(m))
        cols.append(z)
        s = np.zeros((n, n))
        s[mask] = z
        if not directed:
            s = s + s.T
        scaled[k] = s
    Z = np.column_stack(cols)
    R = Z.T @ Z
    shape = (q, q)
    p_val, pge, ple, pmean, psd = (np.full(shape, np.nan) for _ in range(5))
    pairs = [(i, j) for i in range(q) for j in range(i + 1, q)]
    done = [0]

    def tick(b: int) -> None:
        done[0] += b
        if progress is not None:
            progress(done[0], P * (q - 1), "QAP correlation")

    mats_in = [scaled[names[i]] for i in range(q - 1)]
    cols_in = [Z[:, i + 1:] for i in range(q - 1)]
    dists = g.products(mats_in, cols_in, progress=tick if progress else None)
    for i, j in pairs:
        d = dists[i][:, j - i - 1]
        obs = np.array([R[i, j]])
        ge, le, ab = _tail_counts(d[:, None], obs)
        p_val[i, j] = p_val[j, i] = _p_two_sided(ab, P, exact)[0]
        pge[i, j] = pge[j, i] = ge[0] / P
        ple[i, j] = ple[j, i] = le[0] / P
        pmean[i, j] = pmean[j, i] = d.mean()
        psd[i, j] = psd[j, i] = d.std(ddof=1) if P > 1 else np.nan
    bad = set(reasons)
    for i, j in pairs:
        if names[i] in bad or names[j] in bad:
            R[i, j] = R[j, i] = np.nan
            for arr in (p_val, pge, ple, pmean, psd):
                arr[i, j] = arr[j, i] = np.nan
            reasons[f"{names[i]}|{names[j]}"] = reasons.get(names[i]) or reasons.get(names[j])
    np.fill_diagonal(R, [1.0 if k not in bad else np.nan for k in names])

    def frame(a):
        return pd.DataFrame(a, index=names, columns=names)

    return QAPCorrelation(tuple(names), frame(R), frame(p_val), frame(pge), frame(ple),
                          frame(pmean), frame(psd), n, m, directed, P, exact, seed,
                          tuple(_size_notes(n, m, directed, exact, P)), reasons)


# ================================================================================================
# MRQAP
# ================================================================================================
@dataclass(frozen=True)
class MRQAPResult:
    """An MRQAP fit (OLS or logit) with its permutation test.

    ``table`` is indexed by term (``(intercept)`` first) with columns ``estimate``,
    ``std_estimate`` (beta * sd(x)/sd(y); OLS only), ``std_error`` (classical), ``statistic``
    (t or z), ``p_value`` (two-sided permutation), ``prop_ge``, ``prop_le``, ``perm_mean``,
    ``perm_sd`` (of the permuted statistic), ``p_classical`` (independent-dyads p, for comparison
    only) and ``reason`` (why a value is missing). ``fit`` holds R², adjusted R², their p-value
    and degrees of freedom (OLS) or llf, llnull, pseudo-R², deviance, AIC (logit).
    ``null_distribution`` holds the permuted statistics (permutations x tested terms).
    """

    model: str
    y: str
    terms: tuple[str, ...]
    table: pd.DataFrame
    fit: dict[str, Any]
    method: str
    statistic: str
    perms: int
    exact: bool
    seed: Any
    n_nodes: int
    n_dyads: int
    directed: bool
    notes: tuple[str, ...] = ()
    null_distribution: pd.DataFrame | None = None
    year: int | None = None

    @property
    def params(self) -> pd.Series:
        return self.table["estimate"]

    @property
    def method_text(self) -> str:
        return _METHOD_TEXT[self.method]

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, std_estimate, std_error, statistic, p_value,
        prop_ge, prop_le, perm_mean, perm_sd, p_classical, reason."""
        return self.table.reset_index(names="term")

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "y": self.y, "year": self.year, "method": self.method,
                "method_text": self.method_text, "statistic": self.statistic,
                "perms": self.perms, "exact": self.exact, "seed": _plain(self.seed),
                "n_nodes": self.n_nodes, "n_dyads": self.n_dyads, "directed": self.directed,
                "coefficients": _records(self.to_frame()),
                "fit": {k: _plain(v) for k, v in self.fit.items()},
                "p_value": _P_TEXT_EXACT if self.exact else _P_TEXT, "notes": list(self.notes)}

    def summary(self) -> str:
        head = (f"MRQAP ({'OLS' if self.model == 'ols' else 'logit'}) of {self.y}"
                f"{'' if self.year is None else f', {self.year}'}: {self.n_nodes} nodes, "
                f"{self.n_dyads} {'dyads' if self.directed else 'pairs'}; "
                f"{'exact, all ' if self.exact else ''}{self.perms} permutations, seed {self.seed}")
        t = self.to_frame().drop(columns=["reason"])
        lines = [head, "", _text_table(t, floatfmt=".4g"), ""]
        f = self.fit
        if self.model == "ols":
            lines.append(f"R² = {_fmt(f['r2'])}, adjusted R² = {_fmt(f['adj_r2'])} "
                         f"(df model {f['df_model']}, df resid {f['df_resid']}); "
                         f"R² Y-permutation p = {_fmt(f['r2_p_value'])}")
        else:
            lines.append(f"log-likelihood {_fmt(f['llf'])}, null {_fmt(f['llnull'])}, "
                         f"McFadden pseudo-R² = {_fmt(f['pseudo_r2'])}, deviance {_fmt(f['deviance'])}, "
                         f"AIC {_fmt(f['aic'])}")
        lines.append(f"null hypothesis: {self.method_text}")
        lines.append(f"statistic permuted: {self.statistic}; "
                     + (_P_TEXT_EXACT if self.exact else _P_TEXT))
        lines.append("p_classical: ordinary regression p-value assuming independent dyads "
                     "(shown for comparison only)")
        for name, reason in self.table["reason"].items():
            if reason:
                lines.append(f"{name}: {reason}")
        lines += list(self.notes)
        return "\n".join(lines)


@dataclass(frozen=True)
class MRQAPYears:
    """MRQAP run per year: ``results[year]`` and long / wide tables."""

    results: dict[int, MRQAPResult]
    skipped: dict[int, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per (year, term): year, term, estimate, std_estimate, statistic, p_value,
        prop_ge, prop_le, p_classical, r2 (or pseudo_r2), n_nodes, n_dyads, reason."""
        frames = []
        for year, r in sorted(self.results.items()):
            f = r.to_frame()
            f.insert(0, "year", year)
            fit_key = "r2" if r.model == "ols" else "pseudo_r2"
            f[fit_key] = r.fit.get(fit_key)
            f["n_nodes"], f["n_dyads"] = r.n_nodes, r.n_dyads
            frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["year", "term", "estimate", "p_value"])

    def wide(self, value: str = "estimate") -> pd.DataFrame:
        """Years x terms of one column of the coefficient table."""
        f = self.to_frame()
        return f.pivot(index="year", columns="term", values=value) if len(f) else f

    def to_dict(self) -> dict[str, Any]:
        return {"years": {str(y): r.to_dict() for y, r in sorted(self.results.items())},
                "skipped": {str(y): why for y, why in self.skipped.items()}}

    def summary(self) -> str:
        parts = [self.results[y].summary() for y in sorted(self.results)]
        parts += [f"{y}: skipped ({why})" for y, why in sorted(self.skipped.items())]
        return "\n\n".join(parts)


def mrqap(y: Any, x: Mapping[str, Any], *, directed: bool = True, method: str = "dsp",
          perms: int = 2000, seed: int | Sequence[int] | None = 0, statistic: str = "t",
          logit: bool = False, intercept: bool = True, y_name: str = "y",
          progress: Progress | None = None, year: int | None = None,
          notes: Sequence[str] = (), _batch: int | None = None) -> MRQAPResult:
    r"""Multiple-regression QAP: OLS (or logit) of y on the x matrices, permutation p-values.

    Parameters
    ----------
    y : n x n array or labelled DataFrame (rows send: ``y[i, j]`` is the tie i -> j).
    x : name -> n x n explanatory matrix, in the order of the table.
    directed : all off-diagonal cells (True) or each unordered pair once (False).
    method : ``"dsp"`` (default) | ``"y"`` | ``"x"``; see the module docstring.
    perms : number of random permutations (all n! when that is fewer).
    seed : seed of ``numpy.random.default_rng`` (the permutations are drawn once and used for
        every term).
    statistic : ``"t"`` (t or Wald z, the pivotal statistic; default) or ``"coef"``.
    logit : logistic MRQAP (y must be 0/1).
    intercept : include the intercept (default).
    progress : optional ``progress(done, total, label)`` callback.

    Returns
    -------
    MRQAPResult
    """
    if method not in METHODS:
        raise CultnetError(f"unknown MRQAP method {method!r}: use one of {', '.join(METHODS)}")
    statistic = {"z": "t", "pivotal": "t", "beta": "coef"}.get(statistic, statistic)
    if statistic not in STATISTICS:
        raise CultnetError(f"unknown statistic {statistic!r}: use t (pivotal) or coef")
    if not x:
        raise CultnetError("MRQAP needs at least one explanatory matrix")
    if INTERCEPT in x or y_name in x:
        raise CultnetError(f"an explanatory matrix cannot be called {INTERCEPT!r} or {y_name!r}")
    mats, labels, mask = _prepare({y_name: y, **dict(x)}, directed)
    Y = mats.pop(y_name)
    n = Y.shape[0]
    perm, exact = permutations(n, perms, seed)
    g = _Gatherer(n, mask, perm, _batch)
    m, P = g.m, g.P
    yv = Y[mask]
    notes = list(notes)
    if yv.std() == 0:
        raise NotEnoughData(f"{y_name} is constant over the {m} dyads: nothing to explain")
    binary = bool(np.isin(yv, (0.0, 1.0)).all())
    if logit and not binary:
        raise CultnetError(f"logistic MRQAP needs a 0/1 dependent variable; {y_name} has other "
                           "values (dichotomize it, or drop --logit)")
    if binary and not logit:
        notes.append(f"{y_name} is binary: OLS is a linear probability model here; the logistic "
                     "model (logit=True, --logit) may suit it better")

    # ---- design, with constant / collinear columns set aside (reason kept) -------------------
    names = ([INTERCEPT] if intercept else []) + list(mats)
    full = {INTERCEPT: np.where(mask, 1.0, 0.0)} if intercept else {}
    full.update(mats)
    reasons: dict[str, str] = {}
    kept: list[str] = []
    cols: list[np.ndarray] = []
    for name in names:
        v = full[name][mask]
        if name != INTERCEPT and v.std() == 0:
            reasons[name] = "constant over the dyads: not estimable"
            continue
        if cols:
            Q = np.column_stack(cols)
            resid = v - Q @ np.linalg.lstsq(Q, v, rcond=None)[0]
            if np.linalg.norm(resid) <= 1e-10 * max(np.linalg.norm(v), 1e-300):
                reasons[name] = f"collinear with {', '.join(kept)}: not estimable"
                continue
        kept.append(name)
        cols.append(v)
    if not [k for k in kept if k != INTERCEPT]:
        raise NotEnoughData("no explanatory matrix varies over the dyads: "
                            + "; ".join(f"{k}: {v}" for k, v in reasons.items()))
    X = np.column_stack(cols)
    p = X.shape[1]
    if m - p < 1:
        raise NotEnoughData(f"{m} dyads cannot support {p} coefficients (no residual degrees of freedom)")
    notes = _size_notes(n, m, directed, exact, P) + notes
    label = f"MRQAP {method}"
    n_tested = len(_tested(kept, method))
    passes = ((1 if method == "y" else n_tested) if logit else
              1 + (0 if method == "y" else len([k for k in kept if k != INTERCEPT])))
    total = P * passes
    done = [0]

    def tick(b: int) -> None:
        done[0] += b
        if progress is not None:
            progress(min(done[0], total), total, label)

    tick_cb = tick if progress else None
    if logit:
        table, fit, dist = _logit_mrqap(yv, Y, X, kept, mask, directed, g, method,
                                        statistic, exact, tick_cb, notes)
    else:
        table, fit, dist = _ols_mrqap(yv, Y, X, kept, mask, directed, g, method,
                                      statistic, exact, tick_cb)
    for name in names:
        if name not in table.index:
            table.loc[name] = np.nan
            table.loc[name, "reason"] = reasons[name]
    table = table.loc[names]
    table = table[[c for c in table.columns if c != "reason"] + ["reason"]]
    if progress is not None:
        progress(total, total, label)
    return MRQAPResult("logit" if logit else "ols", y_name, tuple(names), table, fit, method,
                       ("z" if logit else "t") if statistic == "t" else "coef", P, exact, seed, n,
                       m, directed, tuple(notes), dist, year)


def _cell_matrix(v: np.ndarray, n: int, mask: np.ndarray, directed: bool) -> np.ndarray:
    """Put cell values back into an n x n matrix (symmetric when undirected; zero diagonal)."""
    out = np.zeros((n, n))
    out[mask] = v
    return out if directed else out + out.T


def _tested(kept: list[str], method: str) -> list[str]:
    return [k for k in kept if not (method == "x" and k == INTERCEPT)]


def _finish_table(kept, est, se, stat_obs, dist, tested, exact, P, extra: dict[str, np.ndarray]):
    ge, le, ab = _tail_counts(dist, stat_obs) if len(tested) else (np.array([]),) * 3
    t = pd.DataFrame(index=pd.Index(kept, name="term"))
    t["estimate"] = est
    for k, v in extra.items():
        t[k] = v
    t["std_error"] = se
    t["statistic"] = est / se
    for col in ("p_value", "prop_ge", "prop_le", "perm_mean", "perm_sd"):
        t[col] = np.nan
    t["reason"] = ""
    if tested:
        t.loc[tested, "p_value"] = _p_two_sided(ab, P, exact)
        t.loc[tested, "prop_ge"] = ge / P
        t.loc[tested, "prop_le"] = le / P
        t.loc[tested, "perm_mean"] = np.nanmean(dist, axis=0)
        t.loc[tested, "perm_sd"] = np.nanstd(dist, axis=0, ddof=1) if P > 1 else np.nan
    for k in kept:
        if k not in tested:
            t.loc[k, "reason"] = ("not tested under X-permutation (permuting a constant matrix "
                                  "changes nothing)")
    return t


# ---- OLS --------------------------------------------------------------------------------------
def _ols_mrqap(yv, Y, X, kept, mask, directed, g, method, statistic, exact, tick):
    m, p = X.shape
    n = Y.shape[0]
    P = g.P
    XtX_inv = np.linalg.inv(X.T @ X)
    beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
    resid = yv - X @ beta
    df = m - p
    rss = float(resid @ resid)
    sigma2 = rss / df
    se = np.sqrt(np.diag(XtX_inv) * sigma2)
    tss = float(((yv - yv.mean()) ** 2).sum()) if INTERCEPT in kept else float(yv @ yv)
    r2 = 1.0 - rss / tss
    df_model = p - (1 if INTERCEPT in kept else 0)
    adj = 1.0 - (1.0 - r2) * (m - (1 if INTERCEPT in kept else 0)) / df
    yy = float(yv @ yv)
    sd_y = yv.std()
    std_est = np.array([np.nan if k == INTERCEPT else beta[i] * X[:, i].std() / sd_y
                        for i, k in enumerate(kept)])
    p_classical = 2 * stats.t.sf(np.abs(beta / se), df)

    # One gather per base matrix (y and every non-constant x): the cross-products of the permuted
    # matrix with the fixed columns [y, X]. Permutation is linear, so every method's statistic
    # (and the R² null) follows from these: S[:, 0] = y_pi'[y, X], S[:, 1 + j] = x_j,pi'[y, X].
    C = np.column_stack([yv, X])
    xs = [k for k in kept if k != INTERCEPT] if method != "y" else []   # Y-permutation: y only
    base = [Y] + [_cell_matrix(X[:, kept.index(k)], n, mask, directed) for k in xs]
    S = np.stack(g.products(base, [C] * len(base), progress=tick), axis=1)
    # the identity permutation, in the same layout (rows y, x_1 .. x_k)
    S_obs = np.column_stack([yv] + [X[:, kept.index(k)] for k in xs]).T @ C
    ones_row = C.sum(axis=0)                         # the ones matrix is permutation-invariant

    def rows_of(i: int, S_: np.ndarray) -> np.ndarray:
        """cross-products of permuted column i of X with C (P x (1 + p))."""
        if kept[i] == INTERCEPT:
            return np.broadcast_to(ones_row, (S_.shape[0], len(ones_row)))
        return S_[:, 1 + xs.index(kept[i])]

    # Y-permutation: b = (X'X)^-1 X'y_pi, RSS = y'y - b'X'y_pi (y'y is invariant)
    XtY = S[:, 0, 1:]
    b_perm = XtY @ XtX_inv
    rss_perm = yy - np.einsum("ij,ij->i", b_perm, XtY)
    r2_perm = 1.0 - rss_perm / tss
    if method == "y":
        Xty = S_obs[0, 1:]
        b_obs = XtX_inv @ Xty
        rss_obs = yy - b_obs @ Xty
        if statistic == "t":
            dist = b_perm / np.sqrt(np.outer(rss_perm / df, np.diag(XtX_inv)))
            obs = b_obs / np.sqrt(rss_obs / df * np.diag(XtX_inv))
        else:
            dist, obs = b_perm, b_obs
        tested = kept
    else:
        tested = _tested(kept, method)
        dist = np.empty((P, len(tested)))
        obs = np.empty(len(tested))
        for t_i, k in enumerate(tested):
            i = kept.index(k)
            zi = [j for j in range(p) if j != i]
            Z = X[:, zi]
            R = rows_of(i, S)
            R_obs = rows_of(i, S_obs[None])
            if method == "dsp" and zi:
                # e = x_i - Z gamma, so e_pi'C = x_i,pi'C - gamma' (Z_pi'C)
                gamma = np.linalg.lstsq(Z, X[:, i], rcond=None)[0]
                for gj, j in zip(gamma, zi):
                    R = R - gj * rows_of(j, S)
                    R_obs = R_obs - gj * rows_of(j, S_obs[None])
                a_cells = X[:, i] - Z @ gamma
            else:
                a_cells = X[:, i]
            cz = [1 + j for j in zi]
            dist[:, t_i] = _fwl_stat(R[:, 0], R[:, cz], float(a_cells @ a_cells), Z, yv, statistic, df)
            obs[t_i] = _fwl_stat(R_obs[:, 0], R_obs[:, cz], float(a_cells @ a_cells), Z, yv,
                                 statistic, df)[0]
    dist_frame = pd.DataFrame(dist, columns=tested)
    table = _finish_table(kept, beta, se, obs, dist, tested, exact, P,
                          {"std_estimate": std_est})
    table["p_classical"] = p_classical
    ge = ((r2_perm >= r2 - 1e-12) | np.isnan(r2_perm)).sum()
    fit = {"r2": r2, "adj_r2": adj, "r2_p_value": ge / P if exact else (ge + 1.0) / (P + 1.0),
           "df_model": int(df_model), "df_resid": int(df), "nobs": int(m), "sigma": math.sqrt(sigma2),
           "r2_p_value_method": "Y-permutation: share of permuted R² >= observed"}
    if df < 10:
        fit["adj_r2_reason"] = f"only {df} residual degrees of freedom"
    return table, fit, dist_frame


def _fwl_stat(ay: np.ndarray, aZ: np.ndarray, aa: float, Z: np.ndarray, yv: np.ndarray,
              statistic: str, df: int) -> np.ndarray:
    """Statistic of a (permuted) column a in y ~ Z + a, from a'y and Z'a (Frisch-Waugh-Lovell).

    With r = a - Z (Z'Z)^-1 Z'a: b = r'y / r'r, RSS = RSS_Z - (r'y)^2 / r'r,
    t = b / sqrt(RSS / df / r'r); a'a is permutation-invariant. A permuted column that falls
    (numerically) into the span of Z gives NaN, which the tail counts treat as extreme."""
    ay = np.asarray(ay, dtype=float)
    if Z.shape[1]:
        Q = np.linalg.inv(Z.T @ Z)
        zy = Z.T @ yv
        rss_z = float(yv @ yv - zy @ Q @ zy)
        aZQ = aZ @ Q
        ry = ay - aZQ @ zy
        rr = aa - np.einsum("ij,ij->i", aZQ, aZ)
    else:
        rss_z = float(yv @ yv)
        ry, rr = ay, np.full_like(ay, aa)
    ok = rr > 1e-12 * aa
    rr_safe = np.where(ok, rr, 1.0)
    b = np.where(ok, ry / rr_safe, np.nan)
    if statistic == "coef":
        return b
    rss = np.maximum(rss_z - ry * ry / rr_safe, 0.0)
    return np.where(ok, b / np.sqrt(rss / df / rr_safe), np.nan)


# ---- logit ------------------------------------------------------------------------------------
def _logit_fit(X: np.ndarray, y: np.ndarray, beta0: np.ndarray | None = None,
               max_iter: int = 100, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Logistic regression by Newton-Raphson: (beta, covariance, log-likelihood, converged)."""
    beta = np.zeros(X.shape[1]) if beta0 is None else beta0.astype(float).copy()
    converged = False
    for _ in range(max_iter):
        eta = X @ beta
        mu = special.expit(eta)
        w = mu * (1 - mu)
        H = (X * w[:, None]).T @ X
        step = np.linalg.lstsq(H, X.T @ (y - mu), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    eta = X @ beta
    mu = special.expit(eta)
    w = mu * (1 - mu)
    cov = np.linalg.pinv((X * w[:, None]).T @ X)
    llf = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    return beta, cov, llf, converged


def _batched_logit(design: tuple[Callable, Callable, Callable], Yb: np.ndarray, beta0: np.ndarray,
                   max_iter: int = 50, tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton-Raphson for B logit fits at once; only fits not yet converged are iterated.

    ``design = (eta_of, grad_of, hess_of)``: ``eta_of(beta, rows)`` gives the linear predictors
    of the fits ``rows``, ``grad_of(resid, rows)`` the scores X_b'(y_b - mu_b) and
    ``hess_of(W, rows)`` the information matrices X_b' diag(W_b) X_b. Returns (beta B x p, the
    diagonal of the inverse information B x p, converged B bool)."""
    eta_of, grad_of, hess_of = design
    beta = np.array(beta0, dtype=float)
    B = beta.shape[0]
    done = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        act = np.nonzero(~done)[0]
        if not len(act):
            break
        mu = special.expit(eta_of(beta[act], act))
        H = hess_of(mu * (1 - mu), act)
        G = grad_of((Yb[act] if Yb.ndim == 2 else Yb) - mu, act)
        H = H + np.eye(H.shape[1])[None] * 1e-12 * np.trace(H, axis1=1, axis2=2)[:, None, None]
        try:
            step = np.linalg.solve(H, G[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(h, gg, rcond=None)[0] for h, gg in zip(H, G)])
        beta[act] += step
        small = np.max(np.abs(step), axis=1) < tol * (1 + np.max(np.abs(beta[act]), axis=1))
        done[act[small]] = True
    allr = np.arange(B)
    mu = special.expit(eta_of(beta, allr))
    H = hess_of(mu * (1 - mu), allr)
    try:
        inv_diag = np.diagonal(np.linalg.inv(H), axis1=1, axis2=2)
    except np.linalg.LinAlgError:
        inv_diag = np.stack([np.diag(np.linalg.pinv(h)) for h in H])
    return beta, inv_diag, done


def _logit_mrqap(yv, Y, X, kept, mask, directed, g, method, statistic, exact, tick, notes):
    m, p = X.shape
    n = Y.shape[0]
    P = g.P
    beta, cov, llf, conv = _logit_fit(X, yv)
    ybar = yv.mean()
    llnull = float(m * (ybar * math.log(ybar) + (1 - ybar) * math.log(1 - ybar)))
    eta_max = float(np.max(np.abs(X @ beta)))
    if not conv or eta_max > 30 or llf > -1e-6 * m:
        # (quasi-)complete separation: the likelihood has no maximum, coefficients run off to
        # infinity and Wald statistics shrink to 0 (Hauck-Donner): nothing can be reported
        why = ("the maximum-likelihood estimate does not exist: the predictors separate the 0/1 "
               f"values of y (completely or quasi-completely; log-likelihood {llf:.3g}, max |linear "
               f"predictor| {eta_max:.3g}); no coefficient or p-value is reported. Use OLS "
               "(a linear probability model) or drop the separating predictor")
        t = pd.DataFrame(np.nan, index=pd.Index(kept, name="term"),
                         columns=["estimate", "std_estimate", "std_error", "statistic", "p_value",
                                  "prop_ge", "prop_le", "perm_mean", "perm_sd", "p_classical"])
        t["reason"] = why
        notes.append(why)
        fit = {"llf": llf, "llnull": llnull, "pseudo_r2": np.nan, "deviance": -2.0 * llf,
               "aic": np.nan, "df_model": int(p - (INTERCEPT in kept)), "df_resid": int(m - p),
               "nobs": int(m), "converged": False, "reason": why}
        return t, fit, pd.DataFrame(columns=_tested(kept, method))
    se = np.sqrt(np.diag(cov))
    p_classical = 2 * stats.norm.sf(np.abs(beta / se))
    non_conv = 0
    tested = _tested(kept, method)
    dist = np.empty((P, len(tested)))
    if method == "y":
        XX = (X[:, :, None] * X[:, None, :]).reshape(m, p * p)
        b0 = np.zeros(p)
        if INTERCEPT in kept:
            b0[kept.index(INTERCEPT)] = math.log(ybar / (1 - ybar))
        obs = beta / se if statistic == "t" else beta.copy()
        for s, vals in g.values(Y):
            design = (lambda b, rows: b @ X.T, lambda r, rows: r @ X,
                      lambda W, rows: (W @ XX).reshape(-1, p, p))
            bb, inv_d, ok = _batched_logit(design, vals, np.tile(b0, (len(vals), 1)))
            non_conv += int((~ok).sum())
            dist[s:s + len(vals)] = bb / np.sqrt(inv_d) if statistic == "t" else bb
            if tick:
                tick(len(vals))
    else:
        obs = np.empty(len(tested))
        for t_i, k in enumerate(tested):
            i = kept.index(k)
            Z = np.delete(X, i, axis=1)
            q = Z.shape[1]
            if method == "dsp" and q:
                a_cells = X[:, i] - Z @ np.linalg.lstsq(Z, X[:, i], rcond=None)[0]
            else:
                a_cells = X[:, i]
            obs[t_i] = beta[i] / se[i] if statistic == "t" else beta[i]
            A = _cell_matrix(a_cells, n, mask, directed)
            ZZ = (Z[:, :, None] * Z[:, None, :]).reshape(m, q * q)
            z0 = _logit_fit(Z, yv)[0] if q else np.zeros(0)
            for s, a in g.values(A):
                B = len(a)

                def eta_of(b, rows, a=a):
                    return (b[:, :q] @ Z.T if q else 0.0) + b[:, q:] * a[rows]

                def grad_of(r, rows, a=a):
                    ra = (r * a[rows]).sum(axis=1)
                    return np.column_stack([r @ Z, ra]) if q else ra[:, None]

                def hess_of(W, rows, a=a):
                    a = a[rows]
                    wa = W * a
                    H = np.empty((len(W), q + 1, q + 1))
                    if q:
                        H[:, :q, :q] = (W @ ZZ).reshape(-1, q, q)
                        za = wa @ Z
                        H[:, :q, q] = za
                        H[:, q, :q] = za
                    H[:, q, q] = np.einsum("ij,ij->i", wa, a)
                    return H

                b0 = np.column_stack([np.tile(z0, (B, 1)), np.zeros(B)])
                bb, inv_d, ok = _batched_logit((eta_of, grad_of, hess_of), yv, b0)
                non_conv += int((~ok).sum())
                dist[s:s + B, t_i] = bb[:, q] / np.sqrt(inv_d[:, q]) if statistic == "t" else bb[:, q]
                if tick:
                    tick(B)
    if non_conv:
        notes.append(f"{non_conv} permuted logit fits did not converge (quasi-separation); "
                     "their last iterate is used")
    table = _finish_table(kept, beta, se, obs, dist, tested, exact, P,
                          {"std_estimate": np.full(len(kept), np.nan)})
    table["p_classical"] = p_classical
    table["std_estimate"] = np.nan
    notes.append("std_estimate: not defined for the logit model")
    fit = {"llf": llf, "llnull": llnull, "pseudo_r2": 1.0 - llf / llnull if llnull else np.nan,
           "deviance": -2.0 * llf, "aic": -2.0 * llf + 2 * p, "df_model": int(p - (INTERCEPT in kept)),
           "df_resid": int(m - p), "nobs": int(m), "converged": bool(conv),
           "pseudo_r2_method": "McFadden: 1 - llf / llnull (intercept-only null)"}
    return table, fit, pd.DataFrame(dist, columns=tested)


# ---- per year ---------------------------------------------------------------------------------
def mrqap_by_year(data: Mapping[int, "DyadicData"], *, seed: int = 0,
                  progress: Progress | None = None, **kw: Any) -> MRQAPYears:
    """:func:`mrqap` for every year of ``data`` (year -> :class:`DyadicData`).

    Each year's permutations come from ``default_rng([seed, year])``: a year run alone gives
    the same result as in the panel. A year whose data cannot support the model is skipped with
    its reason (``skipped``) instead of stopping the others."""
    results: dict[int, MRQAPResult] = {}
    skipped: dict[int, str] = {}
    years = sorted(data)
    for k, year in enumerate(years):
        d = data[year]

        def prog(done, total, label, k=k, year=year):
            if progress is not None:
                progress(k * total + done, len(years) * total, f"{label} {year}")

        try:
            results[int(year)] = d.mrqap(seed=[int(seed), int(year)], progress=prog, year=int(year), **kw)
        except NotEnoughData as e:
            skipped[int(year)] = e.user_message
    if not results:
        raise NotEnoughData("no year could be estimated: " + "; ".join(f"{y}: {w}" for y, w in skipped.items()))
    return MRQAPYears(results, skipped)


# ================================================================================================
# building the matrices from a study's data
# ================================================================================================
@dataclass(frozen=True)
class Spec:
    """One explanatory matrix: ``kind`` (distance | absdiff | product | ratio | same | network)
    and its argument (a column or a network method)."""

    kind: str
    arg: str = ""

    @property
    def label(self) -> str:
        return self.kind if not self.arg else f"{self.kind}:{self.arg}"


_SPEC_HELP = ("distance (great-circle km), absdiff:COL (|x_i - x_j|), product:COL (x_i x_j), "
              "ratio:COL (x_i / x_j, directed data only), same:COL (1 if equal), network:METHOD "
              "(another network of the study, same year)")


def parse_specs(specs: str | Sequence[str]) -> list[Spec]:
    """Parse ``"distance,absdiff:gdp_pc,same:province"`` (or a list) into :class:`Spec`.

    All problems are reported at once.

    >>> [s.label for s in parse_specs("distance, absdiff:gdp_pc")]
    ['distance', 'absdiff:gdp_pc']
    """
    items = [s.strip() for s in specs.split(",")] if isinstance(specs, str) else [str(s).strip() for s in specs]
    items = [s for s in items if s]
    if not items:
        raise CultnetError(f"give at least one explanatory matrix: {_SPEC_HELP}")
    out, problems = [], []
    for s in items:
        kind, _, arg = s.partition(":")
        kind, arg = kind.strip().lower(), arg.strip()
        if kind not in SPEC_KINDS:
            close = difflib.get_close_matches(kind, SPEC_KINDS, n=1)
            problems.append(f"'{s}': unknown kind '{kind}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        elif kind == "distance" and arg:
            problems.append(f"'{s}': distance takes no argument")
        elif kind != "distance" and not arg:
            problems.append(f"'{s}': {kind} needs a {'network method' if kind == 'network' else 'column'}, "
                            f"e.g. {kind}:{'gravity' if kind == 'network' else 'gdp_pc'}")
        else:
            out.append(Spec(kind, arg))
    labels = [o.label for o in out]
    dup = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dup:
        problems.append(f"given twice: {', '.join(dup)}")
    if problems:
        raise CultnetError("explanatory matrices: " + "; ".join(problems) + f". Allowed: {_SPEC_HELP}")
    return out


def node_attributes(cities: pd.DataFrame, indicators: pd.DataFrame | None = None,
                    year: int | None = None) -> pd.DataFrame:
    """One row per city (index = name): the cities table's columns and, when ``year`` is given,
    that year's indicator columns (an indicator overrides a city column of the same name)."""
    if cities is None or "name" not in cities.columns:
        raise CultnetError("the study has no cities table with a 'name' column")
    c = cities.drop_duplicates("name").copy()
    c["name"] = c["name"].astype(str)
    attrs = c.set_index("name")
    if indicators is not None and len(indicators) and year is not None:
        sub = indicators[pd.to_numeric(indicators["year"], errors="coerce") == int(year)].copy()
        sub["city"] = sub["city"].astype(str)
        sub = sub.drop_duplicates("city", keep="last").set_index("city").drop(columns=["year"])
        attrs = attrs.drop(columns=[k for k in sub.columns if k in attrs.columns]).join(sub, how="left")
    return attrs


def edges_to_matrix(edges: pd.DataFrame, names: Sequence[str], *, directed: bool = True,
                    weighted: bool = True) -> tuple[np.ndarray, list[str]]:
    """n x n matrix of an edge list (``source``, ``target``, optional ``weight``), rows send.

    Pairs without an edge are 0; duplicate edges are summed; ``weighted=False`` gives 0/1.
    Undirected edges fill both cells (a pair listed in both orders is summed, like any
    duplicate). Edges touching a node outside ``names`` are left out
    and counted in the notes. Self-loops are ignored (the diagonal is never used).

    >>> e = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [2.0, 1.0]})
    >>> edges_to_matrix(e, ["a", "b", "c"], directed=False)[0].tolist()
    [[0.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    names = [str(v) for v in names]
    pos = {v: i for i, v in enumerate(names)}
    n = len(names)
    mat = np.zeros((n, n))
    notes: list[str] = []
    if edges is None or not len(edges):
        return mat, notes
    src = edges["source"].astype(str).map(pos)
    dst = edges["target"].astype(str).map(pos)
    w = pd.to_numeric(edges["weight"], errors="coerce").fillna(0.0).to_numpy(float) \
        if (weighted and "weight" in edges.columns) else np.ones(len(edges))
    ok = src.notna().to_numpy() & dst.notna().to_numpy()
    if (~ok).sum():
        notes.append(f"{int((~ok).sum())} edges touch nodes outside the analysis and were left out")
    i = src[ok].astype(int).to_numpy()
    j = dst[ok].astype(int).to_numpy()
    np.add.at(mat, (i, j), w[ok])
    if not directed:  # an undirected edge fills both cells (a pair listed in both orders: summed)
        mat = mat + mat.T
    np.fill_diagonal(mat, 0.0)
    if not weighted:
        mat = (mat != 0).astype(float)
    return mat, notes


def _numeric(attrs: pd.DataFrame, col: str, kind: str) -> pd.Series:
    v = pd.to_numeric(attrs[col], errors="coerce")
    if attrs[col].notna().sum() == 0:
        raise NotEnoughData(f"{kind}:{col}: no city has a value of '{col}' (that year)")
    if v.notna().sum() == 0:
        raise CultnetError(f"{kind}:{col}: column '{col}' is not numeric (use same:{col} for categories)")
    return v


def dyadic_matrix(spec: Spec, attrs: pd.DataFrame, *,
                  networks: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    r"""The n x n matrix of one :class:`Spec` over the nodes of ``attrs`` (index = names).

    * ``distance``: great-circle km from ``lat``/``lon`` (haversine, R = 6371.0088 km);
    * ``absdiff:COL``: ``|x_i - x_j|``; ``product:COL``: ``x_i x_j``; ``ratio:COL``: ``x_i / x_j``;
    * ``same:COL``: 1 when ``x_i == x_j`` (categories, e.g. province), else 0;
    * ``network:METHOD``: ``networks[METHOD]`` (built by :func:`edges_to_matrix`).

    Cells involving a node with a missing value are NaN (:func:`build_dyadic_data` drops such
    nodes). The diagonal is 0.

    >>> a = pd.DataFrame({"g": [1.0, 4.0, 6.0]}, index=["a", "b", "c"])
    >>> dyadic_matrix(Spec("absdiff", "g"), a).tolist()
    [[0.0, 3.0, 5.0], [3.0, 0.0, 2.0], [5.0, 2.0, 0.0]]
    """
    from cultnet.analysis.gravity import great_circle_km

    n = len(attrs)
    if spec.kind == "network":
        nets = networks or {}
        if spec.arg not in nets:
            raise CultnetError(f"network:{spec.arg}: no such network for this year "
                               f"(available: {', '.join(sorted(nets)) or 'none'})")
        out = np.asarray(nets[spec.arg], dtype=float).copy()
        if out.shape != (n, n):
            raise CultnetError(f"network:{spec.arg}: matrix is {out.shape}, expected {(n, n)}")
    elif spec.kind == "distance":
        for c in ("lat", "lon"):
            if c not in attrs.columns:
                raise CultnetError(f"distance: the cities have no '{c}' column")
        lat = pd.to_numeric(attrs["lat"], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(attrs["lon"], errors="coerce").to_numpy(float)
        out = great_circle_km(lat, lon)
        bad = ~(np.isfinite(lat) & np.isfinite(lon))
        out[bad, :] = np.nan
        out[:, bad] = np.nan
    else:
        if spec.arg not in attrs.columns:
            avail = sorted(str(c) for c in attrs.columns)
            close = difflib.get_close_matches(spec.arg, avail, n=1)
            raise CultnetError(f"{spec.label}: no column '{spec.arg}'"
                               + (f" (did you mean '{close[0]}'?)" if close else "")
                               + f"; available: {', '.join(avail)}")
        if spec.kind == "same":
            v = attrs[spec.arg]
            miss = v.isna().to_numpy()
            vals = v.astype(str).to_numpy()
            out = (vals[:, None] == vals[None, :]).astype(float)
            out[miss, :] = np.nan
            out[:, miss] = np.nan
        else:
            v = _numeric(attrs, spec.arg, spec.kind).to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                if spec.kind == "absdiff":
                    out = np.abs(v[:, None] - v[None, :])
                elif spec.kind == "product":
                    out = v[:, None] * v[None, :]
                else:  # ratio
                    if np.any(v[np.isfinite(v)] == 0):
                        zero = list(attrs.index[v == 0])
                        raise NotEnoughData(f"{spec.label}: '{spec.arg}' is 0 for {zero}: the ratio is undefined")
                    out = v[:, None] / v[None, :]
    np.fill_diagonal(out, 0.0)
    return out


@dataclass(frozen=True)
class DyadicData:
    """The matrices of one QAP analysis (one year): node names, y, the x matrices in order,
    whether the data are directed, and notes on how they were built."""

    names: tuple[str, ...]
    y_name: str
    y: np.ndarray
    x: dict[str, np.ndarray]
    directed: bool
    notes: tuple[str, ...] = ()

    def frame(self, name: str) -> pd.DataFrame:
        a = self.y if name == self.y_name else self.x[name]
        return pd.DataFrame(a, index=list(self.names), columns=list(self.names))

    def mrqap(self, **kw: Any) -> MRQAPResult:
        notes = list(self.notes) + list(kw.pop("notes", ()))
        return mrqap(self.y, self.x, directed=self.directed, y_name=self.y_name, notes=notes, **kw)

    def correlation(self, **kw: Any) -> QAPCorrelation:
        r = qap_correlation({self.y_name: self.y, **self.x}, directed=self.directed, **kw)
        return r


def build_dyadic_data(y: np.ndarray | pd.DataFrame, specs: Sequence[Spec], attrs: pd.DataFrame, *,
                      directed: bool, y_name: str = "y",
                      networks: Mapping[str, np.ndarray] | None = None,
                      networks_directed: Mapping[str, bool] | None = None,
                      networks_binary: Mapping[str, bool] | None = None,
                      notes: Sequence[str] = ()) -> DyadicData:
    """Assemble y and the explanatory matrices over the nodes of ``attrs`` (index = names).

    ``y`` and ``networks`` are n x n in the order of ``attrs.index``. Nodes with a missing value
    in any matrix (no coordinates, no indicator that year, ...) are dropped, and the notes name
    them: permuting nodes keeps the test valid, deleting single cells would not. For undirected
    data (``directed=False``) a directed stored network is symmetrized: 0/1 networks as "a tie in
    either direction" (max), weighted ones as the sum of both directions; ``ratio:COL`` is
    refused (it is asymmetric by construction)."""
    notes = list(notes)
    names = [str(v) for v in attrs.index]
    Y = y.loc[names, names].to_numpy(float) if isinstance(y, pd.DataFrame) else np.asarray(y, float)
    if Y.shape != (len(names), len(names)):
        raise CultnetError(f"{y_name}: matrix is {Y.shape}, expected {len(names)} x {len(names)}")
    xs: dict[str, np.ndarray] = {}
    for spec in specs:
        if spec.kind == "ratio" and not directed:
            raise CultnetError(f"{spec.label}: x_i / x_j is asymmetric, but {y_name} is undirected "
                               "(each pair used once); use absdiff or product instead")
        mat = dyadic_matrix(spec, attrs, networks=networks)
        if spec.kind == "network" and not directed:
            was_directed = (networks_directed or {}).get(spec.arg, not np.allclose(mat, mat.T, equal_nan=True))
            if was_directed:
                binary = (networks_binary or {}).get(spec.arg, bool(np.isin(mat[np.isfinite(mat)], (0, 1)).all()))
                mat = np.maximum(mat, mat.T) if binary else mat + mat.T
                notes.append(f"{spec.label}: the directed network was symmetrized for the undirected "
                             + ("analysis: a tie in either direction counts" if binary
                                else "analysis: weights of both directions summed"))
        xs[spec.label] = mat
    # a missing node value makes its row and column NaN: drop, one at a time, the node with the
    # most missing cells until none is left
    drop: dict[str, set[str]] = {}
    keep = list(range(len(names)))
    mats = [(y_name, Y), *xs.items()]
    while True:
        sub = [(lab, m[np.ix_(keep, keep)]) for lab, m in mats]
        off = ~np.eye(len(keep), dtype=bool)
        bad = sum((~np.isfinite(np.where(off, m, 0.0))).astype(int) for _, m in sub)
        per_node = bad.sum(axis=0) + bad.sum(axis=1)
        if not len(keep) or per_node.max() == 0:
            break
        worst = int(np.argmax(per_node))
        drop[names[keep[worst]]] = {lab for lab, m in sub
                                    if not np.isfinite(np.where(off, m, 0.0)[worst]).all()
                                    or not np.isfinite(np.where(off, m, 0.0)[:, worst]).all()}
        del keep[worst]
    if drop:
        notes.append("dropped (missing values): " + "; ".join(
            f"{v} ({', '.join(sorted(ls))})" for v, ls in sorted(drop.items())))
        names = [names[i] for i in keep]
        Y = Y[np.ix_(keep, keep)]
        xs = {k: v[np.ix_(keep, keep)] for k, v in xs.items()}
    if len(names) < 3:
        raise NotEnoughData(f"QAP needs at least 3 nodes with data; {len(names)} left")
    return DyadicData(tuple(names), y_name, Y, xs, directed, tuple(notes))


# ================================================================================================
# a study's networks and attributes, year by year (what `cultnet qap` and the explorer run)
# ================================================================================================
#: the networks a study can hold at city level (and that can be the dependent variable)
Y_NETWORKS = ("gravity", "cooperation", "observed")
_INDICATOR_KEYS = ("city", "year")


@dataclass(frozen=True)
class SpecChoices:
    """The explanatory matrices a study supports.

    ``distance``: the cities have coordinates (lat, lon for at least 3 cities); ``numeric``:
    columns for absdiff / product / ratio (indicators and numeric city attributes);
    ``category``: non-numeric city attributes that vary but do not identify a city (2 to n - 1
    distinct values), for same; ``networks``: the city networks the study holds (gravity also when
    it can be computed from the indicators); ``columns``: every attribute column.
    """

    distance: bool
    numeric: tuple[str, ...]
    category: tuple[str, ...]
    networks: tuple[str, ...]
    columns: tuple[str, ...]
    gravity_computable: bool = False


def _gravity_params(gravity: Mapping[str, Any] | None,
                    indicators: pd.DataFrame | None) -> dict[str, Any]:
    """The gravity model computed when no gravity LINKS are stored: ``gravity`` (masses,
    asymmetry, income, b), else analysis.gravity.default_parameters for the study's numeric
    indicator columns (the paper's pop, cul / cul / gdp_pc when those exist), b = 2."""
    from cultnet.analysis.gravity import default_parameters

    if gravity is None:
        cols = [] if indicators is None else [
            c for c in indicators.columns if c not in _INDICATOR_KEYS
            and pd.api.types.is_numeric_dtype(indicators[c])]
        gravity = default_parameters(cols) if cols else {"masses": ()}
    p = {"masses": (), "asymmetry": None, "income": None, "b": 2.0}
    p.update({k: v for k, v in gravity.items() if k in p})
    p["masses"] = tuple(p["masses"] or ())
    p["b"] = float(p["b"])
    return p


def _gravity_columns(params: Mapping[str, Any]) -> list[str]:
    return [c for c in (*params["masses"], params.get("asymmetry"), params.get("income")) if c]


def _stored(edges: pd.DataFrame | None, method: str, year: int | None = None) -> pd.DataFrame:
    if edges is None or not len(edges):
        return pd.DataFrame(columns=["source", "target", "weight", "year", "method"])
    e = edges
    if "method" in e.columns:
        e = e[e["method"].fillna("observed").astype(str) == method]
    elif method != "observed":
        return e.iloc[0:0]
    if year is not None and "year" in e.columns:
        e = e[pd.to_numeric(e["year"], errors="coerce").fillna(0).astype(int) == int(year)]
    return e


def spec_choices(cities: pd.DataFrame, indicators: pd.DataFrame | None,
                 edges: pd.DataFrame | None, *,
                 gravity: Mapping[str, Any] | None = None) -> SpecChoices:
    """What explanatory matrices the study's data support (see :class:`SpecChoices`).

    >>> c = pd.DataFrame({"name": ["a", "b", "c"], "province": ["P", "P", "Q"],
    ...                   "lat": [40.0, 41.0, 42.0], "lon": [120.0, 121.0, 122.0]})
    >>> ind = pd.DataFrame({"city": ["a", "b", "c"], "year": 2020, "gdp_pc": [1.0, 2.0, 3.0]})
    >>> ch = spec_choices(c, ind, None)
    >>> ch.distance, ch.numeric, ch.category, ch.networks
    (True, ('gdp_pc', 'lat', 'lon'), ('province',), ('gravity',))
    """
    cities = cities if cities is not None else pd.DataFrame(columns=["name"])
    n = len(cities)
    numeric, category, columns = [], [], []
    ind_cols = [] if indicators is None else [c for c in indicators.columns if c not in _INDICATOR_KEYS]
    for c in ind_cols:
        columns.append(str(c))
        if pd.to_numeric(indicators[c], errors="coerce").notna().any():
            numeric.append(str(c))
    for c in cities.columns:
        if c == "name" or str(c) in columns:
            continue
        columns.append(str(c))
        v = cities[c]
        num = pd.to_numeric(v, errors="coerce")
        if num.notna().sum() and num.notna().sum() == v.notna().sum():
            numeric.append(str(c))
        elif 1 < v.dropna().astype(str).nunique() < n:
            category.append(str(c))
    lat = pd.to_numeric(cities.get("lat", pd.Series(dtype=float)), errors="coerce")
    lon = pd.to_numeric(cities.get("lon", pd.Series(dtype=float)), errors="coerce")
    distance = bool("lat" in cities.columns and "lon" in cities.columns
                    and int((lat.notna() & lon.notna()).sum()) >= 3)
    params = _gravity_params(gravity, indicators)
    grav_ok = bool(distance and indicators is not None and len(indicators) > 0 and params["masses"]
                   and set(_gravity_columns(params)) <= set(indicators.columns))
    stored = set()
    if edges is not None and len(edges):
        stored = set(edges["method"].fillna("observed").astype(str)) if "method" in edges.columns \
            else {"observed"}
    networks = [m for m in Y_NETWORKS if m in stored or (m == "gravity" and grav_ok)]
    networks += sorted(stored - set(networks))
    return SpecChoices(distance, tuple(sorted(numeric)), tuple(sorted(category)), tuple(networks),
                       tuple(sorted(columns)), bool(grav_ok))


def check_specs(specs: Sequence[Spec], choices: SpecChoices, *, y: str,
                directed: bool | None = None) -> None:
    """Refuse, in one message listing every problem, explanatory matrices the study cannot
    build: unknown columns (with a did-you-mean from the study's columns), non-numeric columns
    for absdiff / product / ratio, ``distance`` without coordinates, ``ratio`` for undirected
    data, a ``network:METHOD`` the study does not hold or that is the dependent variable."""
    problems = []
    cols = list(choices.columns)
    for s in specs:
        if s.kind == "distance":
            if not choices.distance:
                problems.append("distance: the study's cities have no coordinates (lat and lon for "
                                "at least 3 cities); load a cities file with lat and lon columns")
        elif s.kind == "network":
            if s.arg == y:
                problems.append(f"{s.label}: this is the dependent variable (--y {y})")
            elif s.arg not in choices.networks:
                close = difflib.get_close_matches(s.arg, list(choices.networks) + list(Y_NETWORKS), n=1)
                problems.append(f"{s.label}: no such network in the study"
                                + (f" (did you mean '{close[0]}'?)" if close else "")
                                + f"; networks: {', '.join(choices.networks) or 'none'}")
        elif s.arg not in cols:
            close = difflib.get_close_matches(s.arg, cols, n=1)
            problems.append(f"{s.label}: no column '{s.arg}' in the study"
                            + (f" (did you mean '{close[0]}'?)" if close else "")
                            + f"; columns: {', '.join(cols) or 'none'}")
        elif s.kind in ("absdiff", "product", "ratio") and s.arg not in choices.numeric:
            problems.append(f"{s.label}: column '{s.arg}' is not numeric (same:{s.arg} compares categories)")
        elif s.kind == "ratio" and directed is False:
            problems.append(f"{s.label}: x_i / x_j is asymmetric, but {y} is undirected (each pair "
                            "used once); use absdiff or product")
    if problems:
        raise CultnetError("explanatory matrices: " + "; ".join(problems))


def _direction(method: str, edges: pd.DataFrame | None,
               directions: Mapping[str, bool | None] | None) -> tuple[bool, str | None]:
    """The stored direction of a network, else gravity directed and other links inferred from
    the stored pair order (undirected loads store each pair once, source < target)."""
    d = (directions or {}).get(method)
    if d is not None and not (isinstance(d, float) and math.isnan(d)):
        return bool(d), None
    if method == "gravity":
        return True, None
    e = _stored(edges, method)
    if len(e) >= 3 and bool((e["source"].astype(str) < e["target"].astype(str)).all()):
        return False, (f"{method}: direction not recorded with the data; every pair is stored "
                       "once in sorted order, so it is read as undirected")
    return True, (f"{method}: direction not recorded with the data; read as directed" if len(e) else None)


def _network_years(method: str, edges: pd.DataFrame | None, indicators: pd.DataFrame | None,
                   choices: SpecChoices) -> list[int]:
    e = _stored(edges, method)
    years = set(pd.to_numeric(e["year"], errors="coerce").dropna().astype(int)) if len(e) and \
        "year" in e.columns else set()
    if method == "gravity" and choices.gravity_computable:
        years |= set(pd.to_numeric(indicators["year"], errors="coerce").dropna().astype(int))
    if years - {0}:
        years -= {0}
    return sorted(years)


def _network_matrix(method: str, year: int, names: list[str], edges: pd.DataFrame | None,
                    cities: pd.DataFrame, indicators: pd.DataFrame | None, *, weighted: bool,
                    directed: bool, gravity: Mapping[str, Any] | None) -> tuple[np.ndarray, list[str]]:
    """The n x n matrix (order ``names``) of one network in one year, and how it was made.

    Gravity: the stored LINKS of the year (arcs, 0/1; weighted: every pair's weight when the
    links were stored with all pairs); otherwise computed from the cities and indicators with
    ``gravity`` (default: the paper's parameters). Other networks: the stored links, summed over
    datasets, 0/1 unless ``weighted``."""
    from cultnet.analysis.gravity import gravity_links, gravity_matrix

    stored = _stored(edges, method, year)
    notes: list[str] = []
    ytxt = "" if not year else f" {year}"
    if method != "gravity":
        mat, n2 = edges_to_matrix(stored, names, directed=directed, weighted=weighted)
        if not len(stored):
            notes.append(f"{method}{ytxt}: no links stored that year (an empty network)")
        return mat, [f"{method}{ytxt}: {x}" for x in n2] + notes
    params = _gravity_params(gravity, indicators)
    ptxt = (f"masses {', '.join(params['masses'])}, asymmetry {params['asymmetry']}, income "
            f"{params['income']}, b = {params['b']:g}")
    linked = stored["linked"].astype("boolean").fillna(True) if "linked" in stored.columns and len(stored) \
        else pd.Series(True, index=stored.index, dtype="boolean")
    if not weighted:
        if len(stored):
            arcs = stored[linked.to_numpy(dtype=bool)]
            notes.append(f"gravity{ytxt}: the stored gravity LINKS ({len(arcs)} arcs), as 0/1")
        else:
            links = gravity_links(cities, indicators, years=[int(year)], masses=params["masses"],
                                  asymmetry=params["asymmetry"], income=params["income"], b=params["b"])
            arcs = links[links["linked"]]
            notes.append(f"gravity{ytxt}: no stored gravity LINKS; computed from the cities and "
                         f"indicators ({ptxt}; {links.attrs.get('rule')}), as 0/1")
        mat, n2 = edges_to_matrix(arcs, names, directed=True, weighted=False)
        return mat, notes + [f"gravity{ytxt}: {x}" for x in n2]
    if len(stored) and (~linked.to_numpy(dtype=bool)).any():
        mat, n2 = edges_to_matrix(stored, names, directed=True, weighted=True)
        notes.append(f"gravity{ytxt}: the stored weights y_ij of every pair (LINKS stored with all pairs)")
        return mat, notes + [f"gravity{ytxt}: {x}" for x in n2]
    w = gravity_matrix(cities, indicators, year=int(year), masses=params["masses"],
                       asymmetry=params["asymmetry"], income=params["income"], b=params["b"])
    w = w.reindex(index=names, columns=names)
    mat = w.to_numpy(dtype=float, copy=True)
    if len(stored):
        pos = {v: i for i, v in enumerate(names)}
        i = stored["source"].astype(str).map(pos)
        j = stored["target"].astype(str).map(pos)
        ok = (i.notna() & j.notna()).to_numpy()
        have = pd.to_numeric(stored["weight"], errors="coerce").to_numpy(float)[ok]
        want = mat[i[ok].astype(int).to_numpy(), j[ok].astype(int).to_numpy()]
        if not np.allclose(have, want, rtol=1e-9, atol=0.0, equal_nan=False):
            raise CultnetError(
                f"gravity{ytxt}: the stored gravity LINKS hold only the arcs, and their weights "
                f"were not computed with {ptxt}; the weights of the other pairs are unknown. Store "
                "every pair's weight with `cultnet gravity --write --all-pairs` (with your "
                "parameters), or drop --weighted")
        notes.append(f"gravity{ytxt}: weights y_ij of every pair computed from the cities and "
                     f"indicators ({ptxt}); they equal the {len(have)} stored arcs' weights")
    else:
        notes.append(f"gravity{ytxt}: weights y_ij of every pair computed from the cities and "
                     f"indicators ({ptxt}); no gravity LINKS stored")
    np.fill_diagonal(mat, 0.0)
    return mat, notes


@dataclass(frozen=True)
class StudyDyads:
    """The matrices of a QAP analysis of a study: ``data[year]`` (:class:`DyadicData`), the
    years that could not be built (``skipped``, with the reason), and how y was made."""

    y: str
    weighted: bool
    directed: bool
    specs: tuple[Spec, ...]
    data: dict[int, DyadicData]
    skipped: dict[int, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.specs)


def study_dyads(cities: pd.DataFrame, indicators: pd.DataFrame | None, edges: pd.DataFrame | None,
                *, y: str, specs: str | Sequence[str] | Sequence[Spec], year: int | None = None,
                weighted: bool = False, directions: Mapping[str, bool | None] | None = None,
                gravity: Mapping[str, Any] | None = None) -> StudyDyads:
    """y and the explanatory matrices of a study, for one year or every year of y.

    Parameters
    ----------
    cities : the study's cities (``name`` + attributes; ``lat``/``lon`` for ``distance``).
    indicators : city-year indicators (``city``, ``year`` + columns); a column is looked up
        there first (that year), then in the cities' attributes.
    edges : the study's city links (``source``, ``target``, ``weight``, ``year``, ``method``
        [, ``linked``]), as ``Study.edges("city")`` returns them.
    y : the dependent network: ``gravity``, ``cooperation`` or ``observed``.
    specs : the explanatory matrices (:func:`parse_specs`).
    year : one year; None = every year in which y exists.
    weighted : networks (y and ``network:METHOD``) with their weights; default 0/1 (a tie).
    directions : method -> stored direction (``Study.directed``); unknown directions are
        inferred (gravity directed; pairs all stored in sorted order: undirected), and said.
    gravity : parameters of the gravity model computed when no gravity LINKS are stored
        (default: analysis.gravity.default_parameters for the study's numeric indicator
        columns, which is the paper's choice when the study has pop, cul and gdp_pc).

    Every problem with the specification is reported at once (:func:`check_specs`), before
    anything is computed. With ``year=None`` a year whose data cannot support the analysis is
    skipped with its reason; with ``year`` given the reason is raised.
    """
    if y not in Y_NETWORKS:
        close = difflib.get_close_matches(str(y), Y_NETWORKS, n=1)
        raise CultnetError(f"--y {y!r}: use one of {', '.join(Y_NETWORKS)}"
                           + (f" (did you mean '{close[0]}'?)" if close else ""))
    specs = list(specs) if specs and all(isinstance(s, Spec) for s in specs) else parse_specs(specs)
    if cities is None or not len(cities) or "name" not in cities.columns:
        raise NotEnoughData("the study has no cities: load data first")
    choices = spec_choices(cities, indicators, edges, gravity=gravity)
    if y not in choices.networks:
        why = ("" if y != "gravity" else
               f"; gravity cannot be computed either (it needs city lat/lon and the indicators "
               f"{', '.join(_gravity_columns(_gravity_params(gravity, indicators))) or 'numeric indicators'})")
        raise NotEnoughData(f"no such network: the study has no '{y}' city links{why}; networks: "
                            f"{', '.join(choices.networks) or 'none'}")
    directed, dnote = _direction(y, edges, directions)
    check_specs(specs, choices, y=y, directed=directed)
    notes = [dnote] if dnote else []
    years = _network_years(y, edges, indicators, choices)
    if year is not None:
        if int(year) not in years:
            shown = f"{years[0]}-{years[-1]}" if len(years) > 2 else ", ".join(map(str, years))
            raise NotEnoughData(f"no such network: no '{y}' links in {year} (years: {shown or 'none'})")
        years = [int(year)]
    nets = [s.arg for s in specs if s.kind == "network"]
    net_dir = {}
    for m in nets:
        net_dir[m], nn = _direction(m, edges, directions)
        if nn:
            notes.append(nn)
    names = [str(v) for v in cities.drop_duplicates("name")["name"]]
    data: dict[int, DyadicData] = {}
    skipped: dict[int, str] = {}
    for yr in years:
        try:
            attrs = node_attributes(cities, indicators, yr if yr else None).reindex(names)
            Y, ynotes = _network_matrix(y, yr, names, edges, cities, indicators, weighted=weighted,
                                        directed=directed, gravity=gravity)
            networks, nnotes = {}, []
            for m in nets:
                networks[m], k = _network_matrix(m, yr, names, edges, cities, indicators,
                                                 weighted=weighted, directed=net_dir[m],
                                                 gravity=gravity)
                nnotes += k
            data[int(yr)] = build_dyadic_data(
                Y, specs, attrs, directed=directed, y_name=y, networks=networks,
                networks_directed=net_dir, networks_binary={m: not weighted for m in nets},
                notes=ynotes + nnotes)
        except NotEnoughData as e:
            if year is not None:
                raise
            skipped[int(yr)] = e.user_message
    if not data:
        raise NotEnoughData(f"no year of '{y}' could be analysed: "
                            + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    return StudyDyads(y, bool(weighted), bool(directed), tuple(specs), data, skipped, tuple(notes))


@dataclass(frozen=True)
class StudyQAP:
    """QAP correlations and MRQAP of a study, per year: ``correlations[year]``
    (:class:`QAPCorrelation`), ``mrqap`` (:class:`MRQAPYears`), the inputs (``dyads``) and the
    choices. ``schema`` names the layout of :meth:`to_dict` (stable; bumped on change)."""

    dyads: StudyDyads
    correlations: dict[int, QAPCorrelation]
    mrqap: MRQAPYears
    method: str
    perms: int
    seed: int
    logit: bool
    statistic: str
    schema: str = "cultnet.qap/1"

    @property
    def years(self) -> list[int]:
        return sorted(self.mrqap.results)

    @property
    def skipped(self) -> dict[int, str]:
        return dict(sorted({**self.dyads.skipped, **self.mrqap.skipped}.items()))

    def coefficients(self) -> pd.DataFrame:
        """One row per (year, term): year, term, estimate, std_estimate, std_error, statistic,
        p_value, prop_ge, prop_le, perm_mean, perm_sd, p_classical, reason, r2 (or pseudo_r2),
        n_nodes, n_dyads."""
        return self.mrqap.to_frame()

    def fit(self) -> pd.DataFrame:
        """One row per year: year, n_nodes, n_dyads, and r2, adj_r2, r2_p_value, df_model,
        df_resid (OLS) or llf, llnull, pseudo_r2, deviance, aic (logit), reason."""
        rows = []
        for yr, r in sorted(self.mrqap.results.items()):
            f = r.fit
            keys = (("r2", "adj_r2", "r2_p_value", "df_model", "df_resid") if r.model == "ols"
                    else ("llf", "llnull", "pseudo_r2", "deviance", "aic", "df_model", "df_resid"))
            row = {"year": yr, "n_nodes": r.n_nodes, "n_dyads": r.n_dyads,
                   **{k: f.get(k) for k in keys}}
            row["reason"] = "; ".join(str(f[k]) for k in ("reason", "adj_r2_reason") if f.get(k))
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        d = self.dyads
        return {"schema": self.schema,
                "y": {"network": d.y, "weighted": d.weighted, "directed": d.directed},
                "x": list(d.labels), "model": "logit" if self.logit else "ols",
                "method": self.method, "method_text": _METHOD_TEXT[self.method],
                "statistic": self.statistic, "perms": int(self.perms), "seed": int(self.seed),
                "seeds": "numpy.random.default_rng([seed, year]) per year",
                "years": {str(y): {"correlation": self.correlations[y].to_dict(),
                                   "mrqap": self.mrqap.results[y].to_dict()} for y in self.years},
                "skipped": {str(y): why for y, why in self.skipped.items()},
                "coefficients": _records(self.coefficients()),
                "fit": _records(self.fit()),
                "notes": list(d.notes)}


def study_qap(dyads: StudyDyads, *, perms: int = 2000, seed: int = 0, method: str = "dsp",
              logit: bool = False, statistic: str = "t",
              progress: Progress | None = None) -> StudyQAP:
    """QAP correlation and MRQAP for every year of ``dyads``.

    Each year uses ``numpy.random.default_rng([seed, year])`` for both tests, as
    :func:`mrqap_by_year` does: a year run alone equals that year of the panel. ``progress``
    gets ``(done, total, label)`` with the year in the label. A year whose data cannot support
    the model (e.g. y constant) is skipped with its reason when several years are run."""
    if method not in METHODS:
        raise CultnetError(f"unknown MRQAP method {method!r}: use one of {', '.join(METHODS)}")
    years = sorted(dyads.data)
    corr: dict[int, QAPCorrelation] = {}
    results: dict[int, MRQAPResult] = {}
    skipped: dict[int, str] = {}
    for k, yr in enumerate(years):
        d = dyads.data[yr]
        tag = f"{yr} ({k + 1}/{len(years)})" if yr else f"({k + 1}/{len(years)})"

        def prog(done, total, label, tag=tag):
            if progress is not None:
                progress(done, total, f"{tag} {label}")

        s = [int(seed), int(yr)]
        try:
            corr[yr] = d.correlation(perms=perms, seed=s, progress=prog if progress else None)
            results[yr] = d.mrqap(perms=perms, seed=s, method=method, logit=logit,
                                  statistic=statistic, year=int(yr),
                                  progress=prog if progress else None)
        except NotEnoughData as e:
            if len(years) == 1:
                raise
            corr.pop(yr, None)
            skipped[yr] = e.user_message
    if not results:
        raise NotEnoughData("no year could be estimated: " + "; ".join(f"{y}: {w}" for y, w in skipped.items()))
    r0 = next(iter(results.values()))
    return StudyQAP(dyads, corr, MRQAPYears(results, skipped), method, int(perms), int(seed),
                    bool(logit), r0.statistic)


# ================================================================================================
# formatting helpers
# ================================================================================================
def _plain(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def _fmt(v: Any, spec: str = ".4g") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, (float, np.floating)):
        return format(float(v), spec)
    return str(v)


def _text_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    cells = [[str(c) for c in df.columns]]
    for row in df.itertuples(index=False):
        cells.append([_fmt(v, floatfmt) for v in row])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

r"""Restricted wild cluster bootstrap (WCR) for linear models with few clusters.

The model is :math:`y = X\beta + u` with errors correlated within G clusters (for panel models,
X and y are the data after the fixed effects have been partialled out, or quasi-demeaned for
random effects; see :mod:`cultnet.analysis.panel`). To test :math:`H_0: \beta_j = r`:

1. Restricted fit: :math:`\tilde\beta` minimises :math:`\|y - X\beta\|^2` subject to
   :math:`\beta_j = r`; residuals :math:`\tilde u`.
2. Bootstrap samples :math:`y^*_b = X\tilde\beta + \tilde u \circ v_{g(i),b}`, one weight
   :math:`v_{gb}` per cluster and draw (Rademacher ±1, or Webb's six points
   :math:`\pm\sqrt{3/2}, \pm 1, \pm\sqrt{1/2}`).
3. On each sample, the cluster-robust t statistic
   :math:`t^*_b = (\hat\beta^*_{jb} - r)/\widehat{se}^*_{jb}` with the CRV1 variance
   :math:`c\,(X'X)^{-1}\sum_g X_g'\hat u^*_g\hat u^{*\prime}_g X_g(X'X)^{-1}`,
   :math:`c = \frac{G}{G-1}\frac{N-1}{N-K}` (Stata's factor; it cancels from the p-value).
4. Symmetric p-value :math:`p = \frac1B\sum_b \mathbb 1(|t^*_b| > |\hat t|)` — strict, as
   ``boottest`` and ``wildboottest``: the draw :math:`v = \mathbf 1` reproduces :math:`\hat t`
   and does not count.

The statistics are computed without refitting (Roodman, MacKinnon, Nielsen & Webb 2019, §5):
with :math:`q = (X'X)^{-1}e_j`, :math:`s_g = q'X_g'\tilde u_g` and
:math:`C_{gh} = q'X_g'X_g(X'X)^{-1}X_h'\tilde u_h`, the numerator is :math:`s'v` and the
cluster scores are :math:`(\operatorname{diag}(s) - C)v`; s and C are affine in r, so a p-value
at a new r costs :math:`O(G^2B)`. The confidence interval is the set of r that the test does not
reject at level α (test inversion, as ``boottest``), found by bracketing and bisection on
:math:`p(r)` with the same draws; its ends are located to :math:`10^{-10}` of the standard error.
Joint hypotheses :math:`R\beta = r` (q rows) use the bootstrap Wald statistic
:math:`W^* = (R\hat\beta^* - r)'(R\hat V^*R')^{-1}(R\hat\beta^* - r)`, same p-value rule.

**Draws.** With Rademacher weights there are only :math:`2^G` distinct weight vectors (and
:math:`2^{G-1}` distinct :math:`|t^*|`, since v and −v give the same statistic); when
:math:`2^G \le` ``reps`` all of them are enumerated (as ``boottest``) and the p-value is exact.
Webb's weights have :math:`6^G` vectors; cultnet also enumerates them when :math:`6^G \le`
``reps`` (G ≤ 5 at 9,999 reps): the exact value that random Webb draws estimate. Otherwise
``reps`` draws are made with ``numpy.random.default_rng(seed)``. ``weights="auto"`` picks Webb
when G < 12 (MacKinnon & Webb 2017; Roodman et al. 2019 §3.3) and Rademacher otherwise.

Checked (``tests/reference/test_bootstrap_reference.py``): against ``wildboottest`` (an
independent implementation) with full Rademacher enumeration, exactly; against the published
``boottest`` example ``regress hasinsurance selfemployed post post_self, cluster(year)`` /
``boottest post_self=.04, weight(webb)`` (t(7) = 2.0194, p = 0.0757 with 9,999,999 Webb draws);
a brute-force refit loop on simulated panels.

References
----------
Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based improvements for
inference with clustered errors. *Review of Economics and Statistics*, 90(3), 414–427.
https://doi.org/10.1162/rest.90.3.414
MacKinnon, J. G., & Webb, M. D. (2017). Wild bootstrap inference for wildly different cluster
sizes. *Journal of Applied Econometrics*, 32(2), 233–254. https://doi.org/10.1002/jae.2508
Roodman, D., MacKinnon, J. G., Nielsen, M. Ø., & Webb, M. D. (2019). Fast and wild: Bootstrap
inference in Stata using boottest. *The Stata Journal*, 19(1), 4–60.
https://doi.org/10.1177/1536867X19830877
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. *Canadian
Journal of Economics*, 56(3), 839–858. https://doi.org/10.1111/caje.12661
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from cultnet.errors import CultnetError

__all__ = ["WEIGHT_TYPES", "WEBB_POINTS", "choose_weights", "draw_plan", "wild_cluster_t",
           "wild_cluster_wald", "WildBootstrap", "BootResult"]

WEIGHT_TYPES = ("auto", "rademacher", "webb")
WEBB_POINTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
#: below this many clusters ``weights="auto"`` uses Webb's six-point weights
WEBB_BELOW = 12
_CHUNK = 200_000          # weight columns handled at once (memory ~ G * _CHUNK * 8 bytes)
_TIE = 1e-12              # |t*| must exceed |t| by this relative margin to count (exact ties do not)


def choose_weights(n_clusters: int, weights: str = "auto") -> str:
    """The weight distribution used: Webb below 12 clusters under ``auto``, else as given.

    >>> choose_weights(8), choose_weights(20), choose_weights(8, "rademacher")
    ('webb', 'rademacher', 'rademacher')
    """
    if weights not in WEIGHT_TYPES:
        raise CultnetError(f"unknown bootstrap weights {weights!r}; choose one of {', '.join(WEIGHT_TYPES)}")
    if weights == "auto":
        return "webb" if n_clusters < WEBB_BELOW else "rademacher"
    return weights


@dataclass(frozen=True)
class DrawPlan:
    """How the bootstrap weights are made: enumerated or drawn, how many, how many exist."""

    weights: str
    n_clusters: int
    reps: int                 # draws used (= distinct when enumerated)
    enumerated: bool
    distinct: int | float     # number of distinct weight vectors (2^G or 6^G)
    seed: int

    def describe(self) -> str:
        """One sentence for tables and captions."""
        kind = "Rademacher" if self.weights == "rademacher" else "Webb six-point"
        total = _fmt_count(self.distinct)
        if self.enumerated:
            return (f"{kind} weights, all {total} weight vectors enumerated for {self.n_clusters} clusters "
                    f"(exact; {_fmt_count(self.distinct / 2)} distinct |t| values)")
        return f"{kind} weights, {self.reps:,} draws (seed {self.seed}) of {total} possible"

    def resolution_note(self) -> str:
        """A warning when the bootstrap distribution is coarse (few distinct draws)."""
        half = self.distinct / 2
        if half < 100:
            return (f"with {self.n_clusters} clusters the {('Rademacher' if self.weights == 'rademacher' else 'Webb')} "
                    f"bootstrap has only {_fmt_count(self.distinct)} weight vectors ({_fmt_count(half)} distinct |t| "
                    f"values): p-values are multiples of {2 / self.distinct:.3g} and cannot fall below "
                    f"{2 / self.distinct:.3g} unless 0; even WCR is unreliable with this few clusters "
                    "(MacKinnon & Webb 2017)")
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "clusters": self.n_clusters, "reps": self.reps,
                "enumerated": self.enumerated, "distinct_draws": float(self.distinct) if self.distinct > 2 ** 62
                else int(self.distinct), "seed": self.seed, "description": self.describe()}


def _fmt_count(n: float) -> str:
    return f"{int(n):,}" if n < 1e15 else f"{n:.3g}"


def draw_plan(n_clusters: int, *, weights: str = "auto", reps: int = 9999, seed: int = 0) -> DrawPlan:
    """Decide enumeration vs random draws for G clusters.

    >>> p = draw_plan(4, weights="rademacher"); (p.enumerated, p.reps, p.distinct)
    (True, 16, 16)
    >>> draw_plan(20, weights="rademacher", reps=999).enumerated
    False
    """
    w = choose_weights(n_clusters, weights)
    if reps < 1:
        raise CultnetError("the bootstrap needs reps >= 1")
    base = 2 if w == "rademacher" else 6
    distinct = float(base) ** n_clusters
    if distinct <= reps:
        return DrawPlan(w, n_clusters, int(distinct), True, int(distinct), seed)
    return DrawPlan(w, n_clusters, int(reps), False, int(distinct) if distinct < 2 ** 62 else distinct, seed)


def _weight_chunks(plan: DrawPlan) -> Iterator[np.ndarray]:
    """Yield (G, b) weight matrices covering the plan's draws (deterministic for a seed)."""
    G = plan.n_clusters
    if plan.enumerated:
        base = 2 if plan.weights == "rademacher" else 6
        points = np.array([-1.0, 1.0]) if base == 2 else WEBB_POINTS
        powers = base ** np.arange(G, dtype=np.int64)
        for start in range(0, plan.reps, _CHUNK):
            idx = np.arange(start, min(plan.reps, start + _CHUNK), dtype=np.int64)
            digits = (idx[None, :] // powers[:, None]) % base
            yield points[digits]
        return
    rng = np.random.default_rng(plan.seed)
    done = 0
    while done < plan.reps:
        b = min(_CHUNK, plan.reps - done)
        if plan.weights == "rademacher":
            yield rng.integers(0, 2, size=(G, b)) * 2.0 - 1.0
        else:
            yield WEBB_POINTS[rng.integers(0, 6, size=(G, b))]
        done += b


# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BootResult:
    """One bootstrap test: statistic, p-value, draws, and (for one coefficient) the CI."""

    stat: float
    p_value: float
    plan: DrawPlan
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    level: float = 0.95
    note: str = ""


class WildBootstrap:
    """Precomputed WCR problem for one data set (X, y, clusters); tests coefficients by index.

    Parameters
    ----------
    X : (N, K) regressors (after partialling out fixed effects, if any).
    y : (N,) dependent variable.
    clusters : (N,) cluster labels.
    ssc : small-sample factor of the cluster variance; default Stata's G/(G−1)·(N−1)/(N−k_ssc).
    k_ssc : K used in that factor (default the columns of X).
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, clusters: Sequence[Any], *, ssc: float | None = None,
                 k_ssc: int | None = None):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).ravel()
        if X.ndim != 2 or X.shape[0] != y.shape[0]:
            raise CultnetError("wild bootstrap: X and y do not conform")
        codes, uniq = _codes(clusters)
        self.X, self.y, self.g = X, y, codes
        self.G = len(uniq)
        self.N, self.K = X.shape
        if self.G < 2:
            raise CultnetError("the wild cluster bootstrap needs at least 2 clusters")
        k = self.K if k_ssc is None else k_ssc
        self.ssc = ssc if ssc is not None else self.G / (self.G - 1) * (self.N - 1) / max(self.N - k, 1)
        XtX = X.T @ X
        if np.linalg.matrix_rank(XtX) < self.K:
            raise CultnetError("wild bootstrap: the regressors are collinear")
        self.XtXi = np.linalg.inv(XtX)
        self.beta = self.XtXi @ (X.T @ y)
        self._cache: dict[Any, tuple[np.ndarray, np.ndarray]] = {}

    # -- sums over clusters -----------------------------------------------------------------------
    def _gsum(self, a: np.ndarray) -> np.ndarray:
        """Σ over the rows of each cluster: (N, m) -> (G, m)."""
        a = a.reshape(self.N, -1)
        out = np.zeros((self.G, a.shape[1]))
        np.add.at(out, self.g, a)
        return out

    def _affine_t(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """s(r) = s0 + δ s1 and A(r) = A0 + δ A1 for H0: beta_j = r, δ = r − β̂_j.

        Centred at the estimate so that the quadratic in δ stays accurate where the CI ends are
        (no cancellation between large terms when |t| is large)."""
        X, y = self.X, self.y
        r0 = float(self.beta[j])
        others = [c for c in range(self.K) if c != j]
        yr = y - r0 * X[:, j]
        if others:
            Xo = X[:, others]
            u0 = yr - Xo @ np.linalg.lstsq(Xo, yr, rcond=None)[0]
            m = X[:, j] - Xo @ np.linalg.lstsq(Xo, X[:, j], rcond=None)[0]
        else:
            u0, m = yr.copy(), X[:, j].copy()
        u1 = -m                                          # restricted residuals u(r) = u0 + δ u1
        q = self.XtXi[:, j]
        Xq = X @ q
        s0 = self._gsum(Xq * u0).ravel()
        s1 = self._gsum(Xq * u1).ravel()
        L = self._gsum(Xq[:, None] * X) @ self.XtXi      # (G, K): q'X_g'X_g (X'X)^-1
        C0 = L @ self._gsum(X * u0[:, None]).T           # (G, G)
        C1 = L @ self._gsum(X * u1[:, None]).T
        return s0, s1, np.diag(s0) - C0, np.diag(s1) - C1

    def _quadratics(self, j: int, plan: DrawPlan) -> tuple[np.ndarray, np.ndarray]:
        """Per draw (column 0 = the original data, v = 1): N0, N1, a, b, c with
        t*(r) = (N0 + r N1) / sqrt(ssc (a + 2 r b + r² c)) — every p(r) is then O(B)."""
        key = (j, plan)
        if key in self._cache:
            return self._cache[key]
        s0, s1, A0, A1 = self._affine_t(j)
        parts = []
        for V in (np.ones((self.G, 1)), *_weight_chunks(plan)):
            P0, P1 = A0 @ V, A1 @ V
            parts.append(np.vstack([s0 @ V, s1 @ V, np.einsum("gb,gb->b", P0, P0),
                                    np.einsum("gb,gb->b", P0, P1), np.einsum("gb,gb->b", P1, P1)]))
        q = np.hstack(parts)
        self._cache[key] = (q[:, :1], q[:, 1:])
        return self._cache[key]

    def _t_of(self, q: np.ndarray, d: float) -> np.ndarray:
        """t* at δ = r − β̂_j from the per-draw quadratics."""
        den2 = self.ssc * (q[2] + 2 * d * q[3] + d * d * q[4])
        with np.errstate(divide="ignore", invalid="ignore"):
            return (q[0] + d * q[1]) / np.sqrt(np.maximum(den2, 0.0))

    def _p_at(self, j: int, r: float, plan: DrawPlan) -> tuple[float, float]:
        q0, qb = self._quadratics(j, plan)
        d = r - float(self.beta[j])
        t0 = float(self._t_of(q0, d)[0])
        t = self._t_of(qb, d)
        ok = np.isfinite(t)
        feasible = int(ok.sum())
        exceed = int((np.abs(t[ok]) > abs(t0) * (1 + _TIE)).sum())
        return t0, (exceed / feasible if feasible else float("nan"))

    # -- public tests ----------------------------------------------------------------------------
    def distribution(self, j: int, *, null: float = 0.0, weights: str = "auto", reps: int = 9999,
                     seed: int = 0) -> tuple[float, np.ndarray]:
        """The statistic and its bootstrap distribution t*_b (all draws, in draw order)."""
        plan = draw_plan(self.G, weights=weights, reps=reps, seed=seed)
        q0, qb = self._quadratics(j, plan)
        d = null - float(self.beta[j])
        return float(self._t_of(q0, d)[0]), self._t_of(qb, d)

    def test_coef(self, j: int, *, null: float = 0.0, weights: str = "auto", reps: int = 9999,
                  seed: int = 0, level: float = 0.95, ci: bool = True) -> BootResult:
        """WCR test of β_j = null with the symmetric p-value, and the test-inversion CI."""
        plan = draw_plan(self.G, weights=weights, reps=reps, seed=seed)
        t0, p = self._p_at(j, null, plan)
        lo = hi = float("nan")
        note = plan.resolution_note()
        if ci:
            lo, hi, ci_note = self._invert(j, plan, 1 - level)
            note = "; ".join(n for n in (note, ci_note) if n)
        return BootResult(stat=t0, p_value=p, plan=plan, ci_low=lo, ci_high=hi, level=level, note=note)

    def _invert(self, j: int, plan: DrawPlan, alpha: float) -> tuple[float, float, str]:
        from scipy import stats

        b = float(self.beta[j])
        se = math.sqrt(max(self.ssc * self._crv0(j), 0.0))
        if not se > 0:
            return float("nan"), float("nan"), "confidence interval not computed: zero standard error"
        p_of = lambda r: self._p_at(j, r, plan)[1]  # noqa: E731
        if p_of(b) < alpha:
            return float("nan"), float("nan"), "confidence interval not computed: the test rejects at the estimate itself"
        half = 1.5 * float(stats.t.ppf(1 - alpha / 2, max(self.G - 1, 1))) * se
        ends, notes = [], []
        for sign in (-1.0, 1.0):
            inner, outer = b, b + sign * half
            for _ in range(12):                          # widen until the test rejects
                if p_of(outer) < alpha:
                    break
                inner, outer = outer, b + 2 * (outer - b)
            else:
                ends.append(sign * math.inf)
                notes.append(f"the {'lower' if sign < 0 else 'upper'} end is unbounded (p ≥ {alpha:g} "
                             f"up to {abs(outer - b) / se:.0f} standard errors away)")
                continue
            for _ in range(200):                          # bisection on the step function p(r)
                mid = 0.5 * (inner + outer)
                if abs(outer - inner) <= 1e-10 * se or mid in (inner, outer):
                    break
                if p_of(mid) < alpha:
                    outer = mid
                else:
                    inner = mid
            ends.append(0.5 * (inner + outer))
        return ends[0], ends[1], "; ".join(notes)

    def _crv0(self, j: int) -> float:
        u = self.y - self.X @ self.beta
        sc = self._gsum(self.X * u[:, None]) @ self.XtXi[:, j]
        return float(sc @ sc)

    def test_linear(self, R: np.ndarray, r: np.ndarray | None = None, *, weights: str = "auto",
                    reps: int = 9999, seed: int = 0) -> BootResult:
        """WCR bootstrap Wald test of Rβ = r (q rows); p = share of W* > W."""
        R = np.atleast_2d(np.asarray(R, dtype=float))
        qn = R.shape[0]
        r = np.zeros(qn) if r is None else np.asarray(r, dtype=float).ravel()
        plan = draw_plan(self.G, weights=weights, reps=reps, seed=seed)
        X, Q = self.X, self.XtXi
        RQ = R @ Q
        RQR = RQ @ R.T
        bt = self.beta - Q @ R.T @ np.linalg.solve(RQR, R @ self.beta - r)
        ut = self.y - X @ bt
        W = self._gsum(X * ut[:, None])                   # (G, K): X_g' u_g
        S = RQ @ W.T                                      # (q, G)
        # T[g] = R Q X_g'X_g Q W'  -> (G, q, G)
        XtX_g = np.einsum("ni,nj->nij", X, X)
        P = np.zeros((self.G, self.K, self.K))
        np.add.at(P, self.g, XtX_g)
        T = np.einsum("qk,gkl,lm,hm->gqh", RQ, P, Q, W)

        def wald(V: np.ndarray) -> np.ndarray:
            num = S @ V                                   # (q, b)
            sc = S.T[:, :, None] * V[:, None, :] - np.einsum("gqh,hb->gqb", T, V)
            Vs = self.ssc * np.einsum("gqb,gpb->bqp", sc, sc)
            out = np.full(V.shape[1], np.nan)
            ok = np.linalg.matrix_rank(Vs, hermitian=True) == qn
            if ok.any():
                out[ok] = np.einsum("bq,bq->b", num.T[ok], np.linalg.solve(Vs[ok], num.T[ok][..., None])[..., 0])
            return out

        w0 = float(wald(np.ones((self.G, 1)))[0])
        if not np.isfinite(w0):
            return BootResult(stat=float("nan"), p_value=float("nan"), plan=plan,
                              note=f"the clustered covariance of the {qn} restrictions is singular "
                                   f"(rank below {qn}; at most G − 1 = {self.G - 1})")
        exceed = feasible = 0
        for V in _weight_chunks(plan):
            w = wald(V)
            ok = np.isfinite(w)
            feasible += int(ok.sum())
            exceed += int((w[ok] > w0 * (1 + _TIE)).sum())
        return BootResult(stat=w0, p_value=exceed / feasible if feasible else float("nan"), plan=plan,
                          note=plan.resolution_note())


def _codes(clusters: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    uniq, codes = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
    return codes.ravel(), uniq


def wild_cluster_t(X: np.ndarray, y: np.ndarray, clusters: Sequence[Any], j: int, **kw: Any) -> BootResult:
    """Convenience: :meth:`WildBootstrap.test_coef` on (X, y, clusters) for coefficient j.

    >>> rng = np.random.default_rng(1); g = np.repeat(np.arange(6), 20)
    >>> X = np.column_stack([np.ones(120), rng.normal(size=120)]); y = X @ [1.0, 0.0] + rng.normal(size=120)
    >>> r = wild_cluster_t(X, y, g, 1, weights="rademacher"); (r.plan.enumerated, r.plan.reps)
    (True, 64)
    """
    ssc = kw.pop("ssc", None)
    return WildBootstrap(X, y, clusters, ssc=ssc).test_coef(j, **kw)


def wild_cluster_wald(X: np.ndarray, y: np.ndarray, clusters: Sequence[Any], R: np.ndarray,
                      r: np.ndarray | None = None, **kw: Any) -> BootResult:
    """Convenience: :meth:`WildBootstrap.test_linear`."""
    return WildBootstrap(X, y, clusters).test_linear(R, r, **kw)

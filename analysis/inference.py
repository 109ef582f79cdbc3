r"""Small-sample inference rules shared by the panel models: d.f., Wald tests, warnings.

**Clustered covariances.** With G clusters the cluster-robust variance
:math:`\hat V = c\,(X'X)^{-1}\sum_g X_g'\hat u_g\hat u_g'X_g(X'X)^{-1}` is a sum of G outer
products whose scores sum to zero (the normal equations), so its rank is at most G − 1. Stata
therefore reports t statistics on t(G − 1) and Wald tests as F(q, G − 1) after
``vce(cluster)`` (``regress``, ``xtreg``), and prints ``.`` for an F with q > G − 1. cultnet
follows that rule (:func:`t_inference`, :func:`wald_test`) and, where Stata would print ``.``,
returns the reason instead of a number. A quadratic form in a singular matrix is not a statistic:
it can be negative or astronomically large.

Below :data:`FEW_CLUSTERS` clusters even t(G − 1) over-rejects (Cameron & Miller 2015;
MacKinnon & Webb 2017): :func:`few_clusters_warning` says so and the panel models switch to the
wild cluster bootstrap (:mod:`cultnet.analysis.bootstrap`) by default.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50(2), 317–372. https://doi.org/10.3368/jhr.50.2.317
StataCorp. *Stata Base Reference Manual*, ``regress`` (Methods and formulas: vce(cluster)).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from scipy import stats

__all__ = ["FEW_CLUSTERS", "t_inference", "wald_test", "few_clusters_warning", "matrix_rank"]

#: below this many clusters cluster-robust t-tests over-reject; the wild bootstrap becomes the default
FEW_CLUSTERS = 42


def matrix_rank(M: np.ndarray, rtol: float = 1e-10) -> int:
    """Number of eigenvalues of the symmetric matrix M whose modulus exceeds rtol·max|eig|
    (nonzero, not positive: Stata's rank rule for ``hausman``).

    >>> matrix_rank(np.diag([1.0, -1e-3, 0.0]))
    2
    """
    M = np.asarray(M, dtype=float)
    if M.size == 0:
        return 0
    eig = np.linalg.eigvalsh((M + M.T) / 2)
    top = np.max(np.abs(eig))
    return int((np.abs(eig) > rtol * top).sum()) if top > 0 else 0


def t_inference(est: np.ndarray, se: np.ndarray, df: float | None, level: float = 0.95) -> dict[str, np.ndarray]:
    """Two-sided p-values and confidence intervals on t(df), or on N(0,1) when df is None.

    >>> r = t_inference(np.array([0.9]), np.array([0.1]), 3)
    >>> round(float(r["p_value"][0]), 4), round(float(r["ci_low"][0]), 4)
    (0.0029, 0.5818)
    """
    est, se = np.asarray(est, float), np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = est / se
    if df is None:
        p = 2 * stats.norm.sf(np.abs(t))
        c = stats.norm.ppf(0.5 + level / 2)
    else:
        p = 2 * stats.t.sf(np.abs(t), df)
        c = stats.t.ppf(0.5 + level / 2, df)
    return {"statistic": t, "p_value": p, "ci_low": est - c * se, "ci_high": est + c * se}


def wald_test(b: np.ndarray, V: np.ndarray, R: np.ndarray | None = None, r: np.ndarray | None = None, *,
              form: str = "F", df_denom: float | None = None, clusters: int | None = None,
              h0: str = "", names: Sequence[str] = ()) -> dict[str, Any]:
    r"""Wald test of :math:`R b = r`: :math:`W = (Rb-r)'(RVR')^{-1}(Rb-r)`.

    ``form="F"``: F = W/q on (q, df_denom) d.f. (``df_denom=None`` gives χ²(q)); ``form="chi2"``:
    χ²(q). With ``clusters=G`` (a clustered V) the test is refused when q > G − 1, since V has
    rank at most G − 1. It is also refused when RVR' is singular (rank < q) or W < 0. A refused
    test is ``{"reason": ..., "df": q, ...}`` without ``stat``: Stata prints ``.`` there.

    >>> wald_test(np.array([1.0, 2.0]), np.eye(2), df_denom=10)["stat"]
    2.5
    >>> "reason" in wald_test(np.array([1.0, 2.0, 3.0]), np.eye(3), clusters=3)
    True
    """
    b = np.asarray(b, float).ravel()
    V = np.asarray(V, float)
    R = np.eye(len(b)) if R is None else np.atleast_2d(np.asarray(R, float))
    q = R.shape[0]
    r = np.zeros(q) if r is None else np.asarray(r, float).ravel()
    out: dict[str, Any] = {"df": q, "h0": h0}
    if names:
        out["terms"] = list(names)
    if clusters is not None:
        out["clusters"] = int(clusters)
        if q > clusters - 1:
            out["reason"] = (f"not computable: {q} restrictions but only {clusters} clusters; a clustered "
                             f"covariance has rank at most G − 1 = {clusters - 1}, so the test of {q} "
                             "restrictions does not exist (Stata prints '.')")
            return out
    RVR = R @ V @ R.T
    rank = matrix_rank(RVR)
    if rank < q:
        out["reason"] = (f"not computable: the covariance of the {q} tested coefficients is singular "
                         f"(rank {rank} < {q})" + (f" with {clusters} clusters" if clusters else ""))
        return out
    d = R @ b - r
    w = float(d @ np.linalg.solve(RVR, d))
    if not math.isfinite(w) or w < 0:
        out["reason"] = f"not computable: the quadratic form is {w:.4g} (numerically singular covariance)"
        return out
    if form == "chi2" or df_denom is None:
        out.update(stat=w, p_value=float(stats.chi2.sf(w, q)), dist=f"chi2({q})", chi2=w)
    else:
        dfd = int(df_denom) if float(df_denom).is_integer() else float(df_denom)
        out.update(stat=w / q, df_denom=dfd, p_value=float(stats.f.sf(w / q, q, df_denom)),
                   dist=f"F({q},{dfd})", chi2=w)
    return out


def few_clusters_warning(G: int) -> str:
    """The warning shown with a clustered covariance on fewer than :data:`FEW_CLUSTERS` clusters.

    >>> few_clusters_warning(50)
    ''
    """
    if G >= FEW_CLUSTERS:
        return ""
    return (f"only {G} clusters: cluster-robust t-tests over-reject below about 40 clusters even on "
            f"t(G − 1) = t({G - 1}) (Cameron & Miller 2015); the wild cluster bootstrap p-values and "
            "intervals are the ones to read")

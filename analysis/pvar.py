r"""Panel VAR by GMM on forward-orthogonal deviations (Love & Zicchino 2006; Abrigo & Love 2016).

Model, for entity i and period t, with fixed effects :math:`\mu_i`:

.. math:: y_{it} = \mu_i + A_1 y_{i,t-1} + \dots + A_p y_{i,t-p} + e_{it}

**Transformation.** Forward orthogonal deviations (Arellano & Bover 1995) remove :math:`\mu_i`
without inducing serial correlation: for a row with :math:`m_{it}` later rows of the same entity,
:math:`x^*_{it} = \sqrt{m_{it}/(m_{it}+1)}\,(x_{it} - \bar x_{i,>t})`; the entity's last row is
lost. The same operator is applied to :math:`y_{it}` and to each lag :math:`y_{i,t-l}` over the
same rows, so :math:`y^*_{it} = \sum_l A_l y^{*}_{i,t-l} + e^*_{it}` holds exactly.

**Instruments.** The untransformed lags :math:`y_{i,t-1},\dots,y_{i,t-L}` (``inst_lags`` = L ≥ p)
depend only on errors up to t − 1 and are orthogonal to :math:`e^*_{it}`, which involves
:math:`e_{it},\dots,e_{iT}`. Rows without all L instrument lags are dropped.

**Estimator.** Step one is 2SLS with the common weight :math:`(Z'Z)^{-1}` (equation by
equation); step two (default) is efficient system GMM with
:math:`W = (\sum_i g_i g_i')^{-1}`, :math:`g_i = \operatorname{vec}(Z_i' \hat E_i)`. Reported SEs are
the entity-clustered GMM variance :math:`(G'WG)^{-1}` for step two (no Windmeijer correction) and
the clustered sandwich for step one. Hansen's J tests the over-identifying restrictions when L > p.

**IRF/FEVD** as in :mod:`cultnet.analysis.var`, with :math:`\hat\Sigma_e = \hat E^{*\prime}\hat E^{*}/n`
(FOD keeps i.i.d. errors i.i.d.). Monte Carlo bands draw the coefficients from
:math:`N(\hat\beta, \hat V)` (Σ held fixed), seeded.

Limits: with T = 10 per city and 14 cities the GMM estimator has few instruments and
observations (N(T − p − 1) = 112 for p = 1); it is consistent as N → ∞ with T fixed but its
precision here is low, and no Python library exists to cross-check it (statsmodels #9051). The
tests therefore check recovery on a simulated panel VAR with known coefficients and large N.

References
----------
Abrigo, M. R. M., & Love, I. (2016). Estimation of panel vector autoregression in Stata.
*The Stata Journal*, 16(3), 778–804. https://doi.org/10.1177/1536867X1601600314
Arellano, M., & Bover, O. (1995). Another look at the instrumental variable estimation of
error-components models. *Journal of Econometrics*, 68(1), 29–51.
https://doi.org/10.1016/0304-4076(94)01642-D
Love, I., & Zicchino, L. (2006). Financial development and dynamic investment behavior.
*Quarterly Review of Economics and Finance*, 46(2), 190–210.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cultnet.analysis.var import VarResult, fevd_from_orth, girf
from cultnet.errors import CultnetError, NotEnoughData, Problem, ValidationError

__all__ = ["PvarResult", "fit_pvar", "forward_orthogonal_deviations", "simulate_pvar"]


@dataclass(frozen=True)
class PvarResult(VarResult):
    """A panel VAR fit; same arrays and JSON as :class:`cultnet.analysis.var.VarResult` plus panel facts."""

    n_entities: int = 0
    inst_lags: int = 0
    estimator: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update({"n_entities": self.n_entities, "inst_lags": self.inst_lags, "estimator": self.estimator})
        return d


def forward_orthogonal_deviations(x: np.ndarray) -> np.ndarray:
    r"""FOD of the rows of ``x`` (one entity, time order); returns ``len(x) − 1`` rows.

    >>> forward_orthogonal_deviations(np.array([[1.0], [2.0], [3.0]])).round(4).ravel().tolist()
    [-1.2247, -0.7071]
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    out = np.empty((n - 1,) + x.shape[1:])
    csum = np.cumsum(x[::-1], axis=0)[::-1]          # csum[t] = sum over s >= t
    for t in range(n - 1):
        m = n - 1 - t
        out[t] = np.sqrt(m / (m + 1)) * (x[t] - csum[t + 1] / m)
    return out


def fit_pvar(df: pd.DataFrame, variables: Sequence[str], *, entity: str = "city", time: str = "year",
             lags: int = 1, inst_lags: int | None = None, steps: Literal[1, 2] = 2, log: bool = False,
             horizon: int = 10, order: Sequence[str] | None = None, bands: Literal["mc", None] = "mc",
             reps: int = 500, alpha: float = 0.05, seed: int = 0, time_effects: bool = False,
             source: str = "panel") -> PvarResult:
    """Fit a panel VAR(p) by FOD-GMM and compute IRFs (orthogonalized, generalized) and the FEVD.

    Parameters
    ----------
    variables : endogenous columns; their order (or ``order``) is the Cholesky ordering.
    lags : p. inst_lags : L ≥ p lags of levels as instruments (default p, just identified).
    steps : 1 (2SLS) or 2 (efficient two-step GMM).
    time_effects : remove common year effects first by subtracting each year's cross-sectional
        mean from every variable (Abrigo–Love's ``td`` option), for y_it = μ_i + δ_t + Σ A_l y_{i,t−l} + e_it.
    """
    variables = list(variables)
    if order is not None:
        if sorted(order) != sorted(variables):
            raise CultnetError(f"order must be a permutation of the variables {variables}; got {list(order)}")
        variables = list(order)
    k = len(variables)
    p = int(lags)
    L = int(inst_lags) if inst_lags is not None else p
    if k < 2:
        raise CultnetError("a panel VAR needs at least two variables")
    if p < 1 or L < p:
        raise CultnetError(f"need lags >= 1 and inst_lags >= lags (got lags={p}, inst_lags={L})")
    data = _prepare(df, variables, entity, time, log, source)
    if log:
        variables = [f"ln_{v}" for v in variables]
    if time_effects:
        data = data.copy()
        data[variables] = data[variables] - data.groupby(time)[variables].transform("mean")
    Ys, Xs, Zs = [], [], []
    data = data.sort_values([entity, time], kind="stable")
    ent_arr = data[entity].astype(str).to_numpy()
    yr_all = data[time].to_numpy(float)
    y_all = data[variables].to_numpy(float)
    starts = np.flatnonzero(np.r_[True, ent_arr[1:] != ent_arr[:-1]])
    ends = np.r_[starts[1:], len(ent_arr)]
    for a, b in zip(starts, ends):
        yrs = yr_all[a:b]
        if len(yrs) > 1 and not np.all(np.diff(yrs) == 1):
            raise ValidationError([Problem(source, None, time, f"{entity}={ent_arr[a]}: periods are not consecutive "
                                                               f"({yrs.astype(int).tolist()}); a panel VAR needs gap-free series")])
        y = y_all[a:b]
        T = len(y)
        if T < max(p, L) + 2:
            continue
        rows = np.arange(p, T)                                      # rows with all p lags
        lagged = np.hstack([y[rows - l] for l in range(1, p + 1)])  # (n, kp)
        ystar = forward_orthogonal_deviations(y[rows])
        xstar = forward_orthogonal_deviations(lagged)
        keep = rows[:-1] - L >= 0                                   # instruments y_{t-1..t-L} exist
        if not keep.any():
            continue
        r = rows[:-1][keep]
        Z = np.hstack([y[r - l] for l in range(1, L + 1)])
        Ys.append(ystar[keep]), Xs.append(xstar[keep]), Zs.append(Z)
    N = len(Ys)
    n = sum(len(a) for a in Ys)
    if N < 2 or n <= k * L + 1:
        raise NotEnoughData(f"panel VAR({p}) with {L} instrument lag(s) needs entities with at least "
                            f"{max(p, L) + 2} consecutive periods; usable: {N} entities, {n} rows")
    Y, X, Z = np.vstack(Ys), np.vstack(Xs), np.vstack(Zs)
    ZX, ZY = Z.T @ X, Z.T @ Y
    W1 = np.linalg.pinv(Z.T @ Z)
    B1 = np.linalg.solve(ZX.T @ W1 @ ZX, ZX.T @ W1 @ ZY)            # (kp, k)
    G = np.kron(np.eye(k), ZX)                                       # (k*kL, k*kp)

    def moments(B: np.ndarray) -> np.ndarray:
        return np.array([(Zi.T @ (Yi - Xi @ B)).ravel(order="F") for Yi, Xi, Zi in zip(Ys, Xs, Zs)])

    g1 = moments(B1)
    S = g1.T @ g1
    dfJ = k * (k * L - k * p)
    if steps == 1:
        Wb = np.kron(np.eye(k), W1)
        bread = np.linalg.inv(G.T @ Wb @ G)
        V = bread @ G.T @ Wb @ S @ Wb @ G @ bread
        B, name = B1, "FOD-GMM one-step (2SLS), entity-clustered SE"
        J: dict[str, Any] = {"reason": "Hansen J is reported for the two-step estimator"}
    else:
        W2 = np.linalg.pinv(S)
        vecB = np.linalg.solve(G.T @ W2 @ G, G.T @ W2 @ ZY.ravel(order="F"))
        B = vecB.reshape((k * p, k), order="F")
        V = np.linalg.inv(G.T @ W2 @ G)
        name = "FOD-GMM two-step (efficient), entity-clustered SE"
        if dfJ > 0:
            m2 = moments(B)
            gs = m2.sum(axis=0)
            j = float(gs @ np.linalg.pinv(m2.T @ m2) @ gs)
            J = {"stat": j, "df": dfJ, "p_value": float(stats.chi2.sf(j, dfJ)),
                 "h0": "over-identifying restrictions valid (Hansen J)"}
        else:
            J = {"reason": "exactly identified (inst_lags = lags): no over-identifying restrictions"}
    E = Y - X @ B
    Sigma = E.T @ E / n
    A = np.array([B[l * k:(l + 1) * k, :].T for l in range(p)])     # A_l[i, j]: equation i, variable j
    se = np.sqrt(np.maximum(np.diag(V), 0)).reshape((k * p, k), order="F")
    terms = [f"L{l}.{v}" for l in range(1, p + 1) for v in variables]
    rows_out = []
    for i, eq in enumerate(variables):
        for r_, t in enumerate(terms):
            est, s = float(B[r_, i]), float(se[r_, i])
            z = est / s if s > 0 else float("nan")
            rows_out.append({"equation": eq, "term": t, "estimate": est, "std_error": s, "statistic": z,
                             "p_value": float(2 * stats.norm.sf(abs(z)))})
    coefs = pd.DataFrame(rows_out)
    Phi = _ma_rep(A, horizon)
    try:
        P = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError as e:
        raise NotEnoughData("residual covariance of the panel VAR is not positive definite") from e
    orth = Phi @ P
    gir = girf(Phi, Sigma)
    fevd, fse = fevd_from_orth(orth)
    lower = upper = glo = gup = None
    if bands == "mc":
        rng = np.random.default_rng(seed)
        vb = B.ravel(order="F")
        Lc = np.linalg.cholesky(V + 1e-14 * np.eye(len(V)))
        do, dg = [], []
        for _ in range(reps):
            Bd = (vb + Lc @ rng.standard_normal(len(vb))).reshape((k * p, k), order="F")
            Ad = np.array([Bd[l * k:(l + 1) * k, :].T for l in range(p)])
            Ph = _ma_rep(Ad, horizon)
            do.append(Ph @ P), dg.append(girf(Ph, Sigma))
        q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
        lower, upper = np.percentile(np.array(do), q, axis=0)
        glo, gup = np.percentile(np.array(dg), q, axis=0)
    elif bands is not None:
        raise CultnetError(f"unknown bands {bands!r} for the panel VAR: use 'mc' or none")
    comp = np.zeros((k * p, k * p))
    comp[:k, :] = np.hstack(list(A))
    if p > 1:
        comp[k:, :-k] = np.eye(k * (p - 1))
    mods = np.sort(np.abs(np.linalg.eigvals(comp)))[::-1]
    tests = {"stability": {"stable": bool(mods.max() < 1), "max_modulus": float(mods.max()),
                           "moduli": [float(m) for m in mods]},
             "hansen_j": J}
    notes = (f"{N} entities, {n} transformed observations; instruments: levels, lags 1..{L}"
             + ("; year effects removed by cross-sectional demeaning" if time_effects else ""),)
    return PvarResult(variables=tuple(variables), lags=p, nobs=n, horizon=horizon, coefficients=coefs,
                      sigma_u=pd.DataFrame(Sigma, index=variables, columns=variables), irf=orth,
                      lower=lower, upper=upper, girf=gir, girf_lower=glo, girf_upper=gup, fevd=fevd,
                      forecast_se=fse, tests=tests, bands=bands, alpha=alpha, notes=notes,
                      n_entities=N, inst_lags=L, estimator=name)


def simulate_pvar(A: Sequence[np.ndarray], *, n_entities: int, n_periods: int, sigma: np.ndarray | None = None,
                  fe_scale: float = 1.0, burn: int = 50, seed: int = 0, entity: str = "city",
                  time: str = "year", names: Sequence[str] | None = None) -> pd.DataFrame:
    """Simulate y_it = μ_i + Σ A_l y_{i,t−l} + e_it (e ~ N(0, sigma), μ_i ~ N(0, fe_scale²)), long format.

    >>> simulate_pvar([np.eye(2) * 0.5], n_entities=2, n_periods=3).shape
    (6, 4)
    """
    A = [np.asarray(a, float) for a in A]
    k = A[0].shape[0]
    p = len(A)
    sigma = np.eye(k) if sigma is None else np.asarray(sigma, float)
    Lc = np.linalg.cholesky(sigma)
    rng = np.random.default_rng(seed)
    names = list(names or [f"y{j + 1}" for j in range(k)])
    mu = fe_scale * rng.standard_normal((n_entities, k))
    y = np.zeros((burn + n_periods + p, n_entities, k))
    for t in range(p, len(y)):
        y[t] = mu + sum(y[t - 1 - l] @ A[l].T for l in range(p)) + rng.standard_normal((n_entities, k)) @ Lc.T
    y = y[-n_periods:]                                   # (T, N, k)
    out = pd.DataFrame(y.transpose(1, 0, 2).reshape(-1, k), columns=names)
    out.insert(0, time, np.tile(np.arange(n_periods), n_entities))
    out.insert(0, entity, np.repeat([f"e{i:03d}" for i in range(n_entities)], n_periods))
    return out


def _ma_rep(A: np.ndarray, H: int) -> np.ndarray:
    p, k, _ = A.shape
    Phi = np.zeros((H + 1, k, k))
    Phi[0] = np.eye(k)
    for h in range(1, H + 1):
        for l in range(1, min(h, p) + 1):
            Phi[h] += A[l - 1] @ Phi[h - l]
    return Phi


def _prepare(df: pd.DataFrame, variables: list[str], entity: str, time: str, log: bool, source: str) -> pd.DataFrame:
    missing = [c for c in (entity, time, *variables) if c not in df.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, f"column {c!r} not found") for c in missing])
    d = df[[entity, time, *variables]].copy()
    d[time] = pd.to_numeric(d[time], errors="coerce")
    if log:
        from cultnet.analysis.indices import log_transform

        d = log_transform(d, variables, entity=entity, time=time, source=source)
        d = d[[entity, time, *[f"ln_{v}" for v in variables]]]
    return d.dropna()

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
Windmeijer's (2005) corrected two-step variance (:func:`windmeijer`; the uncorrected
:math:`(G'WG)^{-1}` is known to be far too small in small samples) and the clustered sandwich for
step one. Hansen's J tests the over-identifying restrictions when L > p.

**Identification is checked first** (:func:`pvar_identification`): each entity needs
T_i ≥ max(p, L) + 2 periods; one-step needs more rows than the k·L instruments per equation;
two-step needs N > k²L entities, since the k²L × k²L weight matrix has rank at most N. When only
the one-step estimator is identified it is used and the notes say why; when neither is, a
:class:`~cultnet.errors.NotEnoughData` with a one-paragraph reason is raised.

**IRF/FEVD** as in :mod:`cultnet.analysis.var`, with :math:`\hat\Sigma_e = \hat E^{*\prime}\hat E^{*}/n`
(FOD keeps i.i.d. errors i.i.d.). Monte Carlo bands draw the coefficients from
:math:`N(\hat\beta, \hat V)` (Σ held fixed, V's symmetric square root so that a singular V
works), seeded; the same draws give percentile bands for the FEVD (``fevd_lower/upper``).

Limits: on a province's panel (N = 8-20 cities, T = 6-15 years) the GMM estimator has few
instruments and observations (N(T − p − 1), e.g. 112 for N = 14, T = 10, p = 1); it is consistent as N → ∞ with T fixed but its
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

__all__ = ["PvarResult", "fit_pvar", "pvar_identification", "windmeijer", "forward_orthogonal_deviations",
           "simulate_pvar"]


@dataclass(frozen=True)
class PvarResult(VarResult):
    """A panel VAR fit; same arrays and JSON as :class:`cultnet.analysis.var.VarResult` plus panel facts."""

    n_entities: int = 0
    inst_lags: int = 0
    estimator: str = ""
    steps: int = 2
    fevd_lower: np.ndarray | None = None
    fevd_upper: np.ndarray | None = None
    identification: dict[str, Any] | None = None

    def fevd_table(self, response: str | int = 0) -> pd.DataFrame:
        """The variance decomposition of one response (percent, period 1 = impact), with the Monte
        Carlo percentile band of each share (``<shock> % lo``, ``<shock> % hi``) when bands were drawn."""
        t = super().fevd_table(response)
        if self.fevd_lower is not None and self.fevd_upper is not None:
            i = self.variables.index(response) if isinstance(response, str) else int(response)
            for j, v in enumerate(self.variables):
                pos = t.columns.get_loc(f"{v} %") + 1
                t.insert(pos, f"{v} % hi", self.fevd_upper[i, :, j])
                t.insert(pos, f"{v} % lo", self.fevd_lower[i, :, j])
        return t

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()

        def fe(a: np.ndarray | None) -> Any:
            if a is None:
                return None
            return {r: [{s: float(a[i, h, j]) for j, s in enumerate(self.variables)} for h in range(a.shape[1])]
                    for i, r in enumerate(self.variables)}

        d.update({"n_entities": self.n_entities, "inst_lags": self.inst_lags, "estimator": self.estimator,
                  "steps": self.steps, "fevd_lower": fe(self.fevd_lower), "fevd_upper": fe(self.fevd_upper),
                  "identification": self.identification})
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


def pvar_identification(df: pd.DataFrame, variables: Sequence[str], *, entity: str = "city", time: str = "year",
                        lags: int = 1, inst_lags: int | None = None) -> dict[str, Any]:
    """What the panel can support, before any estimation.

    Returns counts (entities, periods, usable rows per entity after the lags and the forward
    orthogonal deviation, instruments per equation k·L, moments k²·L, parameters k²·p) and
    ``one_step`` / ``two_step`` flags, each with a ``reason`` when infeasible. Rules: every
    entity needs T_i ≥ max(p, L) + 2 periods to contribute a row; one-step 2SLS needs more rows
    than instruments (n > k·L); two-step GMM's weight matrix Σ_i g_i g_i' (k²L × k²L) has rank
    at most N, so it needs N > k²·L entities (Abrigo & Love 2016; pitfall: singular weights).
    """
    k, p = len(variables), int(lags)
    L = int(inst_lags) if inst_lags is not None else p
    per = df.groupby(entity)[time].nunique() if len(df) else pd.Series(dtype=int)
    need = max(p, L) + 2
    usable = per[per >= need]
    rows = int((usable - max(p, L) - 1).sum())
    N = int(len(usable))
    m_eq, moments, params = k * L, k * k * L, k * k * p
    out: dict[str, Any] = {"entities": int(len(per)), "usable_entities": N,
                           "periods": {"min": int(per.min()) if len(per) else 0, "max": int(per.max()) if len(per) else 0},
                           "rows": rows, "lags": p, "inst_lags": L, "variables": k,
                           "instruments_per_equation": m_eq, "moments": moments, "parameters": params,
                           "min_periods": need}
    base = (f"A panel VAR({p}) in {k} variables with {L} lag(s) of levels as instruments needs at least "
            f"{need} consecutive periods per entity (the lags use {max(p, L)}, forward orthogonal deviations lose "
            f"the last one). This panel has {len(per)} entities with {out['periods']['min']}–{out['periods']['max']} "
            f"periods: {N} of them usable, {rows} transformed observations in all.")
    if N < 2 or rows <= m_eq:
        out["one_step"] = False
        out["reason"] = (base + f" Estimation needs at least 2 usable entities and more rows than the {m_eq} "
                         "instruments per equation. Use fewer variables, fewer lags, or a longer panel.")
    else:
        out["one_step"] = True
    if not out["one_step"]:
        out["two_step"] = False
    elif N <= moments:
        out["two_step"] = False
        out["two_step_reason"] = (f"two-step GMM is not identified here: its weight matrix (Σ_i g_i g_i', "
                                  f"{moments} × {moments} for {k}² × {L} moment conditions) has rank at most "
                                  f"N = {N} < {moments + 1}, so it cannot be inverted; the one-step (2SLS) "
                                  "estimator with entity-clustered SEs is used instead. With this few entities its "
                                  "standard errors are themselves imprecise: read the IRFs as descriptive.")
    else:
        out["two_step"] = True
    out["summary"] = base
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
    steps : 1 (2SLS) or 2 (efficient two-step GMM, Windmeijer-corrected SEs). When the sample
        cannot support the two-step weight matrix (N ≤ k²L) the one-step estimator is used and
        ``notes`` and ``identification`` say why.
    time_effects : remove common year effects first by subtracting each year's cross-sectional
        mean from every variable (Abrigo–Love's ``td`` option), for y_it = μ_i + δ_t + Σ A_l y_{i,t−l} + e_it.

    Raises
    ------
    NotEnoughData
        with a one-paragraph reason (counts of entities, periods, rows, instruments) when the
        panel cannot identify the model.
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
    if len(set(variables)) != k:
        raise CultnetError(f"each panel VAR variable must appear once: {variables}")
    if p < 1 or L < p:
        raise CultnetError(f"need lags >= 1 and inst_lags >= lags (got lags={p}, inst_lags={L})")
    if steps not in (1, 2):
        raise CultnetError(f"steps must be 1 or 2, got {steps}")
    data = _prepare(df, variables, entity, time, log, source)
    if log:
        variables = [f"ln_{v}" for v in variables]
    ident = pvar_identification(data, variables, entity=entity, time=time, lags=p, inst_lags=L)
    if not ident["one_step"]:
        raise NotEnoughData(ident["reason"])
    notes: list[str] = []
    if steps == 2 and not ident["two_step"]:
        notes.append(ident["two_step_reason"])
        steps = 1
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
    gaps = []
    for a, b in zip(starts, ends):
        yrs = yr_all[a:b]
        if len(yrs) > 1 and not np.all(np.diff(yrs) == 1):
            gaps.append(Problem(source, None, time, f"{entity}={ent_arr[a]}: periods are not consecutive "
                                                    f"({yrs.astype(int).tolist()}); a panel VAR needs gap-free series"))
            continue
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
    if gaps:
        raise ValidationError(gaps)
    N = len(Ys)
    n = sum(len(a) for a in Ys)
    Y, X, Z = np.vstack(Ys), np.vstack(Xs), np.vstack(Zs)
    ZX, ZY = Z.T @ X, Z.T @ Y
    if np.linalg.matrix_rank(Z.T @ Z) < Z.shape[1] or np.linalg.matrix_rank(ZX) < X.shape[1]:
        raise NotEnoughData(ident["summary"] + f" The {Z.shape[1]} instruments (lagged levels) are collinear "
                            "or do not predict the transformed lags (rank-deficient first stage), so the "
                            "coefficients are not identified: a variable may be constant within entities, or two "
                            "variables may move together exactly.")
    W1 = np.linalg.inv(Z.T @ Z)
    B1 = np.linalg.solve(ZX.T @ W1 @ ZX, ZX.T @ W1 @ ZY)            # (kp, k)
    G = np.kron(np.eye(k), ZX)                                       # (k*kL, k*kp)

    def moments(B: np.ndarray) -> np.ndarray:
        return np.array([(Zi.T @ (Yi - Xi @ B)).ravel(order="F") for Yi, Xi, Zi in zip(Ys, Xs, Zs)])

    g1 = moments(B1)
    S = g1.T @ g1
    Wb = np.kron(np.eye(k), W1)
    bread = np.linalg.inv(G.T @ Wb @ G)
    V1 = bread @ G.T @ Wb @ S @ Wb @ G @ bread                      # robust one-step variance
    dfJ = k * (k * L - k * p)
    if steps == 2 and np.linalg.matrix_rank(S) < S.shape[0]:
        notes.append(f"two-step GMM skipped: the {S.shape[0]} × {S.shape[0]} weight matrix Σ_i g_i g_i' is singular "
                     f"in this sample (rank {np.linalg.matrix_rank(S)}); one-step (2SLS) estimates shown")
        steps = 1
    if steps == 1:
        B, V, name = B1, V1, "FOD-GMM one-step (2SLS), entity-clustered SE"
        J: dict[str, Any] = {"reason": "Hansen J is reported for the two-step estimator"}
    else:
        W2 = np.linalg.inv(S)
        vecB = np.linalg.solve(G.T @ W2 @ G, G.T @ W2 @ ZY.ravel(order="F"))
        B = vecB.reshape((k * p, k), order="F")
        V2 = np.linalg.inv(G.T @ W2 @ G)
        V = windmeijer(Ys, Xs, Zs, B1, B, W2, G, V1, V2)
        name = "FOD-GMM two-step (efficient), Windmeijer-corrected entity-clustered SE"
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
        raise NotEnoughData(ident["summary"] + f" The residual covariance of the {k} equations is not positive "
                            f"definite ({n} transformed observations): two variables' residuals are exactly "
                            "collinear. Drop one of them or use a longer panel.") from e
    orth = Phi @ P
    gir = girf(Phi, Sigma)
    fevd, fse = fevd_from_orth(orth)
    lower = upper = glo = gup = flo = fup = None
    if bands == "mc":
        rng = np.random.default_rng(seed)
        vb = B.ravel(order="F")
        root = _psd_root(V)                                         # V may be singular (rank <= N)
        do, dg, dfv = [], [], []
        for _ in range(reps):
            Bd = (vb + root @ rng.standard_normal(root.shape[1])).reshape((k * p, k), order="F")
            Ad = np.array([Bd[l * k:(l + 1) * k, :].T for l in range(p)])
            Ph = _ma_rep(Ad, horizon)
            o = Ph @ P
            do.append(o), dg.append(girf(Ph, Sigma)), dfv.append(fevd_from_orth(o)[0])
        q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
        lower, upper = np.percentile(np.array(do), q, axis=0)
        glo, gup = np.percentile(np.array(dg), q, axis=0)
        flo, fup = np.percentile(np.array(dfv), q, axis=0)
    elif bands is not None:
        raise CultnetError(f"unknown bands {bands!r} for the panel VAR: use 'mc' or none")
    comp = np.zeros((k * p, k * p))
    comp[:k, :] = np.hstack(list(A))
    if p > 1:
        comp[k:, :-k] = np.eye(k * (p - 1))
    mods = np.sort(np.abs(np.linalg.eigvals(comp)))[::-1]
    stable = bool(mods.max() < 1)
    tests = {"stability": {"stable": stable, "max_modulus": float(mods.max()),
                           "moduli": [float(m) for m in mods],
                           "note": "moduli of the companion-matrix eigenvalues; stable if all < 1"
                                   + ("" if stable else "; NOT stable: responses grow with the horizon and the "
                                      "bands widen without bound")},
             "hansen_j": J}
    notes.insert(0, f"{N} entities, {n} transformed observations; instruments: levels, lags 1..{L} "
                    f"({k * L} per equation, {k * k * L} moments for {k * k * p} coefficients)"
                    + ("; year effects removed by cross-sectional demeaning" if time_effects else ""))
    if N < 30:
        notes.append(f"only {N} entities: FOD-GMM is consistent as N grows with T fixed; with this few entities its "
                     "standard errors and bands are imprecise (treat the IRFs as descriptive)")
    return PvarResult(variables=tuple(variables), lags=p, nobs=n, horizon=horizon, coefficients=coefs,
                      sigma_u=pd.DataFrame(Sigma, index=variables, columns=variables), irf=orth,
                      lower=lower, upper=upper, girf=gir, girf_lower=glo, girf_upper=gup, fevd=fevd,
                      forecast_se=fse, tests=tests, bands=bands, alpha=alpha, notes=tuple(notes),
                      n_entities=N, inst_lags=L, estimator=name, steps=steps, fevd_lower=flo, fevd_upper=fup,
                      identification=ident)


def windmeijer(Ys: list[np.ndarray], Xs: list[np.ndarray], Zs: list[np.ndarray], B1: np.ndarray, B2: np.ndarray,
               W2: np.ndarray, G: np.ndarray, V1: np.ndarray, V2: np.ndarray) -> np.ndarray:
    r"""Windmeijer's (2005) finite-sample corrected variance of the two-step GMM estimator.

    :math:`V_W = V_2 + DV_2 + V_2D' + DV_1D'`, with :math:`V_2 = (G'W_2G)^{-1}`, :math:`V_1` the
    robust one-step variance and :math:`D_{\cdot k} = -V_2G'W_2\,(\partial S/\partial b_k)\,W_2\,\bar g_2`
    the derivative of the two-step estimate with respect to the one-step estimate through the
    weight matrix :math:`W_2 = S(b_1)^{-1}`, :math:`S(b) = \sum_i g_i(b)g_i(b)'`,
    :math:`\partial S/\partial b_k = \sum_i (h_{ik}g_i' + g_ih_{ik}')`,
    :math:`h_{ik} = \partial g_i/\partial b_k`, :math:`\bar g_2 = \sum_i g_i(b_2)`.

    References
    ----------
    Windmeijer, F. (2005). A finite sample correction for the variance of linear efficient
    two-step GMM estimators. *Journal of Econometrics*, 126(1), 25–51.
    https://doi.org/10.1016/j.jeconom.2004.02.005
    """
    D = windmeijer_derivative(Ys, Xs, Zs, B1, B2, W2, G, V2)
    return V2 + D @ V2 + V2 @ D.T + D @ V1 @ D.T


def windmeijer_derivative(Ys: list[np.ndarray], Xs: list[np.ndarray], Zs: list[np.ndarray], B1: np.ndarray,
                          B2: np.ndarray, W2: np.ndarray, G: np.ndarray, V2: np.ndarray) -> np.ndarray:
    """D = ∂vec(B2)/∂vec(B1)' through the weight matrix (Windmeijer 2005, §2; see :func:`windmeijer`)."""
    kp, k = B1.shape
    P = kp * k
    g1 = np.array([(Zi.T @ (Yi - Xi @ B1)).ravel(order="F") for Yi, Xi, Zi in zip(Ys, Xs, Zs)])   # (N, m)
    gbar2 = sum((Zi.T @ (Yi - Xi @ B2)).ravel(order="F") for Yi, Xi, Zi in zip(Ys, Xs, Zs))
    w = W2 @ gbar2
    cols = np.empty((W2.shape[0], P))
    for idx in range(P):
        r_, e = idx % kp, idx // kp                       # vec order "F": parameter (row r_, equation e)
        H = np.zeros_like(g1)
        m_eq = Zs[0].shape[1]
        for n_, (Xi, Zi) in enumerate(zip(Xs, Zs)):
            H[n_, e * m_eq:(e + 1) * m_eq] = -(Zi.T @ Xi[:, r_])
        # (dS/db_k) w = sum_i h_i (g_i'w) + g_i (h_i'w)
        cols[:, idx] = H.T @ (g1 @ w) + g1.T @ (H @ w)
    return -V2 @ G.T @ W2 @ cols


def _psd_root(V: np.ndarray) -> np.ndarray:
    """A square root R with R R' = V for a symmetric positive semi-definite V (eigenvalues < 0
    from rounding set to 0), so that draws from N(b, V) work when V is singular."""
    lam, Q = np.linalg.eigh((V + V.T) / 2)
    return Q * np.sqrt(np.clip(lam, 0, None))


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

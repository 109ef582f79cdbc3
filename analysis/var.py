r"""Vector autoregression for the paper's Section 3.4: unit roots, lag order, diagnostics, IRF, FEVD.

Model (statsmodels 0.15 ``VAR``, OLS equation by equation, constant included):

.. math:: y_t = c + A_1 y_{t-1} + \dots + A_p y_{t-p} + u_t, \qquad E[u_t u_t'] = \Sigma_u

:math:`\hat\Sigma_u` uses the d.f.-corrected divisor :math:`T - Kp - 1` (R ``vars``, EViews,
statsmodels). With MA coefficients :math:`\Phi_h` (:math:`\Phi_0 = I`):

* **Orthogonalized IRF** (Cholesky): :math:`\Theta_h = \Phi_h P`, :math:`P P' = \hat\Sigma_u`,
  :math:`P` lower triangular; the ordering of ``variables`` is the Cholesky ordering (first = most
  exogenous) — change it with ``order=``. A one-standard-deviation shock, as EViews' default.
* **Generalized IRF** (Pesaran & Shin 1998): :math:`\psi_j(h) = \sigma_{jj}^{-1/2}\,\Phi_h
  \Sigma_u e_j`, invariant to the ordering; for the first variable it equals the orthogonalized
  IRF.
* **FEVD**: share of shock j in the h-step forecast error variance of variable i, in percent,
  :math:`100\sum_{s=0}^{h}\Theta_{h,ij}^2 / \sum_{s=0}^{h}\sum_l \Theta_{s,il}^2`, with forecast
  standard error :math:`\sqrt{\sum_{s=0}^{h}\sum_l \Theta_{s,il}^2}` (EViews' "S.E." column).
  Index h = 0 is the impact period (EViews "period 1", the paper's "Current").

Bands: ``"mc"`` — Lütkepohl's Monte Carlo from the asymptotic distribution of the coefficients
(statsmodels ``irf_errband_mc``), orthogonalized IRF only; ``"bootstrap"`` — residual bootstrap
with the same ordering, percentile bands for both the orthogonalized and the generalized IRF.
Both are seeded.

Small samples: the residual covariance of a VAR(p) in K variables is non-singular only when
:math:`T - p - Kp - 1 \ge K` (T = number of observations). With 10 annual observations and
K = 3 only p = 1 qualifies; asking for more raises :class:`NotEnoughData` saying so.

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer.
https://doi.org/10.1007/978-3-540-27752-1
Pesaran, M. H., & Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
models. *Economics Letters*, 58(1), 17–29. https://doi.org/10.1016/S0165-1765(97)00214-0
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from cultnet.errors import CultnetError, NotEnoughData, Problem, ValidationError

__all__ = ["VarResult", "fit_var", "unit_root_tests", "max_feasible_lags", "girf", "fevd_from_orth",
           "prepare_series", "irf_axis_range", "DEFAULT_VARIABLES"]

DEFAULT_VARIABLES = ("dt", "wfb", "wsb")


# ------------------------------------------------------------------------------------------------
def max_feasible_lags(nobs: int, k: int, n_det: int = 1) -> int:
    """Largest p with T − p − Kp − n_det ≥ K (non-singular residual covariance; n_det
    deterministic terms per equation, 1 for a constant).

    >>> max_feasible_lags(10, 3), max_feasible_lags(40, 3)
    (1, 9)
    """
    return max(0, (nobs - n_det - k) // (k + 1))


def prepare_series(df: pd.DataFrame, variables: Sequence[str], *, time: str | None = None,
                   log: bool = False, source: str = "series") -> pd.DataFrame:
    """Select, order, validate and optionally log the VAR variables (one row per period).

    Returns a float DataFrame indexed by ``time`` (if given) with columns ``variables`` (renamed
    ``ln_<v>`` when ``log``). Values ≤ 0 under ``log`` raise :class:`ValidationError` naming the
    period and the column.
    """
    variables = list(variables)
    missing = [v for v in variables if v not in df.columns]
    if missing:
        raise ValidationError([Problem(source, None, v, f"column {v!r} not found (have: {', '.join(map(str, df.columns))})")
                               for v in missing])
    if len(set(variables)) != len(variables):
        raise CultnetError(f"each VAR variable must appear once: {variables}")
    d = df.copy()
    if time is not None:
        if time not in d.columns:
            raise ValidationError([Problem(source, None, time, f"time column {time!r} not found")])
        if d[time].duplicated().any():
            raise ValidationError([Problem(source, None, time, f"several rows per period (e.g. {d.loc[d[time].duplicated(), time].iloc[0]}); "
                                                               "a VAR needs one row per period — filter by region first")])
        d = d.sort_values(time).set_index(time)
    out = pd.DataFrame(index=d.index)
    problems = []
    for v in variables:
        x = pd.to_numeric(d[v], errors="coerce").astype(float)
        for idx in x.index[x.isna()][:5]:
            problems.append(Problem(source, None, v, f"period {idx}: missing or non-numeric value"))
        if log:
            for idx in x.index[(x <= 0).fillna(False)][:5]:
                problems.append(Problem(source, None, v, f"period {idx}: value {x[idx]:g} <= 0, log undefined"))
            out[f"ln_{v}"] = np.log(x.where(x > 0))
        else:
            out[v] = x
    if problems:
        raise ValidationError(problems)
    return out


def unit_root_tests(data: pd.DataFrame, *, alpha: float = 0.05, regression: str = "c") -> pd.DataFrame:
    """ADF (H0 unit root, lag by AIC) and KPSS (H0 stationary, automatic bandwidth) per column,
    in levels and first differences, with a plain verdict and a differencing suggestion.

    Columns: variable, form (level/diff), adf_stat, adf_p, kpss_stat, kpss_p, verdict, and per
    variable (level rows) ``suggestion``. KPSS p-values are interpolated in a table bounded to
    [0.01, 0.10] (statsmodels warns; the bound is kept).
    """
    from statsmodels.tsa.stattools import adfuller, kpss

    rows = []
    for col in data.columns:
        for form, s in (("level", data[col]), ("diff", data[col].diff().dropna())):
            row: dict[str, Any] = {"variable": col, "form": form, "nobs": int(s.notna().sum())}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    a = adfuller(s.to_numpy(), regression=regression, autolag="AIC")
                row["adf_stat"], row["adf_p"] = float(a[0]), float(a[1])
            except Exception as e:  # too short
                row["adf_stat"] = row["adf_p"] = float("nan")
                row["adf_reason"] = f"ADF not computable: {e}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    k = kpss(s.to_numpy(), regression=regression, nlags="auto")
                row["kpss_stat"], row["kpss_p"] = float(k[0]), float(k[1])
            except Exception as e:
                row["kpss_stat"] = row["kpss_p"] = float("nan")
                row["kpss_reason"] = f"KPSS not computable: {e}"
            row["verdict"] = _verdict(row.get("adf_p"), row.get("kpss_p"), alpha)
            rows.append(row)
    out = pd.DataFrame(rows)
    sugg = {}
    for col in data.columns:
        lv = out[(out.variable == col) & (out.form == "level")].iloc[0]["verdict"]
        df_ = out[(out.variable == col) & (out.form == "diff")].iloc[0]["verdict"]
        if lv == "stationary":
            sugg[col] = "use levels"
        elif df_ == "stationary":
            sugg[col] = "difference once (I(1))" if lv == "unit root" else "likely I(1): consider differencing once"
        elif lv == "unit root":
            sugg[col] = "difference once; the difference is not clearly stationary either (short sample?)"
        elif lv == "not computable":
            sugg[col] = "too short to test"
        else:
            sugg[col] = "inconclusive: inspect the series (a VAR in levels stays consistent)"
    out["suggestion"] = out["variable"].map(sugg).where(out["form"] == "level", "")
    return out


def _verdict(adf_p: float | None, kpss_p: float | None, alpha: float) -> str:
    if adf_p is None or kpss_p is None or math.isnan(adf_p) or math.isnan(kpss_p):
        return "not computable"
    adf_rej, kpss_rej = adf_p < alpha, kpss_p < alpha
    if adf_rej and not kpss_rej:
        return "stationary"
    if not adf_rej and kpss_rej:
        return "unit root"
    return "inconclusive (ADF and KPSS disagree)" if adf_rej else "inconclusive (neither test rejects)"


# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VarResult:
    """A fitted VAR with its impulse responses and variance decomposition.

    Arrays are indexed as in the JSON: ``irf[h, response, impulse]``, ``fevd[response, h, shock]``
    (percent), ``forecast_se[h, response]``; h = 0 is the impact period.
    """

    variables: tuple[str, ...]
    lags: int
    nobs: int
    horizon: int
    coefficients: pd.DataFrame
    sigma_u: pd.DataFrame
    irf: np.ndarray
    lower: np.ndarray | None
    upper: np.ndarray | None
    girf: np.ndarray
    girf_lower: np.ndarray | None
    girf_upper: np.ndarray | None
    fevd: np.ndarray
    forecast_se: np.ndarray
    tests: dict[str, Any]
    lag_selection: pd.DataFrame | None = None
    unit_roots: pd.DataFrame | None = None
    bands: str | None = None
    alpha: float = 0.05
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy IRF: h, response, impulse, orthogonalized, lower, upper, generalized."""
        H, k = self.irf.shape[0], len(self.variables)
        rows = []
        for h in range(H):
            for i in range(k):
                for j in range(k):
                    rows.append({"h": h, "response": self.variables[i], "impulse": self.variables[j],
                                 "orthogonalized": self.irf[h, i, j],
                                 "lower": None if self.lower is None else self.lower[h, i, j],
                                 "upper": None if self.upper is None else self.upper[h, i, j],
                                 "generalized": self.girf[h, i, j]})
        return pd.DataFrame(rows)

    def fevd_table(self, response: str | int = 0) -> pd.DataFrame:
        """The paper's Table 5 for one response: period, forecast SE, percent by shock (rows sum to 100).

        ``period`` 1 is the impact period (EViews "1", the paper's "Current").
        """
        i = self.variables.index(response) if isinstance(response, str) else int(response)
        t = pd.DataFrame(self.fevd[i], columns=[f"{v} %" for v in self.variables])
        t.insert(0, "S.E.", self.forecast_se[:, i])
        t.insert(0, "period", np.arange(1, t.shape[0] + 1))
        return t

    def to_dict(self) -> dict[str, Any]:
        def nest(a: np.ndarray | None) -> Any:
            if a is None:
                return None
            return [{r: {s: float(a[h, i, j]) for j, s in enumerate(self.variables)}
                     for i, r in enumerate(self.variables)} for h in range(a.shape[0])]

        fevd = {r: [{s: float(self.fevd[i, h, j]) for j, s in enumerate(self.variables)}
                    for h in range(self.fevd.shape[1])] for i, r in enumerate(self.variables)}
        return {
            "variables": list(self.variables), "lags": self.lags, "nobs": self.nobs,
            "horizon": self.horizon, "ordering": list(self.variables),
            "irf": {"orthogonalized": nest(self.irf), "lower": nest(self.lower), "upper": nest(self.upper),
                    "generalized": nest(self.girf), "generalized_lower": nest(self.girf_lower),
                    "generalized_upper": nest(self.girf_upper), "bands": self.bands,
                    "level": 1 - self.alpha},
            "fevd": fevd,
            "forecast_se": {r: [float(v) for v in self.forecast_se[:, i]] for i, r in enumerate(self.variables)},
            "coefficients": self.coefficients.to_dict(orient="records"),
            "sigma_u": self.sigma_u.to_numpy().tolist(),
            "lag_selection": None if self.lag_selection is None else self.lag_selection.reset_index().to_dict(orient="records"),
            "unit_roots": None if self.unit_roots is None else self.unit_roots.to_dict(orient="records"),
            "tests": self.tests, "notes": list(self.notes),
        }

    def summary(self) -> str:
        lines = [f"VAR({self.lags}) on {', '.join(self.variables)}; {self.nobs} observations used; "
                 f"Cholesky ordering {' → '.join(self.variables)}"]
        lines += [f"note: {n}" for n in self.notes]
        st = self.tests.get("stability", {})
        if "stable" in st:
            lines.append(f"stability: {'stable' if st['stable'] else 'NOT stable'} (max modulus of companion "
                         f"eigenvalues {st['max_modulus']:.4f})")
        for name in ("whiteness", "normality"):
            t = self.tests.get(name, {})
            lines.append(f"{name}: " + (f"stat {t['stat']:.3f}, df {t['df']}, p {t['p_value']:.4f}" if "stat" in t
                                          else t.get("reason", "n/a")))
        for r in self.variables:
            lines.append("")
            lines.append(f"Variance decomposition of {r} (percent)")
            lines.append(self.fevd_table(r).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)


def fit_var(data: pd.DataFrame, *, lags: int | Literal["auto"] = "auto", maxlags: int | None = None,
            ic: str = "aic", order: Sequence[str] | None = None, horizon: int = 10,
            bands: Literal["mc", "bootstrap", None] = "mc", reps: int = 500, alpha: float = 0.05,
            seed: int = 0, unit_roots: bool = True, granger: bool = True,
            trend: Literal["c", "ct", "n"] = "c") -> VarResult:
    """Fit a VAR and compute diagnostics, orthogonalized and generalized IRFs, and the FEVD.

    Parameters
    ----------
    data : DataFrame, one row per period, one column per variable (see :func:`prepare_series`).
    lags : an integer, or ``"auto"`` (choose by ``ic`` among 1..maxlags, feasible ones only;
        default maxlags = floor(T^(1/3)), capped by the feasibility bound).
    order : Cholesky ordering (a permutation of the columns); default the column order.
    bands : ``"mc"``, ``"bootstrap"`` or ``None``; ``reps`` draws, seeded with ``seed``.
    trend : deterministic terms: ``"c"`` constant (default, EViews' default), ``"ct"`` constant and
        linear trend (for trending series such as the sample's quarterly data), ``"n"`` none.
    """
    from statsmodels.tsa.api import VAR

    if order is not None:
        order = list(order)
        if sorted(order) != sorted(data.columns):
            raise CultnetError(f"--order must be a permutation of the variables {list(data.columns)}; got {order}")
        data = data[order]
    data = data.astype(float)
    T, k = data.shape
    if k < 2:
        raise CultnetError("a VAR needs at least two variables")
    if trend not in ("c", "ct", "n"):
        raise CultnetError(f"unknown trend {trend!r}: use c, ct or n")
    n_det = {"n": 0, "c": 1, "ct": 2}[trend]
    pmax = max_feasible_lags(T, k, n_det)
    notes: list[str] = []
    if pmax < 1:
        raise NotEnoughData(f"{T} observations of {k} variables cannot support even a VAR(1): its residual "
                            f"covariance needs T − p − Kp − {n_det} ≥ K, i.e. T ≥ {2 * k + 1 + n_det}")
    if lags != "auto" and int(lags) > pmax:
        raise NotEnoughData(f"with {T} observations of {k} variables at most a VAR({pmax}) is estimable "
                            f"(T − p − Kp − {n_det} ≥ K, {n_det} deterministic term(s)); VAR({int(lags)}) requested"
                            + (". Only VAR(1) is estimable on this sample." if pmax == 1 else ""))
    model = VAR(data.reset_index(drop=True))          # period labels stay out of statsmodels' date parsing
    sel_table = None
    if lags == "auto":
        mx = min(maxlags or max(1, int(T ** (1 / 3))), pmax)
        if pmax == 1:
            notes.append(f"only VAR(1) is estimable with {T} observations of {k} variables; lag selection skipped")
            p = 1
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sel = model.select_order(mx, trend=trend)
                sel_table = _selection_table(sel, mx)
                p = max(1, int(sel.selected_orders[ic]))
            except Exception as e:
                notes.append(f"lag selection failed ({e}); VAR(1) used")
                p = 1
    else:
        p = int(lags)
        if p < 1:
            raise CultnetError("lags must be at least 1")
    res = model.fit(p, trend=trend)
    variables = tuple(str(c) for c in data.columns)
    Phi = res.ma_rep(horizon)                          # (H+1, k, k)
    Sigma = np.asarray(res.sigma_u, dtype=float)
    try:
        P = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError as e:
        raise NotEnoughData(f"residual covariance not positive definite with VAR({p}) on {T} observations; "
                            "reduce the lag order or the number of variables") from e
    orth = Phi @ P
    gir = girf(Phi, Sigma)
    fevd, fse = fevd_from_orth(orth)
    lower = upper = glo = gup = None
    if bands == "mc":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lower, upper = res.irf_errband_mc(orth=True, repl=reps, steps=horizon, signif=alpha,
                                              rng=np.random.default_rng(seed))
    elif bands == "bootstrap":
        lower, upper, glo, gup = _bootstrap_bands(data.to_numpy(), res, p, horizon, reps, alpha, seed, trend)
    elif bands is not None:
        raise CultnetError(f"unknown bands {bands!r}: use 'mc', 'bootstrap' or none")
    coefs = _coef_frame(res, variables)
    tests = _var_tests(res, variables, p, granger)
    ur = None
    if unit_roots:
        ur = unit_root_tests(data, regression="ct" if trend == "ct" else "c")
        tests["unit_roots"] = {v: {"verdict": g.iloc[0]["verdict"], "suggestion": g.iloc[0]["suggestion"]}
                               for v, g in ur[ur.form == "level"].groupby("variable", sort=False)}
    return VarResult(variables=variables, lags=p, nobs=int(res.nobs), horizon=horizon, coefficients=coefs,
                     sigma_u=pd.DataFrame(Sigma, index=variables, columns=variables), irf=orth,
                     lower=lower, upper=upper, girf=gir, girf_lower=glo, girf_upper=gup, fevd=fevd,
                     forecast_se=fse, tests=tests, lag_selection=sel_table, unit_roots=ur, bands=bands,
                     alpha=alpha, notes=tuple(notes))


def irf_axis_range(point: Sequence[float], lower: Sequence[float] | None = None,
                   upper: Sequence[float] | None = None, *, max_ratio: float = 3.0) -> tuple[float, float, bool]:
    """A y-axis range for an impulse response that keeps the point estimate readable.

    The range covers the response and its band, unless the band is more than ``max_ratio``
    times as wide as the response's own span (an unstable or imprecise model): then it is cut to
    the response's span widened by ``max_ratio`` on each side and ``clipped`` is True, so the plot
    can say "band clipped; see the table".

    >>> irf_axis_range([0.0, 1.0, 0.5], [-0.2, 0.8, 0.3], [0.2, 1.2, 0.7])
    (-0.27, 1.27, False)
    >>> lo, hi, clipped = irf_axis_range([0.0, 1.0], [-130.0, -100.0], [130.0, 100.0]); clipped, lo >= -3.5
    (True, True)
    """
    p = np.asarray(point, dtype=float)
    vals = [p] + [np.asarray(b, dtype=float) for b in (lower, upper) if b is not None]
    allv = np.concatenate([v[np.isfinite(v)] for v in vals]) if vals else p
    pmin, pmax = float(np.nanmin(p)), float(np.nanmax(p))
    span = max(pmax - pmin, 1e-12, 0.1 * max(abs(pmin), abs(pmax)))
    lo, hi = float(allv.min()), float(allv.max())
    clipped = (hi - lo) > (1 + 2 * max_ratio) * span
    if clipped:
        lo, hi = max(lo, pmin - max_ratio * span), min(hi, pmax + max_ratio * span)
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    return round(lo - pad, 12), round(hi + pad, 12), bool(clipped)


def girf(Phi: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    r"""Generalized IRF (Pesaran–Shin): ψ_j(h) = Φ_h Σ e_j / √σ_jj, shape (H+1, K, K) [h, response, impulse].

    >>> S = np.array([[4.0, 1.0], [1.0, 1.0]]); Phi = np.array([np.eye(2)])
    >>> girf(Phi, S)[0].round(3).tolist()
    [[2.0, 1.0], [0.5, 1.0]]
    """
    Sigma = np.asarray(Sigma, dtype=float)
    return Phi @ Sigma / np.sqrt(np.diag(Sigma))[None, None, :]


def fevd_from_orth(orth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FEVD in percent [response, h, shock] and forecast standard errors [h, response] from Θ_h.

    >>> th = np.array([[[1.0, 0.0], [0.5, 1.0]]])
    >>> fevd_from_orth(th)[0][1, 0].round(1).tolist()
    [20.0, 80.0]
    """
    sq = np.cumsum(orth ** 2, axis=0)                 # (H+1, k, k): Σ_{s≤h} Θ_s,ij²
    mse = sq.sum(axis=2)                              # (H+1, k)
    share = 100 * sq / mse[:, :, None]
    return np.transpose(share, (1, 0, 2)), np.sqrt(mse)


# ------------------------------------------------------------------------------------------------
def _selection_table(sel: Any, mx: int) -> pd.DataFrame:
    ics = sel.ics
    t = pd.DataFrame({name.upper(): ics[name] for name in ("aic", "bic", "hqic", "fpe")},
                     index=pd.Index(range(len(ics["aic"])), name="lag"))
    for name in ("aic", "bic", "hqic", "fpe"):
        t[f"{name.upper()}*"] = t.index == sel.selected_orders[name]
    return t


def _coef_frame(res: Any, variables: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for eq in variables:
        for term in res.params.index:
            rows.append({"equation": eq, "term": term, "estimate": float(res.params.loc[term, eq]),
                         "std_error": float(res.stderr.loc[term, eq]), "statistic": float(res.tvalues.loc[term, eq]),
                         "p_value": float(res.pvalues.loc[term, eq])})
    return pd.DataFrame(rows)


def _var_tests(res: Any, variables: tuple[str, ...], p: int, granger: bool) -> dict[str, Any]:
    k = len(variables)
    tests: dict[str, Any] = {}
    A = np.asarray(res.coefs)                         # (p, k, k)
    comp = np.zeros((k * p, k * p))
    comp[:k, :] = np.hstack(list(A))
    if p > 1:
        comp[k:, :-k] = np.eye(k * (p - 1))
    mods = np.sort(np.abs(np.linalg.eigvals(comp)))[::-1]
    tests["stability"] = {"stable": bool(mods.max() < 1), "max_modulus": float(mods.max()),
                          "moduli": [float(m) for m in mods],
                          "note": "moduli of the companion-matrix eigenvalues (EViews' inverse roots); stable if all < 1"}
    nl = min(12, max(p + 1, res.nobs // 4))
    try:
        w = res.test_whiteness(nlags=nl, adjusted=True)
        tests["whiteness"] = {"stat": float(w.test_statistic), "df": int(w.df), "p_value": float(w.pvalue),
                              "nlags": nl, "test": "adjusted Portmanteau (Ljung–Box type), H0 no residual autocorrelation"}
    except Exception as e:
        tests["whiteness"] = {"reason": f"Portmanteau test not computable with {res.nobs} observations: {e}"}
    try:
        nt = res.test_normality()
        tests["normality"] = {"stat": float(nt.test_statistic), "df": int(nt.df), "p_value": float(nt.pvalue),
                              "test": "multivariate Jarque–Bera (Lütkepohl), H0 normal residuals"}
    except Exception as e:
        tests["normality"] = {"reason": f"normality test not computable: {e}"}
    if granger:
        g = []
        for caused in variables:
            for causing in variables:
                if causing == caused:
                    continue
                try:
                    c = res.test_causality(caused, [causing], kind="f")
                    g.append({"caused": caused, "causing": causing, "stat": float(c.test_statistic),
                              "df": [int(d) for d in np.atleast_1d(c.df)], "p_value": float(c.pvalue)})
                except Exception as e:
                    g.append({"caused": caused, "causing": causing, "reason": str(e)})
            try:
                others = [v for v in variables if v != caused]
                c = res.test_causality(caused, others, kind="wald")
                g.append({"caused": caused, "causing": "ALL", "stat": float(c.test_statistic),
                          "df": [int(d) for d in np.atleast_1d(c.df)], "p_value": float(c.pvalue),
                          "test": "block exogeneity Wald χ² (EViews 'All')"})
            except Exception as e:
                g.append({"caused": caused, "causing": "ALL", "reason": str(e)})
        tests["granger"] = g
    return tests


def _bootstrap_bands(y: np.ndarray, res: Any, p: int, H: int, reps: int, alpha: float, seed: int,
                     trend: str = "c"):
    """Residual bootstrap (recursive design, initial p values fixed), percentile bands."""
    from statsmodels.tsa.api import VAR

    rng = np.random.default_rng(seed)
    T, k = y.shape
    A = np.asarray(res.coefs)
    det = np.asarray(res.coefs_exog).T if res.coefs_exog.size else np.zeros((0, k))   # (n_det, k)
    u = np.asarray(res.resid)
    u = u - u.mean(axis=0)
    draws_o, draws_g = [], []
    for _ in range(reps):
        ub = u[rng.integers(0, len(u), len(u))]
        yb = np.empty_like(y)
        yb[:p] = y[:p]
        for t in range(p, T):
            d_t = np.array([1.0, t - p + 1.0][:len(det)])      # statsmodels' trend counts from 1
            yb[t] = d_t @ det + sum(A[l] @ yb[t - 1 - l] for l in range(p)) + ub[t - p]
        try:
            r = VAR(yb).fit(p, trend=trend)
            S = np.asarray(r.sigma_u)
            Phi = r.ma_rep(H)
            draws_o.append(Phi @ np.linalg.cholesky(S))
            draws_g.append(girf(Phi, S))
        except Exception:  # a degenerate resample
            continue
    if len(draws_o) < max(10, reps // 2):
        return None, None, None, None
    do, dg = np.array(draws_o), np.array(draws_g)
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    lo, up = np.percentile(do, q, axis=0)
    glo, gup = np.percentile(dg, q, axis=0)
    return lo, up, glo, gup

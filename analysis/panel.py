r"""Static panel regressions as Stata's ``xtreg`` reports them, and regional heterogeneity.

Estimators (linearmodels 7.1 underneath):

========== ======================================= =====================================
effects    model                                   Stata
========== ======================================= =====================================
pooled     OLS on the stacked panel                ``regress y x``
entity     within (fixed entity effects)           ``xtreg y x, fe``
twoway     within + time effects                   ``xtreg y x i.year, fe``
random     GLS random effects (Swamy–Arora)        ``xtreg y x, re``
between    OLS on entity means                     ``xtreg y x, be``
========== ======================================= =====================================

R² are Stata's squared correlations, with :math:`\hat\beta` the slope coefficients (no constant,
no entity effects; for ``twoway`` the fitted year effects are part of :math:`x\hat\beta`, as the
year dummies of ``xtreg y x i.year, fe`` are): within :math:`\operatorname{corr}^2(y_{it}-\bar y_i,\,(x_{it}-\bar x_i)\hat\beta)`,
between :math:`\operatorname{corr}^2(\bar y_i,\,\bar x_i\hat\beta)`, overall
:math:`\operatorname{corr}^2(y_{it},\,x_{it}\hat\beta)` (linearmodels' ``corr_squared_*``; its
``rsquared_between/overall`` are 1 − SSR/SST fits and differ from Stata).

Covariances (``cov``):

* ``unadjusted`` — classical (Stata default).
* ``robust`` — for ``entity``/``twoway``/``random`` this is Stata's ``vce(robust)`` after
  ``xtreg``, i.e. clustered by entity with the G/(G−1)·(N−1)/(N−K) small-sample factor
  (linearmodels ``clustered, cluster_entity=True, group_debias=True``); for ``pooled``/``between``
  it is White's HC1 (Stata ``regress, vce(robust)``).
* ``clustered`` — clustered by entity, same scaling as ``robust``.
* ``driscoll-kraay`` — Driscoll & Kraay (1998): Newey–West (Bartlett) kernel over the time
  series of cross-sectional sums of scores, linearmodels ``kernel`` with ``debiased=True``, i.e.
  the variance is scaled by N/(N−K) (N observations, K coefficients). statsmodels'
  ``hac-groupsum`` scales by G/(G−1)·(N−1)/(N−K) instead (G periods): its variances are
  G/(G−1)·(N−1)/N times ours (tested). Bandwidth default floor(4 (T/100)^(2/9)), the
  Newey–West rule also used by Stata's ``xtscc``. Its asymptotics are in T: with T = 10 treat it
  as indicative.

Hausman test (:func:`hausman`): :math:`H = (b_{FE}-b_{RE})'[V_{FE}-V_{RE}]^{-1}(b_{FE}-b_{RE})`
over the common slope coefficients, χ² with K d.f. — Stata's default ``hausman fe re`` (each
model's own variance; R plm ``phtest``). ``sigmamore=True`` rescales both matrices to the
random-effects estimate of σ²_e, in the spirit of Stata's ``hausman fe re, sigmamore``; it is not
checked against Stata and is documented as such.

References
----------
Baltagi, B. H. (2021). *Econometric Analysis of Panel Data*, 6th ed. Springer.
StataCorp. *Stata Longitudinal-Data/Panel-Data Reference Manual*, ``xtreg``, ``hausman``.
Driscoll, J. C., & Kraay, A. C. (1998). Consistent covariance matrix estimation with spatially
dependent panel data. *Review of Economics and Statistics*, 80(4), 549–560.
https://doi.org/10.1162/003465398557825
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cultnet.errors import CultnetError, NotEnoughData, Problem, ValidationError

Effects = Literal["pooled", "entity", "twoway", "random", "between"]
CovType = Literal["unadjusted", "robust", "clustered", "driscoll-kraay"]

EFFECTS = ("pooled", "entity", "twoway", "random", "between")
COV_TYPES = ("unadjusted", "robust", "clustered", "driscoll-kraay")

#: The paper's regional grouping (Section 3.3.2): center = core hubs + bridges.
PAPER_GROUPS: dict[str, str] = {
    **{c: "center" for c in ("Shenyang", "Dalian", "Dandong", "Jinzhou")},
    **{c: "sub-node" for c in ("Anshan", "Fushun", "Benxi", "Liaoyang", "Yingkou", "Panjin")},
    **{c: "edge" for c in ("Fuxin", "Tieling", "Chaoyang", "Huludao")},
}
GROUP_ORDER = ("center", "sub-node", "edge")

_ESTIMATOR_NAMES = {
    "pooled": "Pooled OLS",
    "entity": "Fixed effects (within), entity",
    "twoway": "Fixed effects (within), entity + time",
    "random": "Random effects (GLS)",
    "between": "Between (entity means)",
}

__all__ = ["PanelResult", "GroupedResult", "fit_panel", "hausman", "fit_by_group",
           "PAPER_GROUPS", "EFFECTS", "COV_TYPES"]


@dataclass(frozen=True)
class PanelResult:
    """One fitted panel model. Read-only; labelled pandas outputs.

    ``coefficients`` has index = term and columns ``estimate, std_error, statistic, p_value,
    ci_low, ci_high``. ``r2`` holds Stata's within/between/overall. ``tests`` maps a test name to
    a dict (``stat``, ``df``, ``p_value``, ``dist``, ``h0``) or to ``{"reason": ...}`` when the test
    does not apply. ``info`` holds sigma_u, sigma_e, rho, theta, corr(u_i, Xb) where defined.
    """

    estimator: str
    effects: str
    cov_type: str
    y: str
    terms: tuple[str, ...]
    coefficients: pd.DataFrame
    nobs: int
    n_entities: int
    n_periods: int
    r2: dict[str, float]
    tests: dict[str, dict[str, Any]]
    stat_name: str = "t"
    info: dict[str, float] = field(default_factory=dict)
    cov: pd.DataFrame | None = None
    label: str = ""

    # -- outputs -------------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        return self.coefficients["estimate"]

    @property
    def std_errors(self) -> pd.Series:
        return self.coefficients["std_error"]

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, std_error, statistic, p_value, ci_low, ci_high."""
        return self.coefficients.reset_index(names="term")

    def fit_stats(self) -> dict[str, Any]:
        """The fit block of a paper-style table, in display order."""
        out: dict[str, Any] = {
            "R² within": self.r2.get("within"),
            "R² between": self.r2.get("between"),
            "R² overall": self.r2.get("overall"),
        }
        main = self.tests.get("model")
        if main and "stat" in main:
            out[f"{main['dist'].split('(')[0]}"] = main["stat"]
            out["P"] = main["p_value"]
        out["N"] = self.nobs
        out["Groups"] = self.n_entities
        return out

    def to_dict(self) -> dict[str, Any]:
        """The issue's JSON: estimator, nobs, coefficients[…], r2{within, between, overall}, tests{…}."""
        return {
            "estimator": self.effects,
            "estimator_name": self.estimator,
            "label": self.label,
            "y": self.y,
            "cov_type": self.cov_type,
            "nobs": self.nobs,
            "n_entities": self.n_entities,
            "n_periods": self.n_periods,
            "statistic": self.stat_name,
            "coefficients": [
                {"term": t, **{k: float(v) for k, v in row.items()}}
                for t, row in self.coefficients.iterrows()
            ],
            "r2": dict(self.r2),
            "tests": self.tests,
            "info": dict(self.info),
        }

    def summary(self) -> str:
        from cultnet.analysis.tables import regression_table, render_text

        return render_text(regression_table({self.label or self.effects: self}),
                           title=f"{self.estimator} — dependent variable {self.y} ({self.cov_type} SE)")

    def to_latex(self, **kw: Any) -> str:
        from cultnet.analysis.tables import regression_table, to_latex

        return to_latex(regression_table({self.label or self.effects: self}, **kw))

    def to_csv(self, **kw: Any) -> str:
        from cultnet.analysis.tables import regression_table, to_csv

        return to_csv(regression_table({self.label or self.effects: self}, **kw))


@dataclass(frozen=True)
class GroupedResult:
    """The same model fitted per group, plus the test that the slopes are equal across groups."""

    results: dict[str, PanelResult]
    groups: dict[str, str]
    equality_test: dict[str, Any]
    pooled_interacted: PanelResult | None = None

    def to_frame(self) -> pd.DataFrame:
        return pd.concat({g: r.coefficients for g, r in self.results.items()}, names=["group", "term"]).reset_index()

    def to_dict(self) -> dict[str, Any]:
        return {"groups": {g: r.to_dict() for g, r in self.results.items()},
                "membership": dict(self.groups),
                "equality_test": self.equality_test}

    def summary(self) -> str:
        from cultnet.analysis.tables import regression_table, render_text

        t = self.equality_test
        foot = (f"H0 slopes equal across groups: χ²({t['df']}) = {t['stat']:.3f}, p = {t['p_value']:.4f}; "
                f"F({t['df']},{t.get('df_denom', '∞')}) = {t['F']:.3f}, p = {t['F_p_value']:.4f}"
                if "stat" in t else f"equality test: {t.get('reason')}")
        return render_text(regression_table(self.results), title="Regional heterogeneity", footer=foot)

    def to_latex(self) -> str:
        from cultnet.analysis.tables import regression_table, to_latex

        return to_latex(regression_table(self.results))

    def to_csv(self) -> str:
        from cultnet.analysis.tables import regression_table, to_csv

        return to_csv(regression_table(self.results))


# ------------------------------------------------------------------------------------------------
def fit_panel(df: pd.DataFrame, y: str, x: Sequence[str], *, entity: str = "city", time: str = "year",
              effects: Effects = "entity", cov: CovType = "unadjusted", log: bool = False,
              zero: str = "error", bandwidth: float | None = None, constant: bool = True,
              label: str = "", source: str = "panel") -> PanelResult:
    r"""Fit one static panel model and return Stata-comparable output.

    Parameters
    ----------
    df : long DataFrame, one row per (entity, time).
    y, x : dependent and explanatory column names.
    effects : ``pooled | entity | twoway | random | between``.
    cov : ``unadjusted | robust | clustered | driscoll-kraay`` (see the module docstring).
    log : take natural logs of y and x first (terms become ``ln_<col>``); ``zero`` is the policy
        for values ≤ 0 (:func:`cultnet.analysis.indices.log_transform`).

    Returns
    -------
    PanelResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"city": np.repeat(list("ABCDE"), 6), "year": np.tile(range(6), 5)})
    >>> d["x"] = rng.normal(size=30); d["y"] = 2 * d["x"] + np.repeat(rng.normal(size=5), 6)
    >>> round(float(fit_panel(d, "y", ["x"]).params["x"]), 6)
    2.0
    """
    from linearmodels import BetweenOLS, PanelOLS, PooledOLS, RandomEffects

    if effects not in EFFECTS:
        raise CultnetError(f"unknown effects {effects!r}; choose one of {', '.join(EFFECTS)}")
    if cov not in COV_TYPES:
        raise CultnetError(f"unknown covariance {cov!r}; choose one of {', '.join(COV_TYPES)}")
    x = list(x)
    data = _prepare(df, y, x, entity, time, source)
    if log:
        from cultnet.analysis.indices import log_transform

        data = log_transform(data, [y, *x], entity=entity, time=time, zero=zero, source=source)  # type: ignore[arg-type]
        y, x = f"ln_{y}", [f"ln_{c}" for c in x]
    data = data.dropna(subset=[y, *x])
    n_ent = data[entity].nunique()
    n_per = data[time].nunique()
    k = len(x) + int(constant)
    min_obs = k + (n_ent if effects in ("entity", "twoway") else 0) + (n_per - 1 if effects == "twoway" else 0) + 1
    if effects == "between" and n_ent <= k:
        raise NotEnoughData(f"between estimator needs more entities than coefficients: {n_ent} entities, {k} coefficients")
    if len(data) < min_obs:
        raise NotEnoughData(f"{_ESTIMATOR_NAMES[effects]} needs at least {min_obs} complete rows for "
                            f"{k} coefficients; have {len(data)} ({n_ent} entities × {n_per} periods)")
    panel = data.set_index([entity, time]).sort_index()
    Y = panel[y]
    X = panel[x].copy()
    if constant:
        X.insert(0, "const", 1.0)
    if effects == "pooled":
        mod = PooledOLS(Y, X)
    elif effects == "entity":
        mod = PanelOLS(Y, X, entity_effects=True, drop_absorbed=True)
    elif effects == "twoway":
        mod = PanelOLS(Y, X, entity_effects=True, time_effects=True, drop_absorbed=True)
    elif effects == "random":
        mod = RandomEffects(Y, X)
    else:
        mod = BetweenOLS(Y, X)
    fit_kw = _cov_kwargs(effects, cov, n_per, bandwidth)
    try:
        res = mod.fit(**fit_kw)
    except ValueError as e:  # singular design, absorbed regressors, ...
        raise NotEnoughData(f"{_ESTIMATOR_NAMES[effects]} could not be fitted: {e}") from e

    params = res.params
    se = res.std_errors
    stat = res.tstats
    pv = res.pvalues
    ci = res.conf_int()
    if effects == "random":  # Stata's xtreg, re reports z statistics with normal p-values and CIs
        pv = pd.Series(2 * stats.norm.sf(np.abs(stat)), index=stat.index)
        zc = stats.norm.ppf(0.975)
        ci = pd.DataFrame({"lower": params - zc * se, "upper": params + zc * se})
    coefs = pd.DataFrame({"estimate": params, "std_error": se, "statistic": stat, "p_value": pv,
                          "ci_low": ci.iloc[:, 0], "ci_high": ci.iloc[:, 1]})
    coefs.index.name = "term"
    slopes = [t for t in coefs.index if t != "const"]
    extra = _time_effects(panel, y, slopes, params) if effects == "twoway" else None
    r2 = _stata_r2(panel, y, slopes, params, entity, extra)
    tests = _tests(res, effects, cov, slopes, params, n_ent, len(data), k, n_per)
    info = _info(res, panel, y, slopes, params, effects, entity, n_ent, len(data), k)
    return PanelResult(
        estimator=_ESTIMATOR_NAMES[effects], effects=effects, cov_type=cov, y=y, terms=tuple(coefs.index),
        coefficients=coefs, nobs=int(res.nobs), n_entities=int(n_ent), n_periods=int(n_per), r2=r2,
        tests=tests, stat_name="z" if effects == "random" else "t",
        info=info, cov=res.cov, label=label,
    )


def hausman(fe: PanelResult, re: PanelResult, *, sigmamore: bool = False) -> dict[str, Any]:
    r"""Hausman test of fixed vs random effects over the common slope coefficients.

    H = d'(V_FE − V_RE)^{-1} d, d = b_FE − b_RE, χ²(K). Uses a pseudo-inverse when V_FE − V_RE is
    not positive definite and says so (``note``), as Stata does. Valid only with the classical
    (``unadjusted``) covariances.
    """
    if fe.cov is None or re.cov is None:
        return {"reason": "covariance matrices not available"}
    if fe.cov_type != "unadjusted" or re.cov_type != "unadjusted":
        return {"reason": "the classical Hausman test needs cov='unadjusted' fits (use a robust "
                          "Mundlak/auxiliary test for robust inference)"}
    common = [t for t in fe.terms if t != "const" and t in re.terms]
    d = (fe.params[common] - re.params[common]).to_numpy()
    vf = fe.cov.loc[common, common].to_numpy()
    vr = re.cov.loc[common, common].to_numpy()
    if sigmamore:
        s2 = re.info.get("sigma_e", float("nan")) ** 2
        vf = vf * s2 / fe.info["sigma_e"] ** 2
        vr = vr * s2 / re.info.get("s2_gls", s2)
    vd = vf - vr
    note = ""
    eig = np.linalg.eigvalsh((vd + vd.T) / 2)
    if eig.min() <= 0:
        note = "V_FE - V_RE is not positive definite; generalized inverse used"
        h = float(d @ np.linalg.pinv(vd) @ d)
        dof = int((eig > 1e-12 * abs(eig).max()).sum())
    else:
        h = float(d @ np.linalg.solve(vd, d))
        dof = len(common)
    out = {"stat": h, "df": dof, "p_value": float(stats.chi2.sf(h, dof)) if h >= 0 else float("nan"),
           "dist": f"chi2({dof})", "h0": "difference in coefficients not systematic (RE consistent)",
           "form": "sigmamore" if sigmamore else "plain (Stata default hausman fe re)"}
    if note:
        out["note"] = note
    return out


def fit_by_group(df: pd.DataFrame, y: str, x: Sequence[str], groups: Mapping[str, str], *,
                 entity: str = "city", time: str = "year", effects: Effects = "entity",
                 cov: CovType = "unadjusted", log: bool = False, zero: str = "error",
                 order: Sequence[str] | None = None, source: str = "panel") -> GroupedResult:
    r"""Fit the same model per group of entities and test that the slopes are equal across groups.

    The test (a Chow test generalized to G groups) fits one pooled model in which every slope is
    interacted with the group dummies, :math:`y_{it} = \alpha_i + \sum_g D_{g(i)} x_{it}'\beta_g + e_{it}`
    (entity effects absorb the group intercepts; for ``pooled`` group intercepts are added), and
    tests :math:`H_0: \beta_1 = \dots = \beta_G` with a Wald statistic using the chosen ``cov``:
    χ² with (G−1)K d.f., also reported as F = χ²/q with the residual d.f. With ``cov='unadjusted'``
    the F form is the classical Chow test (under homoskedastic errors common to all groups).

    Entities missing from ``groups`` are reported in ``equality_test["unassigned"]`` and left out.
    """
    x = list(x)
    data = _prepare(df, y, x, entity, time, source)
    if log:
        from cultnet.analysis.indices import log_transform

        data = log_transform(data, [y, *x], entity=entity, time=time, zero=zero, source=source)  # type: ignore[arg-type]
        y, x = f"ln_{y}", [f"ln_{c}" for c in x]
    grp = data[entity].map(lambda e: groups.get(str(e)))
    unassigned = sorted({str(e) for e in data.loc[grp.isna(), entity]})
    data = data.assign(_group=grp).dropna(subset=["_group"])
    names = [g for g in (order or GROUP_ORDER) if g in set(data["_group"])]
    names += sorted(set(data["_group"]) - set(names))
    if not names:
        raise NotEnoughData("no entity of the panel belongs to any group of the mapping")
    results: dict[str, PanelResult] = {}
    for g in names:
        sub = data.loc[data["_group"] == g].drop(columns="_group")
        results[g] = fit_panel(sub, y, x, entity=entity, time=time, effects=effects, cov=cov, label=g, source=source)
    test = _equality_test(data, y, x, names, entity, time, effects, cov)
    if unassigned:
        test["unassigned"] = unassigned
    members = {str(e): str(g) for e, g in data[[entity, "_group"]].drop_duplicates().itertuples(index=False)}
    return GroupedResult(results=results, groups=members, equality_test=test)


# ------------------------------------------------------------------------------------------------
def _prepare(df: pd.DataFrame, y: str, x: list[str], entity: str, time: str, source: str) -> pd.DataFrame:
    missing = [c for c in (entity, time, y, *x) if c not in df.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, f"column {c!r} not found (have: {', '.join(map(str, df.columns))})")
                               for c in missing])
    data = df[[entity, time, y, *dict.fromkeys(x)]].copy()
    data[entity] = data[entity].astype(str)
    data[time] = pd.to_numeric(data[time], errors="coerce")
    problems = []
    for c in (y, *x):
        vals = pd.to_numeric(data[c], errors="coerce")
        bad = vals.isna() & data[c].notna()
        for idx in data.index[bad][:5]:
            problems.append(Problem(source, None, c, f"{entity}={data.at[idx, entity]}: not a number: {data.at[idx, c]!r}"))
        data[c] = vals.astype(float)
    if data[time].isna().any():
        problems.append(Problem(source, None, time, "time column has non-numeric values"))
    dup = data.duplicated([entity, time])
    if dup.any():
        r = data.loc[dup].iloc[0]
        problems.append(Problem(source, None, None, f"duplicate rows for {entity}={r[entity]} {time}={r[time]}"))
    if problems:
        raise ValidationError(problems)
    data[time] = data[time].astype(int)
    return data


def _cov_kwargs(effects: str, cov: str, n_per: int, bandwidth: float | None) -> dict[str, Any]:
    if cov == "unadjusted":
        return {"cov_type": "unadjusted"} if effects != "between" else {"cov_type": "unadjusted"}
    if cov in ("robust", "clustered"):
        if effects in ("pooled", "between") and cov == "robust":
            return {"cov_type": "robust"}
        if effects == "between":
            raise CultnetError("clustered SEs are not defined for the between estimator (one row per entity); use robust")
        return {"cov_type": "clustered", "cluster_entity": True, "group_debias": True}
    if effects == "between":
        raise CultnetError("Driscoll–Kraay SEs are not defined for the between estimator")
    bw = bandwidth if bandwidth is not None else math.floor(4 * (n_per / 100) ** (2 / 9))
    return {"cov_type": "kernel", "kernel": "bartlett", "bandwidth": bw}


def _time_effects(panel: pd.DataFrame, y: str, slopes: list[str], params: pd.Series) -> np.ndarray:
    """Fitted time effects γ_t of a two-way model (alternating projections on y − xb), so that
    the R² count the year dummies as regressors, as Stata's ``xtreg y x i.year, fe`` does."""
    r = panel[y].to_numpy() - (panel[slopes].to_numpy() @ params[slopes].to_numpy() if slopes else 0.0)
    ent = pd.factorize(panel.index.get_level_values(0))[0]
    tim = pd.factorize(panel.index.get_level_values(1))[0]
    ne, nt = ent.max() + 1, tim.max() + 1
    ce, ct = np.bincount(ent, minlength=ne), np.bincount(tim, minlength=nt)
    a, g = np.zeros(ne), np.zeros(nt)
    for _ in range(500):
        a = np.bincount(ent, r - g[tim], ne) / ce
        g_new = np.bincount(tim, r - a[ent], nt) / ct
        g_new -= g_new.mean()
        if np.max(np.abs(g_new - g)) < 1e-13 * (1 + np.max(np.abs(g_new))):
            g = g_new
            break
        g = g_new
    return g[tim]


def _stata_r2(panel: pd.DataFrame, y: str, slopes: list[str], params: pd.Series, entity: str,
              extra: np.ndarray | None = None) -> dict[str, float]:
    yv = panel[y]
    xb = panel[slopes].to_numpy() @ params[slopes].to_numpy() if slopes else np.zeros(len(panel))
    if extra is not None:
        xb = xb + extra
    xb = pd.Series(xb, index=panel.index)
    ent = panel.index.get_level_values(0)

    def corr2(a: pd.Series, b: pd.Series) -> float:
        if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
            return float("nan")
        return float(np.corrcoef(a, b)[0, 1] ** 2)

    ym, xm = yv.groupby(ent).transform("mean"), xb.groupby(ent).transform("mean")
    return {
        "within": corr2(yv - ym, xb - xm),
        "between": corr2(yv.groupby(ent).mean(), xb.groupby(ent).mean()),
        "overall": corr2(yv, xb),
    }


def _wald_dict(stat: Any) -> dict[str, Any]:
    return {"stat": float(stat.stat), "df": int(stat.df) if stat.df is not None else None,
            "df_denom": int(stat.df_denom) if getattr(stat, "df_denom", None) is not None else None,
            "p_value": float(stat.pval), "dist": str(stat.dist_name), "h0": str(stat.null)}


def _tests(res: Any, effects: str, cov: str, slopes: list[str], params: pd.Series, n_ent: int,
           nobs: int, k: int, n_per: int = 0) -> dict[str, dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    if slopes:
        V = res.cov.loc[slopes, slopes].to_numpy()
        b = params[slopes].to_numpy()
        try:
            w = float(b @ np.linalg.solve(V, b))
        except np.linalg.LinAlgError:
            w = float("nan")
        q = len(slopes)
        tests["wald"] = {"stat": w, "df": q, "p_value": float(stats.chi2.sf(w, q)), "dist": f"chi2({q})",
                         "h0": "all slope coefficients are zero"}
        # denominator d.f. as Stata: clusters − 1 after vce(cluster) (xtreg), periods − 1 for
        # Driscoll–Kraay (xtscc), residual d.f. otherwise
        if cov in ("robust", "clustered") and effects in ("entity", "twoway", "random"):
            dfd = n_ent - 1
        elif cov == "driscoll-kraay" and n_per:
            dfd = n_per - 1
        else:
            dfd = int(res.df_resid)
        tests["model"] = ({"stat": w / q, "df": q, "df_denom": dfd, "p_value": float(stats.f.sf(w / q, q, dfd)),
                           "dist": f"F({q},{dfd})", "h0": "all slope coefficients are zero",
                           "cov": cov} if effects != "random" else dict(tests["wald"], cov=cov))
    if effects in ("entity", "twoway"):
        try:
            tests["effects_F"] = _wald_dict(res.f_pooled)
            tests["effects_F"]["h0"] = "all entity (and time) effects are zero (Stata: F test that all u_i=0)"
        except Exception as e:  # pragma: no cover
            tests["effects_F"] = {"reason": str(e)}
    return tests


def _info(res: Any, panel: pd.DataFrame, y: str, slopes: list[str], params: pd.Series, effects: str,
          entity: str, n_ent: int, nobs: int, k: int) -> dict[str, float]:
    info: dict[str, float] = {}
    if effects in ("entity", "twoway"):
        # Stata: sigma_e = sqrt(SSR / (N - n - K_slopes)), u_i = ybar_i - xbar_i b - cons; sigma_u = sd(u_i)
        ssr = float(res.resid_ss)
        info["sigma_e"] = math.sqrt(ssr / res.df_resid)
        ent = panel.index.get_level_values(0)
        xb = panel[slopes].to_numpy() @ params[slopes].to_numpy()
        ui = (panel[y] - xb).groupby(ent).mean() - float(params.get("const", 0.0))
        info["sigma_u"] = float(ui.std(ddof=1))
        info["rho"] = info["sigma_u"] ** 2 / (info["sigma_u"] ** 2 + info["sigma_e"] ** 2)
        u_obs = pd.Series(ent, index=panel.index).map(ui)
        info["corr_u_xb"] = float(np.corrcoef(u_obs, xb)[0, 1]) if np.std(xb) > 0 else float("nan")
    elif effects == "random":
        vd = res.variance_decomposition
        info["sigma_u"] = math.sqrt(float(vd["Effects"]))
        info["sigma_e"] = math.sqrt(float(vd["Residual"]))
        info["rho"] = float(vd["Percent due to Effects"])
        th = res.theta
        info["theta"] = float(np.asarray(th).ravel()[0]) if np.ndim(th) else float(th)
        info["s2_gls"] = float(res.s2)
    return info


def _equality_test(data: pd.DataFrame, y: str, x: list[str], names: list[str], entity: str, time: str,
                   effects: str, cov: str) -> dict[str, Any]:
    if len(names) < 2:
        return {"reason": f"only one group present ({names[0]}); nothing to compare"}
    if effects == "between":
        return {"reason": "the equality test is implemented for pooled/entity/twoway/random models"}
    d = data.copy()
    cols = []
    for g in names:
        dg = (d["_group"] == g).astype(float)
        for c in x:
            name = f"{c}@{g}"
            d[name] = d[c] * dg
            cols.append(name)
        if effects in ("pooled", "random") and g != names[0]:
            d[f"const@{g}"] = dg
            cols.append(f"const@{g}")
    try:
        res = fit_panel(d.drop(columns=["_group", *x]), y, cols, entity=entity, time=time, effects=effects, cov=cov)
    except CultnetError as e:
        return {"reason": f"interacted model not estimable: {e.user_message}"}
    K = len(x)
    rows = []
    for gi in names[1:]:
        for c in x:
            r = pd.Series(0.0, index=res.terms)
            r[f"{c}@{names[0]}"] = 1.0
            r[f"{c}@{gi}"] = -1.0
            rows.append(r)
    R = pd.DataFrame(rows).to_numpy()
    b = res.params.to_numpy()
    V = res.cov.loc[list(res.terms), list(res.terms)].to_numpy()
    rb = R @ b
    w = float(rb @ np.linalg.solve(R @ V @ R.T, rb))
    q = R.shape[0]
    dfd = res.nobs - len(res.terms) - (res.n_entities if effects in ("entity", "twoway") else 0)
    return {"stat": w, "df": q, "p_value": float(stats.chi2.sf(w, q)), "dist": f"chi2({q})",
            "F": w / q, "df_denom": int(dfd), "F_p_value": float(stats.f.sf(w / q, q, max(dfd, 1))),
            "h0": f"slopes of {', '.join(x)} equal across groups {', '.join(names)}",
            "method": "Wald test on a pooled model with group × regressor interactions "
                      f"({effects} effects, {cov} covariance); F = chi2/q is the Chow form",
            "k_per_group": K}

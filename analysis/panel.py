r"""Static panel regressions as Stata's ``xtreg`` reports them, with small-sample inference.

Estimators (linearmodels 7.1 underneath):

========== ======================================= =====================================
effects    model                                   Stata
========== ======================================= =====================================
pooled     OLS on the stacked panel                ``regress y x``
entity     within (fixed entity effects)           ``xtreg y x, fe``
twoway     within + year dummies                   ``xtreg y x i.year, fe``
random     GLS random effects                      ``xtreg y x, re``
between    OLS on entity means                     ``xtreg y x, be``
========== ======================================= =====================================

**Two-way effects** are fitted as Stata's ``xtreg y x i.year, fe``: entity effects plus one dummy
per year except the first, so the constant is Stata's ``_cons`` (the first year is the base).
The year coefficients are in :attr:`PanelResult.year_effects`, not in the coefficient table.

**Nothing is dropped silently.** Before fitting, a regressor that does not vary once the effects
are removed (time-invariant under entity effects; experience = year − schooling − 6 under
two-way effects) is *absorbed*, and one that is a linear combination of the others is
*collinear*; both are left out and listed in :attr:`PanelResult.dropped` (and in the table
footnote, the JSON and the explorer).

R² are Stata's squared correlations, with :math:`x\hat\beta` the fitted part without constant and
entity effects (for ``twoway`` including the year dummies, as ``xtreg ... i.year, fe``): within
:math:`\operatorname{corr}^2(y_{it}-\bar y_i,\,x\hat\beta-\overline{x\hat\beta}_i)`, between
:math:`\operatorname{corr}^2(\bar y_i,\,\overline{x\hat\beta}_i)`, overall
:math:`\operatorname{corr}^2(y_{it},\,x\hat\beta)`.

Covariances (``cov``) and the d.f. of every test:

* ``unadjusted`` — classical; t on the residual d.f. (z for ``random``), F(q, N − K − n) for FE,
  Wald χ²(q) for RE: Stata's defaults.
* ``robust`` — for ``entity``/``twoway``/``random`` Stata's ``vce(robust)`` after ``xtreg``, i.e.
  clustered by entity with the G/(G−1)·(N−1)/(N−K) factor (linearmodels ``clustered,
  cluster_entity=True, group_debias=True``); for ``pooled``/``between`` White's HC1 (Stata
  ``regress, vce(robust)``; residual d.f.).
* ``clustered`` — clustered by entity, same scaling, for every estimator but ``between``.
* ``driscoll-kraay`` — Driscoll & Kraay (1998), linearmodels ``kernel`` (Bartlett, bandwidth
  ⌊4(T/100)^{2/9}⌋, variance scaled by N/(N−K); statsmodels' ``hac-groupsum`` is G/(G−1)·(N−1)/N
  times larger, tested). t and F on T − 1 d.f. (the T period sums of scores play the role of
  clusters). Its asymptotics are in T: with T = 10 treat it as indicative.

With a **clustered** covariance (G clusters) the slopes' t statistics, p-values and CIs use
t(G − 1) and every Wald test is F(q, G − 1), not reported (``reason``) when q > G − 1 or the
covariance is singular: Stata's rules (:mod:`cultnet.analysis.inference`). Stata's ``xtreg, re
vce(cluster)`` prints z and a Wald χ²; cultnet uses t(G − 1) and F(q, G − 1) there too (the
statistic is the same; only the reference distribution differs). Below 42 clusters a warning is
attached and, with ``inference="auto"``, the **restricted wild cluster bootstrap** (WCR,
:mod:`cultnet.analysis.bootstrap`) gives each slope's p-value and CI (``boot_p_value``,
``boot_ci_low``, ``boot_ci_high``) and the joint test of the slopes; stars in the tables follow
the bootstrap p-value then. The bootstrap data are the within-transformed y and X (entity
effects partialled out, year dummies kept as regressors), the stacked data for pooled OLS, and
the quasi-demeaned data (θ held fixed) for random effects.

**Random effects.** linearmodels' default variance components (``small_sample=False``):
σ²_e = SSR_within/(N − n − K_w), σ²_u = max(0, SSR_between/(n − K_b) − σ²_e/T̄) with T̄ the
harmonic mean of the T_i, θ_i = 1 − √(σ²_e/(T_i σ²_u + σ²_e)); on Grunfeld this matches Stata's
default ``xtreg, re`` (tested). On an unbalanced panel θ varies by entity: ``info`` reports its
min, 5th percentile, median, 95th percentile and max, as Stata does.

**Hausman test** (:func:`hausman`): :math:`H = d'(V_{FE}-V_{RE})^{-}d`, d = b_FE − b_RE over the
common slopes, χ² with d.f. = rank of V_FE − V_RE (the number of nonzero eigenvalues, Stata's
``hausman``; equal to K when the matrix has full rank, as R plm's ``phtest``). Valid only with the
classical covariances and when RE is efficient under H0; a negative H means V_FE − V_RE is not
positive semi-definite in this sample and is explained instead of given a p-value. The
cluster-robust alternative is :func:`mundlak_test` (Wooldridge 2010, §10.7.3), recommended
whenever the standard errors are robust.

References
----------
Baltagi, B. H. (2021). *Econometric Analysis of Panel Data*, 6th ed. Springer.
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50(2), 317–372. https://doi.org/10.3368/jhr.50.2.317
Driscoll, J. C., & Kraay, A. C. (1998). Consistent covariance matrix estimation with spatially
dependent panel data. *Review of Economics and Statistics*, 80(4), 549–560.
https://doi.org/10.1162/003465398557825
Mundlak, Y. (1978). On the pooling of time series and cross section data. *Econometrica*, 46(1),
69–85. https://doi.org/10.2307/1913646
StataCorp. *Stata Longitudinal-Data/Panel-Data Reference Manual*, ``xtreg``, ``hausman``.
Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel Data*, 2nd ed. MIT
Press, §10.7.3.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cultnet.analysis import inference as inf
from cultnet.analysis.paper import GROUP_ORDER
from cultnet.errors import CultnetError, NotEnoughData, Problem, ValidationError

Effects = Literal["pooled", "entity", "twoway", "random", "between"]
CovType = Literal["unadjusted", "robust", "clustered", "driscoll-kraay"]

EFFECTS = ("pooled", "entity", "twoway", "random", "between")
COV_TYPES = ("unadjusted", "robust", "clustered", "driscoll-kraay")
INFERENCE = ("auto", "analytic", "wild")


_ESTIMATOR_NAMES = {
    "pooled": "Pooled OLS",
    "entity": "Fixed effects (within), entity",
    "twoway": "Fixed effects (within), entity + year dummies",
    "random": "Random effects (GLS)",
    "between": "Between (entity means)",
}
_TOL = 1e-8          # relative norm below which a transformed regressor counts as absorbed

__all__ = ["PanelResult", "GroupedResult", "fit_panel", "hausman", "mundlak_test", "fit_by_group",
           "is_clustered", "EFFECTS", "COV_TYPES", "INFERENCE"]


@dataclass(frozen=True)
class _Design:
    """The regression the wild bootstrap resamples (after the effects are partialled out)."""

    X: np.ndarray
    y: np.ndarray
    clusters: np.ndarray
    names: tuple[str, ...]
    k_ssc: int


@dataclass(frozen=True)
class PanelResult:
    """One fitted panel model. Read-only; labelled pandas outputs.

    ``coefficients`` has index = term and columns ``estimate, std_error, statistic, p_value,
    ci_low, ci_high`` (and ``boot_p_value, boot_ci_low, boot_ci_high`` when the wild bootstrap
    ran). ``r2`` holds Stata's within/between/overall. ``tests`` maps a test name to a dict
    (``stat``, ``df``, ``df_denom``, ``p_value``, ``dist``, ``h0``) or, when the sample cannot
    support it, to one holding ``reason``. ``dropped`` lists absorbed or collinear regressors
    (``term``, ``reason``). ``inference`` says how p-values were computed (distribution, d.f.,
    clusters, warnings, the bootstrap's draws).
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
    dropped: tuple[dict[str, str], ...] = ()
    inference: dict[str, Any] = field(default_factory=dict)
    year_effects: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    design: _Design | None = field(default=None, repr=False, compare=False)

    # -- outputs -------------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        return self.coefficients["estimate"]

    @property
    def std_errors(self) -> pd.Series:
        return self.coefficients["std_error"]

    @property
    def bootstrapped(self) -> bool:
        return "boot_p_value" in self.coefficients.columns

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, std_error, statistic, p_value, ci_low, ci_high (+ boot_*)."""
        return self.coefficients.reset_index(names="term")

    def fit_stats(self) -> dict[str, Any]:
        """The fit block of a paper-style table, in display order (a refused test shows '.')."""
        out: dict[str, Any] = {
            "R² within": self.r2.get("within"),
            "R² between": self.r2.get("between"),
            "R² overall": self.r2.get("overall"),
        }
        main = self.tests.get("model")
        if main:
            chi2 = main.get("dist", "").startswith("chi2") or ("stat" not in main and self.stat_name == "z")
            key = "Wald χ²" if chi2 else "F"
            if "stat" in main:
                out[key] = main["stat"]
                out["d.f."] = f"{main['df']}" + (f", {main['df_denom']}" if main.get("df_denom") is not None else "")
                out["P"] = main["p_value"]
            else:
                out[key] = "."
                out["d.f."] = f"{main.get('df')}" + (f", {main['clusters'] - 1}" if main.get("clusters") else "")
        out["N"] = self.nobs
        out["Groups"] = self.n_entities
        return out

    def footnotes(self) -> list[str]:
        """Lines for under the table: inference convention, dropped regressors, refused tests."""
        lines = []
        i = self.inference
        if i.get("description"):
            lines.append(i["description"])
        for w in i.get("warnings", []):
            lines.append(f"warning: {w}")
        for d in self.dropped:
            lines.append(f"dropped {d['term']}: {d['reason']}")
        for name, t in self.tests.items():
            if isinstance(t, dict) and "reason" in t and "stat" not in t:
                lines.append(f"{name}: {t['reason']}")
        lines.extend(self.notes)
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON: estimator, nobs, coefficients[…], r2{…}, tests{…}, dropped[…], inference{…}."""
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
                {"term": t, **{k: _num(v) for k, v in row.items()}}
                for t, row in self.coefficients.iterrows()
            ],
            "r2": dict(self.r2),
            "tests": self.tests,
            "info": dict(self.info),
            "dropped": [dict(d) for d in self.dropped],
            "inference": self.inference,
            "year_effects": None if self.year_effects is None else [
                {"term": t, **{k: _num(v) for k, v in row.items()}} for t, row in self.year_effects.iterrows()],
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        from cultnet.analysis.tables import regression_table, render_text

        return render_text(regression_table({self.label or self.effects: self}),
                           title=f"{self.estimator} — dependent variable {self.y} ({self.cov_type} SE)",
                           footer="\n".join(self.footnotes()))

    def to_latex(self, **kw: Any) -> str:
        from cultnet.analysis.tables import regression_table, to_latex

        return to_latex(regression_table({self.label or self.effects: self}, **kw))

    def to_csv(self, **kw: Any) -> str:
        from cultnet.analysis.tables import regression_table, to_csv

        return to_csv(regression_table({self.label or self.effects: self}, **kw))


def _num(v: Any) -> Any:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if math.isnan(f) else f


@dataclass(frozen=True)
class GroupedResult:
    """The same model fitted per group, plus the test that the slopes are equal across groups
    (on one pooled model with group × regressor interactions)."""

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

        return render_text(regression_table(self.results), title="Regional heterogeneity",
                           footer="\n".join(equality_lines(self.equality_test)))

    def to_latex(self) -> str:
        from cultnet.analysis.tables import regression_table, to_latex

        return to_latex(regression_table(self.results))

    def to_csv(self) -> str:
        from cultnet.analysis.tables import regression_table, to_csv

        return to_csv(regression_table(self.results))


def equality_lines(t: Mapping[str, Any]) -> list[str]:
    """Plain-text lines describing a group-equality test (joint, per regressor, bootstrap)."""
    lines = [f"H0: {t['h0']}" if t.get("h0") else "group equality test"]
    if t.get("method"):
        lines.append(f"  ({t['method']})")
    lines.append("  joint: " + _test_text(t.get("joint", t)))
    if t.get("joint_bootstrap"):
        lines.append("  joint, wild bootstrap: " + _boot_text(t["joint_bootstrap"]))
    for term, pt in (t.get("per_regressor") or {}).items():
        s = f"  {term}: " + _test_text(pt)
        if pt.get("bootstrap"):
            s += "; wild bootstrap: " + _boot_text(pt["bootstrap"])
        lines.append(s)
    for g, why in (t.get("groups_not_fitted") or {}).items():
        lines.append(f"  group {g} not fitted on its own: {why}")
    if t.get("unassigned"):
        lines.append(f"  not in any group (left out): {', '.join(t['unassigned'])}")
    return lines


def _test_text(t: Mapping[str, Any]) -> str:
    if not t:
        return "n/a"
    if "stat" in t and t.get("stat") is not None and "p_value" in t:
        name = t.get("dist") or "stat"
        return f"{name} = {t['stat']:.4g}, p = {t['p_value']:.4f}"
    return str(t.get("reason", "not computed"))


def _boot_text(t: Mapping[str, Any]) -> str:
    """A bootstrap test's p-value (its statistic is the analytic one, printed beside it)."""
    if t and t.get("p_value") is not None:
        return f"p = {t['p_value']:.4f}"
    return str((t or {}).get("reason", "not computed"))


# ------------------------------------------------------------------------------------------------
def is_clustered(effects: str, cov: str) -> bool:
    """Whether (effects, cov) gives an entity-clustered covariance.

    >>> is_clustered("entity", "robust"), is_clustered("pooled", "robust"), is_clustered("pooled", "clustered")
    (True, False, True)
    """
    if effects == "between":
        return False
    return cov == "clustered" or (cov == "robust" and effects in ("entity", "twoway", "random"))


def fit_panel(df: pd.DataFrame, y: str, x: Sequence[str], *, entity: str = "city", time: str = "year",
              effects: Effects = "entity", cov: CovType = "unadjusted", log: bool = False,
              zero: str = "error", bandwidth: float | None = None, constant: bool = True,
              label: str = "", source: str = "panel", inference: str = "auto", weights: str = "auto",
              reps: int = 9999, seed: int = 0, level: float = 0.95) -> PanelResult:
    r"""Fit one static panel model and return Stata-comparable output with honest inference.

    Parameters
    ----------
    df : long DataFrame, one row per (entity, time).
    y, x : dependent and explanatory column names.
    effects : ``pooled | entity | twoway | random | between``.
    cov : ``unadjusted | robust | clustered | driscoll-kraay`` (see the module docstring).
    log : take natural logs of y and x first (terms become ``ln_<col>``); ``zero`` is the policy
        for values ≤ 0 (:func:`cultnet.analysis.indices.log_transform`).
    inference : ``auto`` (wild cluster bootstrap when the covariance is clustered and there are
        fewer than 42 clusters), ``wild`` (always, with a clustered covariance), ``analytic``.
    weights, reps, seed : the bootstrap's weights (``auto | rademacher | webb``), draws and seed.

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
    if inference not in INFERENCE:
        raise CultnetError(f"unknown inference {inference!r}; choose one of {', '.join(INFERENCE)}")
    x = list(dict.fromkeys(x))
    data = _prepare(df, y, x, entity, time, source)
    if log:
        from cultnet.analysis.indices import log_transform

        data = log_transform(data, [y, *x], entity=entity, time=time, zero=zero, source=source)  # type: ignore[arg-type]
        y, x = f"ln_{y}", [f"ln_{c}" for c in x]
    data = data.dropna(subset=[y, *x]).sort_values([entity, time], kind="stable")
    kept, dropped = _screen_regressors(data, x, entity, time, effects, constant)
    if not kept:
        raise NotEnoughData("no regressor left to estimate: " + "; ".join(f"{d['term']} {d['reason']}" for d in dropped))
    n_ent = data[entity].nunique()
    n_per = data[time].nunique()
    year_terms: list[str] = []
    if effects == "twoway":
        years = sorted(data[time].unique())
        for t in years[1:]:
            name = f"{t}.{time}"
            data[name] = (data[time] == t).astype(float)
            year_terms.append(name)
    k = len(kept) + len(year_terms) + int(constant)
    min_obs = k + (n_ent - 1 if effects in ("entity", "twoway") else 0) + 1
    if effects == "between" and n_ent <= k:
        raise NotEnoughData(f"between estimator needs more entities than coefficients: {n_ent} entities, {k} coefficients")
    if len(data) < min_obs:
        raise NotEnoughData(f"{_ESTIMATOR_NAMES[effects]} needs at least {min_obs} complete rows for "
                            f"{k} coefficients; have {len(data)} ({n_ent} entities × {n_per} periods)")
    panel = data.set_index([entity, time])
    Y = panel[y]
    X = panel[kept + year_terms].copy()
    if constant:
        X.insert(0, "const", 1.0)
    if effects == "pooled":
        mod = PooledOLS(Y, X)
    elif effects in ("entity", "twoway"):
        mod = PanelOLS(Y, X, entity_effects=True, drop_absorbed=True)
    elif effects == "random":
        mod = RandomEffects(Y, X)
    else:
        mod = BetweenOLS(Y, X)
    fit_kw = _cov_kwargs(effects, cov, n_per, bandwidth)
    notes: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = mod.fit(**fit_kw)
    except ValueError as e:  # singular design, absorbed regressors, ...
        raise NotEnoughData(f"{_ESTIMATOR_NAMES[effects]} could not be fitted: {e}") from e
    for w in caught:            # nothing from the library reaches stderr unexplained
        msg = " ".join(str(w.message).split())
        if "absorbed" in msg.lower():
            for t in [t for t in X.columns if t not in res.params.index and t != "const"]:
                dropped.append({"term": t, "reason": "absorbed by the effects (reported by linearmodels)"})
        elif msg:
            notes.append(f"linearmodels: {msg[:300]}")
    year_terms = [t for t in year_terms if t in res.params.index]

    clustered = is_clustered(effects, cov)
    if clustered:
        df_t: float | None = n_ent - 1
    elif cov == "driscoll-kraay":
        df_t = n_per - 1
    elif effects == "random":
        df_t = None
    else:
        df_t = float(res.df_resid)
    try:
        params, se = res.params, res.std_errors
        _ = res.cov
    except (np.linalg.LinAlgError, ValueError) as e:
        raise NotEnoughData(f"{_ESTIMATOR_NAMES[effects]} could not be fitted on these data: {e} (the regressors, "
                            f"or {y} itself, may not vary enough — e.g. a dependent variable that is constant "
                            "within entities leaves random effects no within variance)") from e
    ti = inf.t_inference(params.to_numpy(), se.to_numpy(), df_t, level)
    allc = pd.DataFrame({"estimate": params, "std_error": se, "statistic": ti["statistic"],
                         "p_value": ti["p_value"], "ci_low": ti["ci_low"], "ci_high": ti["ci_high"]})
    allc.index.name = "term"
    coefs = allc.drop(index=year_terms)
    yeff = allc.loc[year_terms] if year_terms else None
    slopes = [t for t in coefs.index if t != "const"]
    r2 = _stata_r2(panel, y, slopes + year_terms, params, entity)
    tests = _tests(res, effects, cov, slopes, year_terms, params, n_ent, n_per)
    info = _info(res, panel, y, slopes + year_terms, params, effects, entity)
    if effects == "random":
        th = np.asarray(res.theta).ravel()
        notes.append("random effects: linearmodels' default variance components (Swamy–Arora type, "
                     "harmonic-mean T̄ on unbalanced panels; small_sample=False)"
                     + ("" if np.ptp(th) == 0 else f"; θ varies by entity from {th.min():.4f} to {th.max():.4f}"))
    inference_info = _inference_info(effects, cov, clustered, df_t, n_ent, n_per, level)
    design = _design(panel, y, kept, year_terms, constant, effects, entity, res) if clustered else None
    stat_name = "z" if df_t is None else "t"
    if clustered and (inference == "wild" or (inference == "auto" and n_ent < inf.FEW_CLUSTERS)):
        coefs, boot_info, tests = _bootstrap(coefs, tests, design, slopes, weights, reps, seed, level)
        inference_info["bootstrap"] = boot_info
        inference_info["p_values"] = "wild cluster bootstrap (boot_p_value); analytic p_value on " + inference_info["distribution"]
        inference_info["description"] += "; " + boot_info.get("description", boot_info.get("reason", ""))
    elif inference == "wild":
        inference_info["bootstrap"] = {"reason": "the wild cluster bootstrap resamples entity clusters: it "
                                       "needs a clustered covariance (cov='robust' or 'clustered', not "
                                       f"{cov!r} with {effects} effects)"}
    return PanelResult(
        estimator=_ESTIMATOR_NAMES[effects], effects=effects, cov_type=cov, y=y, terms=tuple(coefs.index),
        coefficients=coefs, nobs=int(res.nobs), n_entities=int(n_ent), n_periods=int(n_per), r2=r2,
        tests=tests, stat_name=stat_name, info=info, cov=res.cov, label=label,
        dropped=tuple(dropped), inference=inference_info, year_effects=yeff, notes=tuple(notes), design=design,
    )


def hausman(fe: PanelResult, re: PanelResult, *, sigmamore: bool = False) -> dict[str, Any]:
    r"""Hausman test of fixed vs random effects over the common slope coefficients.

    :math:`H = d'(V_{FE} - V_{RE})^{-}d`, d = b_FE − b_RE, χ² with d.f. = rank of V_FE − V_RE
    (count of nonzero eigenvalues; Stata's ``hausman``, R plm's ``phtest`` when the rank is full).
    When V_FE − V_RE is not positive definite a generalized inverse is used and ``note`` says so;
    a negative H gets no p-value and ``explanation`` says why. Valid only with the classical
    (``unadjusted``) covariances: for robust inference use :func:`mundlak_test`.
    """
    if fe.cov is None or re.cov is None:
        return {"reason": "covariance matrices not available"}
    if fe.cov_type != "unadjusted" or re.cov_type != "unadjusted":
        return {"reason": "the classical Hausman test needs cov='unadjusted' fits; with robust standard "
                          "errors use the cluster-robust Mundlak test (mundlak_test)"}
    common = [t for t in fe.terms if t != "const" and t in re.terms]
    if not common:
        return {"reason": "no slope coefficient common to the FE and RE fits"}
    d = (fe.params[common] - re.params[common]).to_numpy()
    vf = fe.cov.loc[common, common].to_numpy()
    vr = re.cov.loc[common, common].to_numpy()
    if sigmamore:
        s2 = re.info.get("sigma_e", float("nan")) ** 2
        vf = vf * s2 / fe.info["sigma_e"] ** 2
        vr = vr * s2 / re.info.get("s2_gls", s2)
    vd = vf - vr
    eig = np.linalg.eigvalsh((vd + vd.T) / 2)
    dof = inf.matrix_rank(vd)
    out: dict[str, Any] = {"df": dof, "dist": f"chi2({dof})", "terms": common,
                           "h0": "difference in coefficients not systematic (RE consistent and efficient)",
                           "form": "sigmamore" if sigmamore else "plain (Stata default hausman fe re)",
                           "df_rule": "rank of V_FE - V_RE (nonzero eigenvalues), as Stata; R plm uses K"}
    if eig.min() <= 0:
        out["note"] = (f"V_FE - V_RE is not positive definite ({int((eig <= 0).sum())} of {len(eig)} eigenvalues "
                       "≤ 0); generalized inverse used, as Stata")
        h = float(d @ np.linalg.pinv(vd) @ d)
    else:
        h = float(d @ np.linalg.solve(vd, d))
    out["stat"] = h
    if dof == 0:
        out["p_value"] = None
        out["explanation"] = "V_FE - V_RE is zero: the test has no degrees of freedom"
    elif h < 0:
        out["p_value"] = None
        out["explanation"] = (f"H = {h:.4g} is negative: V_FE - V_RE is not positive semi-definite in this sample, "
                              "so the test's premise (RE efficient under H0, hence V_FE ≥ V_RE) fails here and H "
                              "has no χ² distribution. This is not evidence for either model; use the "
                              "cluster-robust Mundlak test.")
    else:
        out["p_value"] = float(stats.chi2.sf(h, dof))
    return out


def mundlak_test(df: pd.DataFrame, y: str, x: Sequence[str], *, entity: str = "city", time: str = "year",
                 log: bool = False, zero: str = "error", cov: CovType = "clustered",
                 inference: str = "auto", weights: str = "auto", reps: int = 9999, seed: int = 0,
                 source: str = "panel") -> dict[str, Any]:
    r"""Cluster-robust Hausman test by Mundlak's auxiliary regression (Wooldridge 2010, §10.7.3).

    Fit :math:`y_{it} = \alpha + x_{it}'\beta + \bar x_i'\gamma + v_{it}` by random effects with
    a cluster-robust covariance (Stata: ``xtreg y x xbar, re vce(cluster id)``) and test
    :math:`H_0: \gamma = 0` (the effects are uncorrelated with the regressors, so RE is
    consistent): F(q, G − 1), not reported when q > G − 1; with fewer than 42 clusters the WCR
    bootstrap Wald p-value is added. Only regressors whose entity means vary across entities get a
    mean term (a time dummy's mean is the same for every entity in a balanced panel; a
    time-invariant regressor equals its mean); the others are listed in ``excluded``.
    """
    x = list(dict.fromkeys(x))
    data = _prepare(df, y, x, entity, time, source)
    if log:
        from cultnet.analysis.indices import log_transform

        data = log_transform(data, [y, *x], entity=entity, time=time, zero=zero, source=source)  # type: ignore[arg-type]
        y, x = f"ln_{y}", [f"ln_{c}" for c in x]
    data = data.dropna(subset=[y, *x])
    means, excluded = [], []
    for c in x:
        m = data.groupby(entity)[c].transform("mean")
        within = float(np.abs(data[c] - m).max())
        between = float(data.groupby(entity)[c].mean().std(ddof=0))
        scale = float(np.abs(data[c]).max()) or 1.0
        if within <= _TOL * scale:
            excluded.append({"term": c, "reason": "time-invariant: it equals its entity mean"})
        elif between <= _TOL * scale:
            excluded.append({"term": c, "reason": "its entity mean is the same for every entity (a time effect)"})
        else:
            name = f"mean_{c}"
            data[name] = m
            means.append(name)
    out: dict[str, Any] = {"test": "Mundlak / auxiliary-regression (cluster-robust Hausman)",
                           "h0": "entity effects uncorrelated with the regressors (RE consistent)",
                           "method": f"RE on x and entity means x̄, {cov} covariance, Wald test of the x̄ terms "
                                     "(Wooldridge 2010 §10.7.3; Stata: xtreg y x xbar, re vce(cluster id); test xbar)",
                           "excluded": excluded, "terms": means}
    if not means:
        out["reason"] = "no regressor has entity means that vary across entities: nothing to test"
        return out
    res = fit_panel(data, y, [*x, *means], entity=entity, time=time, effects="random", cov=cov,
                    source=source, inference=inference, weights=weights, reps=reps, seed=seed)
    tested = [m for m in means if m in res.terms]
    dropped = [d for d in res.dropped if d["term"] in means]
    if dropped:
        out["excluded"] = excluded + dropped
    if not tested:
        out["reason"] = "every entity-mean term is collinear with the regressors"
        return out
    b = res.params[tested].to_numpy()
    V = res.cov.loc[tested, tested].to_numpy()
    clustered = is_clustered("random", cov)
    t = inf.wald_test(b, V, form="F" if clustered else "chi2", df_denom=res.n_entities - 1 if clustered else None,
                      clusters=res.n_entities if clustered else None, h0=out["h0"], names=tested)
    out.update({k: v for k, v in t.items() if k not in ("h0",)})
    out["clusters"] = res.n_entities
    boot = res.tests.get("model_bootstrap")
    if res.design is not None and res.bootstrapped:
        idx = [res.design.names.index(m) for m in tested]
        R = np.zeros((len(idx), len(res.design.names)))
        for r_, j in enumerate(idx):
            R[r_, j] = 1.0
        out["bootstrap"] = _boot_wald(res.design, R, weights, reps, seed)
    elif boot is not None:
        out["bootstrap"] = boot
    w = inf.few_clusters_warning(res.n_entities) if clustered else ""
    if w:
        out["warning"] = w
    return out


def fit_by_group(df: pd.DataFrame, y: str, x: Sequence[str], groups: Mapping[str, str], *,
                 entity: str = "city", time: str = "year", effects: Effects = "entity",
                 cov: CovType = "unadjusted", log: bool = False, zero: str = "error",
                 order: Sequence[str] | None = None, source: str = "panel", inference: str = "auto",
                 weights: str = "auto", reps: int = 9999, seed: int = 0) -> GroupedResult:
    r"""Fit the same model per group of entities and test that the slopes are equal across groups.

    The per-group fits are for display. The test is on **one** pooled model in which every slope
    is interacted with the group dummies,
    :math:`y_{it} = \alpha_i + \sum_g D_{g(i)} x_{it}'\beta_g + e_{it}` (entity effects absorb the
    group intercepts; pooled/RE models get group intercepts), with one covariance, testing
    :math:`H_0: \beta_1 = \dots = \beta_G`:

    * jointly, q = (groups − 1)·K restrictions: F(q, N − K_total) (the Chow form) with the
      classical covariance; F(q, C − 1) with a clustered one (C clusters), not reported when
      q > C − 1;
    * per regressor (groups − 1 restrictions each), which stays computable with few clusters;
    * with a clustered covariance and fewer than 42 clusters (``inference="auto"``), the WCR
      bootstrap Wald p-value of each test too.

    Entities missing from ``groups`` are reported in ``equality_test["unassigned"]`` and left out.
    """
    x = list(dict.fromkeys(x))
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
        raise NotEnoughData("no entity of the panel belongs to any group of the mapping"
                            + (f" (entities: {', '.join(unassigned[:5])}{', ...' if len(unassigned) > 5 else ''})"
                               if unassigned else ""))
    kw = dict(entity=entity, time=time, effects=effects, cov=cov, source=source, inference=inference,
              weights=weights, reps=reps, seed=seed)
    results: dict[str, PanelResult] = {}
    failed: dict[str, str] = {}
    for g in names:
        sub = data.loc[data["_group"] == g].drop(columns="_group")
        try:
            results[g] = fit_panel(sub, y, x, label=g, **kw)  # type: ignore[arg-type]
        except CultnetError as e:    # a group too small for the model: say so, keep the others
            failed[g] = f"{sub[entity].nunique()} entities: {e.user_message}"
    if not results:
        raise NotEnoughData("the model cannot be fitted in any group: "
                            + "; ".join(f"{g}: {r}" for g, r in failed.items()))
    test, pooled = _equality_test(data, y, x, names, kw)
    if failed:
        test["groups_not_fitted"] = failed
    if unassigned:
        test["unassigned"] = unassigned
    members = {str(e): str(g) for e, g in data[[entity, "_group"]].drop_duplicates().itertuples(index=False)}
    return GroupedResult(results=results, groups=members, equality_test=test, pooled_interacted=pooled)


# ------------------------------------------------------------------------------------------------
def _prepare(df: pd.DataFrame, y: str, x: list[str], entity: str, time: str, source: str) -> pd.DataFrame:
    missing = [c for c in (entity, time, y, *x) if c not in df.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, f"column {c!r} not found (have: {', '.join(map(str, df.columns))})")
                               for c in missing])
    data = df[[entity, time, y, *dict.fromkeys(c for c in x if c != y)]].copy()
    data[entity] = data[entity].astype(str)
    data[time] = pd.to_numeric(data[time], errors="coerce")
    problems = []
    for c in dict.fromkeys((y, *x)):
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


def _demean(a: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Subtract group means (rows of a grouped by codes)."""
    a = np.asarray(a, float)
    a2 = a.reshape(len(a), -1)
    n = np.bincount(codes)
    sums = np.zeros((n.size, a2.shape[1]))
    np.add.at(sums, codes, a2)
    return (a2 - (sums / n[:, None])[codes]).reshape(a.shape)


def _screen_regressors(data: pd.DataFrame, x: list[str], entity: str, time: str, effects: str,
                       constant: bool) -> tuple[list[str], list[dict[str, str]]]:
    """Leave out regressors absorbed by the effects or collinear with the others; say which and why."""
    if not x:
        return [], []
    ent = pd.factorize(data[entity])[0]
    raw = data[x].to_numpy(float)
    if effects == "between":
        raw = pd.DataFrame(raw).groupby(ent).mean().to_numpy()
        base = raw - raw.mean(axis=0) if constant else raw
        absorbed_by = None
    elif effects in ("entity", "twoway"):
        base = _demean(raw, ent)
        absorbed_by = "the entity effects (it does not vary within entities)"
    else:
        base = raw - raw.mean(axis=0) if constant else raw
        absorbed_by = None
    scale = np.maximum(np.sqrt((raw ** 2).sum(axis=0)), 1e-300)
    dropped: list[dict[str, str]] = []
    cols = {}
    for i, c in enumerate(x):
        if np.sqrt((base[:, i] ** 2).sum()) <= _TOL * scale[i]:
            why = (f"absorbed by {absorbed_by}" if absorbed_by else
                   "constant: collinear with the intercept" if constant else "identically zero")
            dropped.append({"term": c, "reason": why})
        else:
            cols[c] = base[:, i]
    if effects == "twoway" and cols:
        tim = data[time].to_numpy()
        years = np.unique(tim)
        D = _demean(np.column_stack([(tim == t).astype(float) for t in years[1:]]), ent) if len(years) > 1 else None
        if D is not None:
            for c in list(cols):
                v = cols[c]
                resid = v - D @ np.linalg.lstsq(D, v, rcond=None)[0]
                if np.sqrt((resid ** 2).sum()) <= 1e-7 * np.sqrt((v ** 2).sum()):
                    dropped.append({"term": c, "reason": "absorbed by the entity and year effects (within entities "
                                                         "it moves one-for-one with the years, e.g. experience = "
                                                         "year − schooling − 6)"})
                    del cols[c]
                else:
                    cols[c] = resid
    kept: list[str] = []
    for c, v in cols.items():
        if kept:
            B = np.column_stack([cols[k] for k in kept])
            coef = np.linalg.lstsq(B, v, rcond=None)[0]
            resid = v - B @ coef
            if np.sqrt((resid ** 2).sum()) <= 1e-7 * np.sqrt((v ** 2).sum()):
                partners = [k for k, b in zip(kept, coef) if abs(b) > 1e-8]
                dropped.append({"term": c, "reason": f"collinear with {', '.join(partners) or 'the other regressors'}"
                                                     + (" once the effects are removed" if effects in ("entity", "twoway") else "")})
                continue
        kept.append(c)
    return kept, dropped


def _cov_kwargs(effects: str, cov: str, n_per: int, bandwidth: float | None) -> dict[str, Any]:
    if cov == "unadjusted":
        return {"cov_type": "unadjusted"}
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


def _stata_r2(panel: pd.DataFrame, y: str, slopes: list[str], params: pd.Series, entity: str) -> dict[str, float]:
    yv = panel[y]
    xb = panel[slopes].to_numpy() @ params[slopes].to_numpy() if slopes else np.zeros(len(panel))
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


def _tests(res: Any, effects: str, cov: str, slopes: list[str], year_terms: list[str], params: pd.Series,
           n_ent: int, n_per: int) -> dict[str, dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    clustered = is_clustered(effects, cov)
    if clustered:
        dfd, clusters = n_ent - 1, n_ent
    elif cov == "driscoll-kraay":
        dfd, clusters = n_per - 1, n_per
    else:
        dfd, clusters = int(res.df_resid), None
    V = res.cov

    def joint(terms: list[str], h0: str, form: str) -> dict[str, Any]:
        t = inf.wald_test(params[terms].to_numpy(), V.loc[terms, terms].to_numpy(), form=form,
                          df_denom=dfd if form == "F" else None, clusters=clusters, h0=h0)
        t["cov"] = cov
        return t

    if slopes:
        h0 = "all slope coefficients are zero" + (" (year dummies not included)" if year_terms else "")
        tests["wald"] = joint(slopes, h0, "chi2")
        classical_re = effects == "random" and not clustered and cov != "driscoll-kraay"
        tests["model"] = joint(slopes, h0, "chi2" if classical_re else "F")
    if year_terms:
        tests["year_effects"] = joint(year_terms, "all year effects are zero (Stata: testparm i.year)", "F")
    if effects in ("entity", "twoway"):
        try:
            tests["effects_F"] = _wald_dict(res.f_pooled)
            tests["effects_F"]["h0"] = "all entity effects are zero (Stata: F test that all u_i=0)"
        except Exception as e:  # pragma: no cover
            tests["effects_F"] = {"reason": str(e)}
    return tests


def _info(res: Any, panel: pd.DataFrame, y: str, slopes: list[str], params: pd.Series, effects: str,
          entity: str) -> dict[str, float]:
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
        th = np.asarray(res.theta, dtype=float).ravel()
        if np.ptp(th) == 0:
            info["theta"] = float(th[0])
        else:   # Stata prints theta's min, 5%, median, 95%, max on unbalanced panels
            for k, qv in (("theta_min", 0), ("theta_p5", 5), ("theta_median", 50), ("theta_p95", 95), ("theta_max", 100)):
                info[k] = float(np.percentile(th, qv))
        info["s2_gls"] = float(res.s2)
    return info


def _inference_info(effects: str, cov: str, clustered: bool, df_t: float | None, n_ent: int, n_per: int,
                    level: float) -> dict[str, Any]:
    if clustered:
        dist = f"t({n_ent - 1})"
        desc = (f"SE clustered by entity ({n_ent} clusters); t, p and {100 * level:g}% CI on t(G − 1) = {dist}; "
                f"Wald tests F(q, {n_ent - 1}), not reported when q > {n_ent - 1}")
        warn = [w for w in (inf.few_clusters_warning(n_ent),) if w]
    elif cov == "driscoll-kraay":
        dist = f"t({n_per - 1})"
        desc = f"Driscoll–Kraay SE over {n_per} periods; t and F on T − 1 = {n_per - 1} d.f."
        warn = [f"Driscoll–Kraay SEs are asymptotic in T; with T = {n_per} treat them as indicative"] if n_per < 30 else []
    elif df_t is None:
        dist = "N(0,1)"
        desc = "classical RE covariance; z statistics, normal p-values and CIs (Stata xtreg, re)"
        warn = []
    else:
        dist = f"t({int(df_t)})"
        what = "HC1 robust" if cov == "robust" else "classical"
        desc = f"{what} SE; t on the residual d.f. = {int(df_t)}"
        warn = []
    return {"covariance": cov, "clustered": clustered, "clusters": n_ent if clustered else None,
            "distribution": dist, "df": df_t, "level": level, "description": desc, "warnings": warn,
            "p_values": f"analytic, {dist}", "bootstrap": None}


def _design(panel: pd.DataFrame, y: str, kept: list[str], year_terms: list[str], constant: bool, effects: str,
            entity: str, res: Any) -> _Design:
    """The (X, y, clusters) the bootstrap resamples; FE partialled out, RE quasi-demeaned."""
    ent = pd.factorize(panel.index.get_level_values(0))[0]
    names = [t for t in [*kept, *year_terms] if t in res.params.index]
    Xr = panel[names].to_numpy(float)
    yr = panel[y].to_numpy(float)
    if effects in ("entity", "twoway"):
        X, yv = _demean(Xr, ent), _demean(yr, ent)
        return _Design(X, yv, ent, tuple(names), k_ssc=len(names) + int(constant))
    if constant:
        Xr = np.column_stack([np.ones(len(Xr)), Xr])
        names = ["const", *names]
    if effects == "random":
        theta = np.asarray(res.theta, dtype=float).ravel()
        order = pd.factorize(panel.index.get_level_values(0))[1]
        th_by = pd.Series(theta, index=pd.Index(np.asarray(res.theta.index).astype(str)))
        th = th_by.reindex(order.astype(str)).to_numpy()[ent]
        Xm = pd.DataFrame(Xr).groupby(ent).transform("mean").to_numpy()
        ym = pd.Series(yr).groupby(ent).transform("mean").to_numpy()
        return _Design(Xr - th[:, None] * Xm, yr - th * ym, ent, tuple(names), k_ssc=len(names))
    return _Design(Xr, yr, ent, tuple(names), k_ssc=len(names))


def _bootstrap(coefs: pd.DataFrame, tests: dict[str, Any], design: _Design | None, slopes: list[str], weights: str,
               reps: int, seed: int, level: float) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    from cultnet.analysis.bootstrap import WildBootstrap

    coefs = coefs.copy()
    coefs["boot_p_value"] = np.nan
    coefs["boot_ci_low"] = np.nan
    coefs["boot_ci_high"] = np.nan
    if design is None:
        return coefs, {"reason": "no bootstrap design"}, tests
    try:
        wb = WildBootstrap(design.X, design.y, design.clusters, k_ssc=design.k_ssc)
    except CultnetError as e:
        return coefs, {"reason": e.user_message}, tests
    plan = None
    notes = []
    for t in slopes:
        if t not in design.names:
            continue
        r = wb.test_coef(design.names.index(t), weights=weights, reps=reps, seed=seed, level=level)
        plan = r.plan
        coefs.loc[t, ["boot_p_value", "boot_ci_low", "boot_ci_high"]] = [r.p_value, r.ci_low, r.ci_high]
        if r.note and r.note not in notes:
            notes.append(r.note)
    info: dict[str, Any] = {"method": "restricted wild cluster bootstrap (WCR), symmetric p-values, "
                                      "CIs by test inversion (boottest)", "level": level}
    if plan is not None:
        info.update(plan.to_dict())
        info["description"] = f"wild cluster bootstrap: {plan.describe()}"
    if notes:
        info["notes"] = notes
    in_design = [s for s in slopes if s in design.names]
    if in_design:
        R = np.zeros((len(in_design), len(design.names)))
        for i, s in enumerate(in_design):
            R[i, design.names.index(s)] = 1.0
        tests = dict(tests)
        tests["model_bootstrap"] = _boot_wald(design, R, weights, reps, seed, wb=wb)
        tests["model_bootstrap"]["h0"] = "all slope coefficients are zero"
    return coefs, info, tests


def _boot_wald(design: _Design, R: np.ndarray, weights: str, reps: int, seed: int, wb: Any = None) -> dict[str, Any]:
    from cultnet.analysis.bootstrap import WildBootstrap

    G = len(np.unique(design.clusters))
    q = R.shape[0]
    if q > G - 1:
        return {"df": q, "reason": f"not computable: {q} restrictions but only {G} clusters (rank of the "
                                   f"clustered covariance at most G − 1 = {G - 1})"}
    wb = wb or WildBootstrap(design.X, design.y, design.clusters, k_ssc=design.k_ssc)
    r = wb.test_linear(R, weights=weights, reps=reps, seed=seed)
    if not math.isfinite(r.stat):
        return {"df": q, "reason": r.note}
    out = {"stat": r.stat / q, "df": q, "p_value": r.p_value, "dist": f"bootstrap F({q})", "chi2": r.stat,
           "method": "WCR bootstrap Wald, " + r.plan.describe()}
    if r.note:
        out["note"] = r.note
    return out


def _equality_test(data: pd.DataFrame, y: str, x: list[str], names: list[str],
                   kw: dict[str, Any]) -> tuple[dict[str, Any], PanelResult | None]:
    effects, cov = kw["effects"], kw["cov"]
    if len(names) < 2:
        return {"reason": f"only one group present ({names[0]}); nothing to compare"}, None
    if effects == "between":
        return {"reason": "the equality test is implemented for pooled/entity/twoway/random models"}, None
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
        res = fit_panel(d.drop(columns=["_group", *x]), y, cols, **kw)
    except CultnetError as e:
        return {"reason": f"interacted model not estimable: {e.user_message}"}, None
    clustered = is_clustered(effects, cov)
    G = res.n_entities
    if clustered:
        dfd, clusters = G - 1, G
    elif cov == "driscoll-kraay":
        dfd, clusters = res.n_periods - 1, res.n_periods
    else:
        dfd, clusters = res.nobs - len(res.terms) - (G if effects in ("entity", "twoway") else 0), None
    terms = list(res.terms)
    b = res.params.to_numpy()
    V = res.cov.loc[terms, terms].to_numpy()

    def rows_for(cs: list[str]) -> np.ndarray:
        rows = []
        for gi in names[1:]:
            for c in cs:
                a, bb = f"{c}@{names[0]}", f"{c}@{gi}"
                if a in terms and bb in terms:
                    r = np.zeros(len(terms))
                    r[terms.index(a)], r[terms.index(bb)] = 1.0, -1.0
                    rows.append(r)
        return np.array(rows)

    h0 = f"slopes of {', '.join(x)} equal across groups {', '.join(names)}"
    R = rows_for(x)
    joint = inf.wald_test(b, V, R, form="F", df_denom=dfd, clusters=clusters, h0=h0)
    out: dict[str, Any] = {
        "h0": h0, "groups": names, "k_per_group": len(x),
        "method": f"Wald test on one pooled model with group × regressor interactions ({effects} effects, "
                  f"{cov} covariance" + (f", {G} clusters, F(q, {G - 1})" if clustered else
                                         ", F = χ²/q on the residual d.f. (the Chow form)") + ")",
        "joint": joint,
    }
    # backward-compatible top-level keys for the joint test
    for k_ in ("stat", "df", "df_denom", "p_value", "dist", "reason"):
        if k_ in joint:
            out[k_] = joint[k_]
    if "stat" in joint:
        out["F"], out["F_p_value"] = joint["stat"], joint["p_value"]
        out["chi2"] = joint["chi2"]
    per: dict[str, Any] = {}
    for c in x:
        Rc = rows_for([c])
        if len(Rc):
            per[c] = inf.wald_test(b, V, Rc, form="F", df_denom=dfd, clusters=clusters,
                                   h0=f"slope of {c} equal across groups")
    out["per_regressor"] = per
    if res.design is not None and res.bootstrapped:
        dn = list(res.design.names)

        def to_design(Rm: np.ndarray) -> np.ndarray:
            M = np.zeros((len(Rm), len(dn)))
            for j, t in enumerate(terms):
                if t in dn:
                    M[:, dn.index(t)] = Rm[:, j]
            return M

        boot_kw = (kw["weights"], kw["reps"], kw["seed"])
        out["joint_bootstrap"] = _boot_wald(res.design, to_design(R), *boot_kw)
        for c in per:
            per[c]["bootstrap"] = _boot_wald(res.design, to_design(rows_for([c])), *boot_kw)
    if clustered:
        w = inf.few_clusters_warning(G)
        per_group = data.groupby("_group")[kw["entity"]].nunique()
        small = {str(g): int(n) for g, n in per_group.items() if n < inf.FEW_CLUSTERS}
        if small and len(per_group) > 1:
            w = (w + "; " if w else "") + (
                "each group's slopes are estimated from that group's clusters only ("
                + ", ".join(f"{g}: {n}" for g, n in small.items())
                + "), so F(q, C − 1) on all C clusters is optimistic: read the wild bootstrap p-values")
        if w:
            out["warning"] = w
    return out, res

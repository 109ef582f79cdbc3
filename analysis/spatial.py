r"""Spatial extension on the city network: Moran's I and spatial panel models with a network W.

**Weights.** W comes from the gravity network (or a user file): an n×n matrix (array with a city
order, or a DataFrame with city labels on both axes) or an edge frame (``source, target,
weight``). Gravity strengths are closeness, not distance, so they are used as weights directly.
The diagonal is zeroed and rows are standardized (:math:`w_{ij}/\sum_j w_{ij}`); an edge list is
taken as directed (add both directions for a symmetric network). A city with no neighbour
(an "island") is an error unless ``allow_islands=True`` (its row stays zero).

**Moran's I** (esda 2.9) per variable and year,
:math:`I = \frac{n}{S_0}\frac{z'Wz}{z'z}` with z the deviations from the mean; deterministic
:math:`E[I] = -1/(n-1)`, the normal-approximation z and p (``z_norm``, ``p_norm``) and a
permutation p-value (``p_sim``, ``permutations`` draws, reproducible: the global NumPy seed is set
to ``seed`` before each call because ``esda.Moran`` takes no seed).

**Spatial panel models** (spreg 1.9 ``ML_LagFE``, Elhorst 2003, entity fixed effects, ML):

* ``lag`` (SAR): :math:`y_t = \rho W y_t + X_t\beta + \mu + \varepsilon_t`;
* ``durbin`` (SDM): :math:`y_t = \rho W y_t + X_t\beta + W X_t\theta + \mu + \varepsilon_t`
  (``slx_lags=1``);
* ``error`` (SEM, ``ML_ErrorFE``): :math:`y_t = X_t\beta + \mu + u_t`, :math:`u_t = \lambda W u_t + \varepsilon_t`.

spreg wants **time-major** stacking (all cities in year 1, then year 2, …), the opposite of
linearmodels' (entity, time) order; W's rows follow the same city order. This module sorts for
you and requires a balanced panel.

**Effects** (LeSage & Pace 2009): for regressor k,
:math:`S_k(W) = (I-\rho W)^{-1}(\beta_k I + \theta_k W)`; average direct effect
:math:`\operatorname{tr}(S_k)/n`, average total effect :math:`\mathbf 1'S_k\mathbf 1/n`, indirect
(spillover) = total − direct. For SEM the direct effect is β and the indirect effect is zero.
Standard errors and p-values of the effects come from ``draws`` seeded draws of
:math:`(\beta,\theta,\rho)` from their estimated asymptotic normal distribution.

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Elhorst, J. P. (2003). Specification and estimation of spatial panel data models.
*International Regional Science Review*, 26(3), 244–268. https://doi.org/10.1177/0160017603253791
LeSage, J., & Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC Press.
https://doi.org/10.1201/9781420064254
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cultnet.errors import CultnetError, NotEnoughData, Problem, ValidationError

__all__ = ["weights_matrix", "moran_table", "fit_spatial_panel", "SpatialResult", "impacts"]


def weights_matrix(W: Any, cities: Sequence[str] | None = None, *, allow_islands: bool = False,
                   source_col: str = "source", target_col: str = "target", weight_col: str = "weight") -> tuple[np.ndarray, list[str]]:
    """Row-standardized dense W and its city order.

    ``W`` is an (n, n) array (then ``cities`` gives the order), a square DataFrame labelled by city,
    or an edge frame with ``source, target, weight``. When ``cities`` is given the matrix is
    re-ordered (and restricted) to it; cities absent from W get a zero row (an island).

    >>> W, order = weights_matrix(pd.DataFrame({"source": ["a", "b", "b"], "target": ["b", "a", "c"],
    ...                                          "weight": [1.0, 1.0, 3.0]}), allow_islands=True)
    >>> order, W.round(2).tolist()
    (['a', 'b', 'c'], [[0.0, 1.0, 0.0], [0.25, 0.0, 0.75], [0.0, 0.0, 0.0]])
    """
    if isinstance(W, pd.DataFrame) and {source_col, target_col}.issubset(W.columns):
        e = W
        names = sorted(set(map(str, e[source_col])) | set(map(str, e[target_col])))
        if cities is not None:
            names = [str(c) for c in cities]
        pos = {c: i for i, c in enumerate(names)}
        M = np.zeros((len(names), len(names)))
        wv = e[weight_col].astype(float) if weight_col in e.columns else pd.Series(1.0, index=e.index)
        for s, t, w in zip(e[source_col].astype(str), e[target_col].astype(str), wv):
            if s in pos and t in pos:
                M[pos[s], pos[t]] += w
    elif isinstance(W, pd.DataFrame):
        names = [str(c) for c in W.index]
        if [str(c) for c in W.columns] != names:
            W = W.reindex(columns=W.index)
        M = W.to_numpy(float)
        if cities is not None:
            idx = pd.Index(names)
            order = [str(c) for c in cities]
            M2 = np.zeros((len(order), len(order)))
            present = [c for c in order if c in idx]
            ii = [order.index(c) for c in present]
            jj = idx.get_indexer(present)
            M2[np.ix_(ii, ii)] = M[np.ix_(jj, jj)]
            M, names = M2, order
    else:
        M = np.asarray(W, dtype=float)
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise CultnetError(f"W must be square; got shape {M.shape}")
        names = [str(c) for c in cities] if cities is not None else [str(i) for i in range(len(M))]
        if len(names) != len(M):
            raise CultnetError(f"W is {len(M)}×{len(M)} but {len(names)} cities were given")
    if (M < 0).any():
        raise CultnetError("W has negative weights; gravity weights must be ≥ 0")
    M = M.copy()
    np.fill_diagonal(M, 0.0)
    rs = M.sum(axis=1)
    islands = [names[i] for i in np.flatnonzero(rs == 0)]
    if islands and not allow_islands:
        raise NotEnoughData(f"city/cities without any neighbour in W: {', '.join(islands)}; "
                            "spatial statistics need every city connected (or pass allow_islands=True)")
    with np.errstate(invalid="ignore", divide="ignore"):
        M = np.where(rs[:, None] > 0, M / rs[:, None], 0.0)
    return M, names


def _w_for(W: Any, data_cities: list[str], w_cities: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """W restricted/re-ordered to the data's cities; an array W is labelled by ``w_cities``."""
    if isinstance(W, (np.ndarray, list)):
        M, names = weights_matrix(np.asarray(W, float), w_cities if w_cities is not None else data_cities,
                                  allow_islands=True)
        frame = pd.DataFrame(M, index=names, columns=names)
        return weights_matrix(frame, data_cities)
    return weights_matrix(W, data_cities)


def _pysal_w(M: np.ndarray, names: list[str]):
    import libpysal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.full2W(M, ids=list(names))
        w.transform = "o"  # already row-standardized; keep the values as given
    return w


def moran_table(df: pd.DataFrame, columns: Sequence[str], W: Any, *, entity: str = "city", time: str = "year",
                permutations: int = 999, seed: int = 0, log: bool = False,
                w_cities: Sequence[str] | None = None) -> pd.DataFrame:
    """Moran's I of each column in each period over the cities in W.

    Returns columns: variable, period, n, I, EI, z_norm, p_norm, p_sim (two-sided permutation).
    Cities of the panel missing from W (or vice versa) are an error naming them.
    """
    import esda

    M, names = _w_for(W, sorted(df[entity].astype(str).unique()), w_cities)
    w = _pysal_w(M, names)
    rows = []
    d = df.copy()
    d[entity] = d[entity].astype(str)
    for col in columns:
        if col not in d.columns:
            raise ValidationError([Problem("panel", None, col, "column not found")])
        for t, g in d.groupby(time, sort=True):
            s = g.set_index(entity)[col].astype(float)
            missing = [c for c in names if c not in s.index or pd.isna(s.get(c))]
            if missing:
                raise ValidationError([Problem("panel", None, col, f"{time}={t}: no value for {', '.join(missing)}")])
            vals = s.reindex(names).to_numpy()
            if log:
                if (vals <= 0).any():
                    bad = [names[i] for i in np.flatnonzero(vals <= 0)]
                    raise ValidationError([Problem("panel", None, col, f"{time}={t}: values <= 0 for {', '.join(bad)}")])
                vals = np.log(vals)
            np.random.seed(seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = esda.Moran(vals, w, transformation="r", permutations=permutations)
            rows.append({"variable": col, "period": t, "n": len(vals), "I": float(m.I), "EI": float(m.EI),
                         "z_norm": float(m.z_norm), "p_norm": float(m.p_norm),
                         "p_sim": float(m.p_sim) if permutations else float("nan")})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SpatialResult:
    """A spatial panel fit: coefficients (β, θ for W·x, ρ or λ), effects, fit statistics."""

    model: str
    y: str
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    nobs: int
    n_entities: int
    n_periods: int
    logl: float
    aic: float
    pseudo_r2: float
    sigma2: float
    cities: tuple[str, ...]
    stat_name: str = "z"
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.reset_index(names="term")

    def fit_stats(self) -> dict[str, Any]:
        return {"pseudo R²": self.pseudo_r2, "log L": self.logl, "AIC": self.aic, "N": self.nobs,
                "Groups": self.n_entities}

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "y": self.y, "nobs": self.nobs, "n_entities": self.n_entities,
                "n_periods": self.n_periods,
                "coefficients": [{"term": t, **{k: float(v) for k, v in r.items()}} for t, r in self.coefficients.iterrows()],
                "effects": self.effects.to_dict(orient="records"),
                "fit": {"logl": self.logl, "aic": self.aic, "pseudo_r2": self.pseudo_r2, "sigma2": self.sigma2},
                "cities": list(self.cities), "notes": list(self.notes)}

    def summary(self) -> str:
        from cultnet.analysis.tables import regression_table, render_text

        text = render_text(regression_table({self.model: self}),
                           title=f"Spatial panel ({self.model}, entity fixed effects, ML) — {self.y}")
        return text + "\n\nLeSage–Pace effects\n" + self.effects.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def fit_spatial_panel(df: pd.DataFrame, y: str, x: Sequence[str], W: Any, *, entity: str = "city",
                      time: str = "year", model: Literal["lag", "durbin", "error"] = "lag", log: bool = False,
                      draws: int = 1000, seed: int = 0, source: str = "panel",
                      w_cities: Sequence[str] | None = None) -> SpatialResult:
    """Fit a fixed-effects spatial lag (SAR), spatial Durbin (SDM) or spatial error (SEM) panel model.

    Requires a balanced panel over the cities of W. Returns coefficients with z statistics and the
    LeSage–Pace direct / indirect / total effects with simulated standard errors.
    """
    import spreg

    x = list(x)
    if model not in ("lag", "durbin", "error"):
        raise CultnetError(f"unknown spatial model {model!r}: use lag, durbin or error")
    d = df.copy()
    d[entity] = d[entity].astype(str)
    if log:
        from cultnet.analysis.indices import log_transform

        d = log_transform(d, [y, *x], entity=entity, time=time, source=source)
        y, x = f"ln_{y}", [f"ln_{c}" for c in x]
    d = d[[entity, time, y, *x]].dropna()
    cities = sorted(d[entity].unique())
    M, names = _w_for(W, cities, w_cities)
    extra = sorted(set(cities) - set(names))
    if extra:
        raise ValidationError([Problem(source, None, entity, f"cities not in W: {', '.join(extra)}")])
    periods = sorted(d[time].unique())
    counts = d.groupby(time)[entity].nunique()
    if (counts != len(names)).any():
        short = counts[counts != len(names)]
        raise ValidationError([Problem(source, None, None,
                                       f"spatial panel needs a balanced panel: {time}={t} has {c} of {len(names)} cities")
                               for t, c in short.items()])
    if len(periods) < 2:
        raise NotEnoughData("a spatial panel needs at least two periods")
    # time-major stacking: all cities (in W order) for the first period, then the next, ...
    d = d.set_index([time, entity]).sort_index()
    d = d.reindex(pd.MultiIndex.from_product([periods, names], names=[time, entity]))
    Y = d[y].to_numpy(float).reshape(-1, 1)
    X = d[x].to_numpy(float)
    w = _pysal_w(M, names)
    import contextlib
    import io

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # spreg prints its name
        warnings.simplefilter("ignore")
        if model == "error":
            m = spreg.ML_ErrorFE(Y, X, w, name_y=y, name_x=x)
        else:
            m = spreg.ML_LagFE(Y, X, w, slx_lags=1 if model == "durbin" else 0, name_y=y, name_x=x)
    betas = np.asarray(m.betas, float).ravel()
    vm = np.asarray(m.vm, float)
    k = len(x)
    names_out = list(x) + ([f"W·{c}" for c in x] if model == "durbin" else []) + (["lambda"] if model == "error" else ["rho"])
    se = np.sqrt(np.diag(vm))
    z = betas / se
    p = 2 * stats.norm.sf(np.abs(z))
    zc = stats.norm.ppf(0.975)
    coefs = pd.DataFrame({"estimate": betas, "std_error": se, "statistic": z, "p_value": p,
                          "ci_low": betas - zc * se, "ci_high": betas + zc * se}, index=pd.Index(names_out, name="term"))
    eff = impacts(betas, vm, M, k, model=model, names=x, draws=draws, seed=seed)
    n_obs = len(Y)
    return SpatialResult(model=model, y=y, coefficients=coefs, effects=eff, nobs=int(n_obs),
                         n_entities=len(names), n_periods=len(periods), logl=_scalar(m, "logll"), aic=_scalar(m, "aic"),
                         pseudo_r2=_scalar(m, "pr2"), sigma2=_scalar(m, "sig2"), cities=tuple(names),
                         notes=("spreg ML_LagFE/ML_ErrorFE, time-major stacking, row-standardized W",))


def _scalar(m: Any, name: str) -> float:
    v = getattr(m, name, None)
    return float(np.ravel(v)[0]) if v is not None else float("nan")


def impacts(betas: np.ndarray, vm: np.ndarray, W: np.ndarray, k: int, *, model: str = "lag",
            names: Sequence[str] | None = None, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    r"""LeSage–Pace average direct, indirect and total effects with simulated SEs.

    ``betas`` is ordered (β_1..β_k, [θ_1..θ_k if durbin], ρ). Columns: variable, direct, indirect,
    total, and ``*_se``, ``*_p`` from ``draws`` seeded draws of the parameters.

    >>> W = np.array([[0, 1.0], [1.0, 0]])
    >>> impacts(np.array([1.0, 0.5]), np.zeros((2, 2)), W, 1, draws=0)[["direct", "indirect", "total"]].round(4).values.tolist()
    [[1.3333, 0.6667, 2.0]]
    """
    names = list(names or [f"x{j + 1}" for j in range(k)])
    n = len(W)
    I = np.eye(n)

    def point(b: np.ndarray) -> np.ndarray:
        if model == "error":
            beta = b[:k]
            return np.column_stack([beta, np.zeros(k), beta])
        rho = b[-1]
        beta = b[:k]
        theta = b[k:2 * k] if model == "durbin" else np.zeros(k)
        Sinv = np.linalg.inv(I - rho * W)
        out = np.empty((k, 3))
        for j in range(k):
            S = Sinv @ (beta[j] * I + theta[j] * W)
            direct = np.trace(S) / n
            total = S.sum() / n
            out[j] = (direct, total - direct, total)
        return out

    est = point(np.asarray(betas, float))
    res = pd.DataFrame(est, columns=["direct", "indirect", "total"])
    res.insert(0, "variable", names)
    if draws and draws > 0:
        rng = np.random.default_rng(seed)
        sims = rng.multivariate_normal(np.asarray(betas, float), vm, size=draws, method="eigh")
        if model != "error":
            sims = sims[np.abs(sims[:, -1]) < 1]            # keep stationary ρ draws
        arr = np.array([point(s) for s in sims])            # (draws, k, 3)
        sd = arr.std(axis=0, ddof=1)
        for c, col in enumerate(["direct", "indirect", "total"]):
            res[f"{col}_se"] = sd[:, c]
            with np.errstate(divide="ignore", invalid="ignore"):
                res[f"{col}_p"] = 2 * stats.norm.sf(np.abs(est[:, c] / sd[:, c]))
    return res

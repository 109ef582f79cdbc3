r"""Modified gravity model: directed city networks from city-year indicators.

The model used in the regional "spatial correlation network" literature:

.. math::

    y_{ij} = k_{ij}\,\frac{(M_i M_j)^{1/m}}{\left(D_{ij} / |g_i - g_j|\right)^{b}},
    \qquad k_{ij} = \frac{X_i}{X_i + X_j},
    \qquad M_i = \prod_{v=1}^{m} \text{mass}_{v,i}

* ``M_i`` is the product of the ``m`` mass variables and the m-th root makes
  ``(M_i M_j)^{1/m}`` the geometric mean of the two cities' masses over all m variables
  (two masses: square root; three: cube root).
* ``D_ij`` is the great-circle (haversine) distance between the city coordinates in km on a
  sphere of radius 6371.0088 km (IUGG mean radius), or a user distance matrix.
* ``g`` is the per-capita income; ``D_ij / |g_i - g_j|`` is the "economic distance". Equal (or
  near-equal) incomes would divide by zero and blow the link up, so ``|g_i - g_j|`` is floored
  at ``income_floor`` (default: 1 % of that year's mean income). ``income=None`` drops the
  economic-distance term (``D_ij`` alone).
* ``b`` is the distance-decay exponent (2 by default, as in Newton's law).
* ``k_ij`` (from the ``asymmetry`` variable ``X``) makes ``y_ij != y_ji``: the network is
  directed, ``y_ij`` is read as "i spills over to j" (row i sends, arc i -> j).
  ``asymmetry=None`` sets ``k_ij = 1`` (symmetric weights).

Dichotomization: ``a_ij = 1`` when ``y_ij`` exceeds the mean of row i over ``j != i`` (the
diagonal is **excluded**: the row mean divides by ``n - 1``); ``"global_mean"`` uses the mean of
all off-diagonal cells; a number is a fixed threshold. Weights are kept beside the 0/1 arc.

Critique worth knowing: gravity networks are a model, not an observation; they overstate large,
inward-oriented regions (Qin & Li 2024, Mathematics 12(20):3180, doi:10.3390/math12203180).

>>> import pandas as pd
>>> cities = pd.DataFrame({"name": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 1.0]})
>>> ind = pd.DataFrame({"city": ["a", "b"], "year": [2020, 2020], "pop": [4.0, 1.0],
...                     "cul": [3.0, 1.0], "gdp_pc": [2.0, 1.0]})
>>> w = gravity_matrix(cities, ind, year=2020)
>>> round(float(w.loc["a", "b"] / w.loc["b", "a"]), 6)   # k_ab / k_ba = 3/4 / (1/4)
3.0
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from cultnet.errors import CultnetError, NotEnoughData

EARTH_RADIUS_KM = 6371.0088
THRESHOLDS = ("row_mean", "global_mean")

__all__ = ["great_circle_km", "gravity_matrix", "gravity_links", "dichotomize", "EARTH_RADIUS_KM"]


def great_circle_km(lat: Sequence[float], lon: Sequence[float]) -> np.ndarray:
    r"""Pairwise great-circle distances (km) by the haversine formula on a sphere.

    ``d = 2 R asin(sqrt(sin^2(dphi/2) + cos(phi1) cos(phi2) sin^2(dlambda/2)))``,
    R = 6371.0088 km.

    >>> d = great_circle_km([0.0, 0.0], [0.0, 90.0])
    >>> bool(round(d[0, 1], 3) == round(np.pi / 2 * EARTH_RADIUS_KM, 3))
    True
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _year_frame(cities: pd.DataFrame, indicators: pd.DataFrame, year: int,
                columns: Iterable[str]) -> pd.DataFrame:
    for c in ("name", "lat", "lon"):
        if c not in cities.columns:
            raise CultnetError(f"gravity model: the cities table has no column '{c}'")
    for c in ("city", "year"):
        if c not in indicators.columns:
            raise CultnetError(f"gravity model: the indicators table has no column '{c}'")
    columns = list(dict.fromkeys(c for c in columns if c))
    missing = [c for c in columns if c not in indicators.columns]
    if missing:
        raise CultnetError(f"gravity model: indicator column(s) {missing} not in the data "
                           f"(available: {sorted(set(indicators.columns) - {'city', 'year'})})")
    sub = indicators[indicators["year"].astype(int) == int(year)]
    if sub.empty:
        raise NotEnoughData(f"gravity model: no indicators for year {year}")
    if sub["city"].duplicated().any():
        dup = sorted(sub.loc[sub["city"].duplicated(), "city"].astype(str))
        raise CultnetError(f"gravity model: duplicate city rows in year {year}: {dup}")
    sub = sub.set_index(sub["city"].astype(str))
    c = cities.drop_duplicates("name").copy()
    c["name"] = c["name"].astype(str)
    c = c[c["name"].isin(sub.index)]
    if len(c) < 2:
        raise NotEnoughData(f"gravity model: fewer than 2 cities with coordinates and indicators "
                            f"in year {year}")
    frame = c[["name", "lat", "lon"]].set_index("name").join(sub[columns])
    for col in ["lat", "lon"] + columns:
        vals = pd.to_numeric(frame[col], errors="coerce")
        bad = vals[~np.isfinite(vals.to_numpy(dtype=float))]
        if len(bad):
            raise NotEnoughData(f"gravity model: missing or non-numeric '{col}' for "
                                f"{sorted(bad.index)} in year {year}")
        frame[col] = vals.astype(float)
    return frame


def gravity_matrix(cities: pd.DataFrame, indicators: pd.DataFrame, *, year: int,
                   masses: Sequence[str] = ("pop", "cul"), asymmetry: str | None = "cul",
                   income: str | None = "gdp_pc", b: float = 2.0,
                   distance: pd.DataFrame | None = None,
                   income_floor: float | None = None) -> pd.DataFrame:
    r"""The n x n gravity weight matrix ``y_ij`` of one year (rows send; zero diagonal).

    Parameters
    ----------
    cities : DataFrame with ``name``, ``lat``, ``lon`` (degrees).
    indicators : long panel with ``city``, ``year`` and the indicator columns.
    year : the year to use.
    masses : the m mass variables; ``M_i`` is their product and the mass term is
        ``(M_i M_j)^(1/m)`` (geometric mean). Each must be positive.
    asymmetry : variable ``X`` of ``k_ij = X_i / (X_i + X_j)``; ``None`` for ``k_ij = 1``.
    income : per-capita income ``g`` for the economic distance ``D_ij / |g_i - g_j|``;
        ``None`` to use ``D_ij`` alone.
    b : distance-decay exponent (default 2).
    distance : optional n x n distance matrix (index and columns are city names) replacing the
        great-circle distance (road km, travel minutes, ...). Must be positive off the diagonal.
    income_floor : lower bound for ``|g_i - g_j|`` (guard against equal incomes); default
        ``0.01 * mean(g)`` of the year.

    Returns
    -------
    DataFrame indexed and columned by city name (order of ``cities``), ``y_ij`` off the
    diagonal, 0 on it. ``attrs`` records the parameters.
    """
    masses = list(masses)
    if not masses:
        raise CultnetError("gravity model: give at least one mass variable")
    if not np.isfinite(b) or b < 0:
        raise CultnetError(f"gravity model: the distance exponent b must be >= 0, got {b}")
    f = _year_frame(cities, indicators, year, masses + [asymmetry, income])
    names = list(f.index)
    n = len(names)
    for col in masses + ([asymmetry] if asymmetry else []):
        nonpos = f.index[f[col] <= 0]
        if len(nonpos):
            raise NotEnoughData(f"gravity model: '{col}' must be positive; it is <= 0 for "
                                f"{sorted(nonpos)} in year {year}")
    m = len(masses)
    log_m = np.log(f[masses].to_numpy()).sum(axis=1)           # log M_i
    mass = np.exp((log_m[:, None] + log_m[None, :]) / m)         # (M_i M_j)^(1/m)
    if distance is not None:
        try:
            dmat = distance.loc[names, names].to_numpy(dtype=float)
        except KeyError as e:
            raise CultnetError(f"gravity model: the distance matrix lacks city {e}") from None
    else:
        dmat = great_circle_km(f["lat"], f["lon"])
    off = ~np.eye(n, dtype=bool)
    if not (np.isfinite(dmat[off]).all() and (dmat[off] > 0).all()):
        raise NotEnoughData("gravity model: distances must be positive and finite between "
                            "distinct cities (two cities share coordinates?)")
    econ = dmat.copy()
    if income:
        g = f[income].to_numpy()
        floor = float(income_floor) if income_floor is not None else 0.01 * float(np.mean(np.abs(g)))
        if floor <= 0:
            raise CultnetError("gravity model: income_floor must be positive")
        dg = np.maximum(np.abs(g[:, None] - g[None, :]), floor)
        econ = dmat / dg
    if asymmetry:
        x = f[asymmetry].to_numpy()
        k = x[:, None] / (x[:, None] + x[None, :])
    else:
        k = np.ones((n, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        y = k * mass / np.where(off, econ, 1.0) ** b
    y[~off] = 0.0
    out = pd.DataFrame(y, index=pd.Index(names, name="source"), columns=pd.Index(names, name="target"))
    out.attrs.update(year=int(year), masses=masses, asymmetry=asymmetry, income=income, b=float(b),
                     distance="user matrix" if distance is not None else "great-circle km",
                     income_floor=None if not income else floor)
    return out


def dichotomize(w: pd.DataFrame | np.ndarray, threshold: str | float = "row_mean") -> np.ndarray:
    r"""0/1 adjacency from a weight matrix: ``a_ij = 1`` if ``y_ij > t_i`` (strictly), i != j.

    ``"row_mean"``: ``t_i = sum_{j != i} y_ij / (n - 1)`` (diagonal excluded);
    ``"global_mean"``: one ``t`` = mean of all off-diagonal cells; a number: that value.

    >>> dichotomize(np.array([[0, 1, 3], [2, 0, 2], [1, 5, 0]]), "row_mean").tolist()
    [[False, False, True], [False, False, False], [False, True, False]]
    """
    y = np.asarray(w, dtype=float)
    n = y.shape[0]
    off = ~np.eye(n, dtype=bool)
    if isinstance(threshold, str):
        if threshold == "row_mean":
            t = (np.where(off, y, 0.0).sum(axis=1) / max(n - 1, 1))[:, None]
        elif threshold == "global_mean":
            t = y[off].mean()
        else:
            raise CultnetError(f"unknown threshold '{threshold}': use one of {THRESHOLDS} or a number")
    else:
        t = float(threshold)
    return (y > t) & off


def gravity_links(cities: pd.DataFrame, indicators: pd.DataFrame, *,
                  masses: Sequence[str] = ("pop", "cul"), asymmetry: str | None = "cul",
                  income: str | None = "gdp_pc", b: float = 2.0,
                  threshold: str | float = "row_mean", years: Iterable[int] | None = None,
                  distance: pd.DataFrame | None = None,
                  income_floor: float | None = None) -> pd.DataFrame:
    r"""Gravity networks, one per year, as a long arc list.

    See the module docstring for the model; parameters as in :func:`gravity_matrix` and
    :func:`dichotomize`. ``years=None`` uses every year of ``indicators``.

    Returns
    -------
    DataFrame with one row per ordered pair ``i != j`` per year: ``source``, ``target``,
    ``year``, ``weight`` (``y_ij``), ``linked`` (bool, the dichotomized arc). ``attrs`` holds
    the parameters. Write it with ``Study.write_links(links, method="gravity", ...)``; build a
    graph from ``links[links.linked]``.
    """
    if years is None:
        if "year" not in indicators.columns:
            raise CultnetError("gravity model: the indicators table has no column 'year'")
        years = sorted(int(y) for y in indicators["year"].dropna().unique())
    frames = []
    for yr in years:
        w = gravity_matrix(cities, indicators, year=int(yr), masses=masses, asymmetry=asymmetry,
                           income=income, b=b, distance=distance, income_floor=income_floor)
        a = dichotomize(w, threshold)
        names = np.asarray(w.index)
        i, j = np.nonzero(~np.eye(len(names), dtype=bool))
        frames.append(pd.DataFrame({"source": names[i], "target": names[j], "year": int(yr),
                                    "weight": w.to_numpy()[i, j], "linked": a[i, j]}))
    if not frames:
        raise NotEnoughData("gravity model: no years to compute")
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(masses=list(masses), asymmetry=asymmetry, income=income, b=float(b),
                     threshold=threshold, distance="user matrix" if distance is not None
                     else "great-circle km",
                     rule="a_ij = 1 if y_ij > mean_{j != i} y_ij (diagonal excluded)"
                     if threshold == "row_mean" else f"a_ij = 1 if y_ij > {threshold}")
    return out


PAPER_GRAVITY = {"masses": ("pop", "cul"), "asymmetry": "cul", "income": "gdp_pc"}
# hints for sensible defaults on a study's own columns (lower-case substrings, any language)
POPULATION_HINTS = ("pop", "resident", "inhabitant", "people", "人口")
INCOME_HINTS = ("gdp_pc", "income", "per_capita", "percap", "_pc", "人均")
OUTPUT_HINTS = ("cul", "revenue", "output", "value", "sales", "turnover", "gdp", "产值", "收入")


def default_parameters(columns: Sequence[str]) -> dict:
    """The gravity model's masses, asymmetry and income for a study's indicator columns (what
    the explorer and ``cultnet gravity`` use when the user chooses nothing).

    The paper's choice (masses pop and cul, asymmetry cul, income gdp_pc) when those columns
    exist; otherwise a population-like column and an output-like column (revenue, output, value,
    sales, gdp; else the first other column) as masses, the latter as the asymmetry, and an income-per-head-like column as the income (none when there is
    none: the distance is then geographic only).

    >>> default_parameters(["broadband", "income_pc", "residents", "revenue"])
    {'masses': ('residents', 'revenue'), 'asymmetry': 'revenue', 'income': 'income_pc'}
    >>> default_parameters(["pop", "cul", "gdp_pc", "dig"])["masses"]
    ('pop', 'cul')
    """
    cols = list(columns)
    if set(PAPER_GRAVITY["masses"]) | {PAPER_GRAVITY["income"]} <= set(cols):
        return dict(PAPER_GRAVITY)
    low = {c: str(c).lower() for c in cols}
    income = next((c for c in cols if any(h in low[c] for h in INCOME_HINTS)), None)
    pop = next((c for c in cols if c != income and any(h in low[c] for h in POPULATION_HINTS)), None)
    rest = [c for c in cols if c not in (income, pop)]
    rest = sorted(rest, key=lambda c: not any(h in low[c] for h in OUTPUT_HINTS))  # output first
    masses = tuple(x for x in (pop, rest[0] if rest else None) if x) or tuple(cols[:1])
    asym = rest[0] if rest else None
    return {"masses": masses, "asymmetry": asym, "income": income}

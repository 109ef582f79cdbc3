r"""Indices of the paper's panel models and log transforms with explicit zero/negative handling.

All functions take a long panel (one row per city and year) and return new columns; nothing is
modified in place (pandas copy-on-write semantics).

Indices
-------
Industrial structure upgrading (ISU), Xu & Jiang's weighted-share index used by the paper's Table 3
model 1:

.. math:: ISU_{it} = \sum_{k=1}^{3} k \cdot \frac{va_{k,it}}{gdp_{it}}, \qquad 1 \le ISU \le 3

Tertiary internal upgrading (TIU), the share of modern services in the tertiary sector (Table 3
model 2, Table 4):

.. math:: TIU_{it} = \frac{va^{modern}_{3,it}}{va_{3,it}}

Cultural industry agglomeration (CIA), the location quotient of the cultural industry's value added
against GDP, computed year by year over the cities present in that year:

.. math:: CIA_{it} = \frac{cul\_va_{it} / gdp_{it}}{\sum_j cul\_va_{jt} / \sum_j gdp_{jt}}

References
----------
Xu, D., & Jiang, Y. (2015). Measurement of industrial structure upgrading in China. *Statistical
Research*, 32(9). (The k-weighted ISU index.)
Isard, W. (1960). *Methods of Regional Analysis*. MIT Press. (Location quotient.)
"""

from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd

from cultnet.errors import Problem, ValidationError

ZeroPolicy = Literal["error", "drop", "shift"]

__all__ = [
    "industrial_structure_upgrading",
    "tertiary_internal_upgrading",
    "location_quotient",
    "log_transform",
    "paper_variables",
]


def industrial_structure_upgrading(df: pd.DataFrame, va_cols: tuple[str, str, str] = ("va1", "va2", "va3"),
                                   gdp: str = "gdp") -> pd.Series:
    r"""ISU = Σ_k k·va_k / gdp (k = 1, 2, 3 for the primary, secondary, tertiary sector).

    Examples
    --------
    >>> df = pd.DataFrame({"va1": [10.0], "va2": [40.0], "va3": [50.0], "gdp": [100.0]})
    >>> float(industrial_structure_upgrading(df).iloc[0])
    2.4
    """
    num = sum((k + 1) * df[c].astype(float) for k, c in enumerate(va_cols))
    return (num / df[gdp].astype(float)).rename("isu")


def tertiary_internal_upgrading(df: pd.DataFrame, modern: str = "va3_modern", va3: str = "va3") -> pd.Series:
    r"""TIU = va3_modern / va3, the modern-services share of the tertiary sector.

    Examples
    --------
    >>> float(tertiary_internal_upgrading(pd.DataFrame({"va3_modern": [30.0], "va3": [60.0]})).iloc[0])
    0.5
    """
    return (df[modern].astype(float) / df[va3].astype(float)).rename("tiu")


def location_quotient(df: pd.DataFrame, num: str = "cul_va", den: str = "gdp", time: str = "year") -> pd.Series:
    r"""Location quotient (num_i/den_i) / (Σ_j num_j / Σ_j den_j), the sums taken within each year.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [1, 1], "cul_va": [2.0, 1.0], "gdp": [10.0, 20.0]})
    >>> [round(v, 4) for v in location_quotient(df)]
    [2.0, 0.5]
    """
    n = df[num].astype(float)
    d = df[den].astype(float)
    tot_n = n.groupby(df[time]).transform("sum")
    tot_d = d.groupby(df[time]).transform("sum")
    return ((n / d) / (tot_n / tot_d)).rename("cia")


def log_transform(df: pd.DataFrame, columns: Iterable[str], *, entity: str = "city", time: str = "year",
                  zero: ZeroPolicy = "error", shift: float = 1.0, prefix: str = "ln_",
                  source: str = "panel") -> pd.DataFrame:
    r"""Add ``ln_<col>`` = log(col) for each column, with an explicit policy for values ≤ 0.

    Parameters
    ----------
    zero : {"error", "drop", "shift"}
        ``"error"`` (default): raise :class:`ValidationError` listing every offending city, year and
        column. ``"drop"``: drop those rows (all transformed columns are then defined on the same
        rows). ``"shift"``: use log(x + shift) for the *whole column* when it has any value ≤ 0
        (only valid when x + shift > 0 everywhere; otherwise an error). Missing values stay missing.
    source : str
        Name used as the "file" of the error messages (e.g. the input path).

    Examples
    --------
    >>> df = pd.DataFrame({"city": ["A", "B"], "year": [2015, 2015], "x": [1.0, np.e]})
    >>> log_transform(df, ["x"])["ln_x"].round(6).tolist()
    [0.0, 1.0]
    """
    columns = list(columns)
    out = df.copy()
    problems: list[Problem] = []
    bad_rows = pd.Series(False, index=df.index)
    for c in columns:
        if c not in df.columns:
            problems.append(Problem(source, None, c, f"column {c!r} not found (have: {', '.join(map(str, df.columns))})"))
            continue
        x = pd.to_numeric(df[c], errors="coerce").astype(float)
        nonpos = x.notna() & (x <= 0)
        if not nonpos.any():
            out[prefix + c] = np.log(x)
            continue
        if zero == "drop":
            bad_rows |= nonpos
            out[prefix + c] = np.log(x.where(~nonpos))
        elif zero == "shift" and bool(((x + shift) > 0)[x.notna()].all()):
            out[prefix + c] = np.log(x + shift)
        else:
            for idx in x.index[nonpos]:
                ent = df.at[idx, entity] if entity in df.columns else idx
                tm = df.at[idx, time] if time in df.columns else ""
                problems.append(Problem(
                    source, None, c,
                    f"{entity}={ent} {time}={tm}: value {x[idx]:g} <= 0, log undefined "
                    f"(use zero='drop' to drop the row or zero='shift' for log(x + c))"))
    if problems:
        raise ValidationError(problems)
    if zero == "drop" and bad_rows.any():
        out = out.loc[~bad_rows]
    return out


def paper_variables(df: pd.DataFrame, *, entity: str = "city", time: str = "year",
                    zero: ZeroPolicy = "error") -> pd.DataFrame:
    """Add the paper's derived variables where their inputs exist.

    ``isu``, ``tiu``, ``cia`` and the logs ``ln_cul, ln_dig, ln_tech, ln_res, ln_dem, ln_sys, ln_em,
    ln_tis, ln_rc`` (Tables 2-4). Columns whose inputs are missing are skipped silently.
    """
    out = df.copy()
    if {"va1", "va2", "va3", "gdp"} <= set(out.columns):
        out["isu"] = industrial_structure_upgrading(out)
    if {"va3_modern", "va3"} <= set(out.columns):
        out["tiu"] = tertiary_internal_upgrading(out)
    if {"cul_va", "gdp", time} <= set(out.columns):
        out["cia"] = location_quotient(out, time=time)
    logs = [c for c in ("cul", "dig", "tech", "res", "dem", "sys", "em", "tis", "rc") if c in out.columns]
    return log_transform(out, logs, entity=entity, time=time, zero=zero)

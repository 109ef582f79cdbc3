"""Model specifications shared by the Drivers, Upgrading and Overview pages (not a page itself).

One place decides the default panel model for a study's columns, so the Overview card and the
page it links to state and use exactly the same estimator. The paper's specifications are
presets, offered only when the study has their columns; the paper's grouping only when the study
holds the paper's cities.

``*_ui()`` functions read widgets and return plain values (a :class:`Spec`); nothing here fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

EFFECTS = {"twoway": "Two-way fixed effects (city and year)", "entity": "Fixed effects (within)",
           "random": "Random effects (GLS)", "pooled": "Pooled OLS", "between": "Between (city means)"}
COVS = {"robust": "Clustered by city (Stata vce(robust))", "unadjusted": "Classical",
        "driscoll-kraay": "Driscoll-Kraay", "clustered": "Clustered by city"}
INFERENCE = {"auto": "Wild cluster bootstrap below 42 clusters (default)",
             "wild": "Wild cluster bootstrap", "analytic": "Analytic t(G-1) only"}
KEYS = ("city", "year", "period", "region", "dataset", "id", "line")

# the paper's Table 2 (ln cul on five logged drivers) and Table 3 (ISU, TIU on CIA and four logs)
PAPER_TABLE2 = ("cul", ("dig", "tech", "res", "dem", "sys"))
PAPER_TABLE3 = (("isu", "tiu"), ("cia", "dig", "em", "tis", "rc"), ("dig", "em", "tis", "rc"))
#: the defaults every page and the Overview card use (one specification everywhere, issue 10)
DEFAULT_EFFECTS, DEFAULT_COV, DEFAULT_INFERENCE = "twoway", "robust", "auto"


@dataclass(frozen=True)
class Spec:
    """One panel model: dependent, regressors, which columns are logged, estimator, inference."""

    y: str
    x: tuple[str, ...]
    logs: tuple[str, ...] = ()
    effects: str = DEFAULT_EFFECTS
    cov: str = DEFAULT_COV
    inference: str = DEFAULT_INFERENCE
    preset: str = ""

    def term(self, col: str) -> str:
        return f"ln_{col}" if col in self.logs else col

    def describe(self) -> str:
        inf = {"auto": "wild cluster bootstrap p-values below 42 clusters", "wild": "wild cluster bootstrap p-values",
               "analytic": "analytic p-values"}[self.inference]
        return f"{EFFECTS[self.effects].lower()}, {COVS[self.cov].lower()} SE, {inf}"


def numeric_columns(frame: pd.DataFrame | None) -> list[str]:
    """The study's numeric indicator columns (keys such as city and year excluded)."""
    if frame is None or not len(frame):
        return []
    return [str(c) for c in frame.columns if str(c).lower() not in KEYS
            and pd.api.types.is_numeric_dtype(frame[c]) and frame[c].notna().any()]


def positive(frame: pd.DataFrame, cols: list[str]) -> list[str]:
    """Columns whose values are all > 0 (where present): the ones a log can be taken of."""
    return [c for c in cols if c in frame.columns and bool((frame[c].dropna() > 0).all())]


def has_paper_table2(cols: list[str]) -> bool:
    return {PAPER_TABLE2[0], *PAPER_TABLE2[1]} <= set(cols)


def default_spec(frame: pd.DataFrame) -> Spec | None:
    """The Drivers default for a study: the paper's Table 2 when its columns exist, otherwise the
    first numeric column on the next (up to five) ones, logged where all values are positive."""
    cols = numeric_columns(frame)
    if len(cols) < 2:
        return None
    if has_paper_table2(cols):
        y, x = PAPER_TABLE2[0], PAPER_TABLE2[1]
        return Spec(y, tuple(x), tuple(positive(frame, [y, *x])), preset="paper's Table 2")
    if "city" in frame.columns:      # prefer columns that vary within cities (a panel model needs them)
        within = frame.groupby("city")[cols].nunique().max()
        varying = [c for c in cols if within.get(c, 0) > 1]
        cols = varying + [c for c in cols if c not in varying] if len(varying) >= 2 else cols
    y, x = cols[0], tuple(cols[1:6])
    return Spec(y, x, tuple(positive(frame, [y, *x])))


def paper_table3_available(cols: list[str]) -> bool:
    ys, xs, _ = PAPER_TABLE3
    return set(ys) <= set(cols) and set(xs) <= set(cols)


def default_upgrading(frame: pd.DataFrame) -> tuple[Spec, tuple[str, ...]]:
    """The paper's Table 3 (ISU and TIU on CIA and four logs, entity FE) when its columns exist,
    else the Drivers-style default with the first two numeric columns as dependents."""
    cols = numeric_columns(frame)
    if paper_table3_available(cols):
        ys, xs, logs = PAPER_TABLE3
        return Spec(ys[0], tuple(xs), tuple(logs), effects="entity", preset="paper's Table 3"), tuple(ys)
    spec = default_spec(frame)
    if spec is None:
        return Spec("", ()), ()
    return spec, (spec.y,)


def model_ui(frame: pd.DataFrame, *, prefix: str, default: Spec, title: str = "Model",
             multi_y: bool = False, default_ys: tuple[str, ...] = ()) -> tuple[Spec, tuple[str, ...]]:
    """The model builder: dependent(s), regressors, logs, estimator, SE, inference.

    Returns the spec (its ``y`` is the first dependent) and all dependents (``multi_y``)."""
    cols = numeric_columns(frame)
    ys_key, x_key, log_key = f"{prefix}_y", f"{prefix}_x", f"{prefix}_logs"
    with st.expander(title, expanded=True):
        if multi_y:
            ys = st.multiselect("Dependent variables (one model each)", cols,
                                default=[v for v in (default_ys or (default.y,)) if v in cols], key=ys_key)
        else:
            y0 = st.selectbox("Dependent variable", cols, index=cols.index(default.y) if default.y in cols else 0,
                              key=ys_key)
            ys = [y0]
        x = st.multiselect("Explanatory variables", [c for c in cols if c not in ys],
                           default=[c for c in default.x if c in cols and c not in ys], key=x_key)
        logs = st.multiselect("Take natural logs of", [c for c in positive(frame, cols) if c in [*ys, *x]],
                              default=[c for c in default.logs if c in [*ys, *x]], key=log_key,
                              help="Only columns whose values are all positive are offered; logged terms "
                                   "are shown as ln_<column>.")
        c1, c2, c3 = st.columns(3)
        effects = c1.selectbox("Estimator", list(EFFECTS), format_func=EFFECTS.get,
                               index=list(EFFECTS).index(default.effects), key=f"{prefix}_eff")
        cov = c2.selectbox("Standard errors", list(COVS), format_func=COVS.get,
                           index=list(COVS).index(default.cov), key=f"{prefix}_cov")
        inference = c3.selectbox("Inference", list(INFERENCE), format_func=INFERENCE.get,
                                 index=list(INFERENCE).index(default.inference), key=f"{prefix}_inf",
                                 help="With SEs clustered by city and fewer than 42 cities, cluster-robust "
                                      "t-tests over-reject; the restricted wild cluster bootstrap (boottest's "
                                      "WCR, seeded) gives the p-values and confidence intervals.")
    preset = default.preset if (tuple(x) == tuple(default.x) and ys[:1] == [default.y]) else ""
    spec = Spec(ys[0] if ys else "", tuple(x), tuple(logs), effects, cov, inference, preset)
    return spec, tuple(ys)


def with_y(spec: Spec, y: str) -> Spec:
    return replace(spec, y=y)

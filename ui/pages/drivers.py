"""Drivers (Table 2, Figures 4-6): what drives cultural income across cities and years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.pages import _common as C

EFFECTS = {"entity": "Fixed effects (within)", "random": "Random effects (GLS)",
           "twoway": "Two-way fixed effects", "pooled": "Pooled OLS",
           "between": "Between (city means)"}
COVS = {"robust": "Robust, clustered by city (Stata vce(robust))",
        "unadjusted": "Classical", "driscoll-kraay": "Driscoll-Kraay",
        "clustered": "Clustered by city"}


def model_ui(available: list[str]) -> tuple[str, str, tuple[str, ...]]:
    c1, c2 = st.columns(2)
    effects = c1.selectbox("Estimator", list(EFFECTS), format_func=EFFECTS.get, key="drv_eff")
    cov = c2.selectbox("Standard errors", list(COVS), format_func=COVS.get, key="drv_cov")
    x = st.multiselect("Explanatory variables (all in logs)", available, default=available,
                       format_func=lambda v: f"ln {v}: {C.DRIVER_LABELS.get(v, v)}", key="drv_x")
    return effects, cov, tuple(x)


def draw_heatmaps(k: str) -> None:
    panel = D.paper_panel(k)
    c1, c2 = st.columns(2)
    for col, var, n, label in ((c1, "ln_cul", 4, "cultural development, ln(cul)"),
                               (c2, "ln_dig", 5, "digitalization, ln(dig)")):
        if var not in panel.columns:
            col.info(f"No {var} in the data.")
            continue
        wide = panel.pivot_table(index="city", columns="year", values=var)
        wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index]
        with col:
            fig = D.figure(k, "heatmap", (var,), lambda: P.heatmap_figure(
                wide, title=f"Figure {n}: {label}", colorbar=var))
            P.show_figure(fig, f"figure{n}_{var}_heatmap", key=f"heat_{var}")


def draw_table2(k: str, effects: str, cov: str, x: tuple[str, ...]) -> None:
    res = D.panel_fit(k, "cul", x, effects, cov, True)
    labels = {f"ln_{v}": f"{C.DRIVER_LABELS.get(v, v)} (ln {v})" for v in x}
    table = D.regression_display({EFFECTS[effects]: res}, term_labels=labels)
    st.subheader("Table 2: drivers of cultural industry development")
    st.caption(f"Dependent variable ln(cul); {res.estimator}; {res.nobs} observations, "
               f"{res.n_entities} cities × {res.n_periods} years; {res.stat_name} statistics. "
               "Stars: *** p < 0.01, ** p < 0.05, * p < 0.1.")
    P.show_table(table, f"table2_{effects}_{cov}", key="table2")
    coefs = res.coefficients.drop(index="const", errors="ignore")
    if len(coefs):
        best = coefs["estimate"].idxmax()
        st.markdown(f"Strongest driver: **{labels.get(best, best)}**, elasticity "
                    f"{coefs.loc[best, 'estimate']:.3f} (p = {coefs.loc[best, 'p_value']:.3f}).")
    if effects in ("entity", "random"):
        with C.guard("The Hausman test"):
            h = D.hausman(k, "cul", x, cov, True)
            if h.get("p_value") is not None:
                st.caption(f"Hausman test (FE vs RE): χ²({h['df']}) = {h['stat']:.3f}, p = "
                           f"{h['p_value']:.4f}; H0: {h['h0']}.")
            elif "stat" in h:
                st.caption(f"Hausman test (FE vs RE): H = {h['stat']:.3f}, no p-value. "
                           f"{h.get('explanation', '')}")
            else:
                st.caption(f"Hausman test: {h.get('reason', 'not available')}")
    with st.expander("Model tests and details"):
        tests = pd.DataFrame([{"test": name, **{k_: v for k_, v in t.items()
                                                 if not isinstance(v, (dict, list))}}
                              for name, t in res.tests.items()])
        st.dataframe(tests.astype(str), hide_index=True, width="stretch")
        if res.info:
            st.dataframe(pd.DataFrame([res.info]), hide_index=True, width="stretch")


def draw_scatter(k: str) -> None:
    panel = D.paper_panel(k)
    if not {"ln_cul", "ln_dig"} <= set(panel.columns):
        return
    fit = D.panel_fit(k, "dig", ("cul",), "pooled", "unadjusted", True)
    a, b = float(fit.params["const"]), float(fit.params["ln_cul"])
    r2 = fit.r2.get("overall", float("nan"))
    xs = np.linspace(panel["ln_cul"].min(), panel["ln_cul"].max(), 50)
    fig = P.scatter_fit_figure(
        panel["ln_cul"], panel["ln_dig"], labels=panel["city"] + " " + panel["year"].astype(str),
        fit_x=xs, fit_y=a + b * xs, fit_label=f"ln dig = {a:.3f} + {b:.3f} ln cul (R² = {r2:.3f})",
        x_title="ln(cul): cultural income", y_title="ln(dig): digital culture income",
        title="Figure 6: cultural industry and digital technology")
    P.show_figure(fig, "figure6_scatter_cul_dig", key="scatter6",
                  caption=f"Pooled OLS over {fit.nobs} city-years; R² = {r2:.3f}.")


def main() -> None:
    C.header("Drivers", "Table 2 and Figures 4-6: digital technology and the other drivers of the "
               "cultural industry.")
    k = C.require_data(need=("indicators",))
    ind = D.indicators(k)
    available = [v for v in C.DRIVERS if v in ind.columns]
    with C.guard("The heatmaps"):
        draw_heatmaps(k)
    if "cul" not in ind.columns or not available:
        st.info("The indicators need cul and at least one of "
                f"{', '.join(C.DRIVERS)} for Table 2.")
        return
    effects, cov, x = model_ui(available)
    if not x:
        st.info("Choose at least one explanatory variable.")
        return
    with C.guard("Table 2"):
        draw_table2(k, effects, cov, x)
    with C.guard("Figure 6"):
        draw_scatter(k)


main()

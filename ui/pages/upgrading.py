"""Upgrading (Tables 3-4): cultural industry agglomeration and industrial structure upgrading."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.pages import _common as C

# Table 3 regressors: CIA (location quotient), DT, EM, TIS, RC (the last four in logs)
TABLE3_X = ("cia", "ln_dig", "ln_em", "ln_tis", "ln_rc")
TERMS = {"cia": "CIA", "ln_dig": "DT (ln dig)", "ln_em": "EM (ln em)", "ln_tis": "TIS (ln tis)",
         "ln_rc": "RC (ln rc)"}
MODELS = {"isu": "(1) ISU", "tiu": "(2) TIU"}
EFFECTS = {"entity": "Fixed effects (within)", "random": "Random effects (GLS)",
           "pooled": "Pooled OLS", "twoway": "Two-way fixed effects"}
COVS = {"robust": "Robust, clustered by city", "unadjusted": "Classical",
        "driscoll-kraay": "Driscoll-Kraay"}


def model_ui() -> tuple[str, str]:
    c1, c2 = st.columns(2)
    effects = c1.selectbox("Estimator", list(EFFECTS), format_func=EFFECTS.get, key="up_eff")
    cov = c2.selectbox("Standard errors", list(COVS), format_func=COVS.get, key="up_cov")
    return effects, cov


def grouping_ui(k: str) -> tuple[str, dict[str, str]]:
    panel_mod = D.optional_module("cultnet.analysis.panel", "Panel regressions")
    options = ["paper"]
    try:
        methods = D.network_methods(k)
        if methods:
            D.optional_module("cultnet.analysis.roles")
            options.append("network")
    except D.NotAvailable:
        pass
    choice = st.radio("Groups", options, horizontal=True, key="up_groups",
                      format_func=lambda o: "the paper's (center / sub-node / edge)" if o == "paper"
                      else "computed from the network's roles")
    if choice == "paper":
        return choice, dict(panel_mod.PAPER_GROUPS)
    method = D.network_methods(k)[0]
    year = D.network_years(k, method)[-1]
    roles = D.city_roles(k, method, year)
    col = "group" if "group" in roles.columns else "role"
    return choice, dict(zip(roles["name"].astype(str), roles[col].astype(str)))


def draw_table3(k: str, effects: str, cov: str, x: tuple[str, ...]) -> None:
    results = {}
    for y, label in MODELS.items():
        with C.guard(label):
            results[label] = D.panel_fit(k, y, x, effects, cov, False)
    if not results:
        return
    st.subheader("Table 3: agglomeration and industrial structure upgrading")
    table = D.regression_display(results, term_labels=TERMS)
    P.show_table(table, f"table3_{effects}_{cov}", key="table3",
                 caption=f"Model (1): industrial structure upgrading (ISU); model (2): tertiary "
                         f"internal upgrading (TIU). {EFFECTS[effects]}, {COVS[cov].lower()} "
                         "standard errors. *** p < 0.01, ** p < 0.05, * p < 0.1.")


def draw_table4(k: str, effects: str, cov: str, x: tuple[str, ...]) -> None:
    st.subheader("Table 4: the tertiary-upgrading model by region")
    choice, groups = grouping_ui(k)
    res = D.panel_by_group(k, "tiu", x, tuple(sorted(groups.items())), effects, cov)
    table = D.regression_display(res.results, term_labels=TERMS)
    P.show_table(table, f"table4_{choice}_{effects}", key="table4")
    t = res.equality_test
    if "stat" in t:
        st.markdown(f"**Difference test** (H0: equal slopes across groups): χ²({t['df']}) = "
                    f"{t['stat']:.3f}, p = {t['p_value']:.4f}; F = {t.get('F', float('nan')):.3f}, "
                    f"p = {t.get('F_p_value', float('nan')):.4f}.")
    else:
        st.info(f"Difference test: {t.get('reason', 'not available')}")
    members = pd.DataFrame(sorted(res.groups.items()), columns=["city", "group"])
    with st.expander("Group membership"):
        st.dataframe(members.groupby("group")["city"].apply(", ".join).reset_index(),
                     hide_index=True, width="stretch")


SPATIAL_MODELS = {"lag": "Spatial lag (SAR)", "durbin": "Spatial Durbin (SDM)",
                  "error": "Spatial error (SEM)"}


def draw_spatial(k: str, x: tuple[str, ...]) -> None:
    st.subheader("Spatial dependence")
    D.optional_module("cultnet.analysis.spatial", "Spatial statistics (Moran's I, spatial panel)")
    panel = D.paper_panel(k)
    variables = [v for v in ("tiu", "isu", "cia", "ln_cul", "ln_dig") if v in panel.columns]
    years = sorted(int(y) for y in panel["year"].unique())
    c1, c2 = st.columns([3, 1])
    pick = c1.multiselect("Variables", variables, default=variables[:3], key="sp_vars")
    w_year = c2.selectbox("W: gravity network of", years[::-1], key="sp_wyear")
    st.caption("W is the gravity network's weight matrix, row-standardized; Moran's I with "
               "normal-approximation and permutation (999, seeded) p-values.")
    if pick:
        m = D.moran_table(k, tuple(pick), int(w_year))
        fig = P.figure()
        for i, (v, f) in enumerate(m.groupby("variable", sort=False)):
            fig.add_scatter(x=f["period"], y=f["I"], mode="lines+markers", name=v,
                            line=dict(color=P.PALETTE[i % len(P.PALETTE)]),
                            customdata=f["p_sim"],
                            hovertemplate="%{x}: I = %{y:.3f}, p = %{customdata:.3f}<extra></extra>")
        if len(m):
            P.hline(fig, float(m["EI"].iloc[0]), "E[I] = -1/(n-1)")
        P.axis_titles(fig, "year", "Moran's I")
        fig.update_layout(legend=P.TOP_LEGEND)
        P.show_figure(P.style(fig, "Moran's I by year"), "morans_i", key="moran_fig")
        P.show_table(m.round(4), "morans_i", key="moran_table")
    st.markdown("**Spatial panel model** (tertiary upgrading, entity fixed effects, ML)")
    model = st.radio("Model", list(SPATIAL_MODELS), format_func=SPATIAL_MODELS.get,
                     horizontal=True, key="sp_model")
    with C.guard("The spatial panel model"):
        draw_spatial_panel(k, x, model, int(w_year))


def draw_spatial_panel(k: str, x: tuple[str, ...], model: str, w_year: int) -> None:
    res = D.spatial_panel(k, "tiu", x, model, w_year)
    c1, c2 = st.columns(2)
    with c1:
        P.show_table(D.regression_display({SPATIAL_MODELS[model]: res}, term_labels=TERMS),
                     f"spatial_{model}", key="sp_coefs")
    with c2:
        P.show_table(res.effects.round(4), f"spatial_{model}_effects", key="sp_effects",
                     caption="LeSage-Pace direct, indirect (spillover) and total effects.")


def main() -> None:
    C.header("Upgrading", "Tables 3-4: does cultural industry agglomeration (CIA) upgrade the industrial "
               "structure, and does the effect differ between the center, sub-nodes and edge?")
    k = C.require_data(need=("indicators",))
    panel = D.paper_panel(k)
    x = tuple(v for v in TABLE3_X if v in panel.columns)
    missing_y = [y for y in MODELS if y not in panel.columns]
    if missing_y or "cia" not in x:
        st.info("Tables 3-4 need the value-added columns (va1, va2, va3, va3_modern, cul_va, gdp) "
                "to build ISU, TIU and CIA; the loaded indicators lack "
                f"{', '.join(missing_y + ([] if 'cia' in x else ['cia']))}.")
        return
    effects, cov = model_ui()
    with C.guard("Table 3"):
        draw_table3(k, effects, cov, x)
    with C.guard("Table 4"):
        draw_table4(k, effects, cov, x)
    with C.guard("Spatial statistics"):
        draw_spatial(k, x)


main()

"""Drivers: what drives a study's indicator across cities and years (the paper's Table 2 and
Figures 4-6 are a preset, offered when the study has their columns)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C
from cultnet.ui.views import _specs as S


def _label(spec: S.Spec, col: str) -> str:
    base = C.DRIVER_LABELS.get(col) if spec.preset else None
    t = spec.term(col)
    return f"{base} ({t.replace('_', ' ')})" if base else t


def draw_heatmaps(k: str, spec: S.Spec) -> None:
    panel = D.model_frame(k, spec.logs)
    c1, c2 = st.columns(2)
    figs = ((c1, spec.y, "4"), (c2, spec.x[0], "5"))
    for col, var, n in figs:
        term = spec.term(var)
        if term not in panel.columns:
            col.info(f"No {term} in the data.")
            continue
        wide = panel.pivot_table(index="city", columns="year", values=term)
        wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index]
        title = (f"Figure {n}: " if spec.preset else "") + _label(spec, var)
        with col:
            fig = D.figure(k, "heatmap", (term, spec.logs), lambda: P.heatmap_figure(wide, title=title, colorbar=term))
            P.show_figure(fig, f"heatmap_{term}", key=f"heat_{n}")


def draw_model(k: str, spec: S.Spec):
    res = D.panel_model(k, spec.y, spec.x, spec.logs, spec.effects, spec.cov, spec.inference)
    labels = {spec.term(v): _label(spec, v) for v in spec.x}
    table = D.regression_display({S.EFFECTS[spec.effects]: res}, term_labels=labels)
    st.subheader(("Table 2: " if spec.preset else "") + f"what drives {_label(spec, spec.y)}")
    st.caption(f"Dependent variable {res.y}; {res.estimator}; {res.nobs} observations, {res.n_entities} cities × "
               f"{res.n_periods} years; {res.stat_name} statistics. {res.inference.get('description', '')}. "
               "Stars: *** p < 0.01, ** p < 0.05, * p < 0.1" + (" (from the bootstrap p-value, 'P boot')."
                                                              if res.bootstrapped else "."))
    P.show_table(table, f"panel_{spec.effects}_{spec.cov}", key="table2")
    for d in res.dropped:
        st.warning(f"**{d['term']}** was left out: {d['reason']}.", icon=":material/block:")
    for w in res.inference.get("warnings", []):
        st.info(w, icon=":material/warning:")
    refused = [f"**{name}**: {t['reason']}" for name, t in res.tests.items()
               if isinstance(t, dict) and "reason" in t and "stat" not in t]
    if refused:
        st.markdown("Not reported (the sample cannot support them):\n\n" + "\n".join(f"* {r}" for r in refused))
    for n in res.notes:
        st.caption(n)
    coefs = res.coefficients.drop(index="const", errors="ignore")
    if len(coefs):
        best = coefs["estimate"].idxmax()
        p = coefs.loc[best, "boot_p_value"] if res.bootstrapped else coefs.loc[best, "p_value"]
        kind = "elasticity" if best.startswith("ln_") and res.y.startswith("ln_") else "coefficient"
        st.markdown(f"Strongest driver: **{labels.get(best, best)}**, {kind} {coefs.loc[best, 'estimate']:.3f} "
                    f"({'bootstrap ' if res.bootstrapped else ''}p = {p:.3f}).")
    if res.bootstrapped:
        draw_bootstrap(res, labels)
    with st.expander("Model tests and details"):
        st.dataframe(tests_frame(res.tests), hide_index=True, width="stretch")
        if res.info:
            st.dataframe(pd.DataFrame([res.info]), hide_index=True, width="stretch")
        if res.year_effects is not None:
            st.markdown("**Year effects** (first year is the base, as `xtreg ... i.year, fe`)")
            st.dataframe(res.year_effects.round(4), width="stretch")
    return res


def draw_bootstrap(res, labels: dict) -> None:
    b = res.inference.get("bootstrap") or {}
    st.markdown("**Wild cluster bootstrap** (restricted WCR, p-values and confidence intervals by test inversion, "
                f"as Stata's boottest): {b.get('description', b.get('reason', ''))}.")
    for n in b.get("notes", []):
        st.caption(n)
    cb = res.coefficients.drop(index="const", errors="ignore")
    dist = res.inference.get("distribution", "t")
    frame = pd.DataFrame({"term": [labels.get(t, t) for t in cb.index], "estimate": cb["estimate"].to_numpy(),
                          f"p, {dist}": cb["p_value"].to_numpy(), "p, bootstrap": cb["boot_p_value"].to_numpy(),
                          "CI low, bootstrap": cb["boot_ci_low"].to_numpy(),
                          "CI high, bootstrap": cb["boot_ci_high"].to_numpy()})
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.4f") for c in frame.columns[1:]})


def tests_frame(tests: dict) -> pd.DataFrame:
    rows = []
    for name, t in tests.items():
        if not isinstance(t, dict):
            continue
        rows.append({"test": name, "distribution": t.get("dist", ""),
                     "statistic": "" if t.get("stat") is None else f"{t['stat']:.4g}",
                     "p-value": "" if t.get("p_value") is None else f"{t['p_value']:.4f}",
                     "H0 / reason": t.get("reason") or t.get("explanation") or t.get("h0", "")})
    return pd.DataFrame(rows)


def draw_hausman(k: str, spec: S.Spec) -> None:
    t = D.hausman_tests(k, spec.y, spec.x, spec.logs, spec.inference)
    h, m = t.get("hausman", {}), t.get("mundlak", {})
    st.markdown("**Fixed or random effects?**")
    c1, c2 = st.columns(2)
    with c1:
        if h.get("p_value") is not None:
            st.markdown(f"Hausman (classical): χ²({h['df']}) = {h['stat']:.3f}, p = {h['p_value']:.4f}")
        elif "stat" in h:
            st.markdown(f"Hausman (classical): H = {h['stat']:.3f}, no p-value")
        st.caption(h.get("explanation") or h.get("reason") or
                   "H0: RE consistent and efficient; d.f. = rank of V_FE − V_RE (Stata). "
                   "It assumes classical errors.")
    with c2:
        if "stat" in m:
            boot = m.get("bootstrap") or {}
            st.markdown(f"Mundlak (cluster-robust): {m['dist']} = {m['stat']:.3f}, p = {m['p_value']:.4f}"
                        + (f"; bootstrap p = {boot['p_value']:.4f}" if "p_value" in boot else ""))
        else:
            st.markdown("Mundlak (cluster-robust): not reported")
        st.caption((m.get("reason") or "RE on x and the city means of x, test of the means (Wooldridge 2010 "
                    "§10.7.3); the one to read with clustered SEs.")
                   + ("" if not m.get("excluded") else " No mean term for "
                      + "; ".join(f"{e['term']} ({e['reason']})" for e in m["excluded"]) + "."))


def draw_scatter(k: str, spec: S.Spec) -> None:
    panel = D.model_frame(k, spec.logs)
    xv, yv = spec.term(spec.y), spec.term(spec.x[0])
    if not {xv, yv} <= set(panel.columns):
        return
    fit = D.panel_model(k, spec.x[0], (spec.y,), spec.logs, "pooled", "unadjusted", "analytic")
    a, b = float(fit.params["const"]), float(fit.params[xv])
    r2 = fit.r2.get("overall", float("nan"))
    sub = panel.dropna(subset=[xv, yv])
    xs = np.linspace(sub[xv].min(), sub[xv].max(), 50)
    fig = P.scatter_fit_figure(
        sub[xv], sub[yv], labels=sub["city"].astype(str) + " " + sub["year"].astype(str),
        fit_x=xs, fit_y=a + b * xs, fit_label=f"{yv} = {a:.3f} + {b:.3f} {xv} (R² = {r2:.3f})",
        x_title=_label(spec, spec.y), y_title=_label(spec, spec.x[0]),
        title=("Figure 6: " if spec.preset else "") + f"{_label(spec, spec.y)} and {_label(spec, spec.x[0])}")
    P.show_figure(fig, f"scatter_{xv}_{yv}", key="scatter6",
                  caption=f"Pooled OLS over {fit.nobs} city-years; R² = {r2:.3f}." if not math.isnan(r2) else None)


def main() -> None:
    C.header("Drivers", "A panel model of the study's own indicators: what drives the dependent variable "
               "across cities and years, with small-sample inference.")
    k = C.require_data(need=("indicators",))
    frame = D.model_frame(k, ())
    default = S.default_spec(frame)
    if default is None:
        st.info("The indicators need at least two numeric columns for a panel model.")
        return
    if default.preset:
        st.caption("Preset: the paper's Table 2 specification (ln cul on ln dig, ln tech, ln res, ln dem, ln sys), "
                   f"{default.describe()}. Change anything below.")
    spec, _ = S.model_ui(frame, prefix="drv", default=default)
    if not spec.y or not spec.x:
        st.info("Choose a dependent variable and at least one explanatory variable.")
        return
    with C.guard("The heatmaps"):
        draw_heatmaps(k, spec)
    with C.guard("The panel model"):
        draw_model(k, spec)
    if spec.effects in ("entity", "random", "twoway"):
        with C.guard("The Hausman and Mundlak tests"):
            draw_hausman(k, spec)
    with C.guard("The scatter plot"):
        draw_scatter(k, spec)


main()

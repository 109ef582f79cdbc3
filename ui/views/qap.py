"""QAP: what explains the ties? QAP correlations and MRQAP on the study's city networks.

The same computation as ``cultnet qap`` (``D.qap_study`` -> analysis.qap.study_dyads and
study_qap); the explanatory matrices are built from the study's own columns and networks.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

METHODS = {"dsp": "Double semi-partialling (DSP)", "y": "Y-permutation", "x": "X-permutation"}
PERMS = [200, 500, 1000, 2000, 5000, 10000]
ALL_YEARS = "every year"
#: significant digits for the numeric columns of the tables (values span 1e-13 .. 1e13)
G4 = {c: st.column_config.NumberColumn(format="%.4g")
      for c in ("b", "std b", "s.e.", "t / z", "p (perm)", "prop ≥", "prop ≤", "mean of permuted",
                "sd of permuted", "p classical", "r", "mean of permuted r", "sd of permuted r",
                "r2", "adj_r2", "r2_p_value", "llf", "llnull", "pseudo_r2", "deviance", "aic")}
COLUMNS = {"term": "Term", "estimate": "b", "std_estimate": "std b", "std_error": "s.e.",
           "statistic": "t / z", "p_value": "p (perm)", "prop_ge": "prop ≥", "prop_le": "prop ≤",
           "perm_mean": "mean of permuted", "perm_sd": "sd of permuted",
           "p_classical": "p classical", "reason": "why missing"}


def y_ui(k: str, choices) -> tuple[str, bool, int | None]:
    """Dependent network, weights and year."""
    nets = [m for m in ("gravity", "cooperation", "observed") if m in choices.networks]
    if not nets:
        st.info("The study has no city network (no stored links, and no indicators and "
                "coordinates for the gravity model).", icon=":material/hub:")
        st.stop()
    c1, c2, c3 = st.columns([2, 1, 2])
    y = c1.segmented_control("Dependent network y", nets, default=nets[0], key="qap_y",
                             help=D.METHOD_HELP) or nets[0]
    weighted = c2.toggle("Weights", value=False, key="qap_weighted",
                         help="Use the networks' weights (gravity strength, cooperation "
                              "frequency) for y and for any network chosen as x; off: 0/1 ties.")
    years = D.network_years(k, y)
    year = c3.selectbox("Year", [ALL_YEARS, *years], key="qap_year",
                        help="Every year: one MRQAP per year, each with its own permutations "
                             "(seed [seed, year]), and the coefficients over the years.")
    return y, bool(weighted), None if year == ALL_YEARS else int(year)


def default_absdiff(choices) -> list[str]:
    """Income per head when the study has it (the economic-distance variable of gravity
    studies), else the first numeric indicator; nothing when distance is available."""
    for c in ("gdp_pc", "income_pc", "gdp_per_capita"):
        if c in choices.numeric:
            return [c]
    return [] if choices.distance else list(choices.numeric[:1])


def x_ui(choices, y: str, directed: bool) -> list[str]:
    """The explanatory matrices as SPEC strings, chosen from the study's own columns."""
    st.markdown("**Explanatory matrices x** (built from the study's columns; a column is read "
                "from that year's indicators first, then from the cities' attributes)")
    c1, c2, c3 = st.columns(3)
    specs: list[str] = []
    if choices.distance:
        if c1.checkbox("distance: great-circle km", value=True, key="qap_distance"):
            specs.append("distance")
    else:
        c1.caption("distance: the cities have no coordinates (lat, lon)")
    numeric = list(choices.numeric)
    for col, kind, label, default in (
            (c1, "absdiff", "absdiff: |x_i − x_j|", default_absdiff(choices)),
            (c2, "product", "product: x_i · x_j", []),
            (c3, "ratio", "ratio: x_i / x_j (directed y only)", [])):
        if kind == "ratio" and not directed:
            continue
        pick = col.multiselect(label, numeric, default=[d for d in default if d in numeric],
                               key=f"qap_{kind}")
        specs += [f"{kind}:{c}" for c in pick]
    if choices.category:
        pick = c2.multiselect("same: 1 if equal (categories)", list(choices.category),
                              key="qap_same")
        specs += [f"same:{c}" for c in pick]
    others = [m for m in choices.networks if m != y]
    if others:
        pick = c3.multiselect("network: another network, same year", others, key="qap_network")
        specs += [f"network:{m}" for m in pick]
    return specs


def test_ui(weighted: bool) -> dict:
    c1, c2, c3, c4 = st.columns([2, 1, 2, 1])
    perms = c1.select_slider("Permutations", PERMS, value=2000, key="qap_perms",
                             help="Random relabellings of the cities (rows and columns "
                                  "together); all n! when fewer.")
    seed = c2.number_input("Seed", min_value=0, value=0, step=1, key="qap_seed")
    method = c3.selectbox("Null hypothesis", list(METHODS), format_func=METHODS.get,
                          key="qap_method",
                          help="DSP (Dekker, Krackhardt & Snijders 2007) is robust to collinear "
                               "predictors; Y-permutation tests all terms against 'y unrelated "
                               "to every x'; X-permutation is given for comparison.")
    logit = c4.toggle("Logit", value=False, key="qap_logit", disabled=weighted,
                      help="Logistic MRQAP for a 0/1 network (not with weights).")
    return {"perms": int(perms), "seed": int(seed), "method": method,
            "logit": bool(logit) and not weighted}


def _name(res, what: str, year: int | None = None) -> str:
    d = res.dyads
    return f"qap_{what}_{d.y}{'_w' if d.weighted else ''}{'' if year is None else f'_{year}'}"


def draw_correlation(res, year: int) -> None:
    c = res.correlations[year]
    st.subheader(f"QAP correlations, {year}")
    t1, t2 = st.columns([3, 2])
    with t1:
        pairs = c.to_frame().rename(columns={"var1": "x", "var2": "y", "p_value": "p (perm)",
                                             "prop_ge": "prop ≥", "prop_le": "prop ≤",
                                             "perm_mean": "mean of permuted r",
                                             "perm_sd": "sd of permuted r"})
        P.show_table(pairs, _name(res, "correlations", year), key="qap_corr_table", column_config=G4,
                     caption=f"Pearson r over the {c.n_dyads} "
                             f"{'ordered dyads' if c.directed else 'pairs i < j'}; the first "
                             "matrix of each pair permuted (rows and columns together), "
                             f"{'all ' if c.exact else ''}{c.perms} permutations; "
                             "p two-sided.")
    with t2:
        fig = P.heatmap_figure(c.r, title="r", fmt=".2f")
        fig.update_layout(xaxis=dict(type="category", showgrid=False, tickangle=-30))
        P.show_figure(fig, _name(res, "correlations", year), key="qap_corr_fig")


def draw_mrqap(res, year: int) -> None:
    r = res.mrqap.results[year]
    st.subheader(f"MRQAP ({'logit' if r.model == 'logit' else 'OLS'}) of {r.y}, {year}")
    f = r.fit
    cols = st.columns(4)
    if r.model == "ols":
        cols[0].metric("R²", f"{f['r2']:.3f}")
        cols[1].metric("adjusted R²", "n/a" if f.get("adj_r2_reason") else f"{f['adj_r2']:.3f}",
                       help=f.get("adj_r2_reason") or "1 − (1 − R²)(m − 1)/(m − p)")
        cols[2].metric("R² p (Y-permutation)", f"{f['r2_p_value']:.4f}")
    else:
        pr = f.get("pseudo_r2")
        cols[0].metric("McFadden pseudo-R²", "n/a" if pr is None or pr != pr else f"{pr:.3f}")
        cols[1].metric("log-likelihood", f"{f['llf']:.2f}")
        cols[2].metric("AIC", "n/a" if f.get("aic") != f.get("aic") else f"{f['aic']:.1f}")
    cols[3].metric("cities / dyads", f"{r.n_nodes} / {r.n_dyads}")
    table = r.to_frame().rename(columns=COLUMNS)
    P.show_table(table, _name(res, "mrqap", year), key="qap_mrqap_table", column_config=G4)
    st.caption(f"Null hypothesis: {r.method_text}. Permuted statistic: {r.statistic}; "
               f"{'exact test over all ' if r.exact else ''}{r.perms} permutations, seed "
               f"[{res.seed}, {year}]. p (perm) two-sided, "
               + ("#{|T_perm| ≥ |T|}/n!" if r.exact else "(1 + #{|T_perm| ≥ |T|})/(1 + P)")
               + "; prop ≥ / ≤: share of permuted statistics as large / as small; std b = "
               "b·sd(x)/sd(y); p classical assumes independent dyads (for comparison only). "
               f"df model {f['df_model']}, df resid {f['df_resid']}.")
    for term, reason in r.table["reason"].items():
        if reason:
            st.warning(f"**{term}**: {reason}", icon=":material/info:")
    for n in r.notes:
        st.caption(n)


def draw_years(res) -> None:
    st.subheader("Over the years")
    value = st.segmented_control(
        "Plot", list(P.QAP_VALUES), default="estimate" if res.logit else "std_estimate",
        format_func=P.QAP_VALUES.get, key="qap_plot_value") or "std_estimate"
    d = res.dyads
    fig = P.qap_coefficients_figure(
        res.coefficients(), value=value, simulated=D.simulated(C.key()),
        title=f"MRQAP of {d.y}{' (weights)' if d.weighted else ''}: by year "
              f"({res.method}, {res.perms} permutations, seed {res.seed})")
    P.show_figure(fig, _name(res, "coefficients_by_year"), key="qap_years_fig")
    P.show_table(res.coefficients().rename(columns=COLUMNS), _name(res, "coefficients_by_year"),
                 key="qap_years_table", column_config=G4,
                 caption="Every year's MRQAP table (one row per year and term).")
    P.show_table(res.fit(), _name(res, "fit_by_year"), key="qap_fit_table", column_config=G4,
                 caption="Fit per year: R², adjusted R² and the R² Y-permutation p (logit: "
                         "log-likelihood, McFadden pseudo-R², deviance, AIC), degrees of freedom.")
    for yr, why in res.skipped.items():
        st.caption(f"{yr}: skipped ({why})")


def main() -> None:
    C.header("QAP", "What explains the ties? QAP correlations and multiple-regression QAP "
                    "(Krackhardt 1988; Dekker, Krackhardt & Snijders 2007): the cities are "
                    "relabelled at random, rows and columns together, to test dyadic "
                    "hypotheses on a network whose ties are not independent.")
    k = C.require_data(need=("cities",))
    with C.guard("QAP"):
        choices = D.qap_choices(k)
        y, weighted, year = y_ui(k, choices)
        directed = D.links_directed(k, y)
        specs = x_ui(choices, y, directed)
        if y == "gravity" or "network:gravity" in specs:
            k = C.gravity_ui(k, prefix="qap")   # the model used when no gravity links are stored
        params = test_ui(weighted)
        if not specs:
            st.info("Choose at least one explanatory matrix.", icon=":material/tune:")
            return
        res = D.qap_study(k, y, year, weighted, tuple(specs), **params)
        for n in res.dyads.notes:
            st.caption(n)
        years = res.years
        show = year if year is not None else years[-1]
        if year is None and len(years) > 1:
            show = int(st.select_slider("Year shown in detail", years, value=years[-1],
                                        key="qap_detail_year"))
        with C.guard("QAP correlations"):
            draw_correlation(res, show)
        with C.guard("MRQAP"):
            draw_mrqap(res, show)
        if year is None:
            with C.guard("QAP over the years"):
                draw_years(res)


main()

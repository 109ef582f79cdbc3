"""Dynamics: a VAR on the regional series and a panel VAR across the cities (the paper's Figures 7-8
and Table 5 when the study has the paper's series)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

VAR_LABELS = {"dt": "DT (digital technology)", "wfb": "WFB (cultural services share)",
              "wsb": "WSB (creative design share)"}
BANDS = {"mc": "Monte Carlo (Lütkepohl)", "bootstrap": "Residual bootstrap", None: "none"}


def _label(v: str) -> str:
    base = v.removeprefix("ln_")
    return ("ln " if v.startswith("ln_") else "") + VAR_LABELS.get(base, base)


def _short(v: str) -> str:
    base = v.removeprefix("ln_")
    return ("ln " if v.startswith("ln_") else "") + base.upper()


def model_ui(k: str) -> dict:
    var = D.optional_module("cultnet.analysis.var", "VAR analysis")
    regions = D.series_regions(k)
    have = D.series_variables(k)
    default = [v for v in var.DEFAULT_VARIABLES if v in have] or have[:3]
    c1, c2 = st.columns([1, 3])
    region = c1.selectbox("Region", regions, key="dyn_region")
    variables = c2.multiselect("Variables, in Cholesky order (first = most exogenous)", have,
                               default=default, key="dyn_vars", format_func=_label)
    c1, c2, c3, c4, c5 = st.columns(5)
    log = c1.toggle("Logarithms", value=True, key="dyn_log")
    lag_choice = c2.selectbox("Lags", ["auto (AIC)", 1, 2, 3, 4], key="dyn_lags")
    horizon = int(c3.number_input("Horizon", min_value=4, max_value=40, value=10, key="dyn_h"))
    bands = c4.selectbox("Bands (95%)", list(BANDS), format_func=BANDS.get, key="dyn_bands")
    reps = c5.select_slider("Draws", [100, 200, 500, 1000], value=200, key="dyn_reps",
                            disabled=bands is None, help="Seeded (seed 0).")
    return dict(region=region, variables=tuple(variables), log=log,
                lags="auto" if isinstance(lag_choice, str) else int(lag_choice),
                horizon=horizon, bands=bands, reps=int(reps))


irf_frame = P.irf_frame  # shared with the replication report


def draw_irf(k: str, sig: tuple, res, impulse: str, response: str, kind: str, fig_no: str,
             key: str) -> None:
    from cultnet.analysis.var import irf_axis_range

    f = irf_frame(res, impulse, response, kind)
    has_band = "lower" in f
    lo, hi, clipped = irf_axis_range(f["response"], f["lower"] if has_band else None,
                                     f["upper"] if has_band else None)

    def build():
        fig = P.line_band_figure(
            f, x="h", y="response", lower="lower" if has_band else None,
            upper="upper" if has_band else None, x_title="period after the shock (h = 0: impact)",
            y_title=f"response of {_label(response)}",
            title=f"{fig_no}: {_short(impulse)} → {_short(response)}")
        fig.update_yaxes(range=[lo, hi])
        return fig

    fig = D.figure(k, "irf", (*sig, impulse, response, kind, fig_no, "scaled"), build)
    P.show_figure(fig, f"irf_{impulse}_{response}_{kind}", key=key)
    peak = int(f["response"].abs().idxmax())
    band = " Shaded: 95% band." if has_band else ""
    if clipped:
        band += (" The band is far wider than the response and is cut at the plot's edges so the point estimate "
                 f"stays readable (full band: {f['lower'].min():.3g} to {f['upper'].max():.3g}; see the coefficients).")
    st.caption(f"Response of {_label(response)} to a one-s.d. {kind} shock to {_label(impulse)}. "
               f"Impact {f['response'].iloc[0]:.4f}; peak {f['response'].iloc[peak]:.4f} at h = "
               f"{peak}; h = {int(f['h'].iloc[-1])}: {f['response'].iloc[-1]:.4f}.{band}")


def stability_note(res) -> None:
    """The stability verdict, shown right above the impulse responses it qualifies."""
    stab = res.tests.get("stability", {})
    if "stable" in stab:
        (st.success if stab["stable"] else st.warning)(
            f"{'Stable' if stab['stable'] else 'Not stable'}: largest companion root modulus "
            f"{stab['max_modulus']:.4f}."
            + ("" if stab["stable"] else " Responses grow with the horizon; the IRF and FEVD "
               "do not settle, and the bands widen without bound."))


def draw_fevd(k: str, sig: tuple, res, response: str, impulse: str, *,
              title: str = "Variance decomposition", prefix: str = "") -> None:
    t = res.fevd_table(response)
    st.subheader(f"{title} of {_label(response)}")
    shares = [c for c in t.columns if c.endswith("%")]
    P.show_table(t.round(4), f"{prefix}table5_fevd_{response}", key=f"{prefix}fevd",
                 caption="Period 1 is the impact period; S.E. is the "
                         "forecast standard error; each row's shares sum to 100%."
                         + (" '% lo' and '% hi' are the 95% Monte Carlo band of each share."
                            if any(str(c).endswith("% lo") for c in t.columns) else ""))
    fig = D.figure(k, f"{prefix}fevd", (*sig, response), lambda: P.stacked_bar_figure(
        t, x="period", columns=shares, x_title="period",
        y_title="share of forecast error variance (%)",
        title=f"Variance decomposition of {_label(response)}"))
    P.show_figure(fig, f"{prefix}fevd_{response}", key=f"{prefix}fevd_chart")
    col = f"{impulse} %"
    if col in t.columns:
        st.markdown(f"**{_label(impulse)}** explains {t[col].iloc[0]:.2f}% of {_label(response)}'s "
                    f"forecast error variance on impact and {t[col].iloc[-1]:.2f}% after "
                    f"{int(t['period'].iloc[-1])} periods.")


def draw_diagnostics(res) -> None:
    st.subheader("Lag selection and diagnostics")
    for n in res.notes:
        st.info(n, icon=":material/info:")
    st.markdown(f"**VAR({res.lags})** on {res.nobs} observations (stability: above the impulse responses).")
    c1, c2 = st.columns(2)
    with c1:
        if res.lag_selection is not None:
            st.markdown("**Information criteria** (✓ = selected)")
            sel = res.lag_selection.copy()
            for col in [c for c in sel.columns if str(c).endswith("*")]:
                sel[col] = sel[col].map(lambda b: "✓" if b else "")
            st.dataframe(sel, width="stretch",
                         column_config={c: st.column_config.NumberColumn(format="%.4g")
                                        for c in ("AIC", "BIC", "HQIC", "FPE")})
    with c2:
        rows = []
        for name in ("whiteness", "normality"):
            t = res.tests.get(name, {})
            rows.append({"test": name, "statistic": t.get("stat"), "df": t.get("df"),
                         "p-value": t.get("p_value"), "H0 / note": t.get("reason", t.get("test", ""))})
        st.markdown("**Residual tests**")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"statistic": st.column_config.NumberColumn(format="%.3f"),
                                    "p-value": st.column_config.NumberColumn(format="%.4f")})
    if res.unit_roots is not None:
        st.markdown("**Unit roots** (ADF: H0 unit root; KPSS: H0 stationary)")
        cols = [c for c in ("variable", "form", "adf_p", "kpss_p", "verdict", "suggestion")
                if c in res.unit_roots.columns]
        st.dataframe(res.unit_roots[cols], hide_index=True, width="stretch",
                     column_config={"adf_p": st.column_config.NumberColumn(format="%.4f"),
                                    "kpss_p": st.column_config.NumberColumn(format="%.3f")})
    granger = res.tests.get("granger")
    if granger:
        with st.expander("Granger causality"):
            st.dataframe(pd.DataFrame(granger).astype(str), hide_index=True, width="stretch")
    with st.expander("Coefficients"):
        P.show_table(res.coefficients, "var_coefficients", key="var_coefs")


# ---------------------------------------------------------------------------------------------
# panel VAR across the cities (analysis.pvar)
# ---------------------------------------------------------------------------------------------

PVAR_DEFAULT = ("dig", "wfb", "wsb")  # the paper's DT, WFB, WSB: the default only when all are present
PVAR_KEYS = ("city", "year")


def pvar_variables(k: str) -> list[str]:
    ind = D.indicators(k)
    if ind is None or not len(ind):
        return []
    return [c for c in ind.columns
            if c not in PVAR_KEYS and pd.api.types.is_numeric_dtype(ind[c])]


def pvar_ui(k: str) -> dict:
    have = pvar_variables(k)
    default = list(PVAR_DEFAULT) if set(PVAR_DEFAULT) <= set(have) else have[:3]
    variables = st.multiselect("Variables, in Cholesky order (first = most exogenous)", have,
                               default=default, key="pvar_vars", format_func=_label)
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    log = c1.toggle("Logarithms", value=True, key="pvar_log")
    time_effects = c2.toggle("Remove year effects", value=False, key="pvar_td",
                             help="Subtract each year's cross-city mean first (Abrigo-Love td).")
    lags = int(c3.selectbox("Lags", [1, 2], key="pvar_lags"))
    inst = int(c4.selectbox("Instrument lags", [lags, lags + 1, lags + 2], key="pvar_inst",
                            help="Lags of levels used as instruments; more than the lags gives "
                                 "Hansen's J test of the over-identifying restrictions."))
    horizon = int(c5.number_input("Horizon", min_value=4, max_value=40, value=10, key="pvar_h"))
    bands = c6.selectbox("Bands (95%)", ["mc", None], key="pvar_bands",
                         format_func=lambda b: "Monte Carlo" if b else "none")
    return dict(variables=tuple(variables), log=log, lags=lags, inst_lags=inst,
                steps=2, time_effects=time_effects, horizon=horizon, bands=bands, reps=500)


def pvar_caveat(k: str, res) -> str:
    ind = D.indicators(k)
    n = ind["city"].nunique()
    t_per = int(ind.groupby("city")["year"].nunique().max())
    ident = res.identification or {}
    return (f"**Estimator:** {res.estimator} — panel VAR({res.lags}) with city fixed effects "
            "removed by forward orthogonal deviations, lagged levels as instruments (Love & "
            "Zicchino 2006; Abrigo & Love 2016). **Caveat:** T = "
            f"{t_per} years for each of N = {n} cities gives {res.nobs} transformed observations and "
            f"{ident.get('moments', '?')} moment conditions for {ident.get('parameters', '?')} coefficients; "
            "the estimator is consistent as N grows with T fixed, so with "
            f"{res.n_entities} cities its precision is low, and no other Python library exists to "
            "cross-check it. Read the IRFs as indicative.")


def draw_pvar_diagnostics(res) -> None:
    st.subheader("Diagnostics")
    for n in res.notes:
        st.info(n, icon=":material/info:")
    j = res.tests.get("hansen_j", {})
    if j.get("stat") is not None:
        st.markdown(f"**Hansen's J** {j['stat']:.3f} (df {j.get('df')}), p = "
                    f"{j.get('p_value', float('nan')):.4f}: H0 the instruments are valid.")
    elif j.get("reason"):
        st.caption(f"Hansen's J: {j['reason']}")
    with st.expander("Coefficients (entity-clustered SE" + (", Windmeijer-corrected" if res.steps == 2 else "") + ")"):
        P.show_table(res.coefficients, "pvar_coefficients", key="pvar_coefs")


def irf_controls(variables: list[str], key: str) -> tuple[str, str, str]:
    """Impulse, response and IRF kind, side by side (widget keys ``<key>_imp/_resp/_kind``)."""
    c1, c2, c3 = st.columns(3)
    impulse = c1.selectbox("Impulse", variables, index=0, format_func=_label, key=f"{key}_imp")
    response = c2.selectbox("Response", variables, index=min(1, len(variables) - 1),
                            format_func=_label, key=f"{key}_resp")
    kind = c3.radio("IRF", ["orthogonalized", "generalized"], horizontal=True, key=f"{key}_kind",
                    help="Orthogonalized: Cholesky, depends on the order. Generalized "
                         "(Pesaran-Shin): does not.")
    return impulse, response, kind


def panel_var_tab(k: str) -> None:
    with C.guard("The panel VAR"):
        m = pvar_ui(k)
        if len(m["variables"]) < 2:
            st.info("Choose at least two variables.")
            return
        res = D.pvar_fit(k, m["variables"], m["log"], m["lags"], m["inst_lags"], m["steps"],
                       m["time_effects"], m["horizon"], m["bands"], m["reps"])
        st.info(pvar_caveat(k, res), icon=":material/warning:")
        impulse, response, kind = irf_controls(res.variables, "pvar")
        if kind == "generalized" and m["bands"] == "mc":
            st.caption("Monte Carlo bands are drawn for the orthogonalized IRF.")
        sig = ("pvar", *m.values())
        stability_note(res)
        a, b = st.columns(2)
        with a:
            draw_irf(k, sig, res, impulse, impulse, kind, "Panel VAR", "pvar_irf_own")
        with b:
            draw_irf(k, sig, res, impulse, response, kind, "Panel VAR", "pvar_irf_cross")
        draw_fevd(k, sig, res, response, impulse, title="Panel VAR: variance decomposition",
                  prefix="pvar_")
        draw_pvar_diagnostics(res)


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------


def var_tab(k: str) -> None:
    if not D.series_regions(k):
        st.info("The loaded data has no regional time series (series file) for the VAR; the "
                "panel VAR tab uses the city-year indicators.", icon=":material/database:")
        return
    with C.guard("The VAR"):
        m = model_ui(k)
        if len(m["variables"]) < 2:
            st.info("Choose at least two variables.")
            return
        res = D.var_fit(k, m["region"], m["variables"], m["log"], m["lags"], m["horizon"],
                        m["bands"], reps=m["reps"])
        impulse, response, kind = irf_controls(res.variables, "dyn")
        if kind == "generalized" and m["bands"] == "mc":
            st.caption("Monte Carlo bands exist for the orthogonalized IRF only; choose the "
                       "bootstrap for bands on the generalized IRF.")
        sig = (m["region"], m["variables"], m["log"], m["lags"], m["horizon"], m["bands"],
               m["reps"])
        stability_note(res)
        paper = paper_series(res)
        a, b = st.columns(2)
        with a:
            draw_irf(k, sig, res, impulse, impulse, kind, "Figure 7" if paper else "Own response", "irf_own")
        with b:
            draw_irf(k, sig, res, impulse, response, kind, "Figure 8" if paper else "Cross response", "irf_cross")
        draw_fevd(k, sig, res, response, impulse,
                  title="Table 5: variance decomposition" if paper else "Variance decomposition")
        draw_diagnostics(res)


def paper_series(res) -> bool:
    """The paper's numbering applies when the VAR is on the paper's DT, WFB, WSB."""
    return {v.removeprefix("ln_") for v in res.variables} == {"dt", "wfb", "wsb"}


def main() -> None:
    C.header("Dynamics", "How a shock to one indicator propagates to the others: a VAR on the regional "
               "time series, and the same question across the cities (panel VAR).")
    k = C.require_data()
    t1, t2 = st.tabs(["Time-series VAR", "Panel VAR across the cities"])
    with t1:
        var_tab(k)
    with t2:
        panel_var_tab(k)


main()

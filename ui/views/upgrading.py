"""Upgrading: one model on several dependent variables, and whether its slopes differ between
groups of cities (the paper's Tables 3-4 are a preset, offered when the study has their columns)."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from cultnet.analysis.paper import PAPER_GROUPS
from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C
from cultnet.ui.views import _specs as S

PAPER_TERMS = {"cia": "CIA", "ln_dig": "DT (ln dig)", "ln_em": "EM (ln em)", "ln_tis": "TIS (ln tis)",
               "ln_rc": "RC (ln rc)", "isu": "ISU", "tiu": "TIU"}
SPATIAL_MODELS = {"lag": "Spatial lag (SAR)", "durbin": "Spatial Durbin (SDM)", "error": "Spatial error (SEM)"}


default_model = S.default_upgrading  # shared with the replication report


def grouping_ui(k: str, frame: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """Groups from a column of the data, an uploaded file, the network roles, or the paper's
    grouping (offered only when the study holds the paper's cities)."""
    panel_mod = D.optional_module("cultnet.analysis.panel", "Panel regressions")
    cities = set(frame["city"].astype(str))
    options: dict[str, str] = {}
    try:
        if D.network_methods(k):
            D.optional_module("cultnet.analysis.roles")
            options["network"] = "computed from the network's roles"
    except D.NotAvailable:
        pass
    cand = [c for c in frame.columns if str(c).lower() not in S.KEYS and _categorical(frame[c])
            and frame.groupby("city")[c].nunique(dropna=True).max() == 1 and 1 < frame[c].nunique() < len(cities)]
    if cand:
        options["column"] = "a column of the data"
    options["file"] = "an uploaded file (city, group)"
    if set(PAPER_GROUPS) <= cities:
        options["paper"] = "the paper's (center / sub-node / edge)"
    choice = st.radio("Groups", list(options), horizontal=True, key="up_groups", format_func=options.get)
    if choice == "paper":
        return "the paper's grouping", dict(PAPER_GROUPS)
    if choice == "column":
        col = st.selectbox("Group column", cand, key="up_group_col")
        g = frame[["city", col]].dropna().drop_duplicates()
        return f"column {col}", {str(a): str(b) for a, b in zip(g["city"], g[col])}
    if choice == "file":
        up = st.file_uploader("CSV or XLSX with columns city, group", type=["csv", "xlsx"], key="up_group_file")
        if up is None:
            st.info("Upload a file with one row per city: columns city and group.")
            st.stop()
        return f"file {up.name}", groups_from_upload(up.name, up.getvalue(), cities)
    method = D.network_methods(k)[0]
    year = D.network_years(k, method)[-1]
    roles = D.city_roles(k, method, year)
    col = "group" if "group" in roles.columns else "role"
    return f"roles in the {year} {method} network", dict(zip(roles["name"].astype(str), roles[col].astype(str)))


def _categorical(col: pd.Series) -> bool:
    """Text, or a number with at most 10 integer values (a code such as region = 1, 2, 3)."""
    if not pd.api.types.is_numeric_dtype(col):
        return True
    v = col.dropna()
    return v.nunique() <= 10 and bool((v == v.round()).all())


def groups_from_upload(name: str, content: bytes, cities: set[str]) -> dict[str, str]:
    """Parse an uploaded (city, group) file; every problem in one message."""
    from cultnet.errors import CultnetError

    frame = pd.read_excel(io.BytesIO(content)) if name.lower().endswith("xlsx") else pd.read_csv(io.BytesIO(content))
    cols = {str(c).lower(): c for c in frame.columns}
    if "city" not in cols or "group" not in cols:
        raise CultnetError(f"{name}: a groups file needs columns city and group (have {', '.join(map(str, frame.columns))})")
    out, problems = {}, []
    for line, (c, g) in enumerate(zip(frame[cols["city"]], frame[cols["group"]]), start=2):
        if pd.isna(c):
            continue
        c = str(c).strip()
        if pd.isna(g) or not str(g).strip():
            problems.append(f"line {line}: {c}: no group")
        elif c not in cities:
            problems.append(f"line {line}: {c!r} is not a city of this study")
        else:
            out[c] = str(g).strip()
    if problems:
        raise CultnetError(f"{name}: " + "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else ""))
    return out


def _labels(spec: S.Spec) -> dict[str, str]:
    return PAPER_TERMS if spec.preset else {}


def draw_models(k: str, spec: S.Spec, ys: tuple[str, ...]) -> None:
    results = {}
    for i, y in enumerate(ys):
        label = f"({i + 1}) {spec.term(y)}"
        with C.guard(label):
            results[label] = D.panel_model(k, y, spec.x, spec.logs, spec.effects, spec.cov, spec.inference)
    if not results:
        return
    st.subheader(("Table 3: " if spec.preset else "") + "one model, " + ", ".join(spec.term(y) for y in ys))
    table = D.regression_display(results, term_labels=_labels(spec))
    first = next(iter(results.values()))
    P.show_table(table, f"models_{spec.effects}_{spec.cov}", key="table3",
                 caption=f"{S.EFFECTS[spec.effects]}, {S.COVS[spec.cov].lower()} standard errors; "
                         f"{first.inference.get('description', '')}. *** p < 0.01, ** p < 0.05, * p < 0.1"
                         + (" (stars from the bootstrap p-value)." if first.bootstrapped else "."))
    notes = []
    for label, r in results.items():
        for d in r.dropped:
            st.warning(f"{label}: **{d['term']}** was left out: {d['reason']}.", icon=":material/block:")
        notes += [f"{label}: {name}: {t['reason']}" for name, t in r.tests.items()
                  if isinstance(t, dict) and "reason" in t and "stat" not in t]
    for w in first.inference.get("warnings", []):
        st.info(w, icon=":material/warning:")
    if notes:
        st.markdown("Not reported (the sample cannot support them):\n\n" + "\n".join(f"* {n}" for n in notes))


def draw_groups(k: str, frame: pd.DataFrame, spec: S.Spec, y: str) -> None:
    st.subheader(("Table 4: " if spec.preset else "") + f"the {spec.term(y)} model by group of cities")
    how, groups = grouping_ui(k, frame)
    res = D.panel_model_by_group(k, y, spec.x, spec.logs, tuple(sorted(groups.items())), spec.effects, spec.cov,
                                 spec.inference)
    table = D.regression_display(res.results, term_labels=_labels(spec))
    P.show_table(table, f"groups_{spec.effects}", key="table4",
                 caption=f"Groups: {how}. Each group's t statistics are on t(cities in the group − 1) when SEs "
                         "are clustered; with 3-6 cities per group read the bootstrap column.")
    t = res.equality_test
    st.markdown(f"**Do the slopes differ between the groups?** {t.get('method', '')}")
    rows = []
    if "joint" in t or "reason" in t:
        j = t.get("joint", t)
        rows.append(_test_row("all slopes jointly", j, t.get("joint_bootstrap")))
    for term, pt in (t.get("per_regressor") or {}).items():
        rows.append(_test_row(_labels(spec).get(term, term), pt, pt.get("bootstrap")))
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if t.get("warning"):
        st.info(t["warning"], icon=":material/warning:")
    for g, why in (t.get("groups_not_fitted") or {}).items():
        st.warning(f"Group **{g}** is not shown on its own: {why}", icon=":material/block:")
    if t.get("unassigned"):
        st.caption(f"Not in any group (left out): {', '.join(t['unassigned'])}")
    members = pd.DataFrame(sorted(res.groups.items()), columns=["city", "group"])
    with st.expander("Group membership"):
        st.dataframe(members.groupby("group")["city"].apply(", ".join).reset_index(), hide_index=True, width="stretch")


def _test_row(what: str, t: dict, boot: dict | None) -> dict:
    return {"H0: equal across groups": what, "test": t.get("dist", ""),
            "statistic": "" if t.get("stat") is None else f"{t['stat']:.4g}",
            "p-value": "" if t.get("p_value") is None else f"{t['p_value']:.4f}",
            "bootstrap p": "" if not boot or boot.get("p_value") is None else f"{boot['p_value']:.4f}",
            "reason": t.get("reason") or (boot or {}).get("reason", "")}


def draw_spatial(k: str, frame: pd.DataFrame, spec: S.Spec, y: str) -> None:
    from cultnet.errors import CultnetError

    st.subheader("Spatial dependence")
    D.optional_module("cultnet.analysis.spatial", "Spatial statistics (Moran's I, spatial panel)")
    variables = [spec.term(v) for v in (y, *spec.x)]
    years = sorted(int(v) for v in frame["year"].dropna().unique())
    try:
        D.spatial_w(k, years[-1])
    except CultnetError as e:
        st.info("Spatial statistics need a city network as the weight matrix W (stored links, or the "
                f"gravity model's columns): {e.user_message}", icon=":material/hub:")
        return
    c1, c2 = st.columns([3, 1])
    pick = c1.multiselect("Variables", variables, default=variables[:3], key="sp_vars")
    w_year = c2.selectbox("W: gravity network of", years[::-1], key="sp_wyear")
    st.caption("W is the gravity network's weight matrix, row-standardized; Moran's I with "
               "normal-approximation and permutation (999, seeded) p-values.")
    if pick:
        m = D.moran_model(k, tuple(pick), spec.logs, int(w_year))
        fig = P.figure()
        for i, (v, f) in enumerate(m.groupby("variable", sort=False)):
            fig.add_scatter(x=f["period"], y=f["I"], mode="lines+markers", name=v,
                            line=dict(color=P.PALETTE[i % len(P.PALETTE)]), customdata=f["p_sim"],
                            hovertemplate="%{x}: I = %{y:.3f}, p = %{customdata:.3f}<extra></extra>")
        if len(m):
            P.hline(fig, float(m["EI"].iloc[0]), "E[I] = -1/(n-1)")
        P.axis_titles(fig, "year", "Moran's I")
        fig.update_layout(legend=P.TOP_LEGEND)
        P.show_figure(P.style(fig, "Moran's I by year"), "morans_i", key="moran_fig")
        P.show_table(m.round(4), "morans_i", key="moran_table")
    st.markdown(f"**Spatial panel model** ({spec.term(y)}, entity fixed effects, ML)")
    model = st.radio("Model", list(SPATIAL_MODELS), format_func=SPATIAL_MODELS.get, horizontal=True, key="sp_model")
    with C.guard("The spatial panel model"):
        res = D.spatial_model(k, y, spec.x, spec.logs, model, int(w_year))
        c1, c2 = st.columns(2)
        with c1:
            P.show_table(D.regression_display({SPATIAL_MODELS[model]: res}, term_labels=_labels(spec)),
                         f"spatial_{model}", key="sp_coefs")
        with c2:
            P.show_table(res.effects.round(4), f"spatial_{model}_effects", key="sp_effects",
                         caption="LeSage-Pace direct, indirect (spillover) and total effects.")


def main() -> None:
    C.header("Upgrading", "One panel model on several dependent variables, and whether its slopes differ "
               "between groups of cities.")
    k = C.require_data(need=("indicators",))
    frame = D.model_frame(k, ())
    default, default_ys = default_model(frame)
    if not default.y:
        st.info("The indicators need at least two numeric columns for a panel model.")
        return
    if default.preset:
        st.caption("Preset: the paper's Table 3 (ISU and TIU on CIA, ln dig, ln em, ln tis, ln rc; fixed effects). "
                   "Change anything below.")
    spec, ys = S.model_ui(frame, prefix="up", default=default, multi_y=True, default_ys=default_ys)
    if not ys or not spec.x:
        st.info("Choose at least one dependent variable and one explanatory variable.")
        return
    with C.guard("The models"):
        draw_models(k, spec, ys)
    y4 = ys[-1]
    with C.guard("The group comparison"):
        draw_groups(k, frame, spec, y4)
    with C.guard("Spatial statistics"):
        draw_spatial(k, frame, spec, y4)


main()

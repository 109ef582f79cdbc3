"""Overview: what is loaded, where, and the headline findings computed from it."""

from __future__ import annotations

import streamlit as st

from cultnet.ui import data as D
from cultnet.ui.views import _common as C
from cultnet.ui.views import _report
from cultnet.ui.views import _specs as S

LABELS = ["City", "Observation", "Enterprise", "Region", "Dataset"]
RELS = ["LINKS", "COOPERATES", "OBSERVED", "LOCATED_IN"]


def draw_counts(k: str) -> None:
    c = D.counts(k)
    labels, rels = c.get("labels", {}) or {}, c.get("relationships", {}) or {}
    shown = [(lab, labels.get(lab, 0)) for lab in LABELS if lab != "Dataset"]
    shown += [(r, rels.get(r, 0)) for r in ("LINKS", "COOPERATES")]
    cols = st.columns(len(shown))
    names = {"City": "Cities", "Observation": "City-years", "Enterprise": "Enterprises",
             "Region": "Regions", "LINKS": "City links", "COOPERATES": "Cooperation links"}
    for col, (name, n) in zip(cols, shown):
        col.metric(names.get(name, name), f"{int(n):,}")


def _finding(col, title: str, value: str, text: str, page: str) -> None:
    with col.container(border=True):
        st.markdown(f"**{title}**")
        st.markdown(f"### {value}")
        st.caption(text)
        st.page_link(C.PAGE_PATHS[page], label="Details", icon=":material/arrow_forward:")


def dual_core(k: str) -> tuple[str, str]:
    methods = D.network_methods(k)
    if not methods:
        return "n/a", "no city network in the data"
    method = methods[0]
    year = D.network_years(k, method)[-1]
    nodes = D.city_report(k, method, year).nodes.sort_values("betweenness", ascending=False)
    top = nodes.head(2)
    share = top["betweenness"].sum() / max(nodes["betweenness"].sum(), 1e-12)
    return (" & ".join(top["name"]),
            f"highest betweenness in the {year} {method} network "
            f"({', '.join(f'{v:.3f}' for v in top['betweenness'])}; {100 * share:.1f}% of the total)")


def strongest_driver(k: str) -> tuple[str, str, str]:
    """The Drivers page's default model (the same spec, the same cached fit), its largest slope."""
    frame = D.model_frame(k, ())
    spec = S.default_spec(frame)
    if spec is None:
        return "n/a", "the indicators need at least two numeric columns", "Strongest driver"
    res = D.panel_model(k, spec.y, spec.x, spec.logs, spec.effects, spec.cov, spec.inference)
    coefs = res.coefficients.drop(index="const", errors="ignore")
    term = coefs["estimate"].idxmax()
    row = coefs.loc[term]
    base = term.removeprefix("ln_")
    name = C.DRIVER_LABELS.get(base, term) if spec.preset else term
    p = row["boot_p_value"] if res.bootstrapped else row["p_value"]
    kind = "elasticity" if term.startswith("ln_") and res.y.startswith("ln_") else "coefficient"
    title = "Strongest driver (Table 2)" if spec.preset else f"Strongest driver of {res.y}"
    return (name, f"largest {kind} of {res.y}: {row['estimate']:.3f} ({'bootstrap ' if res.bootstrapped else ''}"
                  f"p = {p:.3f}); the Drivers page's default model: {spec.describe()}; within R² "
                  f"{res.r2.get('within', float('nan')):.3f}", title)


def var_findings(k: str) -> tuple[tuple[str, str], tuple[str, str]]:
    res, impulse, response = D.default_var(k)
    i, j = res.variables.index(response), res.variables.index(impulse)
    irf = res.irf[:, i, j]
    h = int(abs(irf).argmax())
    peak = (f"{irf[h]:.3f}", f"peak response of {response} to a one-s.d. {impulse} shock, at "
                             f"h = {h} (VAR({res.lags}), Cholesky {' → '.join(res.variables)})")
    share = res.fevd[i, -1, j]
    fevd = (f"{share:.1f}%", f"share of {response}'s {res.horizon + 1}-period forecast error "
                             f"variance due to {impulse}")
    return peak, fevd


def main() -> None:
    C.header("cultnet explorer", "Regional industry networks: graph data, social network analysis, panel "
               "econometrics and VAR, live on the data in the store.")
    k = C.key()
    info = D.describe(k)
    backend = info.get("backend")
    version = str(info.get("version") or "").replace("FalkorDB", "").replace("Neo4j", "").strip()
    st.markdown(f"**Store:** {'Neo4j' if backend == 'neo4j' else 'embedded FalkorDB'} {version} "
                f"at `{info.get('location', '')}`")
    ds = D.datasets(k)
    if ds is not None and len(ds):
        for r in ds.head(5).itertuples():
            flag = " · **simulated**" if bool(getattr(r, "simulated", False)) else ""
            st.markdown(f":material/dataset: `{r.id}` {r.source} · {r.status} · loaded "
                        f"{str(r.loaded_at)[:16].replace('T', ' ')}{flag}")
    if not D.has_data(k):
        st.info("The store is empty. Load your own region's files on the Data page, or the "
                "simulated sample of the paper.", icon=":material/database:")
        st.page_link(C.PAGE_PATHS["data"], label="Go to Data", icon=":material/upload:")
        return
    draw_counts(k)
    st.subheader("Headline findings")
    st.caption("Computed now from the loaded data with the default choices of the page each card "
               "links to (the same model, stated on the card); change them there.")
    cols = st.columns(4)
    paper = S.has_paper_table2(S.numeric_columns(D.indicators(k)))   # the paper's study: its numbering
    with cols[0]:
        with C.guard("Dual core"):
            v, t = dual_core(k)
            _finding(st, "Dual core (Table 1)" if paper else "Dual core", v, t, "centrality")
    with cols[1]:
        with C.guard("Strongest driver"):
            v, t, title = strongest_driver(k)
            _finding(st, title, v, t, "drivers")
    with C.guard("VAR findings"):
        (pv, pt), (fv, ft) = var_findings(k)
        _finding(cols[2], "IRF peak (Figure 8)" if paper else "IRF peak", pv, pt, "dynamics")
        _finding(cols[3], "FEVD share (Table 5)" if paper else "FEVD share", fv, ft, "dynamics")
    _report.report_ui(k)


main()

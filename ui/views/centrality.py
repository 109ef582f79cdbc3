"""Centrality (Table 1, Figures 2-3): the sortable table with averages and the Pareto charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

CLOSENESS = {
    "wf": "Wasserman-Faust (networkx default)",
    "ucinet": "UCINET (unreachable at distance n)",
    "reachable": "igraph (reached nodes only)",
    "strict": "strict (NaN unless all reached)",
}


def options_ui() -> tuple[str, str]:
    c1, c2 = st.columns(2)
    closeness = c1.selectbox("Closeness convention (when not strongly connected)", list(CLOSENESS),
                             format_func=CLOSENESS.get, key="cent_closeness")
    direction = c2.radio("Closeness direction", ["closeness_out", "closeness_in"], horizontal=True,
                         format_func=lambda c: "outward (from the city)" if c.endswith("out")
                         else "inward (to the city)", key="cent_dir")
    return closeness, direction


DEGREE_COLUMNS = ("Out-degree", "In-degree", "Centrality Degree")
with_zh = C.with_zh


def average_rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Table 1 with the degree averages of its "Average" row rounded to three decimals (the
    paper prints 2.929, not 2.9285714285714284; the degrees of the cities stay integers)."""
    t = table.copy()
    avg = t["City"] == "Average"
    for c in DEGREE_COLUMNS:
        if c in t.columns:
            t[c] = t[c].astype(float)
            t.loc[avg, c] = t.loc[avg, c].round(3)
    return t


def draw_pareto(k: str, method: str, year: int, measure: str, label: str, fig_no: int,
                closeness: str, scale: float = 1.0) -> None:
    p = D.pareto(k, method, year, measure, closeness).copy()
    p[measure] = p[measure] * scale
    p["cumulative %"] = 100 * p["cumulative_share"]
    mean = float(D.city_report(k, method, year, closeness).nodes[measure].mean()) * scale
    fig = D.figure(k, "pareto", (method, year, measure, closeness, scale),
                   lambda: P.pareto_figure(p, measure, cumulative="cumulative %", y_title=label,
                                           mean=mean, title=f"Figure {fig_no}: Pareto chart of "
                                                            f"{label.lower()}, {year}"))
    P.show_figure(fig, f"figure{fig_no}_pareto_{measure}_{year}", key=f"pareto_{measure}")


def main() -> None:
    C.header("Centrality", "Table 1 and Figures 2-3 of the paper: who controls the flows of the network.")
    k = C.require_data(need=("cities",))
    with C.guard("Centrality"):
        method, year = C.network_ui(k, prefix="cent")
        closeness, direction = options_ui()
        table = D.centrality_table(k, method, year, closeness, direction)
        report = D.city_report(k, method, year, closeness)
        st.subheader(f"Table 1: centrality of the {method} network, {year}")
        fmt = {c: st.column_config.NumberColumn(c, format="%g")
               for c in ("Out-degree", "In-degree", "Centrality Degree")}
        fmt["Betweenness Centrality"] = st.column_config.NumberColumn(format="%.3f")
        fmt["Closeness Centrality"] = st.column_config.NumberColumn(format="%.3f")
        body = table[table["City"] != "Average"]
        shown = with_zh(average_rounded(table), k, "City", C.zh_ui(k, key="cent_zh"))
        P.show_table(shown, f"table1_centrality_{method}_{year}", key="table1", xlsx=True,
                     column_config=fmt,
                     caption="Click a column header to sort. The last row is the average over "
                             "the cities (three decimals, as in the paper).")
        top = body.sort_values("Betweenness Centrality", ascending=False).head(2)
        share = top["Betweenness Centrality"].sum() / max(body["Betweenness Centrality"].sum(), 1e-12)
        st.markdown(f"**{' and '.join(top['City'])}** have the highest betweenness "
                    f"({', '.join(f'{v:.3f}' for v in top['Betweenness Centrality'])}), together "
                    f"{100 * share:.1f}% of the total.")
        with st.expander("Normalization conventions", expanded=False):
            conv = dict(table.attrs.get("conventions", {}))
            conv.update({k_: v for k_, v in report.conventions.items()
                         if k_ in ("orientation", "paths", "closeness_convention")})
            if report.graph.get("closeness_note"):
                st.warning(report.graph["closeness_note"])
            st.table(pd.DataFrame({"measure": list(conv), "convention": list(conv.values())}))
        c1, c2 = st.columns(2)
        with c1:
            draw_pareto(k, method, year, "betweenness", "Betweenness centrality", 2, closeness)
        with c2:
            draw_pareto(k, method, year, direction, "Closeness centrality (×100)", 3, closeness,
                        scale=100.0)
        with st.expander("All node measures"):
            P.show_table(report.nodes, f"node_measures_{method}_{year}", key="nodes_all")


main()

"""Structure: small-world and scale-free tests for the city and enterprise networks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

YEAR_METRICS = {"density": "Density", "reciprocity": "Reciprocity",
                "avg_path_length": "Average path length", "transitivity": "Transitivity",
                "global_efficiency": "Global efficiency",
                "degree_centralization": "Degree centralization"}


def level_ui(k: str) -> tuple[str, str, int | None]:
    has_ent = D.enterprises(k) is not None and len(D.enterprises(k)) > 0
    level = st.radio("Network", ["city", "enterprise"] if has_ent else ["city"], horizontal=True,
                     key="st_level", format_func=lambda v: f"{v} network")
    if level == "city":
        method, year = C.network_ui(k, prefix="st")
        return level, method, year
    years = D.enterprise_years(k)
    year = st.selectbox("Year", ["all years", *years], key="st_ent_year")
    return level, "cooperation", None if year == "all years" else int(year)


def _as_frame(result) -> pd.DataFrame:
    if hasattr(result, "to_frame"):
        return result.to_frame()
    return pd.DataFrame([result.to_dict()])


def _plain(v):
    if isinstance(v, (float, np.floating)):
        return f"{v:.4g}"
    return "" if v is None else str(v)


def draw_verdict(result) -> None:
    verdict = getattr(result, "verdict", None)
    reason = getattr(result, "reason", None)
    if verdict:
        st.markdown(f"**Verdict:** {verdict}")
    if reason and reason != verdict:
        st.caption(reason)
    for note in getattr(result, "notes", ()) or ():
        st.caption(note)


def draw_small_world(k: str, level: str, method: str, year: int | None) -> None:
    st.subheader("Small world")
    n_random = st.slider("Random reference graphs", 10, 200, 20, step=10, key="st_nrand",
                         help="Degree-preserving random graphs (seeded) for C_r and L_r.")
    sw = D.small_world(k, level, method, year, n_random=int(n_random), seed=0)
    d = sw.to_dict()
    cols = st.columns(5)
    for col, (name, label) in zip(cols, (("C", "Clustering C"), ("L", "Path length L"),
                                         ("sigma_er", "σ vs random (ER)"),
                                         ("sigma_rewired", "σ vs rewired"), ("omega", "ω"))):
        v = d.get(name)
        col.metric(label, f"{v:.3f}" if isinstance(v, (int, float)) and v == v else "n/a")
    draw_verdict(sw)
    with st.expander("All values"):
        P.show_table(_as_frame(sw).map(_plain), f"small_world_{level}_{method}_{year}",
                     key="sw_table")


degree_figure = P.degree_figure  # shared with the replication report


def draw_scale_free(k: str, level: str, method: str, year: int | None) -> None:
    st.subheader("Scale free")
    n_boot = st.select_slider("Bootstrap sets for the p-value", [100, 200, 500, 1000, 2500],
                              value=200, key="st_nboot",
                              help="Clauset-Shalizi-Newman: about 2,500 for a p-value to ±0.01.")
    sf = D.scale_free(k, level, method, year, seed=0, n_boot=int(n_boot))
    g = D._level_graph(k, level, method, year)
    c1, c2 = st.columns([3, 2])
    with c1:
        P.show_figure(degree_figure(g.degree(), sf), f"degree_distribution_{level}_{year}",
                      key="sf_fig")
    with c2:
        draw_verdict(sf)
        P.show_table(_as_frame(sf).map(_plain), f"scale_free_{level}_{method}_{year}",
                     key="sf_table")


def draw_years(k: str, method: str) -> None:
    st.subheader("Whole-network measures over the years")
    m = D.graph_measures_by_year(k, method)
    have = [c for c in YEAR_METRICS if c in m.columns]
    if len(m) < 2 or not have:
        st.caption("Only one year of this network.")
        return
    pick = st.multiselect("Measures", have, default=have[:4], format_func=YEAR_METRICS.get,
                          key="st_year_metrics")
    fig = P.figure()
    for i, c in enumerate(pick):
        fig.add_scatter(x=m["year"], y=m[c], mode="lines+markers", name=YEAR_METRICS[c],
                        line=dict(color=P.PALETTE[i % len(P.PALETTE)]))
    P.axis_titles(fig, "year", "value")
    fig.update_layout(legend=P.TOP_LEGEND)
    P.show_figure(P.style(fig, f"{method.capitalize()} network, by year"),
                  f"network_measures_by_year_{method}", key="years_fig")
    P.show_table(m[["year", *have]], f"network_measures_by_year_{method}", key="years_table")


def main() -> None:
    C.header("Structure", "Is the network a small world? Is its degree distribution heavy-tailed? "
               "(Clauset-Shalizi-Newman fit; below 50 nodes a network is too small to test, and "
               "the page says so.)")
    k = C.require_data(need=("cities",))
    with C.guard("Structure"):
        level, method, year = level_ui(k)
        with C.guard("Small-world analysis"):
            draw_small_world(k, level, method, year)
        with C.guard("Scale-free analysis"):
            draw_scale_free(k, level, method, year)
        if level == "city":
            with C.guard("Measures over the years"):
                draw_years(k, method)


main()

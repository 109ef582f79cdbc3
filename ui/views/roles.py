"""Roles and robustness: city roles, the block model image matrix, node-removal curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

STRATEGIES = {"random": "random removal", "degree": "highest degree first",
              "betweenness": "highest betweenness first"}


def draw_roles(k: str, method: str, year: int) -> None:
    st.subheader("City roles")
    roles = D.city_roles(k, method, year)
    c1, c2 = st.columns([2, 3])
    with c1:
        P.show_table(C.with_zh(roles, k, "name", C.zh_ui(k, key="roles_zh")),
                     f"city_roles_{method}_{year}", key="roles_table")
        if getattr(roles, "attrs", {}).get("rule"):
            st.caption(roles.attrs["rule"])
    with c2:
        counts = roles["role"].value_counts()
        fig = P.figure(go.Bar(x=counts.index, y=counts.values,
                               marker=dict(color=[P.role_colour(r, counts.index)
                                                  for r in counts.index])))
        P.axis_titles(fig, y="cities")
        fig.update_layout(height=320)
        P.show_figure(P.style(fig, "Cities per role"), f"roles_count_{year}", key="roles_bar")
        st.page_link(C.PAGE_PATHS["network"], label="See the roles on the map (colour: Role)",
                     icon=":material/map:")


def draw_blocks(k: str, method: str, year: int) -> None:
    st.subheader("Block model")
    bm = D.block_model(k, method, year)
    d = bm.to_dict() if hasattr(bm, "to_dict") else dict(bm)
    image = getattr(bm, "image", None)
    if image is None:
        image = d.get("image")
    density = getattr(bm, "density", None)
    if density is None:
        density = d.get("density")
    c1, c2 = st.columns(2)
    if image is not None:
        img = pd.DataFrame(image)
        with c1:
            fig = P.figure(go.Heatmap(z=img.values, x=[str(c) for c in img.columns],
                                       y=[str(i) for i in img.index], colorscale="Blues",
                                       showscale=False, texttemplate="%{z}", zmin=0, zmax=1))
            fig.update_layout(height=360, xaxis=dict(title=dict(text="receiving block")),
                              yaxis=dict(autorange="reversed", title=dict(text="sending block")))
            P.show_figure(P.style(fig, "Image matrix (1: block density above the network's)"),
                          f"block_image_{year}", key="block_image")
    if density is not None:
        with c2:
            P.show_table(pd.DataFrame(density).round(3).rename_axis("sending block").reset_index(),
                         f"block_density_{year}",
                         key="block_density", caption="Density of ties between blocks.")
    frame = bm.to_frame() if hasattr(bm, "to_frame") else None
    if frame is not None:
        P.show_table(frame, f"block_roles_{year}", key="block_roles")


def draw_robustness(k: str, method: str, year: int) -> None:
    st.subheader("Robustness")
    curves = D.robustness(k, method, year, seed=0)
    measure = st.radio("Measure", ["largest_component_share", "global_efficiency"],
                       horizontal=True, key="rob_measure",
                       format_func=lambda m: m.replace("_", " "))
    fig = P.figure()
    for i, (s, f) in enumerate(curves.groupby("strategy", sort=False)):
        fig.add_scatter(x=f["removed_fraction"], y=f[measure], mode="lines+markers",
                        name=STRATEGIES.get(s, s), line=dict(color=P.PALETTE[i % len(P.PALETTE)]))
    P.axis_titles(fig, "share of cities removed", measure.replace("_", " "))
    fig.update_layout(legend=P.TOP_LEGEND)
    P.show_figure(P.style(fig, "Network robustness: random versus targeted removal"),
                  f"robustness_{method}_{year}", key="rob_fig")
    with st.expander("Curve data"):
        P.show_table(curves, f"robustness_{method}_{year}", key="rob_table")


def main() -> None:
    C.header("Roles and robustness", "Core hubs, bridges, sub-nodes and edge nodes; four-block roles; how fast the "
               "network falls apart when cities drop out.")
    k = C.require_data(need=("cities",))
    with C.guard("Roles"):
        method, year = C.network_ui(k, prefix="roles")
        with C.guard("City roles"):
            draw_roles(k, method, year)
        with C.guard("Block model"):
            draw_blocks(k, method, year)
        with C.guard("Robustness"):
            draw_robustness(k, method, year)


main()

"""Network map (Figure 1): the city network at real coordinates, and the enterprise network."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

MEASURES = {
    "degree": "Centrality degree (distinct neighbours)",
    "out_degree": "Out-degree (arcs sent)",
    "in_degree": "In-degree (arcs received)",
    "betweenness": "Betweenness (fraction of max)",
    "closeness_out": "Out-closeness",
    "closeness_in": "In-closeness",
    "harmonic_out": "Harmonic out-closeness",
    "pagerank": "PageRank",
}
HOVER = ["out_degree", "in_degree", "degree", "betweenness", "closeness_out", "closeness_in",
         "pagerank"]


# ---------------------------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------------------------


LABELS = {"name": "Name", "name_zh": "中文名 (Chinese name)", "both": "Both"}


def encoding_ui(nodes: pd.DataFrame, have_roles: bool, have_zh: bool = False) -> tuple[str, str, str]:
    c1, c2, c3 = st.columns([2, 2, 1])
    labels = c3.selectbox("Labels", list(LABELS) if have_zh else ["name"], format_func=LABELS.get,
                          key="map_labels", help="City labels on the map: the name, the Chinese "
                          "name (name_zh of the cities file) or both.")
    size_options = [m for m in MEASURES if m in nodes.columns]
    size_by = c1.selectbox("Node size", size_options, index=0, format_func=MEASURES.get,
                           key="map_size")
    colour_options = (["role"] if have_roles else []) + size_options
    colour_by = c2.selectbox("Node colour", colour_options, index=0,
                             format_func=lambda m: "Role" if m == "role" else MEASURES[m],
                             key="map_colour")
    return size_by, colour_by, labels


# ---------------------------------------------------------------------------------------------
# figure (pure: frames in, figure out)
# ---------------------------------------------------------------------------------------------


def _scaled(values: pd.Series, lo: float = 14, hi: float = 46) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if not len(v) or np.nanmax(v) == np.nanmin(v):
        return np.full(len(v), (lo + hi) / 2)
    return lo + (hi - lo) * (v - v.min()) / (v.max() - v.min())


def _hover_text(c: pd.DataFrame) -> np.ndarray:
    out = []
    for _, r in c.iterrows():
        head = f"<b>{r['name']}</b>"
        if isinstance(r.get("name_zh"), str) and r.get("name_zh"):
            head += f" {r['name_zh']}"
        lines = [head]
        if isinstance(r.get("role"), str):
            lines.append(f"role: {r['role']}")
        for m in HOVER:
            if m in c.columns and pd.notna(r.get(m)):
                v = float(r[m])
                lines.append(f"{MEASURES[m]}: {v:.0f}" if m.endswith("degree")
                             else f"{MEASURES[m]}: {v:.3f}")
        out.append("<br>".join(lines))
    return np.asarray(out, dtype=object)


def map_figure(cities: pd.DataFrame, links: pd.DataFrame, nodes: pd.DataFrame, *,
               size_by: str, colour_by: str, roles: pd.DataFrame | None, title: str,
               directed: bool = True, labels: str = "name") -> go.Figure:
    """Cities at (lon, lat) on a plain canvas, arcs as arrows (width by weight); labels placed
    so that they do not overlap (:func:`label_positions`), in English, Chinese or both."""
    c = cities.dropna(subset=["lat", "lon"]).merge(nodes, on="name", how="left")
    if roles is not None and len(roles):
        c = c.merge(roles[["name", "role"]], on="name", how="left")
    pos = {r.name: (float(r.lon), float(r.lat)) for r in c.itertuples()}
    sizes = dict(zip(c["name"], _scaled(c.get(size_by, pd.Series(0, index=c.index)))))
    lat0 = float(np.mean([p[1] for p in pos.values()])) if pos else 0.0
    kx = math.cos(math.radians(lat0))  # equirectangular: x spans shrink by cos(lat)
    span = max((c["lon"].max() - c["lon"].min()) * kx, c["lat"].max() - c["lat"].min(), 1e-6)
    pad = 0.08 * span
    # pixels per degree of latitude: the plot area (about 580 px high in a 680 px figure, about
    # 780 px wide on a laptop screen) holds the ranges plus padding at one scale (scaleanchor)
    px_per_deg = min(580 / (c["lat"].max() - c["lat"].min() + 2 * pad),
                     780 / ((c["lon"].max() - c["lon"].min()) * kx + 2 * pad))

    fig = P.figure()  # unvalidated: property forms below are explicit (see P.figure)
    arcs = links[links["source"].isin(pos) & links["target"].isin(pos)]
    pairs = set(zip(arcs["source"], arcs["target"]))
    wmax = float(arcs["weight"].max()) if len(arcs) else 1.0
    # arcs in four width classes, each one line trace with an arrow marker at its end
    # (annotations would be ~10x slower to build and to draw)
    classes: dict[int, dict[str, list]] = {}
    for a in arcs.itertuples():
        (x0, y0), (x1, y1) = pos[a.source], pos[a.target]
        dx, dy = (x1 - x0) * kx, (y1 - y0)
        d = math.hypot(dx, dy) or 1e-9
        ux, uy = dx / d, dy / d
        off = 0.012 * span if directed and (a.target, a.source) in pairs else 0.0  # mutual arcs apart
        nx_, ny_ = -uy * off, ux * off
        r0 = sizes.get(a.source, 20) / 2 / px_per_deg
        r1 = sizes.get(a.target, 20) / 2 / px_per_deg + (0.006 * span if directed else 0.0)
        sx, sy = x0 + (ux * r0 + nx_) / kx, y0 + uy * r0 + ny_
        tx, ty = x1 - (ux * r1 - nx_) / kx, y1 - uy * r1 + ny_
        w = float(a.weight) / wmax if wmax > 0 and np.isfinite(a.weight) else 0.5
        k = min(3, int(w * 4))
        cl = classes.setdefault(k, {"x": [], "y": [], "size": []})
        cl["x"] += [sx, tx, None]
        cl["y"] += [sy, ty, None]
        cl["size"] += [0, 9 + 2 * k, 0]
    for k, cl in sorted(classes.items()):
        fig.add_scatter(x=cl["x"], y=cl["y"], mode="lines+markers" if directed else "lines",
                        line=dict(width=0.8 + 0.9 * k, color="rgba(80,90,110,0.55)"),
                        marker=dict(symbol="arrow", angleref="previous", size=cl["size"],
                                    color="rgba(80,90,110,0.8)"),
                        hoverinfo="skip", showlegend=False)
    hover = _hover_text(c)
    c = c.assign(label=P.label_text(c, labels).to_numpy())
    xs = [(float(lon) - float(c["lon"].min())) * kx * px_per_deg for lon in c["lon"]]
    ys = [(float(lat) - float(c["lat"].min())) * px_per_deg for lat in c["lat"]]
    c["textposition"] = P.label_positions(xs, ys, [sizes[n] / 2 for n in c["name"]], list(c["label"]))
    common = dict(mode="markers+text", textfont=dict(size=12, color="#262730"),
                  hovertemplate="%{hovertext}<extra></extra>")
    if colour_by == "role" and "role" in c.columns:
        role_values = c["role"].fillna("unassigned").astype(str)
        for r in sorted(role_values.unique()):
            m = (role_values == r).to_numpy()
            fig.add_scatter(x=c.loc[m, "lon"], y=c.loc[m, "lat"], name=r, text=c.loc[m, "label"],
                            textposition=list(c.loc[m, "textposition"]), hovertext=hover[m],
                            marker=dict(size=[sizes[n] for n in c.loc[m, "name"]],
                                        color=P.role_colour(r, role_values),
                                        line=dict(width=1.5, color="white")), **common)
    else:
        vals = pd.to_numeric(c.get(colour_by), errors="coerce")
        fig.add_scatter(x=c["lon"], y=c["lat"], name="cities", text=c["label"],
                        textposition=list(c["textposition"]), hovertext=hover,
                        marker=dict(size=[sizes[n] for n in c["name"]], color=vals,
                                    colorscale=P.SEQUENTIAL, showscale=True,
                                    colorbar=dict(title=dict(text=MEASURES.get(colour_by, colour_by),
                                                             side="right"), thickness=12),
                                    line=dict(width=1.5, color="#33415C")),
                        showlegend=False, **common)
    fig.update_xaxes(range=[c["lon"].min() - pad / kx, c["lon"].max() + pad / kx],
                     showgrid=False, zeroline=False, title=dict(text="longitude (°E)"))
    fig.update_yaxes(range=[c["lat"].min() - pad, c["lat"].max() + pad], showgrid=False,
                     zeroline=False, title=dict(text="latitude (°N)"), scaleanchor="x",
                     scaleratio=1 / kx)
    fig.update_layout(height=680, legend=dict(title=dict(text="role"), orientation="v", x=1.01, y=1),
                      plot_bgcolor="#FAFBFD")
    return P.style(fig, title)


# ---------------------------------------------------------------------------------------------
# page
# ---------------------------------------------------------------------------------------------


def draw_network_metrics(g: dict, *, n_default: int, m_default: int, directed: bool) -> None:
    """Cities, arcs (directed) or links (undirected), density, and reciprocity, which only means
    something for a directed network (an undirected one would always show 1.000)."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Cities", int(g.get("nodes", g.get("n", n_default))))
    m2.metric("Arcs" if directed else "Links (undirected)", int(g.get("arcs", g.get("m", m_default))))
    m3.metric("Density", f"{g.get('density', float('nan')):.3f}")
    if directed:
        m4.metric("Reciprocity", f"{g.get('reciprocity', float('nan')):.3f}")
    else:
        m4.metric("Reciprocity", "–", help="An undirected network has no reciprocity: every link "
                  "goes both ways.")


def draw_city_map(k: str) -> None:
    method, year = C.network_ui(k, prefix="map")
    links = D.city_links(k, method, year)
    report = D.city_report(k, method, year)
    nodes = report.nodes
    roles = None
    with C.guard("Roles"):
        roles = D.city_roles(k, method, year)
    cities = D.cities(k)
    have_zh = "name_zh" in cities.columns and cities["name_zh"].notna().any()
    size_by, colour_by, labels = encoding_ui(nodes, roles is not None and len(roles) > 0, have_zh)
    directed = D.links_directed(k, method)
    draw_network_metrics(report.graph, n_default=len(nodes), m_default=len(links), directed=directed)
    fig = D.figure(k, "city_map", (method, year, size_by, colour_by, roles is not None, labels),
                   lambda: map_figure(cities, links, nodes, size_by=size_by,
                                      colour_by=colour_by, roles=roles, directed=directed,
                                      labels=labels,
                                      title=f"{method.capitalize()} network of cities, {year}"))
    P.show_figure(fig, f"figure1_{method}_{year}", key="city_map",
                  caption=("Cities at their coordinates (equirectangular, no map tiles). "
                           + ("An arrow i → j means i spills over to j; " if directed else
                              "Undirected links (cooperation has no direction); ")
                           + "line width is proportional to the link weight. Hover a city for "
                           "its measures."))
    with st.expander("Arcs of this network" if directed else "Links of this network"):
        P.show_table(links, f"links_{method}_{year}", key="map_links")


def draw_enterprise_view(k: str) -> None:
    st.subheader("Enterprise cooperation network")
    ent = D.enterprises(k)
    if ent is None or not len(ent):
        st.info("The loaded data has no enterprises.", icon=":material/info:")
        return
    years = D.enterprise_years(k)
    c1, c2, c3 = st.columns([2, 2, 2])
    year = c1.selectbox("Year", ["all years", *years], index=0, key="ent_year")
    year = None if year == "all years" else int(year)
    limit = c2.number_input("Largest view (nodes)", min_value=50, max_value=5000,
                            value=D.ENTERPRISE_VIEW_LIMIT, step=50, key="ent_limit",
                            help="Above this many enterprises the view keeps the most connected "
                                 "ones, so that the browser stays responsive.")
    colour = c3.selectbox("Colour by", ["city", "none"], key="ent_colour")
    view = D.enterprise_view(k, year, int(limit))
    st.caption(view["note"])
    if not len(view["edges"]):
        st.info("No cooperation links for this selection.")
        return
    from neo4j_viz import Node, Relationship, VisualizationGraph
    from neo4j_viz.options import Layout, Renderer
    from neo4j_viz.streamlit import display_widget

    nodes = view["nodes"]
    cities_list = sorted(nodes["city"].dropna().astype(str).unique()) if "city" in nodes else []
    deg = dict(zip(nodes["id"], nodes["degree"]))
    dmax = max(deg.values()) if deg else 1
    vnodes = [Node(id=str(r.id), caption=str(r.name) if len(nodes) <= 300 else None,
                   size=6 + 14 * (deg.get(r.id, 0) / dmax),
                   color=P.role_colour(str(r.city), cities_list) if colour == "city" else P.PALETTE[0],
                   properties={"name": str(r.name), "city": str(r.city), "degree": int(deg.get(r.id, 0))})
              for r in nodes.itertuples()]
    vrels = [Relationship(source=str(e.source), target=str(e.target),
                          width=1 + 3 * float(e.w), properties={"weight": float(e.weight)})
             for e in view["edges"].assign(
                 w=lambda f: f["weight"] / max(float(f["weight"].max()), 1e-9)).itertuples()]
    vg = VisualizationGraph(nodes=vnodes, relationships=vrels)
    # the canvas renderer draws an arrowhead on every relationship; WebGL draws none (and no
    # captions), so an undirected network is drawn with WebGL, a large one too for speed
    directed = D.enterprise_directed(k)
    renderer = Renderer.WEB_GL if len(vnodes) > 500 or not directed else Renderer.CANVAS
    widget = vg.render_widget(layout=Layout.FORCE_DIRECTED, renderer=renderer, height="620px",
                              theme="light", max_allowed_nodes=max(10_000, len(vnodes)))
    # neo4j-viz's own Streamlit component (Components v2): the data travels as JSON, not
    # interpolated into HTML, and the JavaScript bundle is sent once per session
    display_widget(widget, key=f"ent_graph_{year}_{limit}")
    st.caption(("Directed cooperation: arrows point from the citing to the cited enterprise."
                if directed else "Undirected cooperation: lines without arrowheads.")
               + (" Hover an enterprise for its name and city." if renderer == Renderer.WEB_GL
                  else ""))
    if colour == "city" and cities_list:
        st.caption("Colours: " + " · ".join(
            f"<span style='color:{P.role_colour(ci, cities_list)}'>●</span> {ci}"
            for ci in cities_list), unsafe_allow_html=True)


def main() -> None:
    C.header("Network map", "Figure 1 of the paper, for any year and network: who spills over "
             "to whom; and the enterprise cooperation network.")
    k = C.require_data(need=("cities",))
    view = st.segmented_control("View", ["Cities (Figure 1)", "Enterprises"],
                                default="Cities (Figure 1)", key="map_view",
                                label_visibility="collapsed") or "Cities (Figure 1)"
    if view.startswith("Cities"):
        with C.guard("The city map"):
            draw_city_map(k)
    else:
        with C.guard("The enterprise network view"):
            draw_enterprise_view(k)


main()

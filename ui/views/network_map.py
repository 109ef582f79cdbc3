"""Network map (Figure 1): the city network at real coordinates, and the enterprise network."""

from __future__ import annotations


import pandas as pd
import streamlit as st

from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

MEASURES, HOVER = P.MAP_MEASURES, P.MAP_HOVER


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


map_figure = P.map_figure  # pure: frames in, figure out (shared with the replication report)


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

"""Cypher console: saved example queries with parameters as form fields, read-only by the DB."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import plotly.graph_objects as go
import streamlit as st

from cultnet.errors import CultnetError, QueryRejected, QueryTimeout
from ui import data as D
from ui import plots as P
from ui.pages import _common as C

# Saved examples. Every value is a $parameter: the text is sent unchanged, values separately.
# Parameter kinds drive the form fields: "city" (a select box of the loaded cities), "int",
# "year" (defaults to the latest network year), "text".


@dataclass(frozen=True)
class Example:
    title: str
    cypher: str
    params: dict = field(default_factory=dict)  # name -> (kind, default)
    note: str = ""


EXAMPLES = [
    Example(
        "Top cities by betweenness",
        "MATCH (c:City)\n"
        "WHERE c.betweenness IS NOT NULL\n"
        "RETURN c.name AS city, c.betweenness AS betweenness, c.degree AS degree\n"
        "ORDER BY betweenness DESC\n"
        "LIMIT $limit",
        {"limit": ("int", 10)},
        "Reads the measures that `cultnet network` commands write onto the City nodes; empty "
        "until they have been written. The Centrality page computes them live.",
    ),
    Example(
        "Strongest city links in a year",
        "MATCH (a:City)-[l:LINKS]->(b:City)\n"
        "WHERE l.year = $year\n"
        "RETURN a.name AS source, b.name AS target, l.method AS method, l.weight AS weight\n"
        "ORDER BY weight DESC\n"
        "LIMIT $limit",
        {"year": ("year", 2024), "limit": ("int", 25)},
    ),
    Example(
        "A city's partners by year",
        "MATCH (a:City {name: $city})-[l:LINKS]-(b:City)\n"
        "RETURN l.year AS year, b.name AS partner, l.method AS method, l.weight AS weight\n"
        "ORDER BY year, weight DESC",
        {"city": ("city", "Shenyang")},
    ),
    Example(
        "Paths between two cities",
        "MATCH p = (a:City {name: $from})-[:LINKS*1..2]->(b:City {name: $to})\n"
        "RETURN p\n"
        "LIMIT $limit",
        {"from": ("city", "Shenyang"), "to": ("city", "Dalian"), "limit": ("int", 10)},
        "Paths of one or two links; the Graph tab draws them.",
    ),
    Example(
        "Enterprises of a city",
        "MATCH (e:Enterprise)-[:LOCATED_IN]->(c:City {name: $city})\n"
        "RETURN e.id AS id, e.name AS name\n"
        "ORDER BY name\n"
        "LIMIT $limit",
        {"city": ("city", "Dalian"), "limit": ("int", 100)},
    ),
    Example(
        "Indicators of a city",
        "MATCH (c:City {name: $city})-[:OBSERVED]->(o:Observation)\n"
        "RETURN o.year AS year, o.cul AS cul, o.dig AS dig, o.pop AS pop, o.gdp_pc AS gdp_pc\n"
        "ORDER BY year",
        {"city": ("city", "Shenyang")},
    ),
    Example(
        "Datasets and their provenance",
        "MATCH (d:Dataset)\n"
        "RETURN d.id AS id, d.source AS source, d.status AS status, d.simulated AS simulated, "
        "d.loaded_at AS loaded_at",
    ),
    Example("Write attempt (rejected: read-only)",
            "CREATE (x:City {name: 'Atlantis'})\nRETURN x", {},
            "Shows that the database itself refuses writes from the console."),
]
FREE = "(write your own)"


# ---------------------------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------------------------


def example_ui() -> Example | None:
    names = [e.title for e in EXAMPLES] + [FREE]
    choice = st.selectbox("Saved query", names, key="cy_example")
    return None if choice == FREE else next(e for e in EXAMPLES if e.title == choice)


def params_ui(k: str, ex: Example | None) -> dict:
    if ex is None or not ex.params:
        return {}
    cities = D.cities(k)
    names = sorted(cities["name"].astype(str)) if cities is not None and len(cities) else []
    cols = st.columns(min(len(ex.params), 4))
    values = {}
    for i, (name, (kind, default)) in enumerate(ex.params.items()):
        col = cols[i % len(cols)]
        wkey = f"cy_p_{ex.title}_{name}"
        if kind == "city" and names:
            idx = names.index(default) if default in names else min(i, len(names) - 1)
            values[name] = col.selectbox(f"${name}", names, index=idx, key=wkey)
        elif kind in ("int", "year"):
            if kind == "year":
                methods = D.network_methods(k)
                years = D.network_years(k, methods[0]) if methods else []
                default = years[-1] if years else default
            values[name] = int(col.number_input(f"${name}", value=int(default), step=1, key=wkey))
        else:
            values[name] = col.text_input(f"${name}", value=str(default), key=wkey)
    return values


# ---------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------


def _node_label(nd: dict) -> str:
    props = nd.get("properties") if isinstance(nd.get("properties"), dict) else nd
    return str(props.get("name") or props.get("id") or nd.get("id"))


def graph_figure(graph: dict) -> go.Figure:
    """A circular layout of the nodes and relationships a query returned."""
    nodes = graph.get("nodes") or []
    edges = graph.get("edges") or graph.get("relationships") or []
    ids = [str(n.get("id", i)) for i, n in enumerate(nodes)]
    n = max(len(ids), 1)
    pos = {nid: (math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n))
           for i, nid in enumerate(ids)}
    fig = P.figure()
    for e in edges:
        s, t = str(e.get("source", e.get("start"))), str(e.get("target", e.get("end")))
        if s in pos and t in pos:
            fig.add_annotation(x=pos[t][0], y=pos[t][1], ax=pos[s][0], ay=pos[s][1], xref="x",
                               yref="y", axref="x", ayref="y", showarrow=True, arrowhead=2,
                               arrowcolor="rgba(80,90,110,0.5)", arrowwidth=1.2, standoff=10)
    kinds = [",".join(nd["labels"]) if isinstance(nd.get("labels"), list)
             else str(nd.get("labels", nd.get("label", ""))) for nd in nodes]
    fig.add_scatter(x=[pos[i][0] for i in ids], y=[pos[i][1] for i in ids], mode="markers+text",
                    text=[_node_label(nd) for nd in nodes], textposition="top center",
                    hovertext=kinds, hovertemplate="%{text} (%{hovertext})<extra></extra>",
                    marker=dict(size=16, color=[P.role_colour(k_, kinds) for k_ in kinds],
                                line=dict(width=1, color="white")))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=520, showlegend=False)
    return P.style(fig, f"{len(nodes)} nodes, {len(edges)} relationships")


def draw_result(res) -> None:
    frame = res.to_frame()
    elapsed = f" in {res.elapsed_ms:.0f} ms" if res.elapsed_ms is not None else ""
    st.success(f"{len(frame):,} row(s){elapsed}.", icon=":material/check:")
    if res.truncated:
        st.warning(f"The result was cut at the row cap: {len(frame):,} rows shown.")
    shown = frame.map(lambda v: str(v) if isinstance(v, (dict, list)) else v) if len(frame) else frame
    graph = res.graph if res.graph and res.graph.get("nodes") else None
    if graph:
        t1, t2 = st.tabs(["Table", "Graph"])
        with t1:
            P.show_table(shown, "query_result", key="cy_result")
        with t2:
            P.show_figure(graph_figure(graph), "query_graph", key="cy_graph")
    else:
        P.show_table(shown, "query_result", key="cy_result")


def main() -> None:
    C.header("Cypher console")
    s = D.settings()
    st.caption(f"Read-only: the database itself refuses writes. Time limit "
               f"{s.query_timeout_s:g} s, row cap {s.row_cap:,} (CULTNET_QUERY_TIMEOUT, "
               "CULTNET_ROW_CAP). Values go in $parameters, never into the text.")
    k = C.key()
    ex = example_ui()
    if ex is not None and ex.note:
        st.caption(ex.note)
    with st.form("cypher_form", border=False):
        text = st.text_area("Cypher", value=ex.cypher if ex else "MATCH (c:City)\nRETURN c.name "
                            "AS city, c.lat AS lat, c.lon AS lon\nLIMIT 25",
                            height=150, key=f"cy_text_{ex.title if ex else 'free'}")
        params = params_ui(k, ex)
        run = st.form_submit_button("Run query", type="primary", icon=":material/play_arrow:")
    if run:
        st.session_state["cy_last"] = (text, params)
    if "cy_last" not in st.session_state:
        return
    text, params = st.session_state["cy_last"]
    try:
        res = D.store().query(text, params, timeout_s=s.query_timeout_s, row_cap=s.row_cap)
    except QueryTimeout as e:
        st.error(f"Timed out: {e.user_message}", icon=":material/timer_off:")
        return
    except QueryRejected as e:
        st.error(f"Rejected by the database: {e.user_message}", icon=":material/block:")
        return
    except CultnetError as e:
        st.error(e.user_message, icon=":material/error:")
        return
    draw_result(res)


main()

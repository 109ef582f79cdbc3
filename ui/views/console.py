"""Cypher console: saved example queries (graph/queries/examples) with parameters as form
fields, read-only by the DB."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from cultnet.errors import CultnetError, QueryRejected, QueryTimeout
from cultnet.graph.examples import SavedParam, SavedQuery, saved_queries
from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C

# The saved examples live in graph/queries/examples/*.cypher (graph.examples.saved_queries):
# every value is a $parameter, the text is sent unchanged and the values separately. A
# parameter's type drives its form field: "city" (a select box of the loaded cities), "method"
# (a select box of the link methods), "year" (defaults to the latest network year), "int",
# "float", "text".

#: Not a saved query but a demonstration, so it stays here: the database refuses the write.
WRITE_DEMO = SavedQuery(
    key="write_attempt", title="Write attempt (rejected: read-only)",
    description="Shows that the database itself refuses writes from the console.",
    params=(), text="CREATE (x:City {name: 'Atlantis'})\nRETURN x")
FREE = "(write your own)"
SCOPE_NOTE = ("The query gets the selected study as the parameter **$study**: scope it with "
              "`MATCH (c:City {study: $study})`. Without that filter a query sees every study "
              "in the store.")
METHODS = ("gravity", "cooperation", "observed")


def examples() -> list[SavedQuery]:
    return [*saved_queries(), WRITE_DEMO]


# ---------------------------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------------------------


def example_ui() -> SavedQuery | None:
    exs = examples()
    names = [e.title for e in exs] + [FREE]
    choice = st.selectbox("Saved query", names, key="cy_example")
    return None if choice == FREE else next(e for e in exs if e.title == choice)


def _param_ui(col, k: str, ex: SavedQuery, i: int, p: SavedParam, names: list[str]):
    wkey = f"cy_p_{ex.title}_{p.name}"
    label = f"${p.name}"
    if p.type == "study":  # the study the explorer shows
        name = C.study() or p.default
        col.text_input(label, value=name, disabled=True, key=wkey)
        return name
    if p.type == "city" and names:
        idx = names.index(p.default) if p.default in names else min(i, len(names) - 1)
        return col.selectbox(label, names, index=idx, key=wkey)
    if p.type == "method":
        have = D.network_methods(k) or list(METHODS)
        opts = have + [m for m in METHODS if m not in have]
        idx = opts.index(p.default) if p.default in opts else 0
        return col.selectbox(label, opts, index=idx, key=wkey)
    if p.type in ("int", "year"):
        default = p.default
        if p.type == "year":
            methods = D.network_methods(k)
            years = D.network_years(k, methods[0]) if methods else []
            default = years[-1] if years else default
        return int(col.number_input(label, value=int(default), step=1, key=wkey))
    if p.type == "float":
        return float(col.number_input(label, value=float(p.default), key=wkey))
    return col.text_input(label, value=str(p.default), key=wkey)


def params_ui(k: str, ex: SavedQuery | None) -> dict:
    if ex is None or not ex.params:
        return {}
    cities = D.cities(k)
    names = sorted(cities["name"].astype(str)) if cities is not None and len(cities) else []
    cols = st.columns(min(len(ex.params), 4))
    return {p.name: _param_ui(cols[i % len(cols)], k, ex, i, p, names)
            for i, p in enumerate(ex.params)}


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
    if res.truncated and getattr(res, "truncated_by", None) == "bytes":
        st.warning(f"The result was cut at the size limit (CULTNET_RESULT_MAX_MB): {len(frame):,} "
                   "rows shown.")
    elif res.truncated:
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
    st.caption(f"Read-only: the database itself refuses writes, and queries reach neither the "
               f"network nor files. Time limit {s.query_timeout_s:g} s, row cap {s.row_cap:,}, "
               f"size limit {s.result_max_mb:g} MB (CULTNET_QUERY_TIMEOUT, CULTNET_ROW_CAP, "
               "CULTNET_RESULT_MAX_MB). Values go in $parameters, never into the text.")
    k = C.key()
    if C.study():
        st.caption(SCOPE_NOTE)
        st.caption(f"Selected study: **{C.study()}**.")
    ex = example_ui()
    if ex is not None and ex.description:
        st.caption(ex.description)
    with st.form("cypher_form", border=False):
        text = st.text_area("Cypher", value=ex.text if ex else (
                            "MATCH (c:City {study: $study})\n" if C.study() else "MATCH (c:City)\n")
                            + "RETURN c.name AS city, c.lat AS lat, c.lon AS lon\nLIMIT 25",
                            height=150, key=f"cy_text_{ex.title if ex else 'free'}")
        params = params_ui(k, ex)
        run = st.form_submit_button("Run query", type="primary", icon=":material/play_arrow:")
    if run:
        st.session_state["cy_last"] = (text, params)
    if "cy_last" not in st.session_state:
        return
    text, params = st.session_state["cy_last"]
    try:
        res = D.run_query(k, text, params, timeout_s=s.query_timeout_s, row_cap=s.row_cap)
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

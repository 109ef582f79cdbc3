"""One plot style for the explorer, and figure / table downloads.

Every page draws with plotly through the helpers here, so colours, fonts, margins and hover
labels look the same everywhere. ``show_figure`` renders a figure and offers PNG and SVG
downloads; ``show_table`` renders a frame and offers CSV (and optionally XLSX).

Static export uses kaleido 1.x, which drives a headless Chromium. Nothing is fetched from the
internet: kaleido finds the system browser (Debian's ``/usr/bin/chromium``) through
``BROWSER_PATH``. When kaleido cannot run (no browser), the export falls back to matplotlib,
which redraws the figure's traces (lines, bars, markers, heatmaps) without plotly's styling
details. Export bytes are produced only when the user clicks a download button
(``st.download_button`` with a callable), so figures cost nothing on a normal rerun.
"""

from __future__ import annotations

import atexit
import io
import logging
import math
import os
import re
import shutil
import threading
import warnings
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from cultnet.export_safety import neutralize_frame, xlsx_bytes

log = logging.getLogger(__name__)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]
SEQUENTIAL = "Blues"
DIVERGING = "RdBu"
FONT = ("Inter, 'Source Sans Pro', 'Noto Sans', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', Arial, "
        "sans-serif")
# One colour per network role, the same on every page, plot and export whatever roles a network
# happens to have (analysis.roles.ROLES, its groups, and the four block roles). Okabe-Ito.
ROLE_COLOURS: dict[str, str] = {
    "core hub": "#D55E00", "bridge": "#E69F00", "sub-node": "#0072B2", "edge node": "#009E73",
    "center": "#D55E00", "edge": "#009E73",
    "net spillover": "#CC79A7", "bidirectional spillover": "#56B4E9", "broker": "#E69F00",
    "net beneficiary": "#0072B2", "unassigned": "#999999",
}

_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#262730"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=20, t=50, b=50),
        # the title sits at the top of the figure (container coordinates), a top legend under it
        # (TOP_LEGEND), so that the two never overlap, on screen and in the PNG/SVG export
        title=dict(font=dict(size=16), x=0.0, xanchor="left", xref="container", y=1.0,
                   yanchor="top", yref="container", pad=dict(t=14, l=12)),
        xaxis=dict(showgrid=True, gridcolor="#ECECEC", zeroline=False, linecolor="#BBBBBB",
                   ticks="outside", tickcolor="#BBBBBB"),
        yaxis=dict(showgrid=True, gridcolor="#ECECEC", zeroline=False, linecolor="#BBBBBB",
                   ticks="outside", tickcolor="#BBBBBB"),
        legend=dict(bgcolor="rgba(255,255,255,0.8)", borderwidth=0),
        hoverlabel=dict(font=dict(family=FONT, size=12)),
        colorscale=dict(sequential=SEQUENTIAL, diverging=DIVERGING),
    )
)
# merged once: a "plotly_white+cultnet" string would be merged again for every figure (~0.6 s)
pio.templates["cultnet"] = pio.templates.merge_templates(pio.templates["plotly_white"], _TEMPLATE)
pio.templates.default = "cultnet"
TEMPLATE = "cultnet"

# ---------------------------------------------------------------------------------------------
# figure helpers (pure: frames in, figures out)
# ---------------------------------------------------------------------------------------------


def figure(*traces, fast: bool = True) -> go.Figure:
    """A new figure in the house style.

    ``fast=True`` turns plotly's property validation off (it costs ~0.3 s on the network map with
    its many arcs). Without validation no shorthand is expanded: titles must be written
    ``dict(text=...)`` and no ``xaxis_title=``-style magic underscores may be used."""
    return go.Figure(data=list(traces) or None, _validate=not fast)


# a horizontal legend just above the plot area, left-aligned, below the title: style() makes the
# top margin room for both (TITLE_PX + LEGEND_PX)
TOP_LEGEND = dict(orientation="h", yanchor="bottom", y=1.02, yref="paper", x=0, xanchor="left")
TITLE_PX = 44
LEGEND_PX = 30


def axis_titles(fig: go.Figure, x: str | None = None, y: str | None = None) -> go.Figure:
    """Axis titles in the explicit form that unvalidated figures need."""
    if x is not None:
        fig.update_layout(xaxis=dict(title=dict(text=x)))
    if y is not None:
        fig.update_layout(yaxis=dict(title=dict(text=y)))
    return fig


def hline(fig: go.Figure, y: float, text: str = "") -> go.Figure:
    """A dotted horizontal reference line across the plot (cheaper than ``add_hline``)."""
    shapes = list(fig.layout.shapes or [])
    shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y,
                       line=dict(color="#777777", width=1, dash="dot")))
    fig.update_layout(shapes=shapes)
    if text:
        notes = list(fig.layout.annotations or [])
        notes.append(dict(xref="paper", x=1, xanchor="right", yref="y", y=y, yanchor="bottom",
                          text=text, showarrow=False, font=dict(size=11, color="#555555")))
        fig.update_layout(annotations=notes)
    return fig


def style(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    """Apply the house template (and optionally a title and height) to ``fig``.

    The top margin is made for what sits above the plot: the title (:data:`TITLE_PX`) and a top
    legend (:data:`LEGEND_PX`), so the legend never covers the title."""
    if title is not None:
        fig.update_layout(title=dict(text=title))
    if height is not None:
        fig.update_layout(height=height)
    has_title = bool(fig.layout.title and fig.layout.title.text)
    leg = fig.layout.legend
    top_legend = (fig.layout.showlegend is not False and leg is not None and leg.yanchor == "bottom"
                  and leg.y is not None and leg.y >= 1)
    top = (TITLE_PX if has_title else 12) + (LEGEND_PX if top_legend else 0)
    fig.update_layout(margin=dict(t=max(top, 20)))
    return fig


# for more categories than PALETTE has (e.g. a province's cities): plotly's 24-colour "Dark24"
MANY = ["#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
        "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
        "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038"]


def role_colour(role: str, roles: Iterable[str]) -> str:
    """The colour of a category: a network role's fixed colour (:data:`ROLE_COLOURS`: core hub
    is always vermillion, sub-node always blue, ...), else a stable colour among ``roles``
    (sorted order); the colour-blind-safe palette up to 8 categories, a 24-colour one beyond.

    >>> role_colour("sub-node", ["sub-node"]) == role_colour("sub-node", ["core hub", "sub-node"])
    True
    """
    if str(role) in ROLE_COLOURS:
        return ROLE_COLOURS[str(role)]
    ordered = sorted({str(r) for r in roles})
    if str(role) not in ordered:
        return "#888888"
    pal = PALETTE if len(ordered) <= len(PALETTE) else MANY
    return pal[ordered.index(str(role)) % len(pal)]


def pareto_figure(frame: pd.DataFrame, value: str, *, label: str = "name",
                  cumulative: str | None = None, title: str = "", y_title: str | None = None,
                  mean: float | None = None) -> go.Figure:
    """Pareto chart: bars sorted descending and the cumulative share (%) on a second axis.

    ``frame`` holds ``label`` and ``value`` and, if given, the cumulative share column (percent);
    otherwise the cumulative share is read as already computed by the caller's analysis.
    """
    f = frame.sort_values(value, ascending=False)
    fig = figure()
    fig.add_bar(x=f[label], y=f[value], name=y_title or value, marker=dict(color=PALETTE[0]),
                hovertemplate="%{x}<br>%{y:.4g}<extra></extra>")
    if cumulative is not None and cumulative in f:
        fig.add_scatter(x=f[label], y=f[cumulative], name="cumulative %", yaxis="y2",
                        mode="lines+markers", line=dict(color=PALETTE[3]),
                        hovertemplate="%{x}<br>cumulative %{y:.1f}%<extra></extra>")
        fig.update_layout(yaxis2=dict(title=dict(text="cumulative share (%)"), overlaying="y",
                                      side="right", range=[0, 105], showgrid=False,
                                      tickvals=[0, 20, 40, 60, 80, 100], ticksuffix="%"))
    if mean is not None and np.isfinite(mean):
        hline(fig, mean, f"average {mean:.3g}")
    axis_titles(fig, y=y_title or value)
    fig.update_layout(legend=TOP_LEGEND)
    return style(fig, title)


# map labels (pure): where each label goes so that labels cover neither each other nor markers

LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right",
                   "top left", "bottom right", "bottom left")
LABEL_PX = 15  # height of a 12 px label


def text_px(label: str, px: float = 7.2) -> float:
    """Estimated width of a 12 px label: CJK characters are about twice as wide as Latin ones."""
    return sum(2 * px if ord(ch) > 0x2E80 else px for ch in str(label))


def _label_box(x: float, y: float, r: float, w: float, pos: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a label at plotly textposition ``pos`` around a marker of radius
    ``r`` centred at (x, y); pixels, y upwards."""
    v, hz = pos.split()
    gap = 2.0
    if hz == "center":
        x0 = x - w / 2
    elif hz == "right":
        x0 = x + (r + gap if v == "middle" else r * 0.7)
    else:
        x0 = x - w - (r + gap if v == "middle" else r * 0.7)
    if v == "top":
        y0 = y + (r + gap if hz == "center" else r * 0.7)
    elif v == "bottom":
        y0 = y - LABEL_PX - (r + gap if hz == "center" else r * 0.7)
    else:
        y0 = y - LABEL_PX / 2
    return x0, y0, x0 + w, y0 + LABEL_PX


def _overlap(a: tuple, b: tuple) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _disc_box(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return x - r, y - r, x + r, y + r


def label_positions(x: list[float], y: list[float], r: list[float], labels: list[str]) -> list[str]:
    """Where to put each city's label so that labels do not cover each other or other cities.

    Greedy, largest marker first: each label takes the first of :data:`LABEL_POSITIONS` whose
    box overlaps no placed label and no other marker, else the position with the least overlap.
    Coordinates are pixels (y upwards), ``r`` the marker radii.

    >>> label_positions([0, 0], [0, 14], [6, 6], ["Taiyuan", "Jinzhong"])
    ['bottom center', 'top center']
    """
    n = len(x)
    order = sorted(range(n), key=lambda i: -r[i])
    discs = [_disc_box(x[i], y[i], r[i]) for i in range(n)]
    placed: list[tuple] = []
    out = ["top center"] * n
    for i in order:
        w = text_px(labels[i])
        best, best_cost = LABEL_POSITIONS[0], float("inf")
        for pos in LABEL_POSITIONS:
            box = _label_box(x[i], y[i], r[i], w, pos)
            cost = sum(_overlap(box, b) for b in placed)
            cost += sum(_overlap(box, discs[j]) for j in range(n) if j != i)
            if cost < best_cost:
                best, best_cost = pos, cost
            if cost == 0:
                break
        out[i] = best
        placed.append(_label_box(x[i], y[i], r[i], w, best))
    return out


def label_text(c: pd.DataFrame, labels: str) -> pd.Series:
    """The label of each city: ``name``, ``name_zh`` (falling back to ``name`` where missing), or
    ``both`` ("Taiyuan 太原")."""
    zh = c["name_zh"].where(c["name_zh"].notna() & (c["name_zh"].astype(str) != ""), None) \
        if "name_zh" in c.columns else pd.Series(None, index=c.index)
    if labels == "name_zh":
        return zh.fillna(c["name"]).astype(str)
    if labels == "both":
        return (c["name"].astype(str) + zh.map(lambda z: f" {z}" if isinstance(z, str) else "")).astype(str)
    return c["name"].astype(str)


def heatmap_figure(frame: pd.DataFrame, *, title: str = "", colorbar: str = "",
                   fmt: str = ".2f") -> go.Figure:
    """City-by-year heatmap from a wide frame (index: rows, columns: years)."""
    fig = figure(go.Heatmap(
        z=frame.values, x=[str(c) for c in frame.columns], y=[str(i) for i in frame.index],
        colorscale=SEQUENTIAL, colorbar=dict(title=dict(text=colorbar)),
        texttemplate="%{z:" + fmt + "}", textfont=dict(size=10),
        hovertemplate="%{y}, %{x}: %{z:" + fmt + "}<extra></extra>"))
    fig.update_layout(yaxis=dict(autorange="reversed", showgrid=False),
                      xaxis=dict(showgrid=False, type="category"),
                      height=max(320, 28 * len(frame.index) + 120))
    return style(fig, title)


def scatter_fit_figure(x: pd.Series, y: pd.Series, *, labels: pd.Series | None = None,
                       colour: pd.Series | None = None, fit_x: np.ndarray | None = None,
                       fit_y: np.ndarray | None = None, fit_label: str = "",
                       x_title: str = "", y_title: str = "", title: str = "") -> go.Figure:
    """Scatter with an optional fitted line (the fit itself is computed by the caller)."""
    fig = figure()
    if colour is None:
        fig.add_scatter(x=x, y=y, mode="markers", marker=dict(color=PALETTE[0], size=8,
                        opacity=0.8), text=labels, name="observations",
                        hovertemplate="%{text}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>")
    else:
        for i, (grp, idx) in enumerate(colour.groupby(colour).groups.items()):
            fig.add_scatter(x=x.loc[idx], y=y.loc[idx], mode="markers", name=str(grp),
                            marker=dict(color=PALETTE[i % len(PALETTE)], size=8, opacity=0.85),
                            text=None if labels is None else labels.loc[idx],
                            hovertemplate="%{text}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>")
    if fit_x is not None and fit_y is not None:
        fig.add_scatter(x=fit_x, y=fit_y, mode="lines", name=fit_label or "fit",
                        line=dict(color=PALETTE[3], width=2.5))
    axis_titles(fig, x_title, y_title)
    fig.update_layout(legend=TOP_LEGEND)
    return style(fig, title)


def line_band_figure(frame: pd.DataFrame, *, x: str, y: str, lower: str | None = None,
                     upper: str | None = None, title: str = "", x_title: str = "",
                     y_title: str = "", band_label: str = "confidence band") -> go.Figure:
    """A line with an optional shaded band (e.g. an impulse response with its error band)."""
    fig = figure()
    if lower is not None and upper is not None and lower in frame and upper in frame:
        fig.add_scatter(x=frame[x], y=frame[upper], mode="lines", line=dict(width=0),
                        showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=frame[x], y=frame[lower], mode="lines", line=dict(width=0),
                        fill="tonexty", fillcolor="rgba(0,114,178,0.18)", name=band_label,
                        hoverinfo="skip")
    fig.add_scatter(x=frame[x], y=frame[y], mode="lines+markers", name=y_title or y,
                    line=dict(color=PALETTE[0], width=2.5),
                    hovertemplate="h=%{x}: %{y:.4f}<extra></extra>")
    hline(fig, 0.0)
    axis_titles(fig, x_title, y_title)
    fig.update_layout(showlegend=False)
    return style(fig, title)


def stacked_bar_figure(frame: pd.DataFrame, *, x: str, columns: list[str], title: str = "",
                       x_title: str = "", y_title: str = "") -> go.Figure:
    """Stacked bars of ``columns`` (e.g. FEVD shares, percent) against ``x``."""
    fig = figure()
    for i, c in enumerate(columns):
        fig.add_bar(x=frame[x], y=frame[c], name=str(c), marker=dict(color=PALETTE[i % len(PALETTE)]),
                    hovertemplate=f"{c}: " + "%{y:.2f}<extra></extra>")
    axis_titles(fig, x_title, y_title)
    fig.update_layout(barmode="stack", legend=TOP_LEGEND)
    return style(fig, title)


# ---- the network map (Figure 1), the degree distribution: used by the pages and the replication report
MAP_MEASURES = {
    "degree": "Centrality degree (distinct neighbours)",
    "out_degree": "Out-degree (arcs sent)",
    "in_degree": "In-degree (arcs received)",
    "betweenness": "Betweenness (fraction of max)",
    "closeness_out": "Out-closeness",
    "closeness_in": "In-closeness",
    "harmonic_out": "Harmonic out-closeness",
    "pagerank": "PageRank",
}
MAP_HOVER = ["out_degree", "in_degree", "degree", "betweenness", "closeness_out", "closeness_in",
         "pagerank"]


def _map_scaled(values: pd.Series, lo: float = 14, hi: float = 46) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if not len(v) or np.nanmax(v) == np.nanmin(v):
        return np.full(len(v), (lo + hi) / 2)
    return lo + (hi - lo) * (v - v.min()) / (v.max() - v.min())


def _map_hover_text(c: pd.DataFrame) -> np.ndarray:
    out = []
    for _, r in c.iterrows():
        head = f"<b>{r['name']}</b>"
        if isinstance(r.get("name_zh"), str) and r.get("name_zh"):
            head += f" {r['name_zh']}"
        lines = [head]
        if isinstance(r.get("role"), str):
            lines.append(f"role: {r['role']}")
        for m in MAP_HOVER:
            if m in c.columns and pd.notna(r.get(m)):
                v = float(r[m])
                lines.append(f"{MAP_MEASURES[m]}: {v:.0f}" if m.endswith("degree")
                             else f"{MAP_MEASURES[m]}: {v:.3f}")
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
    sizes = dict(zip(c["name"], _map_scaled(c.get(size_by, pd.Series(0, index=c.index)))))
    lat0 = float(np.mean([p[1] for p in pos.values()])) if pos else 0.0
    kx = math.cos(math.radians(lat0))  # equirectangular: x spans shrink by cos(lat)
    span = max((c["lon"].max() - c["lon"].min()) * kx, c["lat"].max() - c["lat"].min(), 1e-6)
    pad = 0.08 * span
    # pixels per degree of latitude: the plot area (about 580 px high in a 680 px figure, about
    # 780 px wide on a laptop screen) holds the ranges plus padding at one scale (scaleanchor)
    px_per_deg = min(580 / (c["lat"].max() - c["lat"].min() + 2 * pad),
                     780 / ((c["lon"].max() - c["lon"].min()) * kx + 2 * pad))

    fig = figure()  # unvalidated: property forms below are explicit (see P.figure)
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
    hover = _map_hover_text(c)
    c = c.assign(label=label_text(c, labels).to_numpy())
    xs = [(float(lon) - float(c["lon"].min())) * kx * px_per_deg for lon in c["lon"]]
    ys = [(float(lat) - float(c["lat"].min())) * px_per_deg for lat in c["lat"]]
    c["textposition"] = label_positions(xs, ys, [sizes[n] / 2 for n in c["name"]], list(c["label"]))
    common = dict(mode="markers+text", textfont=dict(size=12, color="#262730"),
                  hovertemplate="%{hovertext}<extra></extra>")
    if colour_by == "role" and "role" in c.columns:
        role_values = c["role"].fillna("unassigned").astype(str)
        for r in sorted(role_values.unique()):
            m = (role_values == r).to_numpy()
            fig.add_scatter(x=c.loc[m, "lon"], y=c.loc[m, "lat"], name=r, text=c.loc[m, "label"],
                            textposition=list(c.loc[m, "textposition"]), hovertext=hover[m],
                            marker=dict(size=[sizes[n] for n in c.loc[m, "name"]],
                                        color=role_colour(r, role_values),
                                        line=dict(width=1.5, color="white")), **common)
    else:
        vals = pd.to_numeric(c.get(colour_by), errors="coerce")
        fig.add_scatter(x=c["lon"], y=c["lat"], name="cities", text=c["label"],
                        textposition=list(c["textposition"]), hovertext=hover,
                        marker=dict(size=[sizes[n] for n in c["name"]], color=vals,
                                    colorscale=SEQUENTIAL, showscale=True,
                                    colorbar=dict(title=dict(text=MAP_MEASURES.get(colour_by, colour_by),
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
    return style(fig, title)


def degree_figure(degrees: list[int], sf) -> go.Figure:
    """Empirical CCDF of the degrees on log-log axes, and the fitted power law above x_min."""
    d = np.asarray([x for x in degrees if x > 0], dtype=float)
    xs = np.sort(np.unique(d))
    ccdf = np.array([(d >= x).mean() for x in xs])
    fig = figure()
    fig.add_scatter(x=xs, y=ccdf, mode="markers", name="P(K ≥ k), observed",
                    marker=dict(color=PALETTE[0], size=8))
    sd = sf.to_dict()
    alpha, xmin = sd.get("alpha"), sd.get("x_min", sd.get("xmin"))
    if alpha and xmin and alpha == alpha and xmin == xmin and len(xs):
        tail = (d >= xmin).mean()
        fx = xs[xs >= xmin]
        fig.add_scatter(x=fx, y=tail * (fx / xmin) ** (1 - alpha), mode="lines",
                        name=f"power law, α = {alpha:.2f}, x_min = {xmin:g}",
                        line=dict(color=PALETTE[3], width=2.5))
    fig.update_layout(xaxis=dict(type="log", title=dict(text="degree k")),
                      yaxis=dict(type="log", title=dict(text="P(K ≥ k)")), legend=TOP_LEGEND)
    return style(fig, "Degree distribution (complementary CDF, log-log)")


def irf_frame(res, impulse: str, response: str, kind: str) -> pd.DataFrame:
    """One impulse response (h, response[, lower, upper]) of a VAR / panel VAR result:
    ``res.irf[h, response, impulse]`` (orthogonalized) or ``res.girf`` (generalized)."""
    i, j = res.variables.index(response), res.variables.index(impulse)
    if kind == "generalized":
        vals, lo, hi = res.girf, res.girf_lower, res.girf_upper
    else:
        vals, lo, hi = res.irf, res.lower, res.upper
    f = pd.DataFrame({"h": range(vals.shape[0]), "response": vals[:, i, j]})
    if lo is not None and hi is not None:
        f["lower"], f["upper"] = lo[:, i, j], hi[:, i, j]
    return f


# ---- QAP (qap helper) ------------------------------------------------------------------------
QAP_VALUES = {"std_estimate": "standardized coefficient (b·sd(x)/sd(y))", "estimate": "coefficient",
              "statistic": "t (z for logit)"}


def qap_coefficients_figure(coefficients: pd.DataFrame, *, value: str = "std_estimate",
                            title: str = "", alpha: float = 0.05,
                            simulated: bool = False) -> go.Figure:
    """MRQAP coefficients over the years: one line per term (the intercept left out), markers
    filled where the permutation p-value is below ``alpha``, hollow otherwise.

    ``coefficients`` is ``StudyQAP.coefficients()`` (year, term, estimate, std_estimate,
    statistic, p_value, ...); ``value`` is the column drawn."""
    fig = figure()
    c = coefficients[coefficients["term"] != "(intercept)"]
    drawn = [t for t, g in c.groupby("term", sort=False) if g[value].notna().any()]
    for i, term in enumerate(drawn):  # terms never estimated (constant, collinear) are left out
        g = c[c["term"] == term]
        g = g.sort_values("year")
        colour = PALETTE[i % len(PALETTE)]
        sig = (pd.to_numeric(g["p_value"], errors="coerce") < alpha).to_numpy()
        fig.add_scatter(x=g["year"], y=g[value], mode="lines+markers", name=str(term),
                        line=dict(color=colour, width=2),
                        marker=dict(size=9, color=[colour if s else "white" for s in sig],
                                    line=dict(color=colour, width=2)),
                        customdata=np.column_stack([g["estimate"], g["p_value"]]),
                        hovertemplate=(f"{term}<br>%{{x}}: %{{y:.4g}}<br>b = %{{customdata[0]:.4g}}, "
                                       "p = %{customdata[1]:.4f}<extra></extra>"))
    hline(fig, 0.0, f"filled: permutation p < {alpha:g}")
    axis_titles(fig, "year", QAP_VALUES.get(value, value))
    fig.update_layout(legend=dict(orientation="h", y=-0.18, x=0, xanchor="left"),
                      xaxis=dict(dtick=1), margin=dict(b=110))
    if simulated:
        notes = list(fig.layout.annotations or [])
        notes.append(dict(xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="top",
                          text="SIMULATED DATA", showarrow=False,
                          font=dict(size=12, color="#D55E00")))
        fig.update_layout(annotations=notes)
    return style(fig, title)


# ---------------------------------------------------------------------------------------------
# static export
# ---------------------------------------------------------------------------------------------

_BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def _ensure_browser_path() -> None:
    if os.environ.get("BROWSER_PATH"):
        return
    for p in _BROWSER_CANDIDATES:
        if os.path.exists(p):
            os.environ["BROWSER_PATH"] = p
            return
    found = shutil.which("chromium") or shutil.which("google-chrome")
    if found:
        os.environ["BROWSER_PATH"] = found


_KALEIDO_LOCK = threading.Lock()
_KALEIDO_STARTED = False


def _start_kaleido() -> None:
    """Start kaleido's persistent Chromium once per process (about 6 s on two cores; later
    exports take about 0.5 s). MathJax is disabled: its default is a CDN URL, unreachable offline."""
    global _KALEIDO_STARTED
    with _KALEIDO_LOCK:
        if _KALEIDO_STARTED:
            return
        import kaleido

        _ensure_browser_path()
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _KALEIDO_STARTED = True


def figure_bytes(fig: go.Figure, fmt: str = "png", *, width: int = 1100,
                 height: int | None = None, scale: float = 2.0) -> bytes:
    """Render ``fig`` to PNG or SVG bytes: kaleido (headless Chromium), else matplotlib."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported figure format {fmt!r}")
    height = height or int(fig.layout.height or 550)
    try:
        _start_kaleido()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return pio.to_image(fig, format=fmt, width=width, height=height,
                                scale=scale if fmt == "png" else 1.0)
    except Exception as e:  # kaleido/Chromium missing or failing: fall back, say so in the log
        log.warning("kaleido export failed (%s); falling back to matplotlib", e)
        return matplotlib_bytes(fig, fmt, width=width, height=height)


def matplotlib_bytes(fig: go.Figure, fmt: str = "png", *, width: int = 1100,
                     height: int = 550) -> bytes:
    """Redraw the traces of a plotly figure with matplotlib (the export fallback)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dpi = 100
    mfig, ax = plt.subplots(figsize=(width / dpi, height / dpi), dpi=dpi)
    for i, tr in enumerate(fig.data):
        colour = PALETTE[i % len(PALETTE)]
        name = getattr(tr, "name", None) or None
        if tr.type == "heatmap":
            z = np.asarray(tr.z, dtype=float)
            im = ax.imshow(z, aspect="auto", cmap="Blues")
            if tr.x is not None:
                ax.set_xticks(range(len(tr.x)), [str(v) for v in tr.x], rotation=45)
            if tr.y is not None:
                ax.set_yticks(range(len(tr.y)), [str(v) for v in tr.y])
            mfig.colorbar(im, ax=ax)
        elif tr.type == "bar":
            ax.bar([str(v) for v in tr.x], tr.y, label=name, color=colour)
        elif tr.type in ("scatter", "scattergl"):
            if tr.x is None or tr.y is None:
                continue
            mode = tr.mode or "markers"
            xs = [np.nan if v is None else v for v in tr.x]
            ys = [np.nan if v is None else v for v in tr.y]
            ax.plot(xs, ys, "-" if "lines" in mode else "", marker="o" if "markers" in mode else None,
                    label=name if getattr(tr, "showlegend", True) is not False else None,
                    color=colour, markersize=4, linewidth=1.2)
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    ax.set_title(re.sub(r"<[^>]+>", "", title))
    if fig.layout.xaxis and fig.layout.xaxis.title and fig.layout.xaxis.title.text:
        ax.set_xlabel(fig.layout.xaxis.title.text)
    if fig.layout.yaxis and fig.layout.yaxis.title and fig.layout.yaxis.title.text:
        ax.set_ylabel(fig.layout.yaxis.title.text)
    handles, labels = ax.get_legend_handles_labels()
    if labels:
        ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    mfig.tight_layout()
    buf = io.BytesIO()
    mfig.savefig(buf, format=fmt)
    plt.close(mfig)
    return buf.getvalue()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "figure"


# ---------------------------------------------------------------------------------------------
# rendering (draw_* / show_*)
# ---------------------------------------------------------------------------------------------


def show_figure(fig: go.Figure, name: str, *, key: str | None = None,
                caption: str | None = None) -> None:
    """Render ``fig`` full width with PNG and SVG download buttons (bytes made on click)."""
    key = key or _slug(name)
    st.plotly_chart(fig, width="stretch", key=f"chart_{key}",
                    config={"displaylogo": False,
                            "toImageButtonOptions": {"format": "png", "filename": _slug(name),
                                                     "scale": 2}})
    if caption:
        st.caption(caption)
    row = st.container(horizontal=True, gap="small")
    row.download_button("PNG", data=_deferred(fig, "png"), file_name=f"{_slug(name)}.png",
                       mime="image/png", key=f"png_{key}", on_click="ignore",
                       icon=":material/download:", help="Download this figure as PNG")
    row.download_button("SVG", data=_deferred(fig, "svg"), file_name=f"{_slug(name)}.svg",
                       mime="image/svg+xml", key=f"svg_{key}", on_click="ignore",
                       icon=":material/download:", help="Download this figure as SVG")


def _deferred(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    def make() -> bytes:
        return figure_bytes(fig, fmt)

    return make


def table_csv(frame: pd.DataFrame, index: bool = False) -> bytes:
    """CSV bytes (UTF-8 with BOM so that Excel shows Chinese city names correctly); cells a
    spreadsheet would run as formulas get a leading ``'`` (cultnet.export_safety)."""
    return neutralize_frame(frame).to_csv(index=index).encode("utf-8-sig")


def table_xlsx(frame: pd.DataFrame, index: bool = False, sheet: str = "table") -> bytes:
    """XLSX bytes in which no cell is a formula (cultnet.export_safety.write_xlsx)."""
    return xlsx_bytes(frame, sheet=sheet, index=index)


COLUMN_PX = (64, 560)  # narrowest and widest column set by column_widths


def column_widths(frame: pd.DataFrame, *, char_px: float = 7.5, pad_px: int = 28,
                  max_chars: int = 72) -> dict[str, int]:
    """Pixel widths that show every cell whole: the longest of the header and the cells (as
    text, up to ``max_chars``), at ``char_px`` per character plus padding, within
    :data:`COLUMN_PX`. A table wider than the page scrolls sideways instead of cutting its cells.

    >>> column_widths(pd.DataFrame({"source": ["x" * 40], "n": [1]}))
    {'source': 328, 'n': 64}
    """
    out = {}
    for c in frame.columns:
        vals = frame[c].head(500)
        if pd.api.types.is_float_dtype(vals):
            longest = max([len(f"{v:.4g}") for v in vals.dropna()] or [0])
        else:
            longest = max([len(str(v)) for v in vals.astype(object) if not _missing(v)] or [0])
        chars = min(max(len(str(c)), longest), max_chars)
        out[str(c)] = int(min(max(chars * char_px + pad_px, COLUMN_PX[0]), COLUMN_PX[1]))
    return out


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # lists, dicts: not missing
        return False


def show_table(frame: pd.DataFrame, name: str, *, key: str | None = None, xlsx: bool = False,
               index: bool = False, column_config: dict | None = None,
               height: int | str = "auto", caption: str | None = None) -> None:
    """Render ``frame`` (sortable by clicking headers) with a CSV (and XLSX) download.

    Columns are as wide as their content (:func:`column_widths`) unless ``column_config`` says
    otherwise, and the first column (the name: city, term, dataset id) stays pinned when the
    table scrolls sideways, so no cell is cut off on the right."""
    key = key or _slug(name)
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)  # Arrow needs one type of column name (e.g. block 0, 1)
    if height == "auto" and len(frame) <= 25:  # show every row of a small table
        height = 35 * (len(frame) + 1) + 3
    config = dict(column_config or {})
    for i, (c, w) in enumerate(column_widths(frame).items()):
        if c not in config:
            config[c] = st.column_config.Column(width=w, pinned=True if i == 0 and not index else None)
    st.dataframe(frame, hide_index=not index, column_config=config, key=f"df_{key}",
                 height=height, width="stretch")
    if caption:
        st.caption(caption)
    row = st.container(horizontal=True, gap="small")
    row.download_button("CSV", data=table_csv(frame, index=index),
                            file_name=f"{_slug(name)}.csv", mime="text/csv", key=f"csv_{key}",
                            on_click="ignore", icon=":material/download:",
                            help="Download this table as CSV")
    if xlsx:
        row.download_button(
            "XLSX", data=lambda: table_xlsx(frame, index=index, sheet=name),
            file_name=f"{_slug(name)}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"xlsx_{key}", on_click="ignore", icon=":material/download:",
            help="Download this table as an Excel workbook")

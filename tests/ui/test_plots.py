"""The plot style: titles and top legends never overlap (rendered to SVG by kaleido with Debian's
Chromium, as the PNG/SVG download buttons do), fixed role colours, map labels that do not cover
each other or other cities, and table columns as wide as their content."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cultnet.ui import plots as P

ROOT = Path(__file__).resolve().parents[2]


def pio_template():
    import plotly.io as pio

    return pio.templates[P.TEMPLATE]


def _title_and_legend(svg: str) -> tuple[float, float, float]:
    """(title top y, title font px, legend top y) in the SVG's pixels."""
    t = re.search(r'class="gtitle"[^>]* y="([\d.]+)"[^>]*font-size: ([\d.]+)px', svg)
    leg = re.search(r'<g class="legend"[^>]*transform="translate\([\d.]+,([\d.]+)\)"', svg)
    assert t and leg, "no title or legend in the SVG"
    return float(t.group(1)), float(t.group(2)), float(leg.group(1))


@pytest.mark.parametrize("width", [560, 1100])
def test_pareto_legend_below_the_title_in_the_export(width):
    frame = pd.DataFrame({"name": [f"City {i}" for i in range(14)], "v": np.arange(14, 0, -1.0)})
    frame["cumulative %"] = 100 * frame["v"].cumsum() / frame["v"].sum()
    fig = P.pareto_figure(frame, "v", cumulative="cumulative %", y_title="Betweenness centrality",
                          mean=2.0, title="Figure 2: Pareto chart of betweenness centrality, 2024")
    svg = P.figure_bytes(fig, "svg", width=width).decode()
    title_y, font_px, legend_y = _title_and_legend(svg)
    assert legend_y >= title_y + 1.2 * font_px, (title_y, font_px, legend_y)
    # the on-screen figure uses the same layout: legend above the plot, below the title
    assert fig.layout.legend.yanchor == "bottom"
    assert pio_template().layout.title.yref == "container"
    assert fig.layout.margin.t >= P.TITLE_PX + P.LEGEND_PX


def test_role_colours_are_fixed():
    some = ["sub-node", "edge node"]
    every = ["core hub", "bridge", "sub-node", "edge node"]
    for r in some:
        assert P.role_colour(r, some) == P.role_colour(r, every) == P.ROLE_COLOURS[r]
    assert len({P.ROLE_COLOURS[r] for r in every}) == 4


def test_column_widths_fit_the_longest_cell():
    f = pd.DataFrame({"source": ["cultnet simulated sample (scripts/make_sample.py, seed 20150101)"],
                      "x": [0.123456]})
    w = P.column_widths(f)
    assert w["source"] >= 7 * len(f["source"][0]) and P.COLUMN_PX[0] <= w["x"] <= 100


def _boxes(coords: dict[str, tuple[float, float]], radius: float = 12.0):
    """Pixel positions as the map places them, the chosen label positions and their boxes."""
    import math

    from cultnet.ui.plots import _disc_box, _label_box, label_positions, text_px

    names = list(coords)
    lat = np.array([coords[n][0] for n in names])
    lon = np.array([coords[n][1] for n in names])
    kx = math.cos(math.radians(lat.mean()))
    span = max(np.ptp(lon) * kx, np.ptp(lat))
    px = min(580 / (np.ptp(lat) + 0.16 * span), 780 / (np.ptp(lon) * kx + 0.16 * span))
    x = list((lon - lon.min()) * kx * px)
    y = list((lat - lat.min()) * px)
    r = [radius] * len(names)
    pos = label_positions(x, y, r, names)
    labels = [_label_box(x[i], y[i], r[i], text_px(names[i]), pos[i]) for i in range(len(names))]
    discs = [_disc_box(x[i], y[i], r[i]) for i in range(len(names))]
    return names, labels, discs


def _overlaps(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@pytest.mark.parametrize("cities", ["data/sample/cities.csv", "tests/data/region/cities.csv"])
def test_map_labels_do_not_overlap(cities):
    c = pd.read_csv(ROOT / cities)
    c.columns = ["name", "name_zh", "province", "lat", "lon"]
    names, labels, discs = _boxes({r.name: (r.lat, r.lon) for r in c.itertuples()})
    n = len(names)
    clashes = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n)
               if _overlaps(labels[i], labels[j])]
    covered = [(names[i], names[j]) for i in range(n) for j in range(n)
               if i != j and _overlaps(labels[i], discs[j])]
    assert not clashes and not covered, (clashes, covered)


def test_label_text_in_chinese_or_both():
    from cultnet.ui.plots import label_text

    c = pd.DataFrame({"name": ["Taiyuan", "Atlantis"], "name_zh": ["太原", None]})
    assert list(label_text(c, "name_zh")) == ["太原", "Atlantis"]
    assert list(label_text(c, "both")) == ["Taiyuan 太原", "Atlantis"]
    assert list(label_text(c, "name")) == ["Taiyuan", "Atlantis"]

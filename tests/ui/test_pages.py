"""AppTest for every page of the explorer against a real embedded store loaded with the sample.

Each page must render without an exception or an error message and show its key numbers; the
Table 1 shown on the Centrality page must equal analysis.network's values for the same graph,
built here independently from the store's data.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.ui.conftest import APP, app_session

streamlit = pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

# the first render of each page fits its models on the sample (about a minute in all)
pytestmark = pytest.mark.slow

PAGES = ["overview", "network_map", "centrality", "structure", "roles", "qap", "drivers", "upgrading",
         "dynamics", "console", "data"]
TIMEOUT = 180  # first renders fit models; the app caches them for later renders


@pytest.fixture(scope="module")
def at(sample_store_env):
    """One app session shared by the page tests (as a user clicking through the pages)."""
    with app_session(sample_store_env, TIMEOUT) as app:
        yield app


def _visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    _check_figures(at)
    return at


MAGIC = re.compile(r"^(x|y)axis\d*_|^(marker|line|legend|title|font|colorbar)_")


def _bad_forms(node, path="") -> list[str]:
    """Property forms plotly.js 3 ignores: a string ``title`` (it needs {"text": ...}) and
    plotly.py's magic-underscore shorthands (``xaxis_title``), which only validated figures
    expand."""
    bad = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "title" and isinstance(v, str):
                bad.append(f"{path}.title is a string")
            if MAGIC.match(str(k)):
                bad.append(f"{path}.{k} is a shorthand")
            if k != "template":
                bad += _bad_forms(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            bad += _bad_forms(v, f"{path}[{i}]")
    return bad


def _check_figures(at: AppTest) -> None:
    """The explorer builds figures with plotly's validation off for speed (ui.plots.figure), so
    nothing expands shorthands: every chart sent to the browser must use explicit forms."""
    import json

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        bad = _bad_forms(spec)
        assert not bad, bad


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_overview_shows_counts_and_banner(at):
    _visit(at, "overview")
    assert not _errors(at), _errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cities"] == "14"
    assert any("SIMULATED" in w.value for w in at.warning)
    titles = _texts(at)
    for card in ("Dual core", "Strongest driver", "IRF peak", "FEVD share"):
        assert card in titles


def test_network_map(at):
    _visit(at, "network_map")
    assert not _errors(at), _errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cities"] == "14"
    assert len(at.get("plotly_chart")) >= 1


def test_centrality_table_equals_analysis_network(at, sample_store_env):
    from cultnet.analysis.gravity import gravity_links
    from cultnet.analysis.network import analyze_network
    from cultnet.settings import Settings
    from cultnet.graph.export import frame_to_igraph
    from cultnet.graph.store import open_store

    _visit(at, "centrality")
    assert not _errors(at), _errors(at)
    shown = at.dataframe[0].value
    assert list(shown["City"])[-1] == "Average"
    assert len(shown) == 15  # 14 cities + the average row
    method = at.segmented_control(key="cent_method").value
    year = at.select_slider(key="cent_year").value
    opened = open_store(Settings.from_env(sample_store_env))
    store = opened.study("liaoning-sample")
    try:
        links = store.edges("city", year=int(year), method=method)
        if "linked" in links.columns:
            links = links[links["linked"].astype(bool)]
        if not len(links) and method == "gravity":
            g = gravity_links(store.cities(), store.indicators(), years=[int(year)])
            links = g[g["linked"]]
        graph = frame_to_igraph(links, store.cities(), directed=(method == "gravity"))
    finally:
        opened.close()
    expected = analyze_network(graph).nodes.set_index("name")
    got = shown[shown["City"] != "Average"].set_index("City")
    for city in expected.index:
        assert got.loc[city, "Betweenness Centrality"] == pytest.approx(
            expected.loc[city, "betweenness"], abs=1e-12)
        assert got.loc[city, "Out-degree"] == expected.loc[city, "out_degree"]
    avg = shown[shown["City"] == "Average"].iloc[0]
    assert avg["Betweenness Centrality"] == pytest.approx(expected["betweenness"].mean(), abs=1e-12)


@pytest.mark.parametrize("page", ["structure", "roles", "drivers", "upgrading", "dynamics"])
def test_analysis_pages_render(at, page):
    _visit(at, page)
    errors = _errors(at)
    assert not errors, errors
    assert len(at.get("plotly_chart")) >= 1 or page == "roles"


def _qap_reference(sample_store_env, *, y, year, weighted, x, seed=0, perms=2000):
    """analysis.qap.mrqap / qap_correlation on matrices built here from the store's reads (the
    stored LINKS, an explicit haversine, the year's indicators), with the page's year seed."""
    from cultnet.analysis.gravity import great_circle_km
    from cultnet.analysis.qap import mrqap, qap_correlation
    from cultnet.graph.store import open_store
    from cultnet.settings import Settings

    opened = open_store(Settings.from_env(sample_store_env))
    try:
        s = opened.study("liaoning-sample")
        cities, ind, links = s.cities(), s.indicators(), s.edges("city", year=year, method=y)
        directed = bool(s.directed("city", y))
    finally:
        opened.close()
    names = list(cities["name"])
    Y = np.zeros((len(names), len(names)))
    for a, b, w in links[["source", "target", "weight"]].itertuples(index=False):
        i, j = names.index(a), names.index(b)
        Y[i, j] += w if weighted else 1
        if not directed:
            Y[j, i] += w if weighted else 1
    mats = {"distance": great_circle_km(cities["lat"], cities["lon"])}
    g = ind[ind["year"] == year].set_index("city").loc[names]
    for col in x:
        v = g[col].to_numpy(float)
        mats[f"absdiff:{col}"] = np.abs(v[:, None] - v[None, :])
    ref = mrqap(Y, mats, directed=directed, perms=perms, seed=[seed, year], y_name=y)
    rc = qap_correlation({y: Y, **mats}, directed=directed, perms=perms, seed=[seed, year])
    return ref, rc


def _qap_frames(at):
    mr = next(d.value for d in at.dataframe if "Term" in d.value.columns
              and "year" not in d.value.columns)
    corr = next(d.value for d in at.dataframe if "mean of permuted r" in d.value.columns)
    return mr.set_index("Term"), corr


def test_qap_page_equals_analysis_qap(at, sample_store_env):
    """The page's defaults (y = the stored gravity arcs, 0/1; x = distance and absdiff:gdp_pc;
    every year; DSP, 2000 permutations, seed 0) give, for the year shown and for every year,
    the numbers of analysis.qap on independently built matrices; then the user switches to the
    weighted cooperation network of one year."""
    _visit(at, "qap")
    assert not _errors(at), _errors(at)
    assert any("SIMULATED" in w.value for w in at.warning)
    assert at.segmented_control(key="qap_y").value == "gravity"
    assert at.multiselect(key="qap_absdiff").value == ["gdp_pc"] and at.checkbox(key="qap_distance").value
    year = int(at.select_slider(key="qap_detail_year").value)
    assert year == 2024
    mr, corr = _qap_frames(at)
    ref, rc = _qap_reference(sample_store_env, y="gravity", year=year, weighted=False, x=["gdp_pc"])
    for term in ref.table.index:
        assert mr.loc[term, "b"] == pytest.approx(ref.table.loc[term, "estimate"], rel=1e-9)
        assert mr.loc[term, "p (perm)"] == ref.table.loc[term, "p_value"]
    r = corr.set_index(["x", "y"])
    assert r.loc[("gravity", "distance"), "r"] == pytest.approx(rc.r.loc["gravity", "distance"], rel=1e-9)
    assert r.loc[("gravity", "distance"), "p (perm)"] == rc.p_value.loc["gravity", "distance"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["R²"] == f"{ref.fit['r2']:.3f}" and metrics["cities / dyads"] == "14 / 182"
    by_year = next(d.value for d in at.dataframe if "Term" in d.value.columns and "year" in d.value.columns)
    assert sorted(by_year["year"].unique()) == list(range(2015, 2025))
    ref15, _ = _qap_reference(sample_store_env, y="gravity", year=2015, weighted=False, x=["gdp_pc"])
    row = by_year[(by_year["year"] == 2015) & (by_year["Term"] == "distance")].iloc[0]
    assert row["b"] == pytest.approx(ref15.table.loc["distance", "estimate"], rel=1e-9)
    assert row["p (perm)"] == ref15.table.loc["distance", "p_value"]
    assert len(at.get("plotly_chart")) == 2               # the r heatmap, the coefficients by year
    # the user's choice: weighted cooperation (undirected: the 91 pairs) in 2020
    at.segmented_control(key="qap_y").set_value("cooperation").run()
    at.toggle(key="qap_weighted").set_value(True).run()
    at.selectbox(key="qap_year").set_value(2020).run()
    assert not at.exception and not _errors(at), _errors(at)
    mr, _ = _qap_frames(at)
    ref, _ = _qap_reference(sample_store_env, y="cooperation", year=2020, weighted=True, x=["gdp_pc"])
    for term in ref.table.index:
        assert mr.loc[term, "b"] == pytest.approx(ref.table.loc[term, "estimate"], rel=1e-9)
        assert mr.loc[term, "p (perm)"] == ref.table.loc[term, "p_value"]
    assert {m.label: m.value for m in at.metric}["cities / dyads"] == "14 / 91"
    assert not at.get("select_slider") or all(s.key != "qap_detail_year" for s in at.select_slider)


def test_drivers_table2_numbers(at, sample_store_env):
    from cultnet.analysis.panel import fit_panel
    from cultnet.settings import Settings
    from cultnet.graph.store import open_store

    _visit(at, "drivers")
    table = at.dataframe[0].value
    assert "term" in table.columns and "Coef" in table.columns
    row = table[table["term"].astype(str).str.startswith("Digital technology")]
    assert len(row) == 1
    opened = open_store(Settings.from_env(sample_store_env))
    store = opened.study("liaoning-sample")
    try:
        ind = store.indicators()
    finally:
        opened.close()
    # the page's default (the paper's Table 2 preset): two-way FE, SE clustered by city, the
    # five drivers in logs, wild cluster bootstrap (14 cities < 42)
    ref = fit_panel(ind, "cul", ["dig", "tech", "res", "dem", "sys"], effects="twoway",
                    cov="robust", log=True)
    shown = float(str(row["Coef"].iloc[0]).rstrip("*"))
    assert shown == pytest.approx(float(ref.params["ln_dig"]), abs=5e-4)  # shown with 4 decimals
    assert "P boot" in table.columns
    boot = float(row["P boot"].iloc[0])
    assert boot == pytest.approx(float(ref.coefficients.loc["ln_dig", "boot_p_value"]), abs=5e-4)
    # one specification everywhere: the Overview card states and uses the same model
    _visit(at, "overview")
    texts = _texts(at)
    assert "two-way fixed effects (city and year), clustered by city (stata vce(robust)) SE" in texts
    best = ref.coefficients.drop(index="const")["estimate"].idxmax()
    assert f"{ref.coefficients.loc[best, 'estimate']:.3f}" in texts


def test_dynamics_fevd_rows_sum_to_100(at):
    _visit(at, "dynamics")
    assert not _errors(at), _errors(at)
    fevd = next(d.value for d in at.dataframe if "S.E." in d.value.columns)
    shares = fevd[[c for c in fevd.columns if str(c).endswith("%")]]
    np.testing.assert_allclose(shares.sum(axis=1), 100.0, atol=1e-2)


def test_dynamics_panel_var_fevd_equals_analysis_pvar(at, sample_store_env):
    """The Panel VAR tab's defaults (ln dig, ln wfb, ln wsb; p = 1, two-step FOD-GMM, horizon
    10, MC bands, 500 draws, seed 0) give the FEVD that analysis.pvar gives on the store's
    indicators; the estimator and its T = 10 caveat are stated."""
    from cultnet.analysis.pvar import fit_pvar
    from cultnet.settings import Settings
    from cultnet.graph.store import open_store

    _visit(at, "dynamics")
    assert not _errors(at), _errors(at)
    shown = next(d.value for d in at.dataframe if "ln_dig %" in d.value.columns)
    opened = open_store(Settings.from_env(sample_store_env))
    store = opened.study("liaoning-sample")
    try:
        ind = store.indicators()
    finally:
        opened.close()
    ref = fit_pvar(ind, ["dig", "wfb", "wsb"], entity="city", time="year", lags=1, steps=2,
                   log=True, horizon=10, bands="mc", reps=500, seed=0)
    want = ref.fevd_table("ln_wfb")  # default response: the second variable
    assert len(shown) == len(want) == 11
    for col in ("S.E.", "ln_dig %", "ln_wfb %", "ln_wsb %"):
        np.testing.assert_allclose(shown[col].astype(float), want[col], atol=5e-5 + 1e-12)
    texts = _texts(at)
    assert "FOD-GMM" in texts and "T = 10 years" in texts and "N = 14 cities" in texts
    assert len(at.get("plotly_chart")) >= 6  # VAR and panel VAR: two IRFs and a FEVD chart each


def test_console_runs_saved_query_and_refuses_writes(at):
    _visit(at, "console")
    at.selectbox(key="cy_example").set_value("Indicators of a city").run()
    at.selectbox(key="cy_p_Indicators of a city_city").set_value("Shenyang")
    at.button(key="FormSubmitter:cypher_form-Run query").click().run()
    assert not at.exception
    assert not _errors(at), _errors(at)
    result = next(d.value for d in at.dataframe if "year" in d.value.columns)
    assert len(result) == 10 and result["year"].is_monotonic_increasing
    at.selectbox(key="cy_example").set_value("Write attempt (rejected: read-only)").run()
    at.button(key="FormSubmitter:cypher_form-Run query").click().run()
    assert any("read" in e.lower() for e in _errors(at)), _errors(at)


def test_console_saved_queries_come_from_graph_examples(at):
    from cultnet.graph.examples import saved_queries

    _visit(at, "console")
    options = at.selectbox(key="cy_example").options
    for q in saved_queries():
        assert q.title in options
    at.selectbox(key="cy_example").set_value("Shortest paths between two cities").run()
    assert at.selectbox(key="cy_p_Shortest paths between two cities_method").value == "cooperation"
    at.button(key="FormSubmitter:cypher_form-Run query").click().run()
    assert not at.exception and not _errors(at), _errors(at)
    result = next(d.value for d in at.dataframe if "hops" in d.value.columns)
    assert len(result) == 10 and result["hops"].is_monotonic_increasing
    assert str(result["route"].iloc[0]).startswith("['Shenyang'")


def test_data_page_lists_the_sample_dataset(at):
    _visit(at, "data")
    assert not _errors(at), _errors(at)
    ds = next(d.value for d in at.dataframe if "sha256" in d.value.columns)
    # the session store holds the sample, plus whatever the browser test uploaded before
    from cultnet.settings import Settings
    from cultnet.graph.store import open_store

    store = open_store(Settings.from_env())
    try:
        expected = store.datasets()
    finally:
        store.close()
    assert sorted(ds["id"]) == sorted(expected["id"])
    sample = ds[ds["source"].astype(str).str.contains("simulated sample")]
    assert len(sample) == 1 and bool(sample["simulated"].iloc[0])
    # the uploader offers only what the loader reads (no legacy .xls, which it refuses)
    from cultnet.ui.data import UPLOAD_TYPES

    up = at.get("file_uploader")[0].proto
    assert sorted(t.lstrip(".") for t in up.type) == sorted(UPLOAD_TYPES)
    assert "xls" not in UPLOAD_TYPES and "xlsx" in UPLOAD_TYPES


def test_unreachable_store_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("CULTNET_BACKEND", "neo4j")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens on port 1
    monkeypatch.setenv("NEO4J_PASSWORD", "unused-password")
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception
    errors = _errors(app)
    assert len(errors) == 1 and "not available" in errors[0] and "127.0.0.1:1" in errors[0]
    assert "Traceback" not in errors[0]


def test_table1_average_row_has_three_decimals(at):
    _visit(at, "centrality")
    shown = at.dataframe[0].value
    avg = shown[shown["City"] == "Average"].iloc[0]
    body = shown[shown["City"] != "Average"]
    for c in ("Out-degree", "In-degree", "Centrality Degree"):
        assert float(avg[c]) == round(float(avg[c]), 3), (c, avg[c])
        assert float(avg[c]) == pytest.approx(body[c].astype(float).mean(), abs=5e-4)


def test_network_map_undirected_shows_links_not_arcs(sample_store_env, monkeypatch):
    # a session of its own: after other pages' forms, AppTest 1.67 reports horizontal containers
    # as inside a form on a rerun (a test-harness artefact; the browser test covers the page)
    for k_, v in sample_store_env.items():
        monkeypatch.setenv(k_, v)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/network_map.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert "Arcs" in metrics and metrics["Reciprocity"] != "–"          # gravity: directed
    at.segmented_control(key="map_method").set_value("cooperation").run()
    assert not at.exception and not _errors(at), _errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert "Arcs" not in metrics and "Links (undirected)" in metrics
    assert metrics["Reciprocity"] == "–"
    assert at.selectbox(key="map_labels").options == ["Name", "中文名 (Chinese name)", "Both"]
    at.selectbox(key="map_labels").set_value("name_zh").run()
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = [t for tr in spec["data"] if tr.get("mode") == "markers+text" for t in tr["text"]]
    assert "沈阳" in texts and "Shenyang" not in texts

"""The explorer on a study that is not the paper's: wage_panel (linearmodels' real panel), loaded
into its own embedded store. Drivers builds the model from the study's own columns and names the
regressor that two-way effects absorb (issue 10 acceptance: exper); no paper preset is offered."""

from __future__ import annotations

import pytest

from tests.ui.conftest import app_session

streamlit = pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wage_store_env(tmp_path_factory):
    from linearmodels.datasets import wage_panel

    from cultnet.etl.load import load_files
    from cultnet.graph.embedded_store import stop_server
    from cultnet.graph.store import open_store
    from cultnet.settings import Settings

    d = tmp_path_factory.mktemp("wage-study")
    w = wage_panel.load()
    w = w[w["nr"].isin(sorted(w["nr"].unique())[:30])].copy()
    w.insert(0, "city", "nr" + w.pop("nr").astype(str))
    w.to_csv(d / "indicators.csv", index=False)
    names = sorted(w["city"].unique())
    import pandas as pd

    pd.DataFrame({"name": names, "lat": [30 + i * 0.1 for i in range(len(names))],
                  "lon": [110 + i * 0.1 for i in range(len(names))]}).to_csv(d / "cities.csv", index=False)
    env = {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(d / "store"), "CULTNET_GRAPH": "cultnet"}
    settings = Settings.from_env(env)
    try:
        store = open_store(settings)
        try:
            load_files(store, cities=str(d / "cities.csv"), indicators=str(d / "indicators.csv"))
        finally:
            store.close()
        yield env
    finally:
        stop_server(settings)


@pytest.fixture(scope="module")
def at(wage_store_env):
    with app_session(wage_store_env, 240) as app:
        yield app


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_drivers_model_builder_names_absorbed_exper(at):
    at.switch_page("views/drivers.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    assert "Table 2" not in texts and "Preset" not in texts and "Liaoning" not in texts
    at.selectbox(key="drv_y").set_value("lwage")
    at.run()
    at.multiselect(key="drv_x").set_value(["exper", "expersq", "union", "married"])
    at.multiselect(key="drv_logs").set_value([])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="drv_eff").value == "twoway"
    warnings_ = [w.value for w in at.warning]
    assert any("exper" in w and "absorbed by the entity and year effects" in w for w in warnings_), warnings_
    table = at.dataframe[0].value
    assert "expersq" in set(table["term"].astype(str)) and "exper" not in set(table["term"].astype(str))
    assert "P boot" in table.columns            # 30 clusters < 42: the wild bootstrap is shown
    assert "30 cities" in _texts(at)


def test_upgrading_offers_no_paper_grouping(at):
    at.switch_page("views/upgrading.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    radio = at.radio(key="up_groups")
    assert not any("paper" in o for o in radio.options), radio.options
    assert "an uploaded file (city, group)" in radio.options and "a column of the data" in radio.options
    radio.set_value("column").run()           # black/hisp are constant within each person: groups
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    assert "Do the slopes differ between the groups?" in texts



def test_overview_card_states_the_drivers_default_for_any_study(at):
    from cultnet.ui.views import _specs as S

    at.switch_page("views/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    assert "Strongest driver of " in texts and "Table 2" not in texts
    assert "the Drivers page's default model: two-way fixed effects" in texts
    assert S.DEFAULT_EFFECTS == "twoway"


@pytest.fixture(scope="module")
def small_region_env(tmp_path_factory):
    """8 cities x 6 years, three indicators from a known panel VAR (issue 10: cultnet pvar on an
    8-city x 6-year region gives an estimate or a one-paragraph reason; the explorer likewise)."""
    import numpy as np
    import pandas as pd

    from cultnet.analysis.pvar import simulate_pvar
    from cultnet.etl.load import load_files
    from cultnet.graph.embedded_store import stop_server
    from cultnet.graph.store import open_store
    from cultnet.settings import Settings

    d = tmp_path_factory.mktemp("small-region")
    A3 = np.array([[0.5, 0.1, 0.0], [0.2, 0.4, 0.1], [0.0, 0.1, 0.3]])
    sim = simulate_pvar([A3], n_entities=8, n_periods=6, seed=3, names=["output", "invest", "patents"])
    names = ["Taiyuan", "Datong", "Yangquan", "Changzhi", "Jincheng", "Shuozhou", "Jinzhong", "Yuncheng"]
    sim["city"] = sim["city"].map(dict(zip(sorted(sim["city"].unique()), names)))
    sim["year"] = sim["year"] + 2018
    for c in ("output", "invest", "patents"):
        sim[c] = np.exp(sim[c])
    sim.to_csv(d / "indicators.csv", index=False)
    pd.DataFrame({"name": names, "lat": np.linspace(35, 40, 8), "lon": np.linspace(111, 114, 8)}).to_csv(
        d / "cities.csv", index=False)
    env = {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(d / "store"), "CULTNET_GRAPH": "cultnet"}
    settings = Settings.from_env(env)
    try:
        store = open_store(settings)
        try:
            load_files(store, cities=str(d / "cities.csv"), indicators=str(d / "indicators.csv"))
        finally:
            store.close()
        yield env
    finally:
        stop_server(settings)


def test_dynamics_panel_var_on_a_small_region(small_region_env):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    with app_session(small_region_env, 240) as app:
        app.switch_page("views/dynamics.py")
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        assert not [e.value for e in app.error], [e.value for e in app.error]
        texts = _texts(app)
        assert "one-step" in texts and "rank at most N = 8" in texts   # the estimate, with its reason
        assert "N = 8 cities" in texts and "14 cities" not in texts and "Liaoning" not in texts
        assert any("% lo" in str(c) for d in app.dataframe for c in d.value.columns)   # FEVD bands

"""The explorer follows the study, in a real browser (Debian's Chromium driven by Playwright).

A store with two studies (the sample and the SIMULATED Shanxi region): every page opened with
``?study=shanxi`` shows Shanxi's own data (its cities, its years, its columns) and nothing of the
sample; the sidebar selector says shanxi; choosing the other study in the selector rewrites the
URL. Screenshots of the second study's pages go to test-artifacts/screenshots/study_*.png.
"""

from __future__ import annotations

import os

import pytest

from tests.ui.test_browser import (SHOTS, _free_port, act, browser_page, cultnet_ui, serve_explorer,
                                   shot, wait_idle)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [("", "cultnet explorer"), ("network_map", "Network map"), ("centrality", "Centrality"),
         ("structure", "Structure"), ("roles", "Roles and robustness"), ("drivers", "Drivers"),
         ("upgrading", "Upgrading"), ("dynamics", "Dynamics"), ("console", "Cypher console"),
         ("data", "Data")]
SAMPLE_ONLY = ("Shenyang", "Dalian", "Anshan")       # cities of the other study


@pytest.fixture(scope="module")
def server2(two_study_env):
    port = _free_port()
    env = {**os.environ, **two_study_env}
    env.pop("CULTNET_STUDY", None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS.parent / "streamlit_studies.log", "w")
    yield from serve_explorer(cultnet_ui(port), env, port, log=log)


@pytest.fixture(scope="module")
def page2(server2):
    yield from browser_page()


def _sidebar_study(pg) -> str:
    """The value the sidebar's Study selector shows (its text and its input's value)."""
    box = pg.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    return box.evaluate("e => e.textContent + ' ' + [...e.querySelectorAll('input')]"
                        ".map(i => i.value + ' ' + (i.getAttribute('aria-label') || '')).join(' ')")


def test_every_page_of_the_second_study(page2, server2):
    for path, title in PAGES:
        page2.goto(f"{server2}/{path}?study=shanxi")
        wait_idle(page2, after=0)
        page2.get_by_role("heading", name=title).first.wait_for()
        assert page2.locator("[data-testid='stException']").count() == 0, path
        errors = page2.locator("[data-testid='stAlertContentError']").all_inner_texts()
        assert not errors, (path, errors)
        assert "shanxi" in _sidebar_study(page2), path
        assert "study=shanxi" in page2.url, (path, page2.url)
        main = page2.locator("[data-testid='stMain']").inner_text()
        for city in SAMPLE_ONLY:
            assert city not in main, (path, city)
        shot(page2, f"study_{path or 'overview'}")
    # pages whose content names the region's own cities
    page2.goto(f"{server2}/centrality?study=shanxi")
    wait_idle(page2, after=0)
    _markdown(page2, "Taiyuan").wait_for()


def _markdown(pg, text: str):
    """A visible markdown paragraph holding ``text`` (table cells are drawn on a canvas)."""
    return pg.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']").filter(
        has_text=text).first


def test_selector_and_url_agree(page2, server2):
    page2.goto(f"{server2}/centrality?study=shanxi")
    wait_idle(page2, after=0)
    _markdown(page2, "Taiyuan").wait_for()
    box = page2.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    box.click()
    act(page2, lambda: page2.get_by_role("option", name="liaoning-sample").click())
    _markdown(page2, "Shenyang").wait_for()
    assert "study=liaoning-sample" in page2.url, page2.url
    assert "liaoning-sample" in _sidebar_study(page2)
    shot(page2, "study_switched_to_sample")
    page2.goto(f"{server2}/centrality?study=shanxii")
    wait_idle(page2, after=0)
    errors = page2.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert any("no study 'shanxii'" in e and "did you mean 'shanxi'" in e for e in errors), errors

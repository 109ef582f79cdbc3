"""The explorer's password gate through real requests: ``cultnet ui`` with CULTNET_UI_PASSWORD,
driven by Debian's Chromium (Playwright), as in tests/ui/test_browser.py.

* the Data page's URL typed directly shows the sign-in form and nothing of the page (no upload
  widget, no datasets, no store details in the sidebar);
* a wrong password is refused with a message; the right one opens the Data page;
* "Sign out" closes it again;
* a second browser context (another user, another session) has to sign in by itself;
* on a fresh ``streamlit run ui/app.py`` started by hand, a page's URL as the very first request
  (Streamlit's old pages-folder mode skips the router then) shows the sign-in form too.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.ui.conftest import ROOT
from tests.ui.test_browser import CHROMIUM, LAUNCH_ARGS, RUN_TIMEOUT_MS, _free_port, cultnet_ui, serve_explorer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long explorer password"


@pytest.fixture(scope="module")
def locked_server(sample_store_env):
    """``cultnet ui`` with a password."""
    port = _free_port()
    yield from _serve(cultnet_ui(port), port, sample_store_env)


@pytest.fixture(scope="module")
def plain_streamlit_server(sample_store_env):
    """``streamlit run ui/app.py`` by hand (not through cultnet.ui.serve): Streamlit's old
    pages-folder mode runs a page's URL without the router; the page's own check must hold."""
    port = _free_port()
    yield from _serve([sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
                       "--server.port", str(port), "--server.address", "localhost",
                       "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                      port, sample_store_env, cwd=ROOT / "ui")


def _serve(cmd, port, store_env, cwd=ROOT):
    env = {**os.environ, **store_env, "CULTNET_UI_PASSWORD": PASSWORD}
    yield from serve_explorer(cmd, env, port, cwd=cwd)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _new_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    return ctx, pg


def _sign_in(pg, password: str) -> None:
    pg.get_by_label("Password", exact=True).fill(password)
    pg.get_by_role("button", name="Sign in").click()


def _settled(pg) -> None:
    """Wait until the run that drew the sign-in form has finished: during a rerun Streamlit keeps
    the previous run's elements (marked stale) until the script ends, so after "Sign out" the
    Data page's own elements are still in the DOM for a moment (seen once in CI)."""
    deadline = time.time() + RUN_TIMEOUT_MS / 1000
    while time.time() < deadline:
        idle = pg.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count()
        if idle and pg.locator("[data-stale='true']").count() == 0:
            return
        time.sleep(0.1)
    raise AssertionError("the app kept running for too long")


def _locked(pg) -> None:
    pg.get_by_role("button", name="Sign in").wait_for()
    _settled(pg)
    assert pg.get_by_text("Upload your files").count() == 0
    assert pg.get_by_text("Datasets").count() == 0
    assert pg.get_by_text("FalkorDB").count() == 0  # the sidebar's store details
    assert pg.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0


def test_password_gate_in_a_real_browser(locked_server, browser):
    ctx, pg = _new_page(browser)
    try:
        pg.goto(f"{locked_server}/data")  # straight to the page that loads and deletes
        _locked(pg)
        _sign_in(pg, "not the password")
        pg.get_by_text("Wrong password.").wait_for()
        _locked(pg)
        _sign_in(pg, PASSWORD)
        pg.get_by_role("button", name="Sign out").wait_for()
        pg.goto(f"{locked_server}/data")  # a reload is a new session: sign in again
        _locked(pg)
        _sign_in(pg, PASSWORD)
        pg.get_by_role("button", name="Sign out").wait_for()
        pg.get_by_role("link", name="Data").click()
        pg.get_by_text("Upload your files").wait_for()
        pg.locator("[data-testid='stFileUploaderDropzoneInput']").wait_for(state="attached")
        ctx2, other = _new_page(browser)  # another user: a session of their own
        try:
            other.goto(f"{locked_server}/data")
            _locked(other)
        finally:
            ctx2.close()
        pg.get_by_role("button", name="Sign out").click()
        _locked(pg)
    finally:
        ctx.close()


def test_a_page_url_on_a_fresh_plain_streamlit_server_is_gated_too(plain_streamlit_server, browser):
    """The first request of a fresh ``streamlit run`` is a page's URL (Streamlit then runs that
    page without the router): the page shows the sign-in form, not its content."""
    ctx, pg = _new_page(browser)
    try:
        pg.goto(f"{plain_streamlit_server}/data")
        _locked(pg)
        _sign_in(pg, PASSWORD)
        pg.get_by_text("Upload your files").wait_for()
    finally:
        ctx.close()

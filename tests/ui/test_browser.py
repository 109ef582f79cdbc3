"""The explorer in a real browser: Debian's Chromium driven by Playwright.

``cultnet ui --port <free port>`` serves a sample-loaded embedded store from a temporary data dir;
the test visits every page, runs a saved Cypher query, validates and loads an uploaded CSV on the
Data page, and saves a full-page screenshot of each page to test-artifacts/screenshots/.

Chromium comes from Debian (``apt-get install chromium``, /usr/bin/chromium): ``playwright
install`` downloads a browser build and cannot work offline. Playwright drives the system binary
through ``executable_path``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ui.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("CULTNET_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]
PAGES = [  # (url path, title shown, screenshot name)
    ("", "cultnet explorer", "01_overview"),
    ("network_map", "Network map", "02_network_map"),
    ("centrality", "Centrality", "03_centrality"),
    ("structure", "Structure", "04_structure"),
    ("roles", "Roles and robustness", "05_roles"),
    ("qap", "QAP", "05b_qap"),
    ("drivers", "Drivers", "06_drivers"),
    ("upgrading", "Upgrading", "07_upgrading"),
    ("dynamics", "Dynamics", "08_dynamics"),
    ("console", "Cypher console", "09_console"),
    ("data", "Data", "10_data"),
]
RUN_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_tmp(tmp_path_factory) -> Path:
    """The explorer's temp directory (TMPDIR): uploads must not stay behind in it."""
    return tmp_path_factory.mktemp("explorer-tmp")


def serve_explorer(cmd: list[str], env: dict, port: int, *, cwd: Path = ROOT, log=subprocess.DEVNULL):
    """Start the explorer (``cmd``, listening on ``port``), yield its URL once
    ``/_stcore/health`` answers ``ok``, stop its process group afterwards. The server fixtures
    of the browser tests ``yield from`` it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (Debian package)")
    proc = subprocess.Popen(cmd, cwd=str(cwd), env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://localhost:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            pytest.fail(f"cultnet ui exited with {proc.returncode}")
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        pytest.fail("the explorer did not come up within 90 s")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def cultnet_ui(port: int) -> list[str]:
    """The command ``cultnet ui --port PORT`` as the tests run it."""
    return [sys.executable, "-m", "cultnet.ui.cli", "ui", "--port", str(port)]


def browser_page():
    """One Chromium page (1440 x 1000, the run timeout as default), closed afterwards; the page
    fixtures ``yield from`` it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        pg = ctx.new_page()
        pg.set_default_timeout(RUN_TIMEOUT_MS)
        yield pg
        ctx.close()
        browser.close()


@pytest.fixture(scope="module")
def server(sample_store_env, server_tmp):
    port = _free_port()
    env = {**os.environ, **sample_store_env, "TMPDIR": str(server_tmp)}
    log = open(SHOTS.parent / "streamlit.log", "w") if SHOTS.parent.exists() else subprocess.DEVNULL
    yield from serve_explorer(cultnet_ui(port), env, port, log=log)


@pytest.fixture(scope="module")
def page(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield from browser_page()


def last_run(pg) -> int:
    """The run counter the router writes at the end of every run ("... · run N" in the sidebar)."""
    texts = pg.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").all_inner_texts()
    runs = [int(m.group(1)) for t in texts if (m := re.search(r"· run (\d+)", t))]
    return max(runs) if runs else 0


def wait_idle(pg, after: int | None = None) -> int:
    """Wait until the app has finished a run that started after run number ``after`` (default:
    the run shown now) and no element is stale; the router writes a run counter at the end of
    every run, and lazily loaded elements show a skeleton until drawn."""
    pg.wait_for_selector("[data-testid='stApp']")
    prev = last_run(pg) if after is None else after
    deadline = time.time() + RUN_TIMEOUT_MS / 1000
    while time.time() < deadline:
        n = last_run(pg)
        busy = pg.locator("[data-stale='true'], [data-testid='stSkeleton']").count()
        if n > prev and busy == 0:
            time.sleep(0.5)  # let charts draw
            return n
        time.sleep(0.2)
    raise AssertionError("the app kept running for too long")


def act(pg, action) -> None:
    """Do something that reruns the app and wait for that rerun to finish."""
    before = last_run(pg)
    action()
    wait_idle(pg, after=before)


def check_page(pg, title: str) -> None:
    pg.get_by_role("heading", name=title).first.wait_for()
    assert pg.get_by_text("Page not found").count() == 0, "Streamlit says: page not found"
    assert pg.locator("[data-testid='stException']").count() == 0, "a traceback is shown"
    errors = pg.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert not errors, errors


def shot(pg, name: str) -> None:
    """Full-page screenshot: Streamlit scrolls inside its main section, so grow the viewport to
    the content's height first."""
    height = pg.evaluate("() => Math.max(...[...document.querySelectorAll("
                         "'[data-testid=stMain], [data-testid=stSidebarContent]')]"
                         ".map(e => e.scrollHeight), 900)")
    pg.set_viewport_size({"width": 1440, "height": int(min(height + 40, 12000))})
    deadline = time.time() + 30
    while pg.locator("[data-testid='stSkeleton']").count() and time.time() < deadline:
        time.sleep(0.3)  # elements newly in view draw lazily
    time.sleep(0.8)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size({"width": 1440, "height": 1000})


def test_every_page_renders(page, server):
    for path, title, name in PAGES:
        page.goto(f"{server}/{path}")
        wait_idle(page, after=0)
        check_page(page, title)
        shot(page, name)


def test_enterprise_network_view(page, server):
    page.goto(f"{server}/network_map")
    wait_idle(page, after=0)
    act(page, lambda: page.get_by_text("Enterprises", exact=True).first.click(timeout=30_000))
    page.get_by_text(re.compile(r"most connected|cooperating enterprises")).first.wait_for()
    check_page(page, "Network map")
    time.sleep(3)  # let the force-directed layout settle
    shot(page, "02b_enterprise_network")


def test_saved_cypher_query(page, server):
    page.goto(f"{server}/console")
    wait_idle(page, after=0)
    # the page's own selector (the sidebar's first one chooses the study)
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.click()
    act(page, lambda: page.get_by_role("option", name="Indicators of a city").click())
    act(page, lambda: page.get_by_role("button", name="Run query").click())
    check_page(page, "Cypher console")
    page.get_by_text("10 row(s)").first.wait_for()
    shot(page, "11_console_result")


def test_upload_validate_and_load(page, server, server_tmp, tmp_path):
    good = tmp_path / "observed_links.csv"
    good.write_text("source,target,weight,year\nShenyang,Dalian,3,2024\nDalian,Anshan,1,2024\n"
                    "Jinzhou,Dalian,2,2024\n", encoding="utf-8")
    bad = tmp_path / "bad_links.csv"
    bad.write_text("source,target,weight,year\nShenyang,Atlantis,3,2024\nDalian,Anshan,x,2024\n",
                   encoding="utf-8")
    page.goto(f"{server}/data")
    wait_idle(page, after=0)
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    act(page, lambda: uploader.set_input_files(str(bad)))
    act(page, lambda: page.get_by_role("button", name="Validate").click())
    page.get_by_text("problem(s) found").first.wait_for()
    shot(page, "12_data_validation_problems")
    page.goto(f"{server}/data")  # a fresh upload widget
    wait_idle(page, after=0)
    act(page, lambda: page.locator("[data-testid='stFileUploaderDropzoneInput']")
        .set_input_files(str(good)))
    act(page, lambda: page.get_by_role("button", name="Load", exact=True).click())
    page.get_by_text("Loaded dataset").first.wait_for()
    check_page(page, "Data")
    shot(page, "13_data_loaded")
    # neither the validated nor the loaded upload stays in the explorer's temp directory
    assert sorted(p.name for p in server_tmp.glob("cultnet-upload-*")) == []


def test_static_figure_export_offline():
    """PNG and SVG downloads: kaleido with Debian's Chromium (no CDN: MathJax off), and the
    matplotlib fallback used when no browser can run."""
    import pandas as pd

    from cultnet.ui import plots as P

    frame = pd.DataFrame({"name": ["a", "b", "c"], "v": [3.0, 2.0, 1.0],
                          "cumulative %": [50.0, 83.3, 100.0]})
    fig = P.pareto_figure(frame, "v", cumulative="cumulative %", title="export test", mean=2.0)
    png = P.figure_bytes(fig, "png")
    svg = P.figure_bytes(fig, "svg")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert b"<svg" in svg[:500] and b"export test" in svg
    fallback = P.matplotlib_bytes(fig, "png")
    assert fallback[:8] == b"\x89PNG\r\n\x1a\n"

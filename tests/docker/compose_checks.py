"""Checks that scripts/compose_test.sh runs from the host against the running compose stack.

Everything goes over 127.0.0.1 (the stack runs with host networking on free ports):

* ``up``: Neo4j refuses a wrong password and accepts the right one; the etl service loaded the
  bundled sample: the City, Enterprise, LOCATED_IN and COOPERATES counts read over Bolt equal the
  rows of ``data/sample/*.csv`` (counted here from the files, not copied from anywhere), and there
  is one Dataset, ``complete`` and ``simulated``; the explorer's ``/_stcore/health`` answers ``ok``; its first
  page, rendered by Debian's Chromium through Playwright, names Neo4j as the store (sidebar and
  Overview) and shows one dataset; a marker node is written for the next phase.
* ``restart`` (after ``docker-compose restart``) and ``recreate`` (after ``docker-compose down``
  without ``-v`` and ``up -d``: new containers on the same named volumes): the marker is still
  there, the password set at the first start still works, the counts are unchanged (the etl
  service reloaded the sample: idempotent), the explorer answers again.

Usage: python tests/docker/compose_checks.py {up,restart,recreate} --bolt-port N --ui-port N
       --password PW --ui-password PW --marker TOKEN [--screenshot FILE]
Prints one JSON object (what was measured) on stdout; exit 1 with the reasons on stderr when a
check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

import neo4j

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
CHROMIUM = os.environ.get("CULTNET_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]


def expected_counts() -> dict[str, int]:
    """Rows of the sample files: what a complete load of the sample must hold."""
    def rows(name: str) -> list[dict[str, str]]:
        with open(SAMPLE / name, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    coop = rows("cooperation.csv")
    return {
        "City": len(rows("cities.csv")),
        "Enterprise": len(rows("enterprises.csv")),
        "LOCATED_IN": len(rows("enterprises.csv")),
        "COOPERATES": len({(r["source"], r["target"], r["year"]) for r in coop}),
    }


COUNT_QUERIES = {
    "City": "MATCH (n:City) RETURN count(n) AS n",
    "Enterprise": "MATCH (n:Enterprise) RETURN count(n) AS n",
    "LOCATED_IN": "MATCH (:Enterprise)-[r:LOCATED_IN]->(:City) RETURN count(r) AS n",
    "COOPERATES": "MATCH (:Enterprise)-[r:COOPERATES]->(:Enterprise) RETURN count(r) AS n",
}


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.measured: dict[str, object] = {}

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)


def retry(what: str, fn, seconds: float = 180.0, every: float = 2.0):
    """``fn()`` until it stops raising, for at most ``seconds`` (a service may be starting)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - refused, reset, not ready yet
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer within {seconds:.0f} s: {e}") from e
            time.sleep(every)


def bolt_checks(c: Checks, uri: str, password: str, marker: str, phase: str) -> None:
    def connect():
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password)) as d:
            d.verify_connectivity()

    retry(f"Neo4j at {uri}", connect)
    try:
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password + "-wrong")) as d:
            d.verify_connectivity()
        c.expect(False, f"{uri} accepted a wrong password")
        c.measured["wrong_password"] = "accepted"
    except neo4j.exceptions.AuthError as e:
        c.measured["wrong_password"] = e.code
    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password)) as d:
        d.verify_connectivity()
        info = d.get_server_info()
        c.measured["server_agent"] = info.agent
        c.expect(info.agent.startswith("Neo4j/5.26."), f"server agent {info.agent!r} is not Neo4j 5.26")
        counts = {k: d.execute_query(q, database_="neo4j").records[0]["n"]
                  for k, q in COUNT_QUERIES.items()}
        c.measured["counts"] = counts
        expected = expected_counts()
        c.measured["expected_counts"] = expected
        c.expect(counts == expected, f"counts over Bolt {counts} != rows of data/sample {expected}")
        recs = d.execute_query("MATCH (d:Dataset) RETURN d.id AS id, d.status AS status, "
                               "d.simulated AS simulated", database_="neo4j").records
        datasets = [dict(r) for r in recs]
        c.measured["datasets"] = datasets
        c.expect(len(datasets) == 1 and datasets[0]["status"] == "complete"
                 and datasets[0]["simulated"] is True,
                 f"datasets {datasets}: expected one complete, simulated dataset (the sample)")
        if phase == "up":
            d.execute_query("CREATE (:ComposeTestMarker {token: $t})", t=marker, database_="neo4j")
        recs = d.execute_query("MATCH (m:ComposeTestMarker) RETURN m.token AS t",
                               database_="neo4j").records
        c.measured["markers"] = [r["t"] for r in recs]
        c.expect([r["t"] for r in recs] == [marker],
                 f"marker nodes {[r['t'] for r in recs]} != [{marker!r}] (data lost?)")


def explorer_checks(c: Checks, ui_port: int, screenshot: Path | None, ui_password: str) -> None:
    base = f"http://127.0.0.1:{ui_port}"

    def health():
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as r:
            return r.status, r.read().decode()

    status, body = retry(f"{base}/_stcore/health", health)
    c.measured["health"] = [status, body]
    c.expect(status == 200 and body.strip() == "ok", f"/_stcore/health answered {status} {body!r}")

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        c.expect(False, f"{CHROMIUM} is missing: apt-get install chromium")
        return
    t0 = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/", timeout=120_000)
            # the compose file requires CULTNET_UI_PASSWORD: the first page is the sign-in form
            page.get_by_label("Password", exact=True).fill(ui_password, timeout=180_000)
            page.get_by_role("button", name="Sign in").click()
            sidebar = page.locator("[data-testid='stSidebar']")
            sidebar.get_by_text("Neo4j", exact=False).first.wait_for(timeout=180_000)
            sidebar.get_by_text("1 dataset(s):", exact=False).first.wait_for(timeout=60_000)
            page.get_by_text("Store:", exact=False).first.wait_for(timeout=180_000)
            text = page.inner_text("body")
            c.measured["first_page_seconds"] = round(time.monotonic() - t0, 1)
            store_lines = [ln.strip() for ln in text.splitlines() if "Store:" in ln]
            c.measured["first_page_store_line"] = store_lines[:1]
            c.expect(any("Neo4j" in ln for ln in store_lines),
                     f"the first page's store line {store_lines[:1]} does not say Neo4j")
            c.expect("The graph store is not available" not in text,
                     "the first page says the graph store is not available")
            c.expect("Traceback" not in text, "the first page shows a traceback")
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("phase", choices=("up", "restart", "recreate"))
    ap.add_argument("--bolt-port", type=int, required=True)
    ap.add_argument("--ui-port", type=int, required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--ui-password", required=True, help="the explorer's CULTNET_UI_PASSWORD")
    ap.add_argument("--marker", required=True)
    ap.add_argument("--screenshot", type=Path)
    a = ap.parse_args(argv)
    c = Checks()
    for name, fn in (("bolt", lambda: bolt_checks(c, f"bolt://127.0.0.1:{a.bolt_port}", a.password,
                                                  a.marker, a.phase)),
                     ("explorer", lambda: explorer_checks(c, a.ui_port, a.screenshot, a.ui_password))):
        try:
            fn()
        except Exception as e:  # one failing part must not hide the other's result
            c.expect(False, f"{name}: {type(e).__name__}: {e}".splitlines()[0])
    print(json.dumps({"phase": a.phase, "ok": not c.failures, "failures": c.failures,
                      **c.measured}, indent=2, default=str))
    for f in c.failures:
        print(f"compose_checks ({a.phase}): FAILED: {f}", file=sys.stderr)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())

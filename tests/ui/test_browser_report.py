"""The Overview's "Download report" in a real browser (Debian's Chromium driven by Playwright)
against ``cultnet ui`` on the sample store: build, then download the zip through Streamlit's
media endpoint, as a user would, and open it. Screenshot: test-artifacts/screenshots/
report_download.png."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.ui.test_browser import SHOTS, act, page, server, server_tmp, wait_idle  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_download_report_in_the_browser(page, server):  # noqa: F811 (fixtures)
    page.goto(f"{server}/")
    wait_idle(page, after=0)
    page.get_by_role("heading", name="Replication report").wait_for()
    assert page.get_by_role("button", name="Download report").count() == 0
    act(page, lambda: page.get_by_role("button", name="Build the replication report").click())
    assert page.locator("[data-testid='stException']").count() == 0
    assert not page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    button = page.get_by_role("button", name="Download report")
    button.wait_for()
    button.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "report_download.png"))
    with page.expect_download() as dl:
        button.click()
    download = dl.value
    assert download.suggested_filename == "report-liaoning-sample.zip"
    data = open(download.path(), "rb").read()
    z = zipfile.ZipFile(io.BytesIO(data))
    root = "report-liaoning-sample/"
    names = set(z.namelist())
    for part in ("report.html", "report.pdf", "params.json", "provenance.json", "replicate.sh"):
        assert root + part in names, part
    prov = json.loads(z.read(root + "provenance.json"))
    assert prov["simulated"] is True
    # the session's store may also hold what other browser tests added (the Data page's upload,
    # whose files are not kept): the report must then name each dataset it cannot rebuild, and
    # never the sample's, whose files are data/sample/
    from cultnet.graph.store import SAMPLE_SOURCE

    done = [d for d in prov["datasets"] if d["status"] == "complete"]
    sample = {d["id"] for d in done if str(d["source"]).startswith(SAMPLE_SOURCE)}
    assert sample, prov["datasets"]
    assert not [m for m in prov["not_replicable"] if m.split(":")[0] in sample]
    assert prov["replicable"] is (len(done) == len(sample)), prov["not_replicable"]
    assert len(prov["not_replicable"]) == len(done) - len(sample)
    assert len([n for n in names if n.startswith(root + "figures/") and n.endswith(".png")]) >= 12

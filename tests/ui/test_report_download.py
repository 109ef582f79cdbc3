"""The explorer's "Download report" (Overview page) under AppTest, on the real sample store.

The choices made on the pages are the report's: the session sets some (analytic inference, 200
QAP permutations, 100 VAR draws, as a user would on the Drivers, QAP and Dynamics pages) and the
zip offered by ``st.download_button`` must record them in params.json and hold every part of the
report; its Table 2 must equal ``analysis.panel.fit_panel`` with those choices.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from tests.ui.conftest import app_session

pytestmark = pytest.mark.slow
TIMEOUT = 600


@pytest.fixture()
def at(sample_store_env):
    with app_session(sample_store_env, TIMEOUT, run=False) as app:
        yield app


def test_download_report_offers_the_zip_with_the_current_choices(at, sample_store_env):
    at.session_state["drv_inf"] = "analytic"
    at.session_state["qap_perms"] = 200
    at.session_state["dyn_reps"] = 100
    at.session_state["pvar_bands"] = None
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Replication report" in [s.value for s in at.subheader]
    assert not at.download_button   # nothing is offered before it is built
    at.button(key="_report_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    btn = at.download_button(key="report_download")
    assert btn.label == "Download report" and btn.proto.url
    key, name, data, summary = at.session_state["_report_zip"]
    assert name == "report-liaoning-sample.zip" and "9 sections" in summary
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    root = "report-liaoning-sample/"
    for part in ("report.html", "report.pdf", "params.json", "provenance.json", "environment.json",
                 "replicate.sh", "inputs/SHA256SUMS"):
        assert root + part in names, part
    assert any(n.startswith(root + "figures/") and n.endswith(".svg") for n in names)
    params = json.loads(z.read(root + "params.json"))["params"]
    assert params["study"] == "liaoning-sample" and params["inference"] == "analytic"
    assert params["qap_perms"] == 200 and params["var_reps"] == 100 and params["pvar_bands"] is None
    html = z.read(root + "report.html").decode("utf-8")
    assert html.count("class='simulated'") >= 10      # the top banner and one per section

    # Table 2 in the zip is analysis.panel's, with the session's choice (analytic inference)
    from cultnet.analysis.indices import log_transform
    from cultnet.analysis.panel import fit_panel
    from cultnet.graph.store import open_store
    from cultnet.settings import Settings

    store = open_store(Settings.from_env(sample_store_env))
    try:
        ind = store.study("liaoning-sample").indicators()
    finally:
        store.close()
    cols = ["cul", "dig", "tech", "res", "dem", "sys"]
    d = log_transform(ind, cols, entity="city", time="year", zero="drop", source="indicators")
    res = fit_panel(d, "ln_cul", [f"ln_{c}" for c in cols[1:]], effects="twoway", cov="robust",
                    source="indicators", inference="analytic")
    t2 = [n for n in names if n.startswith(root + "tables/") and n.endswith("_table2_twoway_robust.csv")]
    assert len(t2) == 1
    got = pd.read_csv(io.BytesIO(z.read(t2[0])), encoding="utf-8-sig").set_index("term")
    assert "boot_p_value" not in got.columns
    np.testing.assert_allclose(got.loc[res.coefficients.index, "estimate"], res.coefficients["estimate"], rtol=1e-9)
    np.testing.assert_allclose(got.loc[res.coefficients.index, "p_value"], res.coefficients["p_value"], rtol=1e-9)

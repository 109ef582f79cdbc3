"""The explorer's "Download report" (not a page itself): the replication report of the current
study with the current choices (:func:`cultnet.ui.report.params_from_session`), built on a click
(it fits every section's models: about a minute on the sample; sections already visited are
cache hits) and offered as DIR.zip through ``st.download_button``."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import streamlit as st

from cultnet.ui import report as R
from cultnet.ui.views import _common as C

STATE = "_report_zip"   # (view key, file name, zip bytes, summary); "_" keys survive a study switch


def build(k: str, study: str, *, pdf: bool, files: list | None = None) -> tuple[str, bytes, str]:
    """Build the report of ``study`` into a temporary folder; (zip name, zip bytes, summary).
    ``files`` (uploads) are offered as the study's input files: copied into the report only
    when their digests reproduce a dataset's id (``cultnet report --inputs``)."""
    from cultnet.ui.uploads import upload_name

    params = R.params_from_session(study, st.session_state)
    bar = st.progress(0.0, text="Replication report: starting ...")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=f"Replication report: {what}")

    with tempfile.TemporaryDirectory(prefix="cultnet-report-") as tmp:
        inputs = Path(tmp) / "inputs"
        inputs.mkdir()
        for i, f in enumerate(files or []):
            (inputs / upload_name(f.name, i)).write_bytes(f.getvalue())
        out = Path(tmp) / f"report-{study}"
        built = R.build_report(k, params, out, inputs=[inputs], pdf=pdf, progress=progress)
        data = built.zip_path.read_bytes()
        prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    bar.empty()
    n_t = sum(len(s.tables) for s in built.sections)
    n_f = sum(len(s.figures) for s in built.sections)
    summary = (f"{len(built.sections)} sections, {n_t} tables, {n_f} figures"
               f"{', report.pdf' if pdf else ''}; built in {built.seconds['total']:.0f} s")
    if prov["not_replicable"]:
        summary += "; replicate.sh cannot rebuild it: " + "; ".join(prov["not_replicable"])
    return f"report-{study}.zip", data, summary


def report_ui(k: str) -> None:
    """The "Replication report" block: build, then download (the zip stays offered until the
    data, the study or the choices change)."""
    study = C.study()
    st.subheader("Replication report")
    st.caption("Every section of the explorer for this study with the choices made on the pages "
               "(defaults where untouched): report.html and report.pdf, every table as CSV and "
               "LaTeX, every figure as PNG and SVG, params.json, provenance.json, environment.json "
               "and replicate.sh. The same as `cultnet report --study "
               f"{study}`. Building it fits every model (about a minute on the sample).")
    if study is None:
        st.info("The store holds no study.")
        return
    files = st.file_uploader("The study's input files (optional: the store keeps no files; with them "
                             "replicate.sh can rebuild the report)", accept_multiple_files=True,
                             key="_report_inputs",
                             help="The files the study's datasets were loaded from. Each is copied into "
                                  "the report's inputs/ only when its digest reproduces the dataset's id.")
    c1, c2 = st.columns([1, 3])
    no_pdf = R.pdf_unavailable()
    pdf = c1.toggle("Include the PDF", value=no_pdf is None, key="_report_pdf", disabled=no_pdf is not None,
                    help=no_pdf or "report.pdf through WeasyPrint (about 10 s more).")
    if c2.button("Build the replication report", icon=":material/description:", key="_report_build"):
        with C.guard("The replication report"), st.spinner("Building the replication report ..."):
            name, data, summary = build(k, study, pdf=pdf, files=files)
            st.session_state[STATE] = (k, name, data, summary)
    held = st.session_state.get(STATE)
    if held and held[0] == k:
        _, name, data, summary = held
        st.download_button("Download report", data=data, file_name=name, mime="application/zip",
                           icon=":material/download:", key="report_download", on_click="ignore",
                           help=summary)
        st.caption(f"{name}: {summary} ({len(data) / 1e6:.1f} MB).")

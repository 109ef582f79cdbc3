"""Data: upload files, see validation problems, load with progress, list and delete datasets."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from cultnet.errors import CultnetError, ValidationError
from cultnet.ui import data as D
from cultnet.ui import plots as P
from cultnet.ui.views import _common as C
from cultnet.ui.uploads import saved_uploads

ROLES = ("cities", "indicators", "edges", "enterprises", "series")
ROLE_HELP = {
    "cities": "name, name_zh, province, lat, lon (+ numeric attributes)",
    "indicators": "city, year + any numeric indicator columns (your own names)",
    "edges": "source, target, weight, year (CSV/XLSX), a Pajek .net file, or node-partner-"
             "frequency triples; enterprises (cooperation) or cities (observed links)",
    "enterprises": "id, name, city (+ attributes)",
    "series": "region, period (e.g. 2012Q1 or 2012), freq + numeric series columns",
}
FORMATS = {"auto": None, "CSV table": "csv", "Excel table": "xlsx", "Pajek .net": "pajek",
           "triples (node, partner, frequency)": "triples"}


def guess_role(name: str) -> str:
    n = name.lower()
    if n.endswith((".net", ".paj")) or any(w in n for w in ("edge", "coop", "link", "arc")):
        return "edges"
    for role, words in (("indicators", ("indic", "panel", "obs")), ("cities", ("cit",)),
                        ("enterprises", ("enterp", "firm", "compan")), ("series", ("series", "var"))):
        if any(w in n for w in words):
            return role
    return "edges"


# ---------------------------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------------------------


def upload_ui() -> tuple[list, dict, dict]:
    files = st.file_uploader("Files (CSV, XLSX, Pajek .net, text)", accept_multiple_files=True,
                             type=list(D.UPLOAD_TYPES),
                             key="upload_files",
                             help="Each file plays one role; the role is guessed from the name.")
    roles: dict[str, str] = {}
    for i, f in enumerate(files or []):
        c1, c2 = st.columns([2, 3])
        c1.markdown(f"`{f.name}` ({f.size / 1024:.1f} KB)")
        roles[f.name] = c2.selectbox("role", ROLES, index=ROLES.index(guess_role(f.name)),
                                     key=f"role_{i}_{f.name}", label_visibility="collapsed",
                                     format_func=lambda r: f"{r}: {ROLE_HELP[r]}")
    with st.expander("Options"):
        c1, c2, c3 = st.columns(3)
        fmt = FORMATS[c1.selectbox("Edge file format", list(FORMATS), key="up_fmt")]
        directed = {"auto": None, "directed": True, "undirected": False}[
            c2.radio("Edges are", ["auto", "directed", "undirected"], horizontal=True,
                     key="up_directed")]
        simulated = c3.checkbox("Mark as simulated data", value=False, key="up_sim")
    return files or [], roles, {"fmt": fmt, "directed": directed, "simulated": simulated}


# ---------------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------------


def draw_problems(e: ValidationError) -> None:
    st.error(f"{len(e.problems)} problem(s) found; nothing was written to the store.",
             icon=":material/rule:")
    frame = pd.DataFrame([{"file": p.file, "line": p.line, "column": p.column, "reason": p.reason}
                          for p in e.problems])
    P.show_table(frame, "validation_problems", key="problems",
                 column_config={"line": st.column_config.NumberColumn(format="%d")})


STUDY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def study_ui() -> str | None:
    """The study a load goes into: the selected one, or a new name (None: a store without
    studies)."""
    if not hasattr(D.store(), "studies"):
        return None
    name = st.text_input("Load into the study", value=C.study() or "default", key="up_study",
                         help="A study keeps a region's data apart from every other study: its "
                              "own cities, indicators and links. Give a new name (letters, "
                              "digits, _ . -) to start one.").strip()
    if not STUDY_NAME.match(name):
        raise CultnetError(f"Study name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
                           "starting with a letter or digit.")
    return name


def _study_kw(fn, study: str | None) -> dict:
    """``study=`` for etl functions that take it (stores with studies)."""
    import inspect

    return {"study": study} if study and "study" in inspect.signature(fn).parameters else {}


def do_validate_or_load(files: list, roles: dict, opts: dict, *, load: bool) -> None:
    with saved_uploads(files, roles) as paths:  # removed afterwards, also on rerun and errors
        _validate_or_load(paths, opts, load=load)


def _validate_or_load(paths: dict, opts: dict, *, load: bool) -> None:
    from cultnet.etl import load as L

    kwargs = dict(fmt=opts["fmt"], directed=opts["directed"], simulated=opts["simulated"])
    kwargs.update(_study_kw(L.validate_files, opts.get("study")))
    try:
        store = D.store()
        if not load:
            bundle = L.validate_files(store, **paths, **kwargs)
            rows = ", ".join(f"{k} {v:,}" for k, v in L.bundle_rows(bundle).items())
            st.success(f"Valid: {rows}. Dataset id {bundle.dataset_id}.", icon=":material/check:")
            for n in bundle.notes:
                st.caption(n)
            return
        bar = st.progress(0.0, text="Validating ...")

        def progress(done: int, total: int, label: str = "") -> None:
            bar.progress(min(1.0, done / total) if total else 0.0, text=label or "Loading ...")

        out = L.load_files(store, **paths, progress=progress, **kwargs)
        bar.progress(1.0, text="Done")
        D.clear()
        st.session_state.pop("_data_key", None)
        rows = ", ".join(f"{k} {v:,}" for k, v in out.get("rows", {}).items())
        where = f" into the study {opts['study']}" if opts.get("study") else ""
        st.session_state["_data_flash"] = f"Loaded dataset {out['dataset_id']}{where}: {rows}."
        if opts.get("study"):
            st.query_params["study"] = opts["study"]  # show what was just loaded
        st.rerun()
    except ValidationError as e:
        draw_problems(e)


def load_sample() -> None:
    from cultnet.etl import load as L

    bar = st.progress(0.0, text="Loading the sample ...")

    def progress(done: int, total: int, label: str = "") -> None:
        bar.progress(min(1.0, done / total) if total else 0.0, text=label or "Loading ...")

    out = L.load_sample(D.store(), progress=progress)
    D.clear()
    st.session_state.pop("_data_key", None)
    study = out.get("study") or ("liaoning-sample" if hasattr(D.store(), "studies") else None)
    where = f" into the study {study}" if study else ""
    st.session_state["_data_flash"] = f"Loaded the sample as dataset {out['dataset_id']}{where}."
    if study:
        st.query_params["study"] = study
    st.rerun()


def draw_datasets(k: str) -> None:
    ds = D.all_datasets(k)
    if ds is None or not len(ds):
        st.info("No datasets loaded yet.", icon=":material/database:")
        return
    P.show_table(ds, "datasets", key="datasets",
                 column_config={"sha256": st.column_config.TextColumn(width="small"),
                                "source": st.column_config.TextColumn(width="large")})
    with st.form("delete_form", border=True):
        c1, c2 = st.columns([3, 1])
        victim = c1.selectbox("Delete a dataset (its nodes and relationships)",
                              list(ds["id"].astype(str)), key="del_id")
        sure = c1.checkbox("I understand this cannot be undone", key="del_sure")
        go = c2.form_submit_button("Delete", type="secondary", icon=":material/delete:")
    if go:
        if not sure:
            st.warning("Tick the confirmation box first.")
            return
        out = D.store().delete_dataset(victim)
        D.clear()
        st.session_state.pop("_data_key", None)
        removed = ", ".join(f"{k_} {v:,}" for k_, v in (out or {}).items())
        st.session_state["_data_flash"] = f"Deleted dataset {victim}: {removed or 'done'}."
        st.rerun()


def main() -> None:
    C.header("Data")
    flash = st.session_state.pop("_data_flash", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    k = C.key()
    st.subheader("Upload your files")
    st.caption(f"At most {st.get_option('server.maxUploadSize')} MB per file. Files are checked "
               "against each other and against the store before anything is written; every "
               "problem is listed with its file, line and column.")
    files, roles, opts = upload_ui()
    study_ok = True
    try:
        opts["study"] = study_ui()
    except CultnetError as e:
        st.error(e.user_message, icon=":material/error:")
        opts["study"], study_ok = None, False
    row = st.container(horizontal=True, gap="small")
    validate = row.button("Validate", disabled=not files, icon=":material/rule:", key="btn_validate")
    load = row.button("Load", type="primary", disabled=not files, icon=":material/upload:",
                     key="btn_load")
    if (validate or load) and study_ok:
        with C.guard("Loading"):
            do_validate_or_load(files, roles, opts, load=load)
    with st.container(border=True):
        c1, c2 = st.columns([4, 1])
        c1.markdown("**Sample data** (the paper's region, in its own study "
                    "`liaoning-sample`): 14 Liaoning cities, 2015-2024 indicators, enterprises "
                    "with cooperation, quarterly series. Simulated: it reproduces the paper's "
                    "structure, not its data.")
        if c2.button("Load sample", icon=":material/science:", key="btn_sample"):
            with C.guard("Loading the sample"):
                load_sample()
    st.subheader("Datasets")
    with C.guard("Datasets"):
        draw_datasets(k)


main()

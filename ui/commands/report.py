"""``cultnet report``: the one-command replication report of a study (issue 13).

Every section of the explorer, computed by the same ``ui/data.py`` functions the pages call
(:mod:`cultnet.ui.report`), written as report.html / report.pdf, tables as CSV and LaTeX, figures
as PNG and SVG, params.json, provenance.json, environment.json, the inputs and replicate.sh, and
DIR.zip. Conventions: docs/design/replication-report.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import typer

from cultnet.errors import CultnetError
from cultnet.ui.common import (STUDY_HELP, console, handle_errors, out, print_json, progress_bar,
                               settings, study_session, use_study, warn_if_simulated)

CLOSENESS = ("wf", "ucinet", "reachable", "strict")
EFFECTS = ("twoway", "entity", "random", "pooled", "between")
COVS = ("robust", "unadjusted", "driscoll-kraay", "clustered")
INFERENCE = ("auto", "wild", "analytic")


def _export_settings() -> None:
    """ui/data.py opens its store from the environment (Settings.from_env): pass the command
    line's store options on to it."""
    s = settings()
    os.environ["CULTNET_BACKEND"] = s.backend
    os.environ["CULTNET_DATA_DIR"] = str(s.data_dir)
    if s.backend == "neo4j":
        for var, val in (("NEO4J_URI", s.neo4j_uri), ("NEO4J_USER", s.neo4j_user),
                         ("NEO4J_PASSWORD", s.neo4j_password), ("NEO4J_DATABASE", s.neo4j_database)):
            if val:
                os.environ[var] = val


def read_groups(path: Path) -> tuple[tuple[str, str], ...]:
    """A (city, group) CSV, as ``cultnet panel --groups`` reads it."""
    import pandas as pd

    if not path.is_file():
        raise CultnetError(f"--groups {path}: no such file")
    frame = pd.read_excel(path) if path.suffix.lower() == ".xlsx" else pd.read_csv(path)
    cols = {str(c).lower(): c for c in frame.columns}
    if "city" not in cols or "group" not in cols:
        raise CultnetError(f"--groups {path}: needs columns city and group (has {', '.join(map(str, frame.columns))})")
    g = frame[[cols["city"], cols["group"]]].dropna()
    return tuple(sorted((str(a).strip(), str(b).strip()) for a, b in zip(g.iloc[:, 0], g.iloc[:, 1])))


def gravity_choice(D: Any, study: str, given: dict | None, masses: str | None, asymmetry: str | None,
                   income: str | None) -> dict | None:
    """The gravity model's choice: params.json's, overridden by --masses / --asymmetry / --income;
    every column must be a numeric indicator column of the study (all problems in one message).
    None: the study's defaults."""
    if given is None and masses is None and asymmetry is None and income is None:
        return None
    cols = D.numeric_indicator_columns(D.indicators(D.view_key(D.data_key(), None, study)))
    g = dict(given) if given is not None else dict(D.gravity_defaults(cols))
    if masses is not None:
        g["masses"] = [m.strip() for m in masses.split(",") if m.strip()]
    for key, val in (("asymmetry", asymmetry), ("income", income)):
        if val is not None:
            g[key] = None if val.strip().lower() in ("", "none") else val.strip()
    wrong = [c for c in [*(g.get("masses") or []), g.get("asymmetry"), g.get("income")] if c and c not in cols]
    if not g.get("masses"):
        wrong.append("(no masses)")
    if wrong:
        raise CultnetError(f"gravity model: {', '.join(map(str, wrong))} not numeric indicator column(s) of the "
                           f"study {study!r} (it has {', '.join(cols) or 'none'})")
    return {"masses": list(g["masses"]), "asymmetry": g.get("asymmetry"), "income": g.get("income")}


def register(app: typer.Typer) -> None:
    @app.command("report")
    @handle_errors
    def report_command(
        output: Optional[Path] = typer.Option(None, "-o", "--output", help="the report directory (default: report-<study>); DIR.zip is written next to it"),
        params_file: Optional[Path] = typer.Option(None, "--params", help="read every choice from a params.json written by an earlier report (flags below override it)"),
        year: Optional[int] = typer.Option(None, "--year", help="the city network's year (default: the latest)"),
        method: Optional[str] = typer.Option(None, "--method", help="the city network: gravity | cooperation | observed (default: the first the study has)"),
        closeness: Optional[str] = typer.Option(None, "--closeness", help="closeness convention when not strongly connected: wf (default) | ucinet | reachable | strict"),
        effects: Optional[str] = typer.Option(None, "--effects", help="panel estimator: twoway (default) | entity | random | pooled | between"),
        cov: Optional[str] = typer.Option(None, "--cov", help="standard errors: robust (clustered by city, default) | unadjusted | driscoll-kraay | clustered"),
        inference: Optional[str] = typer.Option(None, "--inference", help="auto (wild cluster bootstrap below 42 clusters, default) | wild | analytic"),
        reps: Optional[int] = typer.Option(None, "--reps", help="wild bootstrap replications (default 9999)"),
        groups: Optional[Path] = typer.Option(None, "--groups", help="Table 4 groups: a CSV with city, group (default: the network's roles)"),
        qap_y: Optional[str] = typer.Option(None, "--qap-y", help="QAP dependent network (default: the first the study has)"),
        qap_x: Optional[str] = typer.Option(None, "--qap-x", help="QAP explanatory SPECs, comma-separated (default: distance and absdiff of income per head)"),
        qap_perms: Optional[int] = typer.Option(None, "--qap-perms", help="QAP permutations (default 2000)"),
        qap_method: Optional[str] = typer.Option(None, "--qap-method", help="dsp (default) | y | x"),
        var_lags: Optional[str] = typer.Option(None, "--var-lags", help="VAR lags: auto (AIC, default) or a number"),
        var_bands: Optional[str] = typer.Option(None, "--var-bands", help="VAR bands: mc (default) | bootstrap | none"),
        pvar_lags: Optional[int] = typer.Option(None, "--pvar-lags", help="panel VAR lags (default 1)"),
        masses: Optional[str] = typer.Option(None, "--masses", help="gravity model (when its links are not stored): mass columns, comma-separated (default: the study's, as `cultnet gravity`)"),
        asymmetry: Optional[str] = typer.Option(None, "--asymmetry", help="gravity model: the asymmetry column, or none"),
        income: Optional[str] = typer.Option(None, "--income", help="gravity model: the income column of the economic distance, or none"),
        inputs: Optional[list[Path]] = typer.Option(None, "--inputs", help="a folder holding the study's input files (repeatable): copied into inputs/ when their digests reproduce the dataset ids, so that replicate.sh can load them again"),
        no_pdf: bool = typer.Option(False, "--no-pdf", help="skip report.pdf"),
        no_zip: bool = typer.Option(False, "--no-zip", help="skip DIR.zip"),
        tables_only: bool = typer.Option(False, "--tables-only", help="tables and params.json only (what replicate.sh compares)"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
        as_json: bool = typer.Option(False, "--json", help="print what was written as JSON (schema cultnet.report/1)"),
    ) -> None:
        """The replication report: every explorer section of a study as HTML, PDF, CSV, LaTeX, PNG and SVG, with params, provenance, environment and replicate.sh."""
        problems = []
        for flag, val, allowed in (("--closeness", closeness, CLOSENESS), ("--effects", effects, EFFECTS),
                                   ("--cov", cov, COVS), ("--inference", inference, INFERENCE),
                                   ("--qap-method", qap_method, ("dsp", "y", "x")),
                                   ("--var-bands", var_bands, ("mc", "bootstrap", "none"))):
            if val is not None and val not in allowed:
                problems.append(f"{flag} {val!r}: use {', '.join(allowed)}")
        if var_lags is not None and var_lags != "auto" and not var_lags.isdigit():
            problems.append(f"--var-lags {var_lags!r}: auto or a number")
        for d in inputs or []:
            if not d.is_dir():
                problems.append(f"--inputs {d}: not a folder")
        if params_file is not None and not params_file.is_file():
            problems.append(f"--params {params_file}: no such file")
        if not no_pdf and not tables_only:
            from cultnet.ui.report import pdf_unavailable

            why = pdf_unavailable()
            if why:
                problems.append(f"{why}; use --no-pdf to write the report without it")
        if problems:
            raise CultnetError("; ".join(problems))
        use_study(study)
        with study_session() as s:
            name = s.name
            warn_if_simulated(s.datasets(), name)
        _export_settings()
        from cultnet.ui import report as R

        R.quiet_streamlit()
        from cultnet.ui import data as D

        if params_file is not None:
            p = R.Params.from_json(params_file.read_text(encoding="utf-8"))
            if p.study != name:
                raise CultnetError(f"--params {params_file} is for the study {p.study!r}, not {name!r}")
        else:
            p = R.Params(study=name)
        kw: dict[str, Any] = {}
        for field_, val in (("year", year), ("method", method), ("closeness", closeness), ("effects", effects),
                            ("cov", cov), ("inference", inference), ("reps", reps), ("qap_y", qap_y),
                            ("qap_perms", qap_perms), ("qap_method", qap_method), ("pvar_lags", pvar_lags)):
            if val is not None:
                kw[field_] = val
        if qap_x is not None:
            kw["qap_x"] = tuple(x.strip() for x in qap_x.split(",") if x.strip())
        if var_lags is not None:
            kw["var_lags"] = "auto" if var_lags == "auto" else int(var_lags)
        if var_bands is not None:
            kw["var_bands"] = None if var_bands == "none" else var_bands
        if groups is not None:
            kw.update(groups=read_groups(groups), groups_label=f"file {groups.name}")
        if pvar_lags is not None:
            kw["pvar_inst_lags"] = None
        p = p.replace(**kw)
        p = p.replace(gravity=gravity_choice(D, name, p.gravity, masses, asymmetry, income))
        if p.gravity is not None:
            # what the pages read (session state; a plain dict outside `streamlit run`)
            import streamlit as st

            st.session_state["gravity_params"] = p.gravity
        k = D.view_key(D.data_key(), p.gravity, name)
        dest = output or Path(f"report-{name}")
        with progress_bar("replication report") as prog:
            built = R.build_report(k, p, dest, inputs=list(inputs or []), tables_only=tables_only,
                                   pdf=not no_pdf and not tables_only, zip_=not no_zip and not tables_only,
                                   progress=prog)
        reasons = [(s.title, t) for s in built.sections for kind, t in
                   (b for b in s.blocks if isinstance(b, tuple)) if kind == "reason"]
        if as_json:
            print_json({"schema": R.SCHEMA, "study": name, "simulated": built.simulated, "out": str(built.out),
                        "zip": None if built.zip_path is None else str(built.zip_path),
                        "pdf": None if built.pdf is None else str(built.pdf), "files": built.files,
                        "sections": [s.title for s in built.sections], "not_reported": reasons,
                        "seconds": built.seconds})
            return
        n_t = sum(len(s.tables) for s in built.sections)
        n_f = sum(len(s.figures) for s in built.sections)
        out.print(f"[bold]replication report[/] of study {name}{' — SIMULATED DATA' if built.simulated else ''}: "
                  f"{len(built.sections)} sections, {n_t} tables, {n_f if not tables_only else 0} figures "
                  f"in {built.seconds['total']:.1f} s", highlight=False)
        out.print(f"directory: {built.out}" + (f"\nzip: {built.zip_path}" if built.zip_path else ""), highlight=False)
        for title, why in reasons:
            console.print(f"[yellow]not reported[/] ({title}): {why}", highlight=False)
        if not tables_only:
            prov = json.loads((built.out / "provenance.json").read_text(encoding="utf-8"))
            for m in prov["not_replicable"]:
                console.print(f"[yellow]replicate.sh cannot rebuild[/] {m}", highlight=False)

"""``cultnet load`` and ``cultnet export``.

``load`` validates every given file first (all problems of all files are printed as
``file:line:column: reason``, exit code 2, nothing written), then writes one dataset to the store
with a progress bar and prints what was written. ``export`` writes a network from the store as
Pajek, GraphML, GEXF or a CSV edge list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cultnet.errors import CultnetError, ValidationError
from cultnet.ui.common import (console, global_study, handle_errors, out, print_json, progress_bar,
                               settings, store_session, study_session)


def print_problems(err: ValidationError) -> None:
    """Every problem on its own line (never wrapped, no markup), then a one-line summary."""
    for p in err.problems:
        console.print(str(p), markup=False, highlight=False, soft_wrap=True)
    console.print(f"error: {len(err.problems)} problem(s) found in the input; nothing was written "
                  "to the store.", markup=False, highlight=False, soft_wrap=True)


def _summary(result: dict, title: str) -> None:
    t = Table(title=title)
    t.add_column("frame")
    t.add_column("rows", justify="right")
    for k, n in result["rows"].items():
        t.add_row(k, str(n))
    out.print(t)
    out.print(f"dataset {result['dataset_id']} in study {result.get('study')}  ({result['source']})",
              markup=False, highlight=False, soft_wrap=True)
    written = result.get("written")
    if written:
        out.print("written: " + ", ".join(f"{k}={v}" for k, v in written.items()
                                          if not isinstance(v, (dict, list))),
                  markup=False, highlight=False, soft_wrap=True)
    for n in result.get("notes", []):
        out.print(f"note: {n}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("load")
    @handle_errors
    def load_command(
        sample: bool = typer.Option(False, "--sample", help="load the simulated sample in data/sample/"),
        cities: Optional[str] = typer.Option(None, "--cities", help="cities: name, name_zh, province, lat, lon (+ numeric columns)"),
        indicators: Optional[str] = typer.Option(None, "--indicators", help="city, year + numeric indicator columns"),
        edges: Optional[str] = typer.Option(None, "--edges", help="edge list: CSV/XLSX (source, target, weight[, year]), Pajek .net, or node/partner/frequency triples"),
        enterprises: Optional[str] = typer.Option(None, "--enterprises", help="id, name, city"),
        series: Optional[str] = typer.Option(None, "--series", help="region, period (2015Q1 / 2015), + numeric columns"),
        fmt: Optional[str] = typer.Option(None, "--format", help="edge file format: csv, xlsx, pajek, triples (default: from extension and content)"),
        directed: Optional[bool] = typer.Option(None, "--directed/--undirected", help="edge direction (default: csv directed, triples undirected, pajek from the file)"),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="sheet to read in workbooks with several sheets"),
        dry_run: bool = typer.Option(False, "--dry-run", help="validate only; write nothing"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
        study: Optional[str] = typer.Option(None, "--study", help="the study to load into (default: CULTNET_STUDY, else 'default'; --sample: 'liaoning-sample')"),
        simulated: bool = typer.Option(False, "--simulated", help="mark the dataset as simulated data (every page and command then says SIMULATED)"),
    ) -> None:
        """Validate input files and load them into one study of the store as one dataset."""
        from cultnet.etl.load import bundle_rows, load_files, load_sample, sample_bundle, validate_files
        from cultnet.model import DEFAULT_STUDY, SAMPLE_STUDY, check_study_name

        # an explicit --study wins; the sample never follows CULTNET_STUDY (it would pool the
        # simulated sample with the user's own study)
        study = study or global_study() or (SAMPLE_STUDY if sample else
                                            settings().study or DEFAULT_STUDY)
        check_study_name(study)

        files = dict(cities=cities, indicators=indicators, edges=edges, enterprises=enterprises,
                     series=series)
        given = {k: p for k, p in files.items() if p}
        if sample and given:
            raise CultnetError("--sample loads the bundled sample: do not combine it with file options.")
        if not sample and not given:
            raise CultnetError("Nothing to load: give --sample or at least one of --cities, "
                               "--indicators, --enterprises, --edges, --series.")
        if fmt is not None and fmt.lower() not in ("csv", "xlsx", "pajek", "triples"):
            raise CultnetError(f"Unknown --format {fmt!r}: choose csv, xlsx, pajek or triples.")
        try:
            if dry_run:
                if sample:
                    bundle = sample_bundle(study)
                else:
                    with store_session() as store:
                        bundle = validate_files(store, **given, fmt=fmt, directed=directed,
                                                sheet=sheet, study=study, simulated=simulated)
                result = {"dataset_id": bundle.dataset_id, "study": bundle.study, "source": bundle.source,
                          "rows": bundle_rows(bundle), "written": None, "notes": bundle.notes,
                          "dry_run": True}
            else:
                with store_session() as store, progress_bar("loading") as progress:
                    if sample:
                        result = load_sample(store, progress=progress, study=study)
                    else:
                        result = load_files(store, **given, fmt=fmt, directed=directed, sheet=sheet,
                                            progress=progress, study=study, simulated=simulated)
        except ValidationError as e:
            print_problems(e)
            raise typer.Exit(e.exit_code)
        if as_json:
            print_json(result)
        else:
            _summary(result, "dry run" if dry_run else "loaded")
            if dry_run:
                out.print("dry run: the input is valid; nothing was written.", markup=False,
                          highlight=False, soft_wrap=True)

    @app.command("export")
    @handle_errors
    def export_command(
        fmt: str = typer.Option(..., "--format", help="pajek, graphml, gexf or csv"),
        level: str = typer.Option("city", "--level", help="city (LINKS) or enterprise (COOPERATES)"),
        year: Optional[int] = typer.Option(None, "--year", help="one year (default: all years, weights summed except in csv)"),
        method: Optional[str] = typer.Option(None, "--method", help="LINKS method: cooperation, gravity, observed (city level)"),
        output: Path = typer.Option(..., "-o", "--output", help="file to write"),
        directed: Optional[bool] = typer.Option(None, "--directed/--undirected", help="override the direction (default: as stored: gravity directed, other links as loaded)"),
        study: Optional[str] = typer.Option(None, "--study", help="the study to export (default: the global --study, CULTNET_STUDY, or the only study)"),
    ) -> None:
        """Write a network from the store to a file: every node (isolates too), the stored direction
        (Pajek *Arcs or *Edges, GraphML/GEXF edge default)."""
        from cultnet.model import LINK_METHODS
        from cultnet.etl.write import EXPORT_FORMATS, write_network

        fmt = fmt.lower()
        if fmt not in EXPORT_FORMATS:
            raise CultnetError(f"Unknown --format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}.")
        if level not in ("city", "enterprise"):
            raise CultnetError(f"Unknown --level {level!r}: choose city or enterprise.")
        if method is not None and method not in LINK_METHODS:
            raise CultnetError(f"Unknown --method {method!r}: choose one of {', '.join(LINK_METHODS)}.")
        if method is not None and level != "city":
            raise CultnetError("--method applies to --level city only.")
        with study_session(study) as scope:
            edges = scope.edges(level, year=year, method=method)
            nodes = scope.cities() if level == "city" else scope.enterprises()
            recorded = scope.directed(level, method) if hasattr(scope, "directed") and (
                level == "enterprise" or method is not None) else None
        if not len(edges):
            raise CultnetError(f"No {level} edges in the store"
                               + (f" for year {year}" if year is not None else "")
                               + (f" with method {method}" if method else "") + ": nothing exported.")
        comment = f"cultnet export level={level} year={year if year is not None else 'all'}" \
                  + (f" method={method}" if method else "") + (f" study={scope.name}" if isinstance(getattr(scope, "name", None), str) else "")
        from cultnet.graph.export import stored_direction

        if directed is None and recorded is not None:
            directed = bool(recorded)
        if directed is None:
            if level == "city" and "method" in edges.columns:
                by_method = {str(m): stored_direction(f, level="city", method=str(m))
                             for m, f in edges.groupby("method")}
            else:
                by_method = {"": stored_direction(edges, level=level)}
            if len(set(by_method.values())) > 1:
                kinds = ", ".join(f"{m} {'directed' if d else 'undirected'}" for m, d in sorted(by_method.items()))
                raise CultnetError(f"The city links mix directions ({kinds}): export one method "
                                   "(--method) or say how to write them (--directed/--undirected).")
            directed = next(iter(by_method.values()))
        if "linked" in edges.columns:  # gravity pairs stored with --all-pairs: only the arcs
            edges = edges[edges["linked"].isna() | edges["linked"].astype("boolean").fillna(True)]
        comment += f" directed={str(directed).lower()}"
        counts = write_network(edges, nodes, output, fmt, directed=directed,
                               key="name" if level == "city" else "id", comment=comment)
        kind = "arcs" if directed else "edges"
        out.print(f"wrote {counts['nodes']} nodes and {counts['edges']} {kind} to {output} ({fmt}, "
                  f"{'directed' if directed else 'undirected'})",
                  markup=False, highlight=False, soft_wrap=True)

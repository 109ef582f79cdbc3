"""``cultnet query``, ``info``, ``stop``, ``datasets``, ``delete-dataset``, ``studies`` and
``delete-study``.

``query`` runs one read-only Cypher statement with ``$parameters`` (``--param name=value``, the
value parsed as JSON when it parses, else taken as a string), a time limit and a row cap; it
prints a table, or a JSON array of row objects with ``--json``; a truncation notice goes to stderr.
The selected study (``--study`` / ``CULTNET_STUDY``, else the only study) is passed as
``$study``: ``MATCH (c:City {study: $study})`` scopes a query to it.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

import typer
from rich.table import Table

from cultnet.errors import CultnetError
from cultnet.ui.common import (STUDY_HELP, console, handle_errors, out, print_json, print_wide,
                               settings, store_session, use_study, warn_if_simulated)


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """``["name=value", ...]`` -> dict; values parsed as JSON when possible, else strings.

    >>> parse_params(["n=3", "name=abc", 'xs=[1, 2]', "s=\\"3\\""])
    {'n': 3, 'name': 'abc', 'xs': [1, 2], 's': '3'}
    """
    params: dict[str, Any] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CultnetError(f"--param {item!r}: write it as name=value (e.g. --param year=2020).")
        if not name.replace("_", "a").isalnum() or name[0].isdigit():
            raise CultnetError(f"--param {item!r}: a parameter name is letters, digits and _ "
                               "(used as $name in the query).")
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _counts_table(counts: dict[str, dict[str, int]]) -> Table:
    t = Table(title="contents")
    t.add_column("kind")
    t.add_column("name")
    t.add_column("count", justify="right")
    for lab, n in counts["labels"].items():
        t.add_row("nodes", lab, str(n))
    for typ, n in counts["relationships"].items():
        t.add_row("relationships", typ, str(n))
    return t


def _datasets_table(df, title: str = "datasets") -> Table:
    cols = ("id", "study", "status", "source", "loaded_at", "simulated")
    t = Table(title=title)
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in df.to_dict(orient="records"):
        t.add_row(*(_cell(r.get(c)) for c in cols))
    return t


def _studies_table(df) -> Table:
    """One row per study; cells never wrapped or cut (print with print_wide)."""
    t = Table(title="studies")
    heads = [("study", "left"), ("datasets", "right"), ("cities", "right"),
             ("enterprises", "right"), ("observations", "right"), ("edges", "right"),
             ("years", "left"), ("simulated", "left"), ("created", "left")]
    for h, justify in heads:
        t.add_column(h, justify=justify, no_wrap=True)
    for r in df.to_dict(orient="records"):
        name = r["name"] + (" (being deleted)" if r.get("status") == "deleting" else "")
        done = f"{r['complete']}" if r["complete"] == r["datasets"] else \
            f"{r['complete']}/{r['datasets']}"  # complete / all (failed or loading ones)
        t.add_row(name, done, *(str(r[c]) for c in ("cities", "enterprises", "observations",
                                                      "edges")),
                  str(r["years"] or "-"), "yes" if r["simulated"] else "no",
                  str(r.get("created_at") or "")[:10])
    return t


def _selected_study(store) -> str | None:
    """The study a store-level command is about: ``--study`` / ``CULTNET_STUDY`` (checked), else
    the only study in the store, else None."""
    name = settings().study
    if name is not None:
        return store.resolve_study(name)
    names = store.study_names()
    return names[0] if len(names) == 1 else None


def register(app: typer.Typer) -> None:
    @app.command("query")
    @handle_errors
    def query_command(
        cypher: str = typer.Argument(..., help="one read-only Cypher statement; values as $name"),
        param: Optional[List[str]] = typer.Option(None, "--param", "-p",
                                                  help="name=value (JSON if it parses, else a string); repeatable"),
        as_json: bool = typer.Option(False, "--json", help="print a JSON array of row objects"),
        timeout: Optional[float] = typer.Option(None, "--timeout", help="seconds [env CULTNET_QUERY_TIMEOUT, default 10]"),
        limit: Optional[int] = typer.Option(None, "--limit", help="maximum rows [env CULTNET_ROW_CAP, default 10000]"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
    ) -> None:
        """Run a read-only Cypher query against the store."""
        use_study(study)
        params = parse_params(param)
        if limit is not None and limit < 1:
            raise CultnetError("--limit must be at least 1.")
        if timeout is not None and timeout <= 0:
            raise CultnetError("--timeout must be a positive number of seconds.")
        with store_session() as store:
            study = None
            if "study" not in params:
                study = _selected_study(store)
                if study is None and "$study" in cypher:
                    study = store.resolve_study()  # raises: no study, or several to choose from
            res = store.query(cypher, params, study=study, timeout_s=timeout, row_cap=limit)
        if as_json:
            print_json(res.rows)
        else:
            t = Table(show_lines=False)
            for c in res.columns:
                t.add_column(c, overflow="fold")
            for r in res.rows:
                t.add_row(*(_cell(r.get(c)) for c in res.columns))
            out.print(t)
            console.print(f"{len(res.rows)} row(s) in {res.elapsed_ms or 0:.0f} ms", highlight=False)
        if res.truncated and res.truncated_by == "bytes":
            console.print(f"note: result truncated to the first {len(res.rows)} rows: it is larger "
                          "than the size limit (CULTNET_RESULT_MAX_MB)", highlight=False)
        elif res.truncated:
            console.print(f"note: result truncated to the first {len(res.rows)} rows "
                          "(raise it with --limit)", highlight=False)

    @app.command("info")
    @handle_errors
    def info_command(as_json: bool = typer.Option(False, "--json", help="print JSON"),
                     study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP)) -> None:
        """Show the store: backend, location, version, schema, studies; then the selected study's
        (--study, or the only one) node and relationship counts and datasets, or the whole
        store's when several studies and none is chosen."""
        use_study(study)
        with store_session() as store:
            desc = store.describe()
            meta = store.meta()
            studies = store.studies()
            study = _selected_study(store)
            if study is not None:
                view = store.study(study)
                counts, ds = view.counts(), view.datasets()
            else:
                counts, ds = store.counts(), store.datasets()
        if as_json:
            print_json({**desc, "schema": meta, "studies": studies, "study": study,
                        "counts": counts, "datasets": ds})
            return
        for k, v in desc.items():
            out.print(f"{k}: {_cell(v)}", markup=False, highlight=False, soft_wrap=True)
        if meta is not None:
            out.print(f"schema version: {meta['version']}", markup=False, highlight=False)
            if meta.get("note"):
                out.print(f"note: this store was {meta['note']}", markup=False, highlight=False,
                          soft_wrap=True)
        print_wide(_studies_table(studies))
        scope = f"study {study}" if study is not None else "the whole store (every study)"
        out.print(f"contents of {scope}:", markup=False, highlight=False, soft_wrap=True)
        out.print(_counts_table(counts))
        out.print(_datasets_table(ds))
        warn_if_simulated(ds)

    @app.command("datasets")
    @handle_errors
    def datasets_command(as_json: bool = typer.Option(False, "--json", help="print JSON"),
                         study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP)) -> None:
        """List the datasets with their study and load status (every study's, or the one named
        with --study / CULTNET_STUDY)."""
        use_study(study)
        with store_session() as store:
            name = settings().study
            ds = store.datasets(store.resolve_study(name) if name is not None else None)
        if as_json:
            print_json(ds)
        else:
            out.print(_datasets_table(ds))

    @app.command("delete-dataset")
    @handle_errors
    def delete_dataset_command(
        dataset_id: str = typer.Argument(..., help="the dataset id (see `cultnet datasets`)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Delete what one dataset wrote. Nodes another dataset also wrote are kept."""
        with store_session() as store:
            ds = store.datasets()
            owner = dict(zip(ds["id"], ds["study"]))
            if dataset_id not in owner:
                known = sorted(owner)
                raise CultnetError(f"No dataset {dataset_id!r} in the store"
                                   + (f" (known: {', '.join(known)})." if known else " (it is empty)."))
            named = settings().study
            if named is not None and owner[dataset_id] != named:
                raise CultnetError(f"The dataset {dataset_id!r} belongs to the study "
                                   f"{owner[dataset_id]!r}, not {named!r}: nothing deleted.")
            result = store.delete_dataset(dataset_id)
        study = owner[dataset_id]
        if as_json:
            print_json({"dataset_id": dataset_id, "study": study, **result})
        else:
            out.print(f"deleted dataset {dataset_id} of study {study}: "
                      + ", ".join(f"{k}={v}" for k, v in result.items()),
                      markup=False, highlight=False, soft_wrap=True)

    @app.command("studies")
    @handle_errors
    def studies_command(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
        """List the studies in the store: datasets, counts, years, simulated or not."""
        with store_session() as store:
            df = store.studies()
        if as_json:
            print_json(df)
            return
        if not len(df):
            out.print("no studies: the store is empty (cultnet load --study NAME ..., or "
                      "cultnet load --sample)", markup=False, highlight=False, soft_wrap=True)
            return
        print_wide(_studies_table(df))
        if df["simulated"].astype(bool).any():
            names = ", ".join(df.loc[df["simulated"].astype(bool), "name"])
            console.print(f"SIMULATED DATA in: {names} (generated by scripts/make_sample.py; not "
                          "official statistics)", style="bold yellow", markup=False, highlight=False)

    @app.command("delete-study")
    @handle_errors
    def delete_study_command(
        name: str = typer.Argument(..., help="the study to delete (see `cultnet studies`)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Delete a study: every node, relationship and dataset in it (asks nothing)."""
        with store_session() as store:
            result = store.delete_study(name)
        if as_json:
            print_json({"study": name, **result})
        else:
            out.print(f"deleted study {name}: {result['datasets_deleted']} dataset(s), "
                      f"{result['nodes_deleted']} node(s) ({result['cities']} cities, "
                      f"{result['enterprises']} enterprises, {result['observations']} "
                      f"observations, {result['regions']} regions), "
                      f"{result['relationships_deleted']} relationship(s)",
                      markup=False, highlight=False, soft_wrap=True)

    @app.command("stop")
    @handle_errors
    def stop_command() -> None:
        """Stop the embedded store's server (it keeps running between commands otherwise)."""
        s = settings()
        if s.backend != "embedded":
            console.print("The neo4j backend has no server managed by cultnet; nothing to stop.",
                          highlight=False)
            return
        from cultnet.graph.embedded_store import server_location, stop_server

        if stop_server(s):
            out.print(f"stopped the embedded store ({server_location(s)})", markup=False,
                      highlight=False, soft_wrap=True)
        else:
            out.print(f"no embedded store is running for {server_location(s)}", markup=False,
                      highlight=False, soft_wrap=True)

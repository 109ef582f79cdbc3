"""``cultnet query``, ``info``, ``stop``, ``datasets`` and ``delete-dataset``.

``query`` runs one read-only Cypher statement with ``$parameters`` (``--param name=value``, the
value parsed as JSON when it parses, else taken as a string), a time limit and a row cap; it
prints a table, or a JSON array of row objects with ``--json``; a truncation notice goes to stderr.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

import typer
from rich.table import Table

from cultnet.errors import CultnetError
from cultnet.ui.common import warn_if_simulated, console, handle_errors, out, print_json, settings, store_session


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """``["name=value", ...]`` -> dict; values parsed as JSON when possible, else strings.

    >>> parse_params(["n=3", "name=Dalian", 'xs=[1, 2]', "s=\\"3\\""])
    {'n': 3, 'name': 'Dalian', 'xs': [1, 2], 's': '3'}
    """
    params: dict[str, Any] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CultnetError(f"--param {item!r}: write it as name=value (e.g. --param city=Dalian).")
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


def _datasets_table(df) -> Table:
    t = Table(title="datasets")
    for c in ("id", "status", "source", "loaded_at", "simulated"):
        t.add_column(c)
    for r in df.to_dict(orient="records"):
        t.add_row(*(_cell(r.get(c)) for c in ("id", "status", "source", "loaded_at", "simulated")))
    return t


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
    ) -> None:
        """Run a read-only Cypher query against the store."""
        params = parse_params(param)
        if limit is not None and limit < 1:
            raise CultnetError("--limit must be at least 1.")
        if timeout is not None and timeout <= 0:
            raise CultnetError("--timeout must be a positive number of seconds.")
        with store_session() as store:
            res = store.query(cypher, params, timeout_s=timeout, row_cap=limit)
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
    def info_command(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
        """Show the store: backend, location, version, node and relationship counts, datasets."""
        with store_session() as store:
            desc = store.describe()
            counts = store.counts()
            ds = store.datasets()
        if as_json:
            print_json({**desc, "counts": counts, "datasets": ds})
            return
        for k, v in desc.items():
            out.print(f"{k}: {_cell(v)}", markup=False, highlight=False, soft_wrap=True)
        out.print(_counts_table(counts))
        out.print(_datasets_table(ds))
        warn_if_simulated(ds)

    @app.command("datasets")
    @handle_errors
    def datasets_command(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
        """List the datasets in the store with their load status."""
        with store_session() as store:
            ds = store.datasets()
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
            known = set(store.datasets()["id"])
            if dataset_id not in known:
                raise CultnetError(f"No dataset {dataset_id!r} in the store"
                                   + (f" (known: {', '.join(sorted(known))})." if known else " (it is empty)."))
            result = store.delete_dataset(dataset_id)
        if as_json:
            print_json({"dataset_id": dataset_id, **result})
        else:
            out.print(f"deleted dataset {dataset_id}: " + ", ".join(f"{k}={v}" for k, v in result.items()),
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

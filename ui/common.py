"""Shared CLI plumbing: global options, store opening, error handling, progress bars, JSON."""

from __future__ import annotations

import functools
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cultnet.errors import CultnetError
from cultnet.settings import Settings

console = Console(stderr=True)
out = Console()


@dataclass
class GlobalOptions:
    backend: str | None = None
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    data_dir: str | None = None


_GLOBAL = GlobalOptions()


def set_global_options(**kw: Any) -> None:
    for k, v in kw.items():
        setattr(_GLOBAL, k, v)


def settings() -> Settings:
    from pathlib import Path

    return Settings.from_env(
        backend=_GLOBAL.backend,
        neo4j_uri=_GLOBAL.neo4j_uri,
        neo4j_user=_GLOBAL.neo4j_user,
        neo4j_password=_GLOBAL.neo4j_password,
        neo4j_database=_GLOBAL.neo4j_database,
        data_dir=Path(_GLOBAL.data_dir) if _GLOBAL.data_dir else None,
    )


@contextmanager
def store_session() -> Iterator[Any]:
    """Open the configured store for one command and close it afterwards."""
    from graph.store import open_store

    store = open_store(settings())
    try:
        yield store
    finally:
        store.close()


def handle_errors(fn: Callable) -> Callable:
    """Print CultnetError messages (never a traceback) and exit with the error's code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CultnetError as e:
            console.print(f"[bold red]error:[/] {e.user_message}", highlight=False)
            raise typer.Exit(e.exit_code)
        except KeyboardInterrupt:
            console.print("[red]interrupted[/]")
            raise typer.Exit(130)

    return wrapper


@contextmanager
def progress_bar(label: str = "working") -> Iterator[Callable[[int, int, str], None]]:
    """A Rich progress bar; yields a ``progress(done, total, label)`` callback."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False,
                  disable=not sys.stderr.isatty()) as p:
        task = p.add_task(label, total=None)

        def update(done: int, total: int, what: str = label) -> None:
            p.update(task, completed=done, total=total, description=what)

        yield update


def _jsonable(v: Any) -> Any:
    try:
        import numpy as np
        import pandas as pd
    except ImportError:  # pragma: no cover
        np = pd = None
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if np is not None:
        if isinstance(v, np.ndarray):
            return [_jsonable(x) for x in v.tolist()]
        if isinstance(v, np.generic):
            v = v.item()
    if pd is not None and isinstance(v, pd.DataFrame):
        return [_jsonable(r) for r in v.to_dict(orient="records")]
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def print_json(obj: Any) -> None:
    """Print JSON to stdout: NaN/inf become null, numpy/pandas values become plain ones."""
    sys.stdout.write(json.dumps(_jsonable(obj), ensure_ascii=False, default=str) + "\n")

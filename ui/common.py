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
    study: str | None = None


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
        study=_GLOBAL.study,
    )


def use_study(name: str | None) -> None:
    """A command's own ``--study`` (after the command name) overrides the global one for the
    rest of the command (every ``study_session()`` of it)."""
    if name is not None:
        _GLOBAL.study = name


STUDY_HELP = ("the study to read (default: --study before the command, CULTNET_STUDY, or the only "
              "study in the store)")


def global_study() -> str | None:
    """The study named by the global ``--study`` option (not by ``CULTNET_STUDY``)."""
    return _GLOBAL.study


@contextmanager
def store_session() -> Iterator[Any]:
    """Open the configured store for one command and close it afterwards. When opening it
    migrated an older store, say so once (on stderr)."""
    from cultnet.graph.store import open_store

    store = open_store(settings())
    try:
        if getattr(store, "migration", None):
            console.print(f"note: the store was {store.migration['note']}", markup=False,
                          highlight=False, soft_wrap=True)
        yield store
    finally:
        store.close()


@contextmanager
def study_session(name: str | None = None) -> Iterator[Any]:
    """Open the store and yield the view of one study (``name``, else ``--study`` /
    ``CULTNET_STUDY``, else the only study in the store: ``GraphStore.resolve_study``)."""
    with store_session() as store:
        yield store.study(store.resolve_study(name if name is not None else settings().study))


def print_wide(table: Any) -> None:
    """Print a Rich table on stdout at its natural width: wider than the terminal, it is printed
    wider (the terminal wraps lines) rather than with cells cut or wrapped."""
    from rich.console import Console
    from rich.measure import Measurement

    need = Measurement.get(out, out.options.update_width(100_000), table).maximum
    if need <= out.width:
        out.print(table)
    else:
        Console(file=out.file, width=need, force_terminal=out.is_terminal,
                no_color=out.no_color).print(table)


def handle_errors(fn: Callable) -> Callable:
    """Print CultnetError messages (never a traceback) and exit with the error's code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _NOTICE_SHOWN.clear()  # each command says SIMULATED (at most) once
        try:
            return fn(*args, **kwargs)
        except CultnetError as e:
            # the message as written (no Rich markup, no re-wrapping: a caret under a query line
            # must stay under its character)
            console.print("error:", style="bold red", end=" ")
            console.print(e.user_message, markup=False, highlight=False, soft_wrap=True)
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


SIMULATED_NOTICE = ("SIMULATED DATA: {where} a dataset marked simulated (e.g. the sample, generated "
                    "by scripts/make_sample.py with a fixed seed); its numbers are not official "
                    "statistics.")


def warn_if_simulated(datasets: Any, study: str | None = None) -> bool:
    """Print the SIMULATED notice on stderr when any dataset (a DataFrame with a ``simulated``
    column, as ``Study.datasets()`` returns) is simulated; once per command. ``study`` names
    the study in the notice. Returns whether the data is simulated."""
    try:
        sim = bool(len(datasets)) and bool(datasets["simulated"].fillna(False).astype(bool).any())
    except (KeyError, TypeError, AttributeError):
        return False
    if sim and not _NOTICE_SHOWN:
        _NOTICE_SHOWN.append(True)   # once per command, however many reads it makes
        where = f"the study '{study}' holds" if study else "the store holds"
        console.print(SIMULATED_NOTICE.format(where=where), style="bold yellow", markup=False,
                      highlight=False)
    return sim


_NOTICE_SHOWN: list[bool] = []

"""The ``cultnet`` command line.

Global options select the store; command groups live in ui/commands/*.py, each exposing
``register(app)``.
"""

from __future__ import annotations

import importlib
from typing import Optional

import typer

from cultnet.ui.common import set_global_options

app = typer.Typer(
    name="cultnet",
    help="Regional industry networks: load data into a graph store, query it in Cypher, "
    "compute network statistics and econometric panels, explore them in a browser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ["load", "core", "network", "econ", "qap", "report", "app"]


@app.callback()
def _global(
    backend: Optional[str] = typer.Option(None, "--backend", help="embedded (default) or neo4j [env CULTNET_BACKEND]"),
    neo4j_uri: Optional[str] = typer.Option(None, "--neo4j-uri", help="bolt://, neo4j:// or neo4j+s:// [env NEO4J_URI]"),
    neo4j_user: Optional[str] = typer.Option(None, "--neo4j-user", help="[env NEO4J_USER]"),
    neo4j_password: Optional[str] = typer.Option(None, "--neo4j-password", help="[env NEO4J_PASSWORD]"),
    neo4j_database: Optional[str] = typer.Option(None, "--neo4j-database", help="[env NEO4J_DATABASE]"),
    data_dir: Optional[str] = typer.Option(None, "--data-dir", help="embedded store directory [env CULTNET_DATA_DIR]"),
    study: Optional[str] = typer.Option(None, "--study", help="the study to read or load (default: the only study in the store; load: 'default') [env CULTNET_STUDY]"),
) -> None:
    set_global_options(backend=backend, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user,
                       neo4j_password=neo4j_password, neo4j_database=neo4j_database,
                       data_dir=data_dir, study=study)


for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(f"cultnet.ui.commands.{_name}")
    except ModuleNotFoundError as _e:  # a command group not written yet
        if _e.name != f"cultnet.ui.commands.{_name}":
            raise
        continue
    _mod.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

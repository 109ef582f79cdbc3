"""cultnet: a graph-database backed explorer for regional industry networks.

Notebook use::

    import cultnet
    store = cultnet.open_store()                 # CULTNET_BACKEND etc., or backend=..., data_dir=...
    s = store.study("liaoning-sample")           # or cultnet.study() / cultnet.study("name")
    s.indicators(); g = s.to_igraph(year=2024, method="gravity")
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def open_store(**settings: Any):
    """Open the configured store; keyword arguments override :class:`cultnet.settings.Settings`
    fields read from the environment (``backend="neo4j"``, ``data_dir=...``, ``study=...``)."""
    from pathlib import Path

    from cultnet.graph.store import open_store as _open
    from cultnet.settings import Settings

    if settings.get("data_dir") is not None:
        settings["data_dir"] = Path(settings["data_dir"])
    return _open(Settings.from_env(**settings))


def study(name: str | None = None, **settings: Any):
    """Open the store and return the view of one study: ``name``, else ``CULTNET_STUDY``, else
    the only study in the store (see ``GraphStore.resolve_study``). Close it with
    ``view.store.close()``."""
    store = open_store(**settings)
    try:
        return store.study(store.resolve_study(name))
    except BaseException:
        store.close()
        raise

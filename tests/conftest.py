"""Session-wide fixtures: the real Neo4j 5.26 server the ``neo4j`` tests run against.

``neo4j_server`` (session scope) returns a :class:`Neo4jConnection` with ``.uri``, ``.user``,
``.password``, ``.database`` and ``.http_port`` (None when HTTP is off).

* If ``NEO4J_URI`` is set, that server is used (with ``NEO4J_USER`` / ``NEO4J_PASSWORD`` /
  ``NEO4J_DATABASE``) and none is started.
* Otherwise one Neo4j Community server is started from the Maven jars in ``neo4j/lib`` (fetched
  with ``mvn`` when missing) by ``scripts/neo4j_server.py``, in a tmp home, once per session, and
  stopped at the end of the session.

It never skips: if Neo4j cannot start, every test that asks for it errors with the reason and the
tail of the Neo4j log. Nothing starts unless a test requests the fixture, so this file imports
without Java, Maven or Neo4j.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Neo4jConnection:
    uri: str
    user: str
    password: str
    database: str = "neo4j"
    http_port: int | None = None


def load_neo4j_server_module():
    """Import scripts/neo4j_server.py (scripts/ is not a package) once."""
    name = "cultnet_neo4j_server_script"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "neo4j_server.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """The session's Neo4j: ``NEO4J_URI`` if set, else one started from the Maven jars."""
    if os.environ.get("NEO4J_URI"):
        password = os.environ.get("NEO4J_PASSWORD")
        if not password:
            pytest.fail("NEO4J_URI is set but NEO4J_PASSWORD is not", pytrace=False)
        yield Neo4jConnection(uri=os.environ["NEO4J_URI"],
                              user=os.environ.get("NEO4J_USER", "neo4j"),
                              password=password,
                              database=os.environ.get("NEO4J_DATABASE", "neo4j"),
                              http_port=int(os.environ["NEO4J_HTTP_PORT"])
                              if os.environ.get("NEO4J_HTTP_PORT") else None)
        return

    mod = load_neo4j_server_module()
    home = tmp_path_factory.mktemp("neo4j-home")
    server = mod.Neo4jServer(home, mod.DEFAULT_LIB)
    try:
        server.start()
    except mod.Neo4jServerError as e:
        pytest.fail(f"could not start Neo4j for the tests (home {home}):\n{e}", pytrace=False)
    try:
        yield Neo4jConnection(uri=server.uri, user=server.user, password=server.password,
                              database=server.database, http_port=server.http_port)
    finally:
        server.stop()

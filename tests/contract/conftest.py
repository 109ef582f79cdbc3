"""The ``store`` fixture: every contract test runs against both real backends.

* ``embedded``: a FalkorDB server of its own in a tmp data dir, stopped at teardown.
* ``neo4j``: the session's real Neo4j 5.26 (``neo4j_server`` fixture of tests/conftest.py, which
  starts it from the Maven jars or uses ``NEO4J_URI``), wiped before each test.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from cultnet.model import Bundle
from cultnet.settings import Settings


def neo4j_settings(request) -> Settings:
    try:
        server = request.getfixturevalue("neo4j_server")
    except pytest.FixtureLookupError:
        server = None
    if server is not None:
        return Settings(backend="neo4j", neo4j_uri=server.uri, neo4j_user=server.user,
                        neo4j_password=server.password,
                        neo4j_database=getattr(server, "database", "neo4j") or "neo4j")
    if os.environ.get("NEO4J_URI"):
        return Settings.from_env(backend="neo4j")
    pytest.fail("no Neo4j server: neither the neo4j_server fixture nor NEO4J_URI is available")


@pytest.fixture
def neo4j_store_settings(request) -> Settings:
    """Settings pointing at the session's Neo4j (fails when there is none: CI must run these)."""
    return neo4j_settings(request)


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_factory(backend, request, tmp_path):
    """Open stores of the parametrized backend on one shared location; all closed at teardown."""
    from cultnet.graph._falkordb_server import stop_server

    opened = []
    if backend == "embedded":
        settings = Settings(backend="embedded", data_dir=tmp_path / "data")
    else:
        settings = neo4j_settings(request)

    def make(**kw):
        if backend == "embedded":
            from cultnet.graph.embedded_store import EmbeddedStore

            st = EmbeddedStore(settings, **kw)
        else:
            from cultnet.graph.neo4j_store import Neo4jStore

            st = Neo4jStore(settings, **kw)
        opened.append(st)
        return st

    make.settings = settings
    if backend == "neo4j":
        first = make()
        first.wipe()
    yield make
    for st in opened:
        st.close()
    if backend == "embedded":
        stop_server(settings.data_dir)


@pytest.fixture
def store(store_factory):
    return store_factory()


def small_bundle(dataset_id: str = "ds1", **overrides) -> Bundle:
    """Three cities, two years of indicators, three enterprises, two cooperation edges,
    three city links (two years), two quarters of a regional series: small enough to count by hand."""
    frames = dict(
        cities=pd.DataFrame({"name": ["Shenyang", "Dalian", "Anshan"],
                             "name_zh": ["沈阳", "大连", "鞍山"],
                             "province": ["Liaoning"] * 3,
                             "lat": [41.8, 38.9, 41.1], "lon": [123.4, 121.6, 123.0]}),
        indicators=pd.DataFrame({"city": ["Shenyang", "Shenyang", "Dalian"],
                                 "year": [2015, 2016, 2015],
                                 "gdp": [7272.3, 5460.0, float("nan")],
                                 "patents": [120, 130, 95]}),
        enterprises=pd.DataFrame({"id": ["e1", "e2", "e3"], "name": ["Alpha", "Beta", "Gamma"],
                                  "city": ["Shenyang", "Dalian", "Anshan"]}),
        cooperation=pd.DataFrame({"source": ["e1", "e2"], "target": ["e2", "e3"],
                                  "weight": [2.0, 5.0], "year": [2015, 2015]}),
        city_links=pd.DataFrame({"source": ["Shenyang", "Dalian", "Shenyang"],
                                 "target": ["Dalian", "Anshan", "Dalian"],
                                 "weight": [2.0, 5.0, 1.5], "year": [2015, 2015, 2016],
                                 "method": ["cooperation"] * 3}),
        series=pd.DataFrame({"region": ["Liaoning", "Liaoning"], "period": ["2015Q1", "2015Q2"],
                             "freq": ["Q", "Q"], "gdp_growth": [6.1, 5.9]}),
    )
    frames.update(overrides)
    return Bundle(dataset_id=dataset_id, source=f"{dataset_id}.csv", sha256=content_hash(frames),
                  **frames)


def content_hash(frames: dict) -> str:
    """A sha256 over the frames' content, as etl hashes the files: the same content gives the
    same hash (a reload of a complete dataset with it is a no-op), other content another."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(frames):
        df = frames[name]
        h.update(f"{name}:{'' if df is None else df.to_json(orient='split', default_handler=str)};".encode())
    return h.hexdigest()


@pytest.fixture
def make_bundle():
    return small_bundle

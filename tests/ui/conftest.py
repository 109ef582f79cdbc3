"""Fixtures for the explorer tests: an embedded store in a temporary data dir, loaded with the
sample (etl.load.load_sample), exposed to the app through CULTNET_* environment variables."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"


@contextlib.contextmanager
def app_session(env: dict, timeout: float, *, run: bool = True):
    """An AppTest of the explorer with ``env`` in os.environ (first run done unless ``run`` is
    False); afterwards the app's caches are cleared (closing its store) and os.environ is as it
    was."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = AppTest.from_file(str(APP), default_timeout=timeout)
        if run:
            app.run()
        yield app
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def sample_store_env(tmp_path_factory):
    """Environment of a sample-loaded embedded store: {"CULTNET_DATA_DIR": ..., ...}."""
    from cultnet.settings import Settings
    from cultnet.etl.load import load_sample
    from cultnet.graph.store import open_store

    data_dir = tmp_path_factory.mktemp("cultnet-ui-store")
    # CULTNET_STUDY: the explorer shows (and the Data page loads into) the sample's study
    env = {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(data_dir),
           "CULTNET_GRAPH": "cultnet", "CULTNET_STUDY": "liaoning-sample"}
    settings = Settings.from_env(env)
    from cultnet.graph.embedded_store import stop_server

    try:
        store = open_store(settings)
        try:
            load_sample(store)
        finally:
            store.close()
        yield env
    finally:
        # the embedded server outlives its clients: stop it, also when the setup above failed
        stop_server(settings)


@pytest.fixture()
def app_env(sample_store_env, monkeypatch):
    for k, v in sample_store_env.items():
        monkeypatch.setenv(k, v)
    yield sample_store_env


REGION = ROOT / "tests" / "data" / "region"


@pytest.fixture(scope="session")
def two_study_env(tmp_path_factory):
    """An embedded store with two studies: the sample (liaoning-sample) and the SIMULATED
    second region of tests/data/region (shanxi). No CULTNET_STUDY: the explorer must follow
    its selector and ``?study=``."""
    from cultnet.etl.load import load_files, load_sample
    from cultnet.graph.embedded_store import stop_server
    from cultnet.graph.store import open_store
    from cultnet.settings import Settings

    data_dir = tmp_path_factory.mktemp("cultnet-ui-two-studies")
    env = {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": str(data_dir),
           "CULTNET_GRAPH": "cultnet"}
    settings = Settings.from_env(env)
    try:
        store = open_store(settings)
        try:
            load_sample(store)
            load_files(store, cities=REGION / "cities.csv", indicators=REGION / "indicators.csv",
                       edges=REGION / "links.csv", series=REGION / "series.csv", study="shanxi",
                       simulated=True)
        finally:
            store.close()
        yield env
    finally:
        stop_server(settings)

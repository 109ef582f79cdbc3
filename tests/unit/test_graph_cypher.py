"""graph/_cypher.py, graph/queries and the error translation: no database needed."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cultnet.errors import QueryRejected, QueryTimeout
from cultnet.model import NO_YEAR, Bundle
from cultnet.graph._cypher import (QUERY_DIR, Q, bundle_steps, cooperation_columns, observation_key,
                                   plain, props_frame, result_rows, series_key, written_counts)


def test_every_query_file_names_its_params_in_its_header():
    assert len(Q) >= 20
    for path in sorted(QUERY_DIR.glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        header = "\n".join(l for l in text.splitlines() if l.lstrip().startswith("//"))
        body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
        assert header.startswith(f"// {path.stem}"), path.name
        for param in set(re.findall(r"\$(\w+)", body)):
            assert f"${param}" in header, f"{path.name}: ${param} used but not named in the header"
        assert ";" not in body.strip().rstrip(";"), f"{path.name}: one statement per file"


def test_queries_take_no_text_from_python_formatting():
    # maps {k: v} are fine; str.format / %-formatting fields are not
    for name, text in Q.items():
        assert not re.search(r"\{\d*\}|%s|%\(", text), name


def bundle(**kw) -> Bundle:
    frames = dict(
        cities=pd.DataFrame({"name": ["A", "B"], "name_zh": ["甲", "乙"], "province": ["P", "P"],
                             "lat": [1.0, np.nan], "lon": [2.0, 3.0], "area": [np.int64(5), np.int64(6)]}),
        indicators=pd.DataFrame({"city": ["A", "B"], "year": [2015, 2016], "gdp": [1.5, np.nan]}),
        enterprises=pd.DataFrame({"id": [1, 2], "name": ["x", "y"], "city": ["A", "B"]}),
        cooperation=pd.DataFrame({"source": [1], "target": [2], "weight": [3], "year": [np.nan]}),
        series=pd.DataFrame({"region": ["R"], "period": ["2015Q1"], "freq": ["Q"], "v": [0.5]}),
    )
    frames.update(kw)
    return Bundle("d", "src", "sha", **frames)


def test_bundle_steps_rows():
    steps = {s.query: s for s in bundle_steps(bundle())}
    assert list(steps) == ["merge_cities", "create_observations", "merge_enterprises",
                           "create_cooperation", "create_series"]
    a, b = steps["merge_cities"].rows
    assert a == {"name": "A", "props": {"name_zh": "甲", "province": "P", "lat": 1.0, "lon": 2.0, "area": 5}}
    assert "lat" not in b["props"]  # missing values are not written (never erase another dataset's)
    assert type(a["props"]["area"]) is int
    o = steps["create_observations"].rows
    assert o[0] == {"key": "city|A|2015", "city": "A", "year": 2015, "props": {"gdp": 1.5}}
    assert o[1]["props"] == {}
    e = steps["merge_enterprises"].rows[0]
    assert e["id"] == "1" and e["city"] == "A" and e["props"] == {"name": "x", "city": "A"}  # ids as text
    assert steps["create_cooperation"].rows == [{"source": "1", "target": "2", "weight": 3.0, "year": NO_YEAR}]
    assert steps["create_series"].rows[0]["key"] == series_key("R", "Q", "2015Q1") == "region|R|Q|2015Q1"
    assert observation_key("A", 2015.0) == "city|A|2015"
    assert written_counts(bundle())["cooperation"] == 1


def test_bundle_steps_reference_what_the_bundle_does_not_list():
    """Nodes a bundle refers to but does not list are referenced (they join the dataset)."""
    b = bundle(cities=None, enterprises=pd.DataFrame({"id": [1], "name": ["x"], "city": ["A"]}),
               city_links=pd.DataFrame({"source": ["A"], "target": ["C"], "weight": [1.0],
                                        "year": [2015], "method": ["observed"]}))
    steps = {s.query: s for s in bundle_steps(b)}
    assert steps["reference_cities"].rows == [{"name": "A"}, {"name": "B"}, {"name": "C"}]
    assert steps["reference_enterprises"].rows == [{"id": "2"}]  # 1 is in the enterprises file
    assert list(steps)[:2] == ["reference_cities", "create_observations"]


def test_reserved_column_names_are_refused():
    from cultnet.errors import CultnetError

    with pytest.raises(CultnetError, match=r"cities of dataset 'd' have a column named 'datasets'"):
        bundle_steps(bundle(cities=bundle().cities.assign(datasets=1)))
    with pytest.raises(CultnetError, match="'key'"):
        bundle_steps(bundle(indicators=bundle().indicators.assign(key="x")))


def test_batches():
    step = bundle_steps(bundle())[0]
    assert [len(b) for b in step.batches(1)] == [1, 1]


@pytest.mark.parametrize("value, expected", [
    (np.int64(3), 3), (np.float64(2.5), 2.5), (np.nan, None), (float("inf"), None), (pd.NA, None),
    (pd.NaT, None), (np.bool_(True), True), (pd.Timestamp("2020-01-02"), "2020-01-02T00:00:00"),
    ([np.int64(1), np.nan], [1, None]), ("x", "x"), (None, None),
])
def test_plain(value, expected):
    got = plain(value)
    assert got == expected and type(got) is type(expected)


def test_props_frame_orders_columns_and_drops_bookkeeping():
    df = props_frame([{"z": 1, "name": "B", "dataset": "d", "datasets": ["d"], "a": 2},
                      {"name": "A", "key": "k"}], ["name", "lat"], sort=["name"])
    assert list(df.columns) == ["name", "lat", "a", "z"]
    assert df["name"].tolist() == ["A", "B"]


def test_result_rows():
    rows = result_rows(pd.DataFrame({"deg": [1.0, np.nan]}, index=["A", "B"]), run_id="r", prefix="p_")
    assert rows == [{"key": "A", "props": {"p_deg": 1.0, "p_run_id": "r"}},
                    {"key": "B", "props": {"p_deg": None, "p_run_id": "r"}}]


@pytest.mark.parametrize("msg, cls, fragment", [
    ("graph.RO_QUERY is to be executed only on read-only queries", QueryRejected, "read-only"),
    ("Query timed out", QueryTimeout, "time limit"),
    ("errMsg: Invalid input ' ': expected MATCH line: 1, column: 5", QueryRejected, "syntax error"),
    ("Query's mem consumption exceeded capacity", QueryRejected, "memory"),
    ("Unknown function 'foo'", QueryRejected, "query rejected"),
])
def test_falkordb_error_translation(msg, cls, fragment):
    from cultnet.graph.embedded_store import _translate

    err = _translate(msg)
    assert type(err) is cls and fragment in err.user_message


def test_socket_path_falls_back_to_a_private_dir_for_long_dirs(tmp_path):
    """Too long for a Unix socket: a fresh private directory (0700, unpredictable name) instead
    of a predictable shared path that another local user could take first; server.json records
    which one (tests/contract/test_embedded_server.py checks the whole life cycle)."""
    import os
    import shutil
    import stat

    from cultnet.graph._falkordb_server import SOCKET_PATH_MAX, _socket_path

    short = _socket_path(tmp_path)
    assert short == str(tmp_path / "redis.sock")
    long_dir = tmp_path / ("x" * 120)
    p, q = _socket_path(long_dir), _socket_path(long_dir)
    try:
        assert len(p) <= SOCKET_PATH_MAX and p != q  # not predictable
        for sock in (p, q):
            st = os.lstat(os.path.dirname(sock))
            assert os.path.basename(os.path.dirname(sock)).startswith("cultnet-")
            assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid()
    finally:
        for sock in (p, q):
            shutil.rmtree(os.path.dirname(sock), ignore_errors=True)


def test_parse_params():
    from cultnet.ui.commands.core import parse_params

    assert parse_params(["n=3", "name=Dalian", "xs=[1, 2]", 's="3"', "q=O'Brien = x"]) == \
        {"n": 3, "name": "Dalian", "xs": [1, 2], "s": "3", "q": "O'Brien = x"}
    from cultnet.errors import CultnetError

    with pytest.raises(CultnetError):
        parse_params(["novalue"])
    with pytest.raises(CultnetError):
        parse_params(["bad-name=1"])


def _coop_reference(df):
    """cooperation rows the plain way (the implementation before CoopColumns): ids as text,
    missing / NaN / infinite weight 1.0, missing year NO_YEAR, stably sorted by source id."""
    out = []
    for s, t, w, y in zip(df["source"], df["target"], df["weight"], df["year"]):
        w = plain(w)
        y = plain(y)
        out.append({"source": str(plain(s)), "target": str(plain(t)),
                    "weight": 1.0 if w is None else float(w), "year": NO_YEAR if y is None else int(y)})
    return sorted(out, key=lambda r: r["source"])


def test_cooperation_columns_are_the_plain_rows():
    rng = np.random.default_rng(5)
    n = 500
    ids = np.array([f"E{i}" for i in range(40)] + list(range(100, 140)), dtype=object)  # text and int ids
    df = pd.DataFrame({"source": ids[rng.integers(0, 80, n)], "target": ids[rng.integers(0, 80, n)],
                       "weight": rng.choice([1.0, 2.5, np.nan, np.inf, 4.0], n),
                       "year": rng.choice([2001.0, 2005.0, np.nan], n)})
    cols = cooperation_columns(df)
    want = _coop_reference(df)
    assert cols.dicts() == want
    assert cols.lists(slice(10, 20)) == [[r["source"], r["target"], r["weight"], r["year"]] for r in want[10:20]]
    assert all(type(r["year"]) is int and type(r["weight"]) is float for r in cols.dicts())
    assert list(cols.keys) == sorted({r["source"] for r in want} | {r["target"] for r in want})
    # elementIds by key: rows by elementId, None for a batch with an unknown end, and the
    # known rows only (what a failed MATCH per row leaves)
    known = {k: f"eid-{k}" for k in cols.keys.tolist() if k != "E3"}
    eids = cols.element_ids(known)
    ok = [r for r in want if "E3" not in (r["source"], r["target"])]
    assert cols.known_rows(eids, slice(None)) == [
        [f"eid-{r['source']}", f"eid-{r['target']}", r["weight"], r["year"]] for r in ok]
    assert cols.by_element_id(eids) is None  # some row has E3
    pos = np.array([i for i, r in enumerate(want) if "E3" not in (r["source"], r["target"])][:5])
    assert cols.by_element_id(eids, pos, keys=True) == [
        [f"eid-{r['source']}", f"eid-{r['target']}", r["weight"], r["year"], r["source"], r["target"]]
        for r in (want[i] for i in pos.tolist())]
    assert len(cooperation_columns(df.iloc[:0])) == 0 and cooperation_columns(None).dicts() == []


def test_cooperation_step_rows_and_columns_agree():
    step = {s.query: s for s in bundle_steps(bundle())}["create_cooperation"]
    assert step.columns.dicts() == step.rows == [
        {"source": "1", "target": "2", "weight": 3.0, "year": NO_YEAR}]
    assert {s.query: s for s in bundle_steps(bundle())}["merge_cities"].columns is None


def test_paused_gc_restores_the_collector_state():
    import gc
    import threading

    from cultnet.graph.store import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        inner = threading.Event()
        out = threading.Event()

        def other():  # a second load in another thread; the first to leave keeps it paused
            with paused_gc():
                inner.set()
                out.wait(5)
        t = threading.Thread(target=other)
        t.start()
        inner.wait(5)
    assert not gc.isenabled()  # the other load still runs
    out.set()
    t.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # was off before: stays off
    finally:
        gc.enable()

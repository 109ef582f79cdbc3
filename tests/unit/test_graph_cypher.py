"""graph/_cypher.py, graph/queries and the error translation: no database needed."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cultnet.errors import QueryRejected, QueryTimeout
from cultnet.model import NO_YEAR, Bundle
from cultnet.graph._cypher import (QUERY_DIR, Q, bundle_steps, observation_key, plain, props_frame,
                           result_rows, series_key, written_counts)


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

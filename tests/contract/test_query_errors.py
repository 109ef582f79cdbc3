"""A Cypher syntax error reads the same on both stores: line, column, reason, the line and a
caret under the character the parser stopped at; never the database's raw error fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from cultnet.errors import QueryRejected

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


@pytest.mark.parametrize("cypher, line, col, shown", [
    # FalkorDB points at the character it stopped at, Neo4j at the start of the unexpected token
    ("MATCH (c:City RETURN c", 1, {"embedded": 15, "neo4j": 15}, "MATCH (c:City RETURN c"),
    ("MATCH (c:City)\nWHERE c.name = 'x' RETRN c", 2, {"embedded": 23, "neo4j": 20},
     "WHERE c.name = 'x' RETRN c"),
])
def test_syntax_error_message(store, backend, cypher, line, col, shown):
    col = col[backend]
    from cultnet.etl.load import load_files

    load_files(store, cities=GOOD / "cities.csv")  # an empty FalkorDB graph answers nothing
    with pytest.raises(QueryRejected) as err:
        store.query(cypher)
    msg = err.value.user_message
    assert msg.startswith(f"syntax error at line {line}, column {col}: "), msg
    assert "errMsg" not in msg and "errCtx" not in msg and "offset" not in msg, msg
    body = msg.splitlines()
    assert body[1].strip() == shown, msg
    caret = body[2].index("^") - body[1].index(shown[0])
    assert caret == col - 1, msg

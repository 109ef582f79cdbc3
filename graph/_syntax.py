"""Cypher syntax errors as a user reads them: line, column, the reason, the line with a caret.

FalkorDB reports ``errMsg: Invalid input 'R': expected ... line: 1, column: 15, offset: 14
errCtx: MATCH (c:City RETURN c errCtxOffset: 14``; Neo4j ``Invalid input 'RETURN': expected ...
(line 1, column 15 (offset: 14))`` followed by the line and a caret. Both become::

    syntax error at line 1, column 15: Invalid input 'R': expected a label, '{', a parameter or ')'
      MATCH (c:City RETURN c
                    ^

(the caret under the character the parser stopped at).
"""

from __future__ import annotations

import re

_FALKOR = re.compile(r"errMsg:\s*(?P<reason>.*?)\s+line:\s*(?P<line>\d+),\s*column:\s*(?P<col>\d+)"
                     r"(?:,\s*offset:\s*\d+)?(?:\s+errCtx:\s*(?P<ctx>.*?)\s+errCtxOffset:\s*(?P<ctxoff>\d+))?\s*$",
                     re.S)
_NEO4J = re.compile(r"^(?P<reason>.*?)\s*\(line (?P<line>\d+), column (?P<col>\d+) \(offset: \d+\)\)", re.S)


def syntax_message(msg: str, cypher: str | None = None, *, prefix: str = "") -> str | None:
    """The clean message for a database's syntax error text, or None when ``msg`` is not one.

    ``cypher`` (the query) gives the exact line to show under the message; without it the
    database's own context is used. ``prefix``: text the store put before the user's query
    (Neo4j's store runs ``EXPLAIN`` + the query first); it is taken off line 1 and its column.

    >>> print(syntax_message("errMsg: Invalid input 'R': expected RETURN line: 2, column: 23, "
    ...                      "offset: 37 errCtx: WHERE c.name = 'x' RETRN c errCtxOffset: 22"))
    syntax error at line 2, column 23: Invalid input 'R': expected RETURN
      WHERE c.name = 'x' RETRN c
                            ^
    """
    m = _FALKOR.search(msg) or _NEO4J.search(msg)
    if not m:
        return None
    line, col = int(m.group("line")), int(m.group("col"))
    reason = " ".join(m.group("reason").split()).rstrip(" .;")
    text, caret = None, None
    lines = cypher.splitlines() if cypher else []
    if 1 <= line <= len(lines):
        text, caret = lines[line - 1], col - 1
    elif m.groupdict().get("ctx") is not None:
        text, caret = m.group("ctx"), int(m.group("ctxoff"))
    elif (q := re.search(r'^"(.*)"\s*$', msg[m.end():], re.M)) is not None:  # Neo4j's quoted line
        text, caret = q.group(1), col - 1
    if prefix and line == 1 and text is not None and text.startswith(prefix):
        text, caret, col = text[len(prefix):], caret - len(prefix), col - len(prefix)
    out = f"syntax error at line {line}, column {col}: {reason}"
    if text is not None:
        out += f"\n  {text.rstrip()}\n  {' ' * max(0, min(caret, len(text)))}^"
    return out

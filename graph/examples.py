"""Saved example queries for the Cypher console, read from ``graph/queries/examples/*.cypher``.

One statement per file, headed by ``//`` comment lines in this format (the first line names the
``$params``, as every file in ``graph/queries`` does)::

    // city_partners -- $study, $city
    // title: A city's partners by year
    // description: Every city linked to the chosen one, by year and method.
    // param study: study = default
    // param city: city = Springfield
    MATCH (a:City {study: $study, name: $city})-[l:LINKS]-(b:City)
    ...

* ``title:`` (required) the name shown in the console's select box;
* ``description:`` (required, one line) the caption under it;
* ``param NAME: TYPE = DEFAULT``, one per ``$NAME`` the statement uses (and no others). TYPE
  chooses the form field and converts DEFAULT: ``int`` (a whole number), ``float``, ``text``,
  ``city`` (a city name; the console offers the loaded cities), ``year`` (a whole number; the
  console defaults to the latest network year), ``method`` (a LINKS method: gravity,
  cooperation, observed), ``study`` (the study the console shows; every saved query takes
  ``$study`` and filters ``{study: $study}``, so it never reads across studies).

Other ``//`` lines of the header are notes for readers of the file and are not sent.

The file's stem is the query's ``key``. The statement (the file without its header) is sent to
the database unchanged and every value goes separately as a ``$parameter``; the examples are
read-only and run on both backends (embedded FalkorDB and Neo4j 5). Nothing here talks to a
database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cultnet.errors import CultnetError

EXAMPLES_DIR = Path(__file__).with_name("queries") / "examples"

#: parameter types and the converter of their default value
PARAM_TYPES = {"int": int, "float": float, "text": str, "city": str, "year": int, "method": str,
               "study": str}

_PARAM = re.compile(r"^param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([a-z]+)\s*=\s*(.*)$")
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class SavedParam:
    """One ``$parameter`` of a saved query: its name, form-field type and default value."""

    name: str
    type: str
    default: Any


@dataclass(frozen=True)
class SavedQuery:
    """A saved example query: ``key`` (file stem), ``title``, ``description``, ``params`` (in
    header order) and ``text`` (the Cypher statement, without the header)."""

    key: str
    title: str
    description: str
    params: tuple[SavedParam, ...]
    text: str

    @property
    def defaults(self) -> dict[str, Any]:
        """``{name: default}``: the parameters to run the query with as saved."""
        return {p.name: p.default for p in self.params}


def saved_queries(directory: Path | str | None = None) -> list[SavedQuery]:
    """Every saved query in ``directory`` (default ``graph/queries/examples``), sorted by title.

    Raises :class:`~cultnet.errors.CultnetError` naming ``file:line`` when a header is malformed,
    a type is unknown, a default does not convert, or the ``param`` lines and the ``$names`` of
    the statement differ.
    """
    return list(_load(Path(directory) if directory is not None else EXAMPLES_DIR))


@lru_cache(maxsize=8)
def _load(directory: Path) -> tuple[SavedQuery, ...]:
    out = [parse_saved_query(p.read_text(encoding="utf-8"), key=p.stem, source=str(p))
           for p in sorted(directory.glob("*.cypher"))]
    return tuple(sorted(out, key=lambda q: (q.title.lower(), q.key)))


def parse_saved_query(text: str, *, key: str, source: str = "<text>") -> SavedQuery:
    """Parse one saved-query file (see the module docstring for the header format).

    >>> q = parse_saved_query("// q -- $n\\n// title: T\\n// description: D\\n"
    ...                       "// param n: int = 3\\nRETURN $n AS n", key="q")
    >>> (q.title, q.defaults, q.text)
    ('T', {'n': 3}, 'RETURN $n AS n')
    """
    lines = text.splitlines()
    fields: dict[str, tuple[str, int]] = {}
    params: list[SavedParam] = []
    body_start = len(lines)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("//"):
            body_start = i
            break
        content = line[2:].strip()
        lineno = i + 1
        if i == 0 or not content:
            continue  # the "// name -- $params" line (checked below against the params)
        m = _PARAM.match(content)
        if m:
            name, typ, default = m.group(1), m.group(2), m.group(3).strip()
            if typ not in PARAM_TYPES:
                raise _error(source, lineno, f"unknown parameter type {typ!r}; use one of "
                             + ", ".join(PARAM_TYPES))
            if any(p.name == name for p in params):
                raise _error(source, lineno, f"parameter ${name} is declared twice")
            try:
                value = PARAM_TYPES[typ](default)
            except ValueError:
                raise _error(source, lineno, f"default {default!r} of ${name} is not a "
                             f"valid {typ}") from None
            params.append(SavedParam(name, typ, value))
            continue
        if content.startswith("param"):
            raise _error(source, lineno, "a parameter line must read 'param NAME: TYPE = "
                         "DEFAULT'")
        head, sep, value = content.partition(":")
        if sep and head.strip() in ("title", "description"):
            if head.strip() in fields:
                raise _error(source, lineno, f"a second '{head.strip()}:' line")
            fields[head.strip()] = (value.strip(), lineno)
        # any other comment line is a note for readers of the file
    if not lines or not lines[0].lstrip().startswith("//"):
        raise _error(source, 1, "a query file must start with a // comment naming its $params")
    for need in ("title", "description"):
        if not fields.get(need, ("", 0))[0]:
            raise _error(source, 1, f"the header has no '{need}:' line")
    body = "\n".join(lines[body_start:]).strip()
    if not body:
        raise _error(source, len(lines) or 1, "no Cypher statement after the header")
    used = set(_USED.findall(body))
    declared = {p.name for p in params}
    if used - declared:
        raise _error(source, body_start + 1, "the statement uses "
                     + ", ".join(f"${n}" for n in sorted(used - declared))
                     + " without a 'param' line")
    if declared - used:
        raise _error(source, 1, "declared but not used: "
                     + ", ".join(f"${n}" for n in sorted(declared - used)))
    return SavedQuery(key=key, title=fields["title"][0], description=fields["description"][0],
                      params=tuple(params), text=body)


def _error(source: str, line: int, reason: str) -> CultnetError:
    return CultnetError(f"{source}:{line}: {reason}")

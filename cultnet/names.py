"""Property names: which column names may become node properties, in one place.

User columns (the extra columns of a cities or enterprises file, the value columns of an
indicators or series file) become property names on ``City``, ``Enterprise`` and ``Observation``
nodes. ``etl`` refuses a column whose name the store uses for its own bookkeeping (a column
``datasets`` would forge provenance, ``study`` would move a node to another study, ``key`` would
be dropped or break the observation key), a name with a reserved prefix, and a name outside
:data:`SAFE_NAME` (a backtick, quote, space or operator cannot be written in Cypher without
escaping). ``graph/`` imports :data:`BOOKKEEPING` from here for the properties its reads drop,
so that the list the store uses and the list etl refuses are the same list.

tests/unit/test_etl_names.py reads every ``SET``/``MERGE``/``CREATE`` of graph/queries/*.cypher and
fails when the store writes a property on a data node or relationship that is neither a data key
(:data:`DATA_KEYS`) nor listed here.
"""

from __future__ import annotations

import re
import unicodedata

#: Properties the store writes on data nodes and relationships for its own bookkeeping.
BOOKKEEPING: tuple[str, ...] = ("dataset", "datasets", "key", "study", "provenance", "run_id")

#: Prefixes reserved for the store (``_``) and for analysis results written back (``sna_``).
RESERVED_PREFIXES: tuple[str, ...] = ("_", "sna_")

#: Key and structural properties of the data nodes, written from the canonical columns. A user
#: column may not take one of these names on a node where the store gives it its meaning.
DATA_KEYS: dict[str, tuple[str, ...]] = {
    "City": ("name",),
    "Enterprise": ("id", "city"),
    "Observation": ("city", "year", "region", "period", "freq"),
    "Region": ("name",),
    "relationship": ("weight", "year", "method"),
}

#: Reserved for every user column (and for every table).
RESERVED: frozenset[str] = frozenset(BOOKKEEPING)

#: Letters (any script: Chinese headers are fine), digits and ``_``, starting with a letter;
#: at most 64 characters. Checked after NFC normalization.
SAFE_NAME = re.compile(r"[^\W\d_]\w{0,63}")


def reserved_reason(name: str, *, node: str | None = None) -> str | None:
    """Why a user column called ``name`` may not become a property, or ``None`` when it may.

    The reason reads after "column 'NAME' ...". ``node`` (``"City"``, ``"Enterprise"``,
    ``"Observation"``) adds that node's data keys (:data:`DATA_KEYS`).

    >>> reserved_reason("gdp_pc"), reserved_reason("人口")
    (None, None)
    >>> reserved_reason("datasets")
    'is reserved: the store uses it for its own bookkeeping (dataset, datasets, key, study, run_id); rename the column'
    >>> reserved_reason("sna_degree")
    "starts with 'sna_', which is reserved for analysis results written back to the store; rename the column"
    >>> reserved_reason("GDP (yuan)")
    "holds characters other than letters, digits and _; rename it, e.g. 'GDP_yuan'"
    """
    n = unicodedata.normalize("NFC", str(name))
    low = n.lower()
    if low in RESERVED:
        return (f"is reserved: the store uses it for its own bookkeeping ({', '.join(BOOKKEEPING)}); "
                "rename the column")
    for p in RESERVED_PREFIXES:
        if low.startswith(p):
            what = "the store's own properties" if p == "_" else "analysis results written back to the store"
            return f"starts with {p!r}, which is reserved for {what}; rename the column"
    if node is not None and low in DATA_KEYS.get(node, ()):
        return f"is a key of {node} nodes; it cannot also be a value column"
    if not SAFE_NAME.fullmatch(n):
        return _unsafe_reason(n)
    return None


def safe_name(name: str) -> str:
    """A suggestion: runs of other characters become ``_``, a leading digit gets ``c``.

    >>> safe_name("GDP (yuan)"), safe_name("2015"), safe_name("a`b")
    ('GDP_yuan', 'c2015', 'a_b')
    """
    s = re.sub(r"\W+", "_", unicodedata.normalize("NFC", str(name))).strip("_")
    if not s or not (s[0].isalpha()):
        s = "c" + s
    return s[:64]


def _unsafe_reason(n: str) -> str:
    if not n:
        return "is empty"
    if len(n) > 64:
        return f"is longer than 64 characters; rename it, e.g. {safe_name(n)!r}"
    if "`" in n:
        return f"holds a backtick; rename it, e.g. {safe_name(n)!r}"
    if n[0].isdigit():
        return f"starts with a digit; rename it, e.g. {safe_name(n)!r}"
    return f"holds characters other than letters, digits and _; rename it, e.g. {safe_name(n)!r}"

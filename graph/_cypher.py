"""Shared by both backends: the Cypher of graph/queries, the graph vocabulary, and the
translation of a :class:`~cultnet.model.Bundle` into ``UNWIND $rows`` batches.

Nothing here talks to a database. Every statement is read once at import from
``graph/queries/<name>.cypher`` (one statement per file, headed by a ``//`` comment naming its
``$params``); code refers to it as ``Q["name"]``. Labels and relationship types are fixed in the
files (see :class:`Label`, :class:`RelType`): user text never becomes Cypher.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from cultnet.errors import CultnetError
from cultnet.model import NO_YEAR, Bundle
from cultnet.names import BOOKKEEPING

QUERY_DIR = Path(__file__).with_name("queries")


def _load_queries(directory: Path = QUERY_DIR) -> dict[str, str]:
    queries: dict[str, str] = {}
    for path in sorted(directory.glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        if not text.lstrip().startswith("//"):
            raise RuntimeError(f"{path}: a query file must start with a // comment naming its $params")
        queries[path.stem] = text.strip()
    return queries


Q: dict[str, str] = _load_queries()


class RelType(str, Enum):
    OBSERVED = "OBSERVED"
    LOCATED_IN = "LOCATED_IN"
    COOPERATES = "COOPERATES"
    LINKS = "LINKS"


class Label(str, Enum):
    DATASET = "Dataset"
    CITY = "City"
    OBSERVATION = "Observation"
    ENTERPRISE = "Enterprise"
    REGION = "Region"
    STUDY = "Study"
    META = "Meta"


#: BOOKKEEPING (imported from cultnet/names.py): properties the store adds for its own
#: bookkeeping; reads for analysis drop them. One list, shared with etl, which refuses these
#: names as column names.

#: Columns of ``datasets()`` (then ``error`` and ``edge_sets``).
DATASET_COLUMNS = ["id", "study", "source", "sha256", "loaded_at", "status", "simulated"]
DATASET_STATUSES = ("loading", "complete", "failed")


# -- values ------------------------------------------------------------------------------------

def plain(v: Any) -> Any:
    """A value both databases accept as a property: numpy scalars become Python ones,
    NaN / inf / NaT / pd.NA become ``None``, timestamps become ISO strings."""
    if v is None:
        return None
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else v
    if isinstance(v, (bool, int, str)):
        return v
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):  # not a valid property value: passed through so the database rejects it
        return {str(k): plain(x) for k, x in v.items()}
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _props(record: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    """Property map of one frame row: keys not in ``skip``, missing values dropped (so a
    dataset never erases a value another dataset wrote)."""
    out = {}
    for k, v in record.items():
        if k in skip:
            continue
        v = plain(v)
        if v is not None:
            out[str(k)] = v
    return out


def _year(v: Any) -> int:
    v = plain(v)
    return NO_YEAR if v is None else int(v)


def observation_key(city: str, year: int) -> str:
    return f"city|{city}|{int(year)}"


def series_key(region: str, freq: str, period: str) -> str:
    return f"region|{region}|{freq}|{period}"


# -- bundle -> batches -----------------------------------------------------------------------------

class Step:
    """One kind of write: the query name, its rows, and a label for progress bars.

    ``rows`` may be given as ``make`` (a function building them) and ``size`` (how many it
    builds): they are built on first access, once, even when two threads ask. The Neo4j store
    uses this to build the cooperation rows while the enterprises are being written."""

    def __init__(self, query: str, label: str, rows: list[dict[str, Any]] | None = None, *,
                 make: Callable[[], list[dict[str, Any]]] | None = None, size: int | None = None,
                 columns: "Callable[[], CoopColumns] | None" = None):
        if (rows is not None) + (make is not None) + (columns is not None) != 1:
            raise ValueError("give rows, make or columns")
        self.query, self.label = query, label
        self._rows, self._make = rows, make
        self._columns_make = columns
        self._columns: CoopColumns | None = None
        self.size = len(rows) if rows is not None else int(size or 0)
        self._lock = threading.RLock()  # (rows of a columnar step are built from its columns)

    @property
    def columns(self) -> "CoopColumns | None":
        """The rows as columns (``create_cooperation``: :class:`CoopColumns`), built on first
        access, once; None for a step without a columnar form. Its ``rows`` are their dicts."""
        if self._columns_make is None:
            return None
        with self._lock:
            if self._columns is None:
                self._columns = self._columns_make()
            return self._columns

    @property
    def rows(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._rows is None:
                if self._make is not None:
                    self._rows = self._make()
                    self._make = None
                else:
                    self._rows = self.columns.dicts()
                self.size = len(self._rows)
            return self._rows

    def __repr__(self) -> str:
        return f"Step({self.query!r}, {self.label!r}, {self.size} rows)"

    def batches(self, size: int) -> Iterator[list[dict[str, Any]]]:
        for i in range(0, len(self.rows), size):
            yield self.rows[i:i + size]


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows of a frame as dicts, built from ``Series.tolist()`` columns (Python scalars).

    ``DataFrame.to_dict(orient="records")`` takes ~20 s for 1M rows of pandas 3 string columns;
    this takes ~2 s. Values are the same up to numpy scalar vs Python scalar, which
    :func:`plain` maps to the same thing.
    """
    if df is None or len(df) == 0:
        return []
    names = [str(c) for c in df.columns]
    cols = [df[c].tolist() for c in df.columns]
    return [dict(zip(names, vals)) for vals in zip(*cols)]


def _column(df: pd.DataFrame, name: str) -> list[Any]:
    """One column as Python values (``None`` for every row when the column is missing)."""
    if name not in df.columns:
        return [None] * len(df)
    return df[name].tolist()


def _id_text(v: Any) -> str:
    """``str(plain(v))`` with a fast path for values that are already text."""
    return v if type(v) is str else str(plain(v))


def _weight(v: Any) -> float:
    """A cooperation / link weight: missing, NaN or infinite -> 1.0."""
    if type(v) is float:
        return v if math.isfinite(v) else 1.0
    v = plain(v)
    return 1.0 if v is None else float(v)


def _year_fast(v: Any) -> int:
    return v if type(v) is int else _year(v)


#: Property names the store uses for its own bookkeeping: a frame column with one of these names
#: would overwrite it, so a bundle that has one is refused (etl refuses them at validation).
RESERVED = frozenset({"study", "dataset", "datasets", "provenance", "key"})


def check_reserved(bundle: Bundle) -> None:
    """Refuse a bundle whose frames have a column named like a bookkeeping property."""
    for name in ("cities", "indicators", "enterprises", "cooperation", "city_links", "series"):
        df = getattr(bundle, name)
        if df is None:
            continue
        bad = sorted(str(c) for c in df.columns if str(c) in RESERVED)
        if bad:
            raise CultnetError(f"The {name} of dataset {bundle.dataset_id!r} have a column named "
                               f"{', '.join(repr(b) for b in bad)}: that name is reserved for the "
                               "store's bookkeeping; rename the column. Nothing was written.")


def bundle_steps(bundle: Bundle) -> list[Step]:
    """The writes of a bundle, in dependency order (nodes before what hangs off them).

    Identity nodes (City, Enterprise, Region) are MERGEd: the rows of a cities / enterprises
    file with their attributes (``merge_*``), then every other node the bundle references
    (``reference_*``: an indicator's city, an enterprise's city, a link's endpoints, a
    cooperation's enterprises), so that the node lists this dataset in ``datasets`` and is
    created without attributes when the study has no such node yet. Everything else is owned by
    the dataset and CREATEd (``create_*``): observations, LOCATED_IN, COOPERATES, LINKS. Enterprise
    ids are written as strings (cooperation endpoints too) so that ids from Pajek files
    (integers) and CSV files (text) meet.
    """
    check_reserved(bundle)
    steps: list[Step] = []
    cities = [{"name": str(r["name"]), "props": _props(r, {"name"})} for r in _records(bundle.cities)]
    if cities:
        steps.append(Step("merge_cities", "cities", cities))
    refs = _referenced_cities(bundle) - {c["name"] for c in cities}
    if refs:
        steps.append(Step("reference_cities", "cities referenced", [{"name": n} for n in sorted(refs)]))
    obs = []
    for r in _records(bundle.indicators):
        city, year = str(r["city"]), _year(r["year"])
        obs.append({"key": observation_key(city, year), "city": city, "year": year,
                    "props": _props(r, {"city", "year"})})
    if obs:
        steps.append(Step("create_observations", "indicators", obs))
    ents = [{"id": str(plain(r["id"])), "city": None if plain(r.get("city")) is None else str(r["city"]),
             "props": _props(r, {"id"})} for r in _records(bundle.enterprises)]
    if ents:
        steps.append(Step("merge_enterprises", "enterprises", ents))
    coop_df = bundle.cooperation
    if coop_df is not None and len(coop_df):
        known = {e["id"] for e in ents}
        ids = pd.unique(pd.concat([coop_df["source"], coop_df["target"]], ignore_index=True))
        ref_ents = sorted({_id_text(v) for v in ids} - known)
        if ref_ents:
            steps.append(Step("reference_enterprises", "enterprises referenced",
                              [{"id": i} for i in ref_ents]))
        # one row per frame row (cooperation_columns; the Neo4j store writes from the columns)
        steps.append(Step("create_cooperation", "cooperation", size=len(coop_df),
                          columns=lambda: cooperation_columns(coop_df)))
    links = [{"source": str(r["source"]), "target": str(r["target"]),
              "weight": float(plain(r.get("weight")) if plain(r.get("weight")) is not None else 1.0),
              "year": _year(r.get("year")), "method": str(r.get("method") or "observed"),
              "props": _props(r, {"source", "target", "weight", "year", "method"})}
             for r in _records(bundle.city_links)]
    if links:
        steps.append(Step("create_links", "city links", links))
    series = []
    for r in _records(bundle.series):
        region, period, freq = str(r["region"]), str(r["period"]), str(r["freq"])
        series.append({"key": series_key(region, freq, period), "region": region, "period": period,
                       "freq": freq, "props": _props(r, {"region", "period", "freq"})})
    if series:
        steps.append(Step("create_series", "series", series))
    return steps


def _referenced_cities(bundle: Bundle) -> set[str]:
    """City names the bundle's indicators, enterprises and city links refer to."""
    names: set[str] = set()
    for df, cols in ((bundle.indicators, ("city",)), (bundle.enterprises, ("city",)),
                     (bundle.city_links, ("source", "target"))):
        if df is None or not len(df):
            continue
        for c in cols:
            if c in df.columns:
                names.update(str(v) for v in pd.unique(df[c]) if plain(v) is not None)
    return names


def cooperation_rows(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """``create_cooperation`` rows, ordered by source id (stable: equal sources keep their order).

    Ordering by source keeps the relationship writes of one enterprise together (its node and
    relationship-group records stay hot in the page cache, and a batch locks fewer distinct
    nodes). The dicts of :func:`cooperation_columns`.
    """
    return cooperation_columns(df).dicts()


class CoopColumns:
    """Cooperation rows as columns, ordered by source id (stable), as :func:`cooperation_rows`.

    ``keys``: the enterprise ids (text) of both ends, sorted; ``src`` / ``dst``: each row's ends
    as positions in ``keys`` (so code order is key order); ``weight`` / ``year``: float and int
    arrays. Batches are position arrays or slices into the rows; building a batch's statement
    rows from columns costs a fraction of what per-row dicts cost (the 1M-edge load builds,
    partitions and writes a million of them; docs/design/load-speed.md, "Columnar cooperation").
    """

    __slots__ = ("keys", "src", "dst", "weight", "year")

    def __init__(self, keys: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray,
                 year: np.ndarray):
        self.keys, self.src, self.dst, self.weight, self.year = keys, src, dst, weight, year

    def __len__(self) -> int:
        return len(self.src)

    def dicts(self, idx: Any = slice(None)) -> list[dict[str, Any]]:
        """Rows ``{source, target, weight, year}`` (the shared ``create_cooperation`` rows)."""
        return [{"source": s, "target": t, "weight": w, "year": y}
                for s, t, w, y in zip(*self._cols(idx))]

    def lists(self, idx: Any = slice(None)) -> list[list[Any]]:
        """Rows ``[source, target, weight, year]`` (Neo4j's ``neo4j_create_cooperation``)."""
        return list(map(list, zip(*self._cols(idx))))

    def _cols(self, idx: Any) -> tuple[list[Any], ...]:
        return (self.keys[self.src[idx]].tolist(), self.keys[self.dst[idx]].tolist(),
                self.weight[idx].tolist(), self.year[idx].tolist())

    def element_ids(self, known: dict[str, str]) -> np.ndarray:
        """The elementId of each key in ``known`` (None where it has none), by key position."""
        get = known.get
        return np.array([get(k) for k in self.keys.tolist()], dtype=object)

    def by_element_id(self, eids: np.ndarray, idx: Any = slice(None), *,
                      keys: bool = False) -> list[list[Any]] | None:
        """Rows ``[source elementId, target elementId, weight, year]`` (with ``keys``: also the
        source and target ids) from :meth:`element_ids`; None when an end has no elementId."""
        a, b = eids[self.src[idx]], eids[self.dst[idx]]
        if _has_none(a) or _has_none(b):
            return None
        cols = [a.tolist(), b.tolist(), self.weight[idx].tolist(), self.year[idx].tolist()]
        if keys:
            cols += [self.keys[self.src[idx]].tolist(), self.keys[self.dst[idx]].tolist()]
        return list(map(list, zip(*cols)))

    def known_rows(self, eids: np.ndarray, idx: slice) -> list[list[Any]]:
        """:meth:`by_element_id` of the rows ``idx`` without those of which an end has no
        elementId (what the per-row lookup does: a failed MATCH creates nothing)."""
        rows = self.by_element_id(eids, idx)
        if rows is not None:
            return rows
        pos = np.arange(len(self))[idx]
        ok = np.not_equal(eids[self.src[pos]], None) & np.not_equal(eids[self.dst[pos]], None)
        return self.by_element_id(eids, pos[ok]) or []


def _has_none(a: np.ndarray) -> bool:
    return bool(len(a)) and bool(np.equal(a, None).any())


def cooperation_columns(df: pd.DataFrame | None) -> CoopColumns:
    """:class:`CoopColumns` of a cooperation frame: ids as text (``_id_text``), weights as in
    ``_weight`` (missing, NaN, infinite -> 1.0), years as in ``_year``. ~1 s per million rows."""
    if df is None or len(df) == 0:
        e = np.array([], dtype=object)
        return CoopColumns(e, np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                           np.array([], dtype=float), np.array([], dtype=np.int64))
    n = len(df)
    ends = np.array([_id_text(v) for v in _column(df, "source")]
                    + [_id_text(v) for v in _column(df, "target")], dtype=object)
    codes, keys = pd.factorize(ends, sort=True)
    keys = np.asarray(keys, dtype=object)
    src, dst = codes[:n], codes[n:]
    wts = np.array([_weight(v) for v in _column(df, "weight")], dtype=float)
    yrs = np.array([_year_fast(v) for v in _column(df, "year")], dtype=np.int64)
    order = np.argsort(src, kind="stable")
    return CoopColumns(keys, src[order], dst[order], wts[order], yrs[order])


def written_counts(bundle: Bundle) -> dict[str, int]:
    """Rows written per frame (what ``load_bundle`` returns, plus ``dataset_id``)."""
    def n(df: pd.DataFrame | None) -> int:
        return 0 if df is None else int(len(df))

    return {"cities": n(bundle.cities), "indicators": n(bundle.indicators),
            "enterprises": n(bundle.enterprises), "cooperation": n(bundle.cooperation),
            "city_links": n(bundle.city_links), "series": n(bundle.series)}


def dataset_params(bundle: Bundle, status: str, now: str) -> dict[str, Any]:
    return {"id": bundle.dataset_id, "study": bundle.study, "source": bundle.source,
            "sha256": bundle.sha256, "simulated": bool(bundle.simulated), "status": status,
            "edge_sets": encode_edge_sets(bundle.edge_sets()), "now": now}


def encode_edge_sets(sets: list[tuple[str, str, bool | None]]) -> list[str]:
    """``Dataset.edge_sets``: ``'level|method|directed'`` (directed ``true``, ``false`` or ``null``).

    >>> encode_edge_sets([("city", "gravity", True), ("enterprise", "cooperation", None)])
    ['city|gravity|true', 'enterprise|cooperation|null']
    """
    word = {True: "true", False: "false", None: "null"}
    return [f"{level}|{method}|{word[d]}" for level, method, d in sets]


def decode_edge_sets(values: Any) -> list[tuple[str, str, bool | None]]:
    """The inverse of :func:`encode_edge_sets` (malformed entries are skipped)."""
    flag = {"true": True, "false": False, "null": None}
    out = []
    for v in values or []:
        parts = str(v).split("|")
        if len(parts) == 3 and parts[2] in flag:
            out.append((parts[0], parts[1], flag[parts[2]]))
    return out


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# -- rows -> frames -----------------------------------------------------------------------------

def visible_attributes(props: dict[str, Any], visible: set[str] | list[str]) -> dict[str, Any]:
    """An identity node's properties without the attributes that only datasets that are not
    (yet) complete gave: by ``provenance`` (``'<dataset>|<prop>'``), an attribute with entries
    of which none is visible is dropped; one without any entry (keys, write-back results) stays.
    So a batched load's attributes on a node shared with a complete dataset are invisible
    until the load completes, like its relationships (DESIGN section 3).

    >>> visible_attributes({"name": "A", "lat": 1.0, "gdp": 5, "sna_deg": 2,
    ...                     "provenance": ["d1|lat", "d2|gdp", "d2|lat"]}, {"d1"})
    {'name': 'A', 'lat': 1.0, 'sna_deg': 2, 'provenance': ['d1|lat', 'd2|gdp', 'd2|lat']}
    """
    prov = props.get("provenance")
    if not prov:
        return props
    vis = visible if isinstance(visible, (set, frozenset)) else set(visible)
    given: dict[str, bool] = {}
    for entry in prov:
        ds, _, prop = str(entry).rpartition("|")
        given[prop] = given.get(prop, False) or ds in vis
    if all(given.values()):
        return props
    return {k: v for k, v in props.items() if given.get(k, True)}


def props_frame(maps: list[dict[str, Any]], first: list[str], *, drop: tuple[str, ...] = BOOKKEEPING,
                sort: list[str] | None = None) -> pd.DataFrame:
    """A frame from property maps: ``first`` columns in that order, then the rest sorted."""
    df = pd.DataFrame([{k: v for k, v in m.items() if k not in drop} for m in maps])
    for c in first:
        if c not in df.columns:
            df[c] = pd.Series(dtype=object)
    rest = sorted(c for c in df.columns if c not in first)
    df = df[first + rest]
    if sort and len(df):
        df = df.sort_values(sort, kind="mergesort").reset_index(drop=True)
    return df


def links_rows(links: pd.DataFrame) -> tuple[list[int], list[dict[str, Any]]]:
    """Rows for ``replace_links`` and the years they cover."""
    rows = []
    for r in _records(links):
        rows.append({"source": str(r["source"]), "target": str(r["target"]),
                     "weight": float(plain(r.get("weight")) if plain(r.get("weight")) is not None else 1.0),
                     "year": _year(r.get("year")),
                     "props": _props(r, {"source", "target", "weight", "year", "method"})})
    years = sorted({r["year"] for r in rows})
    return years, rows


def result_rows(results: pd.DataFrame, *, run_id: str, prefix: str) -> list[dict[str, Any]]:
    """Rows for ``set_*_results``: key = index value, props = prefixed columns + run id."""
    rows = []
    for key, rec in zip(results.index, results.to_dict(orient="records")):
        props = {f"{prefix}{k}": plain(v) for k, v in rec.items()}
        props[f"{prefix}run_id"] = run_id
        rows.append({"key": str(plain(key)), "props": props})
    return rows


def empty_edges(level: str) -> pd.DataFrame:
    cols = ["source", "target", "weight", "year"] + (["method"] if level == "city" else [])
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def results_query(level: str) -> str:
    if level == "city":
        return "set_city_results"
    if level == "enterprise":
        return "set_enterprise_results"
    raise CultnetError(f"Unknown level {level!r}: use 'city' or 'enterprise'.")


def edges_frame(level: str, year: int | None, method: str | None, read,
                order: list[str] | None = None) -> pd.DataFrame:
    """The edge list of a study from ``read`` (the study's visible read): one row per (source,
    target, year[, method]) with the datasets' weights summed.

    City links come one row per dataset's link and are summed here; their extra properties
    (``linked``, ``run_id``, ...) are taken from the most recently completed dataset (``order``)
    that gives them. Enterprise cooperation is summed by the query.
    """
    if level == "city":
        recs = []
        for src, dst, w, y, m, ds, p in read("read_city_links", {"year": year, "method": method}):
            extra = {k: v for k, v in (p or {}).items()
                     if k not in ("weight", "year", "method", "dataset", "datasets")}
            recs.append({"source": src, "target": dst, "weight": w, "year": y, "method": m,
                         "_dataset": ds, **extra})
        if not recs:
            return empty_edges("city")
        df = pd.DataFrame(recs)
        key = ["source", "target", "year", "method"]
        if df.duplicated(key).any():  # a pair that several datasets give
            rank = {d: i for i, d in enumerate(order or [])}
            df["_rank"] = df["_dataset"].map(rank).fillna(-1)
            df = df.sort_values("_rank", kind="mergesort")
            weight = df.groupby(key, sort=False)["weight"].sum()
            rest = df.drop(columns=["weight"]).groupby(key, sort=False).last()
            df = rest.join(weight).reset_index()
        df = df.drop(columns=[c for c in ("_dataset", "_rank") if c in df.columns])
        first = ["source", "target", "weight", "year", "method"]
        return df[first + [c for c in df.columns if c not in first]].reset_index(drop=True)
    if level == "enterprise":
        rows = read("read_cooperation", {"year": year})
        return pd.DataFrame(rows, columns=["source", "target", "weight", "year"]) if rows \
            else empty_edges("enterprise")
    raise CultnetError(f"Unknown level {level!r}: use 'city' or 'enterprise'.")

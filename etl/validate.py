"""Validation of input tables before anything is written.

Each ``validate_*`` function reads a table (a :class:`~cultnet.etl.read.TableReader`, chunk by
chunk, or a plain frame), reports every problem it finds (file, line, column, reason) to a
:class:`Report`, and returns the clean frame for the :class:`~cultnet.model.Bundle` (with a
``line`` column that :mod:`cultnet.etl.load` drops). :func:`cultnet.etl.load.validate_files`
raises one :class:`~cultnet.errors.ValidationError` holding all of them.

One pass, every problem
    Values, references and structure are checked together: a row whose weight is not a number
    still has its endpoints checked, a cities file with a bad latitude still lends its names to
    the indicators' references. Problems are grouped by file and sort; each file lists at most
    :data:`PER_KIND` problems of one sort and :data:`PER_FILE` in all, and counts the rest.

Rules
    - required columns present (names matched case-insensitively through :data:`ALIASES`; a
      missing one suggests the closest header name, via difflib); two columns meaning the same
      thing (``lat`` and ``latitude``) are refused, naming both;
    - columns that become properties have safe, unreserved names (:mod:`cultnet.names`);
    - numbers parse (ASCII digits); no NaN/inf; weights ``0 <= w <= 1e12``; years integers in
      1900..2100; lat in [-90, 90], lon in [-180, 180];
    - text fields do not look like spreadsheet formulas and hold no control, invisible or bidi
      characters (:mod:`cultnet.etl.cells`);
    - unique keys: city name, (city, year), enterprise id, (region, period); duplicate rows are
      errors. A city's ``name_zh`` may not be another city's ``name`` or ``name_zh`` (in the
      file or the study), nor its ``name`` another city's ``name_zh``. Duplicate *edges* are
      summed, as the paper does for its "node, partner, frequency" lists (undirected: A-B and
      B-A are the same pair); this is reported in the bundle notes;
    - references resolve: indicator cities, enterprise cities and edge endpoints must be known,
      in the study or in the same load (a city may be referred to by ``name`` or ``name_zh``);
      unknown names get a suggestion from the study's and the load's own names. When the study
      has no cities and the load no cities file, the references introduce the cities;
    - no self-loops; no empty or header-only files.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from cultnet.errors import LOAD_INPUT, InputContext, Problem, ValidationError
from cultnet.etl.cells import (clean, is_missing, looks_like_formula, number_hint, numbers, parse_number,
                               short, text_reason)
from cultnet.model import NO_YEAR
from cultnet.names import reserved_reason

__all__ = ["ALIASES", "CityIndex", "Report", "FileProblems", "cooperation_to_city_links",
           "looks_like_formula", "map_columns", "norm_col", "parse_number", "parse_period",
           "sum_duplicate_edges", "validate_cities", "validate_enterprises", "validate_indicators",
           "validate_series", "validate_edges"]

MAX_WEIGHT = 1e12
YEAR_RANGE = (1900, 2100)
PER_KIND = 100  # problems listed per file and sort of problem
PER_FILE = 1000  # problems listed per file
SUGGEST_MAX = 200  # distinct unknown names per file that get a did-you-mean

# canonical column -> accepted aliases (compared after norm_col). Documented in docs/data-formats.md.
ALIASES: dict[str, dict[str, list[str]]] = {
    "cities": {
        "name": ["city", "city_name", "name_en", "english_name", "城市", "城市名"],
        "name_zh": ["chinese_name", "name_cn", "zh", "cn", "中文名", "城市中文名"],
        "province": ["prov", "state", "省", "省份"],
        "lat": ["latitude", "纬度"],
        "lon": ["lng", "long", "longitude", "经度"],
    },
    "indicators": {
        "city": ["name", "city_name", "region", "城市"],
        "year": ["yr", "年份", "年"],
    },
    "enterprises": {
        "id": ["enterprise_id", "ent_id", "firm_id", "company_id", "code", "企业编号"],
        "name": ["enterprise", "enterprise_name", "firm", "firm_name", "company", "company_name", "企业名称"],
        "city": ["city_name", "location", "城市"],
    },
    "edges": {
        "source": ["from", "src", "node", "i", "source_id", "enterprise", "origin", "ego"],
        "target": ["to", "dst", "partner", "j", "target_id", "destination", "alter"],
        "weight": ["frequency", "freq", "w", "count", "value", "strength", "times"],
        "year": ["yr", "年份"],
    },
    "series": {
        "region": ["city", "name", "area"],
        "period": ["date", "quarter", "time", "t"],
        "freq": ["frequency"],
    },
}


def norm_col(s: str) -> str:
    """Normalise a header cell: lower case, spaces and hyphens to underscores.

    >>> norm_col(" Name-ZH "), norm_col("Latitude")
    ('name_zh', 'latitude')
    """
    return re.sub(r"[\s\-]+", "_", str(s).strip().lower())


# ---------------------------------------------------------------------------------------------
# problems
# ---------------------------------------------------------------------------------------------

class FileProblems:
    """The problems of one file: all counted, at most :data:`PER_KIND` of one sort and
    :data:`PER_FILE` in all listed."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.n = 0
        self.omitted: dict[str, int] = {}
        self._kinds: dict[str, int] = {}

    def __len__(self) -> int:
        return self.n

    def add(self, line: int | None, column: str | None, reason: str, kind: str | None = None) -> None:
        self.add_problem(Problem(self.name, None if line is None else int(line), column, reason, kind))

    def add_problem(self, p: Problem) -> None:
        self.n += 1
        k = p.group
        c = self._kinds.get(k, 0)
        if c >= PER_KIND or len(self.problems) >= PER_FILE:
            self.omitted[k] = self.omitted.get(k, 0) + 1
            return
        self._kinds[k] = c + 1
        self.problems.append(p)

    def add_many(self, lines: Iterable[int], column: str | None, reason: Callable[[int], str],
                 idx: Iterable[int] | None = None) -> None:
        """One problem per line, ``reason(i)`` for the i-th; all of one sort (once the sort is
        full, the rest are only counted, without building their messages)."""
        kind = None
        for k, ln in zip(range(10**12) if idx is None else idx, lines):
            if kind is not None and (self._kinds.get(kind, 0) >= PER_KIND or len(self.problems) >= PER_FILE):
                self.n += 1
                self.omitted[kind] = self.omitted.get(kind, 0) + 1
                continue
            p = Problem(self.name, int(ln), column, reason(k))
            kind = p.group
            self.add_problem(p)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add_problem(p)

    def clear(self) -> None:
        self.__init__(self.name)


class Report:
    """Problems of every file of a load, in file order; :meth:`error` sorts each file's by line."""

    def __init__(self) -> None:
        self.files: dict[str, FileProblems] = {}

    def file(self, name: str) -> FileProblems:
        if name not in self.files:
            self.files[name] = FileProblems(name)
        return self.files[name]

    def __len__(self) -> int:
        return sum(f.n for f in self.files.values())

    def add(self, p: Problem) -> None:
        self.file(p.file).add_problem(p)

    def error(self, context: InputContext = LOAD_INPUT) -> ValidationError:
        problems: list[Problem] = []
        omitted: dict[tuple[str, str], int] = {}
        for f in self.files.values():
            problems.extend(sorted(f.problems, key=lambda p: -1 if p.line is None else p.line))
            for k, n in f.omitted.items():
                omitted[(f.name, k)] = n
        return ValidationError(problems, omitted=omitted, context=context)


# ---------------------------------------------------------------------------------------------
# tables and columns
# ---------------------------------------------------------------------------------------------

class FrameTable:
    """A plain frame (string cells; a ``line`` column or index) seen as a one-chunk table."""

    def __init__(self, df: pd.DataFrame, name: str | None = None):
        self.name = name or df.attrs.get("file", "input")
        if "line" in df.columns:
            df = df.set_index("line")
        elif df.index.name != "line":
            df = df.copy()
            df.index = pd.Index(np.arange(2, len(df) + 2, dtype=np.int64), name="line")
        self._df = df
        self.header = [str(c) for c in df.columns]
        self.header_line = int(df.attrs.get("header_line", 1))
        self.attrs = dict(df.attrs)
        self.problems: list[Problem] = []

    def chunks(self, rows: int = 0) -> Iterator[pd.DataFrame]:
        yield self._df


def as_table(t) -> Any:
    return FrameTable(t) if isinstance(t, pd.DataFrame) else t


def map_columns(header: list[str], table: str, required: list[str], f: FileProblems,
                header_line: int = 1) -> dict[str, str]:
    """Canonical column -> header cell. Reports missing required columns (naming the closest
    header cell) and canonical columns given twice (``lat`` and ``latitude``)."""
    aliases = ALIASES[table]
    by_norm: dict[str, list[str]] = {}
    for h in header:
        by_norm.setdefault(norm_col(h), []).append(h)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for canon, alts in aliases.items():
        hits: list[str] = []
        for cand in [canon] + alts:
            for h in by_norm.get(norm_col(cand), []):
                if h not in used and h not in hits:
                    hits.append(h)
        if not hits:
            continue
        mapping[canon] = hits[0]
        used.update(hits)
        if len(hits) > 1:
            both = " and ".join(repr(h) for h in hits)
            f.add(header_line, hits[1],
                  f"columns {both} both mean {canon!r} in the {table} file: keep one, or rename the "
                  "other (a column name cannot be chosen silently)")
    for req in required:
        if req not in mapping:
            leftover = [h for h in header if h not in used]
            guess = closest_column(req, aliases.get(req, []), leftover)
            hint = f"; did you mean {guess!r}?" if guess else ""
            accepted = ", ".join([req] + aliases.get(req, [])[:4])
            shown = ", ".join(repr(h) for h in header[:20]) + (" ..." if len(header) > 20 else "")
            f.add(header_line, None, f"missing column {req!r} (accepted names: {accepted}){hint}; "
                                     f"the header has {shown or 'nothing'}")
    return mapping


def extra_columns(header: list[str], mapping: dict[str, str]) -> list[str]:
    used = set(mapping.values())
    return [h for h in header if h not in used]


def check_property_names(columns: list[str], node: str, f: FileProblems, header_line: int) -> list[str]:
    """Columns that become properties of ``node`` nodes: refuse reserved and unsafe names.
    Returns the columns that may be used (the values of a refused column are not checked)."""
    ok = []
    for c in columns:
        why = reserved_reason(c, node=node)
        if why:
            f.add(header_line, c, f"column {c!r} {why}")
        else:
            ok.append(c)
    return ok


def closest_column(canon: str, aliases: list[str], header: list[str], cutoff: float = 0.6) -> str | None:
    """The header cell most similar (difflib ratio) to ``canon`` or any of its aliases.

    >>> closest_column("lat", ["latitude"], ["name", "latitdue"]), closest_column("lon", [], ["name"])
    ('latitdue', None)
    """
    best, score = None, cutoff
    for h in header[:MAX_SUGGEST_HEADER]:
        for cand in [canon] + aliases:
            r = difflib.SequenceMatcher(None, norm_col(cand), norm_col(h)).ratio()
            if r >= score:
                best, score = h, r
    return best


MAX_SUGGEST_HEADER = 1000


# ---------------------------------------------------------------------------------------------
# cells, a column at a time
# ---------------------------------------------------------------------------------------------

def _obj(values) -> pd.Series:
    """Text as an object column (``None`` stays ``None``: pandas 3 would infer its ``str``
    dtype and turn ``None`` into NaN)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _lines(chunk: pd.DataFrame) -> np.ndarray:
    return chunk.index.to_numpy(dtype=np.int64)


def _distinct(values) -> tuple[np.ndarray, Any, np.ndarray]:
    """``(codes, distinct values, per-value results)``: ``codes[i]`` indexes the distinct value
    of row ``i`` (``len(distinct)`` for an empty cell), ``results`` is an object array to fill,
    one slot per distinct value plus ``None`` for empty cells. Work is per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    n = len(uniques)
    results = np.empty(n + 1, dtype=object)
    results[n] = None
    return np.where(codes < 0, n, codes), uniques, results


def text_column(values: np.ndarray, lines: np.ndarray, column: str, f: FileProblems, *,
                required: bool, what: str) -> np.ndarray:
    """Cleaned text (object array; ``None`` where empty or refused), problems reported."""
    codes, uniques, out = _distinct(values)
    n = len(uniques)
    bad: dict[int, str] = {}
    for k, u in enumerate(uniques):
        s = clean(u)
        r = None if s is None else text_reason(s)
        if r:
            bad[k] = f"{what} {short(s)} {r}"
            out[k] = None
        else:
            out[k] = s
    blank = [k for k in range(n) if out[k] is None and k not in bad]
    empty = (codes == n) | (np.isin(codes, blank) if blank else False)
    if required and empty.any():
        f.add_many(lines[empty], column, lambda _: f"{what} is empty")
    if bad:
        pos = np.flatnonzero(np.isin(codes, list(bad)))
        for p in pos:
            f.add(lines[p], column, bad[int(codes[p])])
    return out[codes]


def number_column(values: np.ndarray, lines: np.ndarray, column: str, f: FileProblems, *,
                  required: bool = False, lo: float | None = None, hi: float | None = None,
                  what: str = "value") -> np.ndarray:
    """Finite numbers in [lo, hi] (float array, NaN where missing or refused)."""
    raw = np.asarray(values, dtype=object)
    x, missing, bad = numbers(raw)
    for p in np.flatnonzero(bad):
        f.add(lines[p], column, f"{what} {short(raw[p])} is not a number{number_hint(raw[p])}")
    if required and missing.any():
        f.add_many(lines[missing], column, lambda _: f"{what} is missing")
    ok = ~missing & ~bad
    nan = ok & np.isnan(x)
    if nan.any():
        f.add_many(lines[nan], column, lambda _: f"{what} is NaN")
    inf = ok & np.isinf(x)
    if inf.any():
        f.add_many(lines[inf], column, lambda _: f"{what} is infinite")
    fin = ok & np.isfinite(x)
    refused = bad | nan | inf
    if lo is not None:
        low = fin & (x < lo)
        idx = np.flatnonzero(low)
        f.add_many(lines[low], column, lambda k: f"{what} {x[k]:g} is below {lo:g}", idx)
        refused |= low
    if hi is not None:
        high = fin & (x > hi)
        idx = np.flatnonzero(high)
        f.add_many(lines[high], column, lambda k: f"{what} {x[k]:g} is above {hi:g}", idx)
        refused |= high
    return np.where(refused | missing, np.nan, x)


def year_column(values: np.ndarray, lines: np.ndarray, column: str, f: FileProblems) -> np.ndarray:
    """Integer years in :data:`YEAR_RANGE` (int64; -1 where missing or refused)."""
    raw = np.asarray(values, dtype=object)
    x, missing, bad = numbers(raw)
    integral = ~missing & ~bad & np.isfinite(x) & (x == np.round(np.nan_to_num(x)))
    notint = ~integral & ~missing
    for p in np.flatnonzero(notint):
        f.add(lines[p], column, f"year {short(raw[p])} is not an integer{number_hint(raw[p])}")
    if missing.any():
        f.add_many(lines[missing], column, lambda _: "year is empty")
    y = np.where(integral, np.nan_to_num(x), -1).astype(np.int64)
    out_of_range = integral & ((y < YEAR_RANGE[0]) | (y > YEAR_RANGE[1]))
    idx = np.flatnonzero(out_of_range)
    f.add_many(lines[out_of_range], column,
               lambda k: f"year {y[k]} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}", idx)
    return np.where(out_of_range, -1, y)


def _with_values(out: pd.DataFrame, chunk: pd.DataFrame, values: list[str], lines: np.ndarray,
                 f: FileProblems) -> pd.DataFrame:
    """``out`` (the key columns of a chunk) with the numeric value columns and ``line``."""
    for x in values:
        out[x] = number_column(chunk[x].to_numpy(object), lines, x, f, what=x)
    out["line"] = lines
    return out


def _collect(parts: list[pd.DataFrame], t, f: FileProblems, extras: list[str] = ()) -> pd.DataFrame | None:
    """The validated chunks of a table as one frame (None, reported, when there are no rows),
    its ``extras`` typed (:func:`_typed_extras`, which needs every row); the reader's own
    problems (ragged rows, ...) join the file's."""
    f.extend(t.problems)
    out = pd.concat(parts, ignore_index=True)
    if not len(out):
        f.add(t.header_line, None, "the file has a header but no data rows")
        return None
    _typed_extras(out, list(extras), f)
    return out


def _first_seen(keys: Iterable, lines: np.ndarray, seen: dict, f: FileProblems, column: str,
                what: Callable[[Any, int], str]) -> None:
    for key, ln in zip(keys, lines):
        if key is None:
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = int(ln)
        else:
            f.add(ln, column, what(key, first))


def _typed_extras(out: pd.DataFrame, extras: list[str], f: FileProblems) -> None:
    """Extra attribute columns: numeric when every non-missing value parses as a number (then
    checked finite), else text (then checked like every text cell)."""
    lines = out["line"].to_numpy(dtype=np.int64)
    for x in extras:
        raw = out[x].to_numpy(dtype=object)
        num, missing, bad = numbers(raw)
        if (~missing).any() and not bad.any():
            out[x] = number_column(raw, lines, x, f, what=x)
        else:
            vals = np.where(missing, None, raw)
            out[x] = _obj(text_column(vals, lines, x, f, required=False, what=x))


# ---------------------------------------------------------------------------------------------
# city references
# ---------------------------------------------------------------------------------------------

class CityIndex:
    """Resolve city references by ``name`` or ``name_zh`` (the study's cities, then the load's;
    names win over Chinese names). Suggestions come from these names only."""

    def __init__(self, *frames: pd.DataFrame | None):
        self.names: dict[str, str] = {}
        self.introduced: dict[str, int] = {}  # name -> order of first reference
        for fr in frames:
            self.add_frame(fr)

    def add_frame(self, fr: pd.DataFrame | None) -> None:
        if fr is None or not len(fr) or "name" not in fr.columns:
            return
        zh = fr["name_zh"].tolist() if "name_zh" in fr.columns else [None] * len(fr)
        for name, z in zip(fr["name"].tolist(), zh):
            if name is None or is_missing(name):
                continue
            self.names[str(name)] = str(name)
        for name, z in zip(fr["name"].tolist(), zh):
            if name is None or is_missing(name) or z is None or is_missing(z):
                continue
            self.names.setdefault(str(z), str(name))

    def __len__(self) -> int:
        return len(self.names)

    def resolve(self, ref: str) -> str | None:
        return self.names.get(ref)

    def introduce(self, ref: str) -> str:
        self.names[ref] = ref
        self.introduced.setdefault(ref, len(self.introduced))
        return ref

    def suggest(self, ref: str) -> str:
        g = difflib.get_close_matches(ref, list(self.names), n=1, cutoff=0.6)
        return f"; did you mean {g[0]!r}?" if g else ""


def _resolve_refs(refs: np.ndarray, lines: np.ndarray, column: str, index: CityIndex, f: FileProblems,
                  *, introduce: bool, message: Callable[[str, int], str], state: dict) -> np.ndarray:
    """City names for references (object array, None where unknown); unknown ones reported
    (with a suggestion for the first :data:`SUGGEST_MAX`), or introduced."""
    codes, uniques, out = _distinct(refs)
    unknown: dict[int, str] = {}
    for k, u in enumerate(uniques):
        name = index.resolve(u)
        if name is None and introduce:
            name = index.introduce(u)
        out[k] = name
        if name is None:
            unknown[k] = u
    if unknown:
        pos = np.flatnonzero(np.isin(codes, list(unknown)))
        suggestions: dict[str, str] = state.setdefault("suggestions", {})
        for p in pos:
            ref = unknown[int(codes[p])]
            if ref not in suggestions:
                suggestions[ref] = index.suggest(ref) if len(suggestions) < SUGGEST_MAX else ""
            f.add(lines[p], column, message(ref, p) + suggestions[ref])
    return out[codes]


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------

CITY_BASE = ["name", "name_zh", "province", "lat", "lon"]


def validate_cities(table, report: Report, existing: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """name (required, unique), name_zh, province, lat in [-90, 90], lon in [-180, 180] (required
    columns; empty cells allowed), + extra columns (numeric when every value parses). Names
    and Chinese names may not collide with another city's, in the file or in ``existing`` (the
    study's cities). Returns the rows whose name is valid (with ``line``), or None when the
    columns are wrong."""
    t = as_table(table)
    f = report.file(t.name)
    m = map_columns(t.header, "cities", ["name", "lat", "lon"], f, t.header_line)
    extras = extra_columns(t.header, m)
    if any(r not in m for r in ("name", "lat", "lon")):
        return None
    extras = check_property_names(extras, "City", f, t.header_line)
    parts = []
    first: dict[str, int] = {}
    for chunk in t.chunks():
        lines = _lines(chunk)
        out = pd.DataFrame({"line": lines})
        out["name"] = _obj(text_column(chunk[m["name"]].to_numpy(object), lines, m["name"], f,
                                       required=True, what="city name"))
        _first_seen(out["name"], lines, first, f, m["name"],
                    lambda k, ln: f"duplicate city {k!r} (first on line {ln})")
        for col, what in (("name_zh", "name_zh"), ("province", "province")):
            out[col] = _obj(text_column(chunk[m[col]].to_numpy(object), lines, m[col], f, required=False,
                                        what=what) if col in m else [None] * len(chunk))
        out["lat"] = number_column(chunk[m["lat"]].to_numpy(object), lines, m["lat"], f, lo=-90, hi=90,
                                   what="latitude")
        out["lon"] = number_column(chunk[m["lon"]].to_numpy(object), lines, m["lon"], f, lo=-180, hi=180,
                                   what="longitude")
        for x in extras:
            out[x] = _obj(chunk[x].to_numpy(object))
        parts.append(out)
    out = _collect(parts, t, f, extras)
    if out is None:
        return None
    _city_name_clashes(out, existing, f, m.get("name_zh", "name_zh"), m["name"])
    out = out[out["name"].notna()]
    return out[CITY_BASE + extras + ["line"]].reset_index(drop=True)


def _city_name_clashes(out: pd.DataFrame, existing: pd.DataFrame | None, f: FileProblems,
                       zh_col: str, name_col: str) -> None:
    """name_zh unique; a name_zh that is another city's name, or a name that is another city's
    name_zh, in the file or the study, would make two cities answer to one name."""
    names: dict[str, int] = {}
    zhs: dict[str, tuple[str, int]] = {}
    for n, z, ln in zip(out["name"], out["name_zh"], out["line"]):
        if n is not None:
            names.setdefault(n, int(ln))
        if z is not None:
            if z in zhs and zhs[z][0] != n:
                f.add(ln, zh_col, f"duplicate name_zh {z!r} (first on line {zhs[z][1]})")
            zhs.setdefault(z, (n, int(ln)))
    st_names: dict[str, Any] = {}
    st_zh: dict[str, str] = {}
    if existing is not None and len(existing) and "name" in existing.columns:
        zcol = existing["name_zh"] if "name_zh" in existing.columns else [None] * len(existing)
        for n, z in zip(existing["name"], zcol):
            if n is None or is_missing(n):
                continue
            st_names[str(n)] = z
            if z is not None and not is_missing(z):
                st_zh[str(z)] = str(n)
    for n, z, ln in zip(out["name"], out["name_zh"], out["line"]):
        if z is not None and z != n:
            if z in names:
                f.add(ln, zh_col, f"name_zh {z!r} of city {n!r} is the name of another city (line "
                                  f"{names[z]}): two cities would answer to {z!r}")
            elif z in st_names:
                f.add(ln, zh_col, f"name_zh {z!r} of city {n!r} is the name of another city of the "
                                  f"study: two cities would answer to {z!r}")
            elif z in st_zh and st_zh[z] != n:
                f.add(ln, zh_col, f"name_zh {z!r} of city {n!r} is already the name_zh of city "
                                  f"{st_zh[z]!r} in the study")
        if n is not None and n in st_zh and st_zh[n] != n and n not in st_names:
            f.add(ln, name_col, f"city {n!r} is the name_zh of city {st_zh[n]!r} in the study: two "
                                f"cities would answer to {n!r}; use the name {st_zh[n]!r} to mean "
                                "that city")


def validate_indicators(table, index: CityIndex, report: Report, *, introduce: bool = False
                        ) -> pd.DataFrame | None:
    """city (known, or introduced), year (1900-2100), unique (city, year), + numeric indicator
    columns (empty cells allowed and kept as NaN; non-numbers, NaN written as inf, are
    problems)."""
    t = as_table(table)
    f = report.file(t.name)
    m = map_columns(t.header, "indicators", ["city", "year"], f, t.header_line)
    values = extra_columns(t.header, m)
    if "city" not in m or "year" not in m:
        return None
    if not values:
        f.add(t.header_line, None, "no indicator columns besides city and year")
        return None
    values = check_property_names(values, "Observation", f, t.header_line)
    parts = []
    first: dict[tuple, int] = {}
    state: dict = {}
    for chunk in t.chunks():
        lines = _lines(chunk)
        refs = text_column(chunk[m["city"]].to_numpy(object), lines, m["city"], f, required=True, what="city")
        city = _resolve_refs(refs, lines, m["city"], index, f, introduce=introduce, state=state,
                             message=lambda r, _: f"unknown city {r!r} (not in the study nor in the "
                                                  "cities file of this load)")
        year = year_column(chunk[m["year"]].to_numpy(object), lines, m["year"], f)
        keys = [(c, int(y)) if c is not None and y >= 0 else None for c, y in zip(city, year)]
        _first_seen(keys, lines, first, f, m["city"],
                    lambda k, ln: f"duplicate city-year ({k[0]!r}, {k[1]}) (first on line {ln})")
        parts.append(_with_values(pd.DataFrame({"city": _obj(city), "year": year}), chunk, values, lines, f))
    return _collect(parts, t, f)


def validate_enterprises(table, index: CityIndex, report: Report, *, introduce: bool = False
                         ) -> pd.DataFrame | None:
    """id (unique), name, city (known, or introduced), + extra columns."""
    t = as_table(table)
    f = report.file(t.name)
    m = map_columns(t.header, "enterprises", ["id", "name", "city"], f, t.header_line)
    extras = extra_columns(t.header, m)
    if any(r not in m for r in ("id", "name", "city")):
        return None
    extras = check_property_names(extras, "Enterprise", f, t.header_line)
    parts = []
    first: dict[str, int] = {}
    state: dict = {}
    for chunk in t.chunks():
        lines = _lines(chunk)
        eid = text_column(chunk[m["id"]].to_numpy(object), lines, m["id"], f, required=True, what="enterprise id")
        _first_seen(eid, lines, first, f, m["id"],
                    lambda k, ln: f"duplicate enterprise id {k!r} (first on line {ln})")
        name = text_column(chunk[m["name"]].to_numpy(object), lines, m["name"], f, required=True,
                           what="enterprise name")
        refs = text_column(chunk[m["city"]].to_numpy(object), lines, m["city"], f, required=True, what="city")
        city = _resolve_refs(refs, lines, m["city"], index, f, introduce=introduce, state=state,
                             message=lambda r, p: f"enterprise {eid[p]!r} is in unknown city {r!r} (not "
                                                  "in the study nor in the cities file of this load)")
        out = pd.DataFrame({"id": _obj(eid), "name": _obj(name), "city": _obj(city), "line": lines})
        for x in extras:
            out[x] = _obj(chunk[x].to_numpy(object))
        parts.append(out)
    out = _collect(parts, t, f, extras)
    if out is None:
        return None
    return out[["id", "name", "city"] + extras + ["line"]]


_PERIOD = [
    (re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$", re.ASCII), "Q", lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"^[Qq]([1-4])\s*[-_ ]?\s*(\d{4})$", re.ASCII), "Q", lambda m: f"{m[2]}Q{m[1]}"),
    (re.compile(r"^(\d{4})\s*[-_/Mm]\s*(\d{1,2})$", re.ASCII), "M", lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"^(\d{4})(?:\.0)?$", re.ASCII), "A", lambda m: m[1]),
]


def parse_period(s: str) -> tuple[str, str, int] | None:
    """``(normalised period, freq, year)`` for '2015Q1' / '2015-Q1' / 'Q1 2015' (Q), '2015-03' /
    '2015M3' (M), '2015' (A); ``None`` otherwise.

    >>> parse_period("2015q1"), parse_period("2015M3"), parse_period("2015")
    (('2015Q1', 'Q', 2015), ('2015-03', 'M', 2015), ('2015', 'A', 2015))
    """
    s = str(s).strip()
    for pat, freq, fmt in _PERIOD:
        m = pat.match(s)
        if m:
            p = fmt(m)
            if freq == "M" and not 1 <= int(p[5:]) <= 12:
                return None
            return p, freq, int(p[:4])
    return None


def validate_series(table, report: Report) -> pd.DataFrame | None:
    """region, period (2015Q1 / 2015-03 / 2015), freq (inferred from period; a given freq must
    agree), unique (region, period), one frequency per region, + numeric columns."""
    t = as_table(table)
    f = report.file(t.name)
    m = map_columns(t.header, "series", ["region", "period"], f, t.header_line)
    values = extra_columns(t.header, m)
    if "region" not in m or "period" not in m:
        return None
    if not values:
        f.add(t.header_line, None, "no value columns besides region and period")
        return None
    values = check_property_names(values, "Observation", f, t.header_line)
    parts = []
    first: dict[tuple, int] = {}
    region_freq: dict[str, tuple[str, int]] = {}
    for chunk in t.chunks():
        lines = _lines(chunk)
        region = text_column(chunk[m["region"]].to_numpy(object), lines, m["region"], f, required=True,
                             what="region")
        raws = chunk[m["period"]].to_numpy(object)
        givens = chunk[m["freq"]].to_numpy(object) if "freq" in m else [None] * len(chunk)
        periods, freqs = [], []
        for r, raw, given, ln in zip(region, raws, givens, lines):
            parsed = None if is_missing(raw) else parse_period(raw)
            period = freq = None
            if parsed is None:
                f.add(ln, m["period"], f"period {short(raw)} is not a year (2015), quarter (2015Q1) "
                                       "or month (2015-03)")
            else:
                period, freq, year = parsed
                if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                    f.add(ln, m["period"], f"year {year} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
                if given is not None and not is_missing(given):
                    g = str(given).strip().upper()[:1]
                    g = {"Y": "A"}.get(g, g)
                    if g != freq:
                        f.add(ln, m["freq"], f"freq {given!r} disagrees with period {raw!r} ({freq})")
                if r is not None:
                    if r in region_freq and region_freq[r][0] != freq:
                        f.add(ln, m["period"], f"region {r!r} mixes frequencies "
                                               f"({region_freq[r][0]} on line {region_freq[r][1]}, {freq} here)")
                    region_freq.setdefault(r, (freq, int(ln)))
                    if (r, period) in first:
                        f.add(ln, m["period"], f"duplicate ({r!r}, {period}) (first on line {first[(r, period)]})")
                    else:
                        first[(r, period)] = int(ln)
            periods.append(period)
            freqs.append(freq)
        keys = pd.DataFrame({"region": _obj(region), "period": _obj(periods), "freq": _obj(freqs)})
        parts.append(_with_values(keys, chunk, values, lines, f))
    out = _collect(parts, t, f)
    if out is None:
        return None
    return out.sort_values(["region", "period"], kind="stable", na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# edges
# ---------------------------------------------------------------------------------------------

@dataclass
class EdgeRows:
    """An edge file's rows as integer codes into ``values`` (the distinct endpoint texts)."""

    name: str
    columns: dict[str, str]
    values: list[str] = field(default_factory=list)
    src: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    dst: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    year: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.src)


class _EdgeAccumulator:
    """Checks edge chunks as they come (endpoint text, self-loops, weights, years) and keeps
    every row whose endpoints are valid text as codes: memory per row is 24 bytes plus the
    distinct endpoint names."""

    def __init__(self, name: str, columns: dict[str, str], f: FileProblems):
        self.rows = EdgeRows(name, columns)
        self.f = f
        self.vocab: dict[str, int] = {}
        self.refused: dict[str, str] = {}
        self.cols: dict[str, np.ndarray | None] = {}
        self.n = 0
        self.capacity = 0
        self.size_hint = 0  # the file's size in bytes, when known
        self.bytes_read = None  # () -> bytes of the file read so far
        self.rows_seen = 0

    def _codes(self, col: np.ndarray, lines: np.ndarray, shown: str, what: str) -> np.ndarray:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        n = len(uniques)
        g = np.empty(n + 1, dtype=np.int32)
        g[n] = -1
        bad: dict[int, str] = {}
        vocab, values = self.vocab, self.rows.values
        for k, u in enumerate(uniques):
            code = vocab.get(u)
            if code is not None:
                g[k] = code
                continue
            reason = self.refused.get(u)
            if reason is None:
                s = clean(u)
                reason = "empty endpoint" if s is None else None
                if reason is None:
                    r = text_reason(s)
                    if r:
                        reason = f"{what} {short(s)} {r}"
                if reason is None:
                    vocab[u] = g[k] = len(values)
                    values.append(s)
                    continue
                self.refused[u] = reason
            bad[k] = reason
            g[k] = -2
        out = g[np.where(codes < 0, n, codes)]
        empty = codes < 0
        if empty.any():
            self.f.add_many(lines[empty], shown, lambda _: "empty endpoint")
        if bad:
            for p in np.flatnonzero(out == -2):
                self.f.add(lines[p], shown, bad[int(codes[p])])
        return out

    def feed(self, chunk: pd.DataFrame) -> None:
        cols = self.rows.columns
        scol, tcol, wcol, ycol = (cols.get(k, k) for k in ("source", "target", "weight", "year"))
        lines = _lines(chunk)
        s = self._codes(chunk["source"].to_numpy(object), lines, scol, "source")
        t = self._codes(chunk["target"].to_numpy(object), lines, tcol, "target")
        loop = (s == t) & (s >= 0)
        if loop.any():
            vals = self.rows.values
            idx = np.flatnonzero(loop)
            self.f.add_many(lines[loop], scol, lambda k: f"self-loop: source and target are both {vals[s[k]]!r}", idx)
        w = chunk["weight"].to_numpy(np.float64)
        wbad = chunk["weight_bad"].to_numpy(bool) if "weight_bad" in chunk.columns else np.zeros(len(chunk), bool)
        checks = ~wbad  # a weight that is not a number was reported by the reader
        for mask, reason in (
            (checks & np.isnan(w), lambda k: "weight is NaN or missing"),
            (checks & np.isinf(w), lambda k: "weight is infinite"),
            (checks & (w < 0) & np.isfinite(w), lambda k: f"weight {w[k]:g} is negative"),
            (checks & (w > MAX_WEIGHT) & np.isfinite(w), lambda k: f"weight {w[k]:g} is absurdly large (> {MAX_WEIGHT:g})"),
        ):
            if mask.any():
                self.f.add_many(lines[mask], wcol, reason, np.flatnonzero(mask))
        y = chunk["year"].to_numpy(np.int64)
        bad_year = (y != NO_YEAR) & ((y < YEAR_RANGE[0]) | (y > YEAR_RANGE[1]))
        if bad_year.any():
            self.f.add_many(lines[bad_year], ycol,
                            lambda k: f"year {y[k]} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}",
                            np.flatnonzero(bad_year))
        keep = (s >= 0) & (t >= 0)
        k = int(keep.sum())
        self.rows_seen += len(chunk)
        if not k:
            return
        if self.n + k > self.capacity:
            self._grow(self.n + k)
        a, b = self.n, self.n + k
        self.cols["src"][a:b] = s[keep]
        self.cols["dst"][a:b] = t[keep]
        self.cols["weight"][a:b] = w[keep]
        self.cols["year"][a:b] = np.where(bad_year, NO_YEAR, y)[keep]
        self.cols["line"][a:b] = lines[keep]
        self.n = b

    # 22 bytes a row: int32 codes, float64 weight, int16 year (0 or 1900-2100 once checked), int32
    # line (int64 for files of more than 2**31 lines). Preallocated from the file size, so that
    # the chunks' short-lived arrays reuse the same memory instead of fragmenting the heap.
    _DTYPES = {"src": np.int32, "dst": np.int32, "weight": np.float64, "year": np.int16, "line": np.int32}

    def _grow(self, need: int) -> None:
        guess = need
        read = self.bytes_read() if self.bytes_read is not None else 0
        if not self.capacity and self.size_hint and read and self.rows_seen:
            guess = int(self.size_hint / max(read / self.rows_seen, 1.0) * 1.1) + 1024
        cap = max(need, guess if not self.capacity else 2 * self.capacity)
        line_dtype = np.int64 if self.size_hint and self.size_hint >= 2**31 else np.int32
        new = {}
        for name, dt in self._DTYPES.items():
            arr = np.empty(cap, dtype=line_dtype if name == "line" else dt)
            if self.n:
                arr[:self.n] = self.cols[name][:self.n]
            new[name] = arr
        self.cols = new
        self.capacity = cap

    def finish(self) -> EdgeRows:
        r = self.rows
        for name in self._DTYPES:
            arr = self.cols.get(name)
            if arr is None:
                continue
            # keep the used part; copy only when most of the reservation is unused
            setattr(r, name, arr[:self.n].copy() if self.n < 0.8 * self.capacity else arr[:self.n])
            self.cols[name] = None
        return r


def read_edges(reader, f: FileProblems) -> EdgeRows:
    """Check an edge file chunk by chunk (:class:`~cultnet.etl.read.EdgeReader` or a frame with
    source, target, weight, year and line)."""
    if isinstance(reader, pd.DataFrame):
        df = reader.set_index("line") if "line" in reader.columns else reader
        acc = _EdgeAccumulator(reader.attrs.get("file", f.name), reader.attrs.get("columns", {}), f)
        acc.feed(df)
        return acc.finish()
    acc = None
    for chunk in reader.chunks():
        if acc is None:
            acc = _EdgeAccumulator(reader.name, reader.attrs.get("columns", {}), f)
            acc.size_hint = int(getattr(reader.src, "size", 0) or 0)
            acc.bytes_read = lambda: reader.src.nbytes
        acc.feed(chunk)
    f.extend(reader.problems)
    acc.rows.columns = reader.attrs.get("columns", {})
    return acc.finish()


def validate_edges(edges: pd.DataFrame, problems: list[Problem]) -> bool:
    """Weights finite, 0 <= w <= 1e12; years 0 (none) or 1900-2100; endpoints non-empty text, no
    formulas or invisible characters; no self-loops. Returns True when no problem was found.
    (A frame-level wrapper of the chunked checks :func:`cultnet.etl.load.validate_files` uses.)"""
    f = FileProblems(edges.attrs.get("file", "edges"))
    read_edges(edges, f)
    problems.extend(sorted(f.problems, key=lambda p: p.line or 0))
    return not f.n


def classify_edges(rows: EdgeRows, enterprise_ids: set[str], index: CityIndex, f: FileProblems, *,
                   introduce: bool) -> tuple[str | None, np.ndarray | None]:
    """Decide whether an edge list links enterprises (-> COOPERATES) or cities (-> LINKS).

    Every endpoint must be known at one level; with ``introduce`` (the study has no cities and
    the load no cities file) unknown endpoints of a file without enterprise endpoints are new
    cities. Returns ``(level, names)``: ``names[code]`` is the enterprise id or the city name
    (``name_zh`` references become ``name``); ``level`` is None on error."""
    values = rows.values
    cols = rows.columns
    used = np.zeros(len(values), bool)
    used[rows.src] = True
    used[rows.dst] = True
    is_ent = np.array([v in enterprise_ids for v in values], dtype=bool)
    city = [index.resolve(v) for v in values]
    is_city = np.array([c is not None for c in city], dtype=bool)
    n_used = int(used.sum())
    n_ent, n_city = int((is_ent & used).sum()), int((is_city & used).sum())
    if n_used and n_ent == n_used:
        return "enterprise", np.asarray(values, dtype=object)
    if introduce and n_ent == 0:
        for k in np.flatnonzero(used & ~is_city):
            city[k] = index.introduce(values[k])
        is_city[:] = True
        n_city = n_used
    if n_city == n_used:
        return "city", np.asarray(city, dtype=object)
    level = "enterprise" if n_ent > n_city else "city" if n_city else None
    why: dict[int, str] = {}
    suggestions = 0
    for k in np.flatnonzero(used):
        x = values[k]
        if level == "enterprise" and not is_ent[k]:
            why[k] = (f"{x!r} is a city but the other endpoints are enterprises: mixed edge file"
                      if is_city[k] else f"unknown enterprise {x!r} (not in the study nor in the "
                                         "enterprises file of this load)")
        elif level == "city" and not is_city[k]:
            if is_ent[k]:
                why[k] = f"{x!r} is an enterprise but the other endpoints are cities: mixed edge file"
            else:
                hint = index.suggest(x) if suggestions < SUGGEST_MAX else ""
                suggestions += 1
                why[k] = (f"unknown city {x!r} (not in the study nor in the cities file of this "
                          f"load){hint}")
        elif level is None:
            why[k] = f"unknown node {x!r}: neither a known city nor a known enterprise"
    bad = np.zeros(len(values), bool)
    bad[list(why)] = True
    for arr, col in ((rows.src, cols.get("source", "source")), (rows.dst, cols.get("target", "target"))):
        hit = bad[arr]
        for p in np.flatnonzero(hit):
            f.add(rows.line[p], col, why[int(arr[p])])
    return None, None


def _group_sum(src: np.ndarray, dst: np.ndarray, year: np.ndarray, weight: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum ``weight`` per (src, dst, year), groups in order of first appearance.

    One int64 key per row and a sorted copy of the keys: without duplicates (the usual case)
    the rows are returned as they are; with duplicates only the rows of duplicated keys are
    grouped (and each group's sum put on its first row). About 25 bytes a row of working memory
    (pandas' three-key groupby takes several times that)."""
    n = len(src)
    if not n:
        e = np.zeros(0, np.int64)
        return e, e, e, np.zeros(0)
    year = np.asarray(year)
    years = np.unique(year)
    ny = len(years)
    nv = int(max(src.max(), dst.max())) + 1
    if nv * nv * ny >= 2**62:  # the key would overflow: pandas' three-key groupby
        g = pd.DataFrame({"s": src, "t": dst, "y": year.astype(np.int64), "w": weight}).groupby(
            ["s", "t", "y"], sort=False, as_index=False)["w"].sum()
        return g["s"].to_numpy(), g["t"].to_numpy(), g["y"].to_numpy(), g["w"].to_numpy(np.float64)
    key = src.astype(np.int64)  # (src * nv + dst) * ny + year index, built in place
    key *= nv
    key += dst
    key *= ny
    key += np.searchsorted(years, year)
    s = np.sort(key)
    d = s[1:] == s[:-1]
    year = year.astype(np.int64)
    weight = np.asarray(weight, np.float64)
    if not d.any():
        return src, dst, year, weight
    dk = np.unique(s[1:][d])  # the keys that occur more than once (sorted)
    del s, d
    pos = np.searchsorted(dk, key)
    pos[pos == len(dk)] = 0
    hit = dk[pos] == key
    del key
    rows = np.flatnonzero(hit)  # rows of a duplicated key, in file order
    group = pos[rows]
    del pos
    _, at = np.unique(group, return_index=True)  # each group's first row (every group occurs)
    first = rows[at]
    sums = np.bincount(group, weights=weight[rows], minlength=len(dk))
    keep = ~hit
    keep[first] = True
    weight = weight.copy()
    weight[first] = sums[group[at]]
    return src[keep], dst[keep], year[keep], weight[keep]


def _rank(names: np.ndarray) -> np.ndarray:
    """Rank of each name in Python string order (equal names, equal ranks)."""
    order = np.argsort(names, kind="stable")
    sorted_names = names[order]
    step = np.ones(len(names), np.int64)
    if len(names):
        step[0] = 0
        step[1:] = sorted_names[1:] != sorted_names[:-1]
    rank = np.empty(len(names), np.int64)
    rank[order] = np.cumsum(step)
    return rank


def sum_codes(src: np.ndarray, dst: np.ndarray, year: np.ndarray, weight: np.ndarray,
              names: np.ndarray, directed: bool, *, codes: bool = False):
    """:func:`sum_duplicate_edges` on integer codes into ``names`` (codes whose names are equal
    are one node): the same rows in the same order (first appearance), without string keys.
    Returns ``(frame, rows merged)``, and with ``codes`` also the grouped code arrays."""
    n = len(src)
    names = np.asarray(names, dtype=object)
    canon: dict[Any, int] = {}
    ccode = np.fromiter((canon.setdefault(v, k) for k, v in enumerate(names)), dtype=np.int32,
                        count=len(names))
    src, dst = ccode[src], ccode[dst]
    if not directed and n:
        rank = _rank(names)
        swap = rank[src] > rank[dst]
        src, dst = np.where(swap, dst, src), np.where(swap, src, dst)
        del swap
    gs, gt, gy, gw = _group_sum(src, dst, year, weight)
    del src, dst
    out = pd.DataFrame({"source": _obj(names[gs])}, copy=False)
    out["target"] = _obj(names[gt])
    out["weight"] = np.asarray(gw, np.float64)
    out["year"] = np.asarray(gy, np.int64)
    if codes:
        return out, n - len(out), (gs, gt, gy, gw)
    return out, n - len(out)


def city_links_from_codes(gs: np.ndarray, gt: np.ndarray, gy: np.ndarray, gw: np.ndarray,
                          ent_names: np.ndarray, enterprise_city: dict[str, str], directed: bool,
                          slice_rows: int = 1 << 20) -> pd.DataFrame:
    """:func:`cooperation_to_city_links` on the grouped enterprise codes of :func:`sum_codes`:
    the same rows. City pairs x years are few: summed with ``bincount`` over the dense key
    space (when it has at most 2**25 cells), ``slice_rows`` rows at a time, so that the
    working memory does not grow with the number of edges; else as :func:`sum_codes` does.
    (Sums of non-integer weights may differ in the last bit from adding in file order.)"""
    city_names, city_code = np.unique(np.asarray([enterprise_city.get(x) or "" for x in ent_names], dtype=object),
                                      return_inverse=True)  # sorted: code order is name order
    cc = city_code.astype(np.int32)
    years = np.unique(np.asarray(gy))
    nc, ny = len(city_names), len(years)
    size = nc * nc * max(ny, 1)
    if size > 2**25:
        cs, ct = cc[gs], cc[gt]
        keep = cs != ct
        if not directed:
            cs, ct = np.minimum(cs, ct), np.maximum(cs, ct)
        out, _ = sum_codes(cs[keep], ct[keep], np.asarray(gy)[keep], np.asarray(gw)[keep], city_names, True)
    else:
        counts = np.zeros(size, np.int64)
        sums = np.zeros(size, np.float64)
        for a in range(0, len(gs), slice_rows):
            cs, ct = cc[gs[a:a + slice_rows]], cc[gt[a:a + slice_rows]]
            keep = cs != ct
            cs, ct = cs[keep], ct[keep]
            if not directed:
                cs, ct = np.minimum(cs, ct), np.maximum(cs, ct)
            yk = np.searchsorted(years, np.asarray(gy[a:a + slice_rows])[keep])
            key = (cs.astype(np.int64) * nc + ct) * ny + yk
            counts += np.bincount(key, minlength=size)
            sums += np.bincount(key, weights=np.asarray(gw[a:a + slice_rows], np.float64)[keep], minlength=size)
        present = np.flatnonzero(counts)
        pair, yk = present // ny, present % ny
        out = pd.DataFrame({"source": _obj(city_names[pair // nc]), "target": _obj(city_names[pair % nc]),
                            "weight": sums[present], "year": years[yk].astype(np.int64)})
    out["method"] = "cooperation"
    return out.sort_values(["year", "source", "target"], kind="stable").reset_index(drop=True)


def sum_duplicate_edges(edges: pd.DataFrame, directed: bool) -> tuple[pd.DataFrame, int]:
    """Sum duplicate (source, target, year) rows; undirected pairs are put in sorted order first,
    so A-B and B-A are the same pair. Returns ``(frame without line, number of rows merged)``.

    >>> e = pd.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "weight": [1.0, 2.0], "year": [0, 0]})
    >>> sum_duplicate_edges(e, directed=False)[0].values.tolist()
    [['a', 'b', 3.0, 0]]
    >>> len(sum_duplicate_edges(e, directed=True)[0])
    2
    """
    codes, uniques = pd.factorize(pd.concat([edges["source"], edges["target"]], ignore_index=True).to_numpy(object))
    n = len(edges)
    names = np.asarray(uniques, dtype=object)
    return sum_codes(codes[:n], codes[n:], edges["year"].to_numpy(np.int64),
                     edges["weight"].to_numpy(np.float64), names, directed)


def cooperation_to_city_links(coop: pd.DataFrame, enterprise_city: dict[str, str],
                              directed: bool) -> pd.DataFrame:
    """Aggregate enterprise cooperation to city LINKS {method: 'cooperation'}: the sum of weights
    between the enterprises' cities, per year; pairs within one city are dropped; undirected
    pairs in sorted order.

    >>> coop = pd.DataFrame({"source": ["e1", "e2", "e1"], "target": ["e3", "e3", "e2"],
    ...                      "weight": [1.0, 2.0, 5.0], "year": [0, 0, 0]})
    >>> cooperation_to_city_links(coop, {"e1": "A", "e2": "A", "e3": "B"}, False).values.tolist()
    [['A', 'B', 3.0, 0, 'cooperation']]
    """
    e = pd.DataFrame({"source": coop["source"].map(enterprise_city),
                      "target": coop["target"].map(enterprise_city),
                      "weight": coop["weight"], "year": coop["year"]})
    e = e[e["source"] != e["target"]]
    out, _ = sum_duplicate_edges(e, directed)
    out["method"] = "cooperation"
    return out.sort_values(["year", "source", "target"], kind="stable").reset_index(drop=True)

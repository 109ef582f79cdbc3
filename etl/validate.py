"""Validation of input tables before anything is written.

Each ``validate_*`` function takes a frame from :mod:`cultnet.etl.read` (string cells and a ``line``
column), returns the clean frame for the :class:`~cultnet.model.Bundle` and appends every problem
it finds (file, line, column, reason) to a list; :func:`cultnet.etl.load.validate_files` raises one
:class:`~cultnet.errors.ValidationError` holding all of them.

Rules
    - required columns present (names matched case-insensitively through :data:`ALIASES`; a
      missing one suggests the closest header name, via difflib);
    - numbers parse; no NaN/inf; weights ``0 <= w <= 1e12``; years integers in 1900..2100;
      lat in [-90, 90], lon in [-180, 180];
    - text fields do not look like spreadsheet formulas (``=...``, or ``+ - @`` followed by a
      letter or parenthesis: formula / CSV injection) -> rejected;
    - unique keys: city name, (city, year), enterprise id, (region, period); duplicate rows are
      errors. Duplicate *edges* are summed, as the paper does for its "node, partner, frequency"
      lists (undirected: A-B and B-A are the same pair); this is reported in the bundle notes;
    - references resolve: indicator cities, enterprise cities and edge endpoints must be known,
      in the store or in the same load (a city may be referred to by ``name`` or ``name_zh``);
    - no self-loops; no empty or header-only files.
"""

from __future__ import annotations

import difflib
import math
import re

import pandas as pd

from cultnet.errors import Problem, ValidationError
from cultnet.model import NO_YEAR

MAX_WEIGHT = 1e12
YEAR_RANGE = (1900, 2100)
MAX_PROBLEMS_PER_FILE = 1000

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

_MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "--"}
_FORMULA = re.compile(r"^\s*(=|[+\-@]\s*[A-Za-z(])")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def norm_col(s: str) -> str:
    """Normalise a header cell: lower case, spaces and hyphens to underscores.

    >>> norm_col(" Name-ZH "), norm_col("Latitude")
    ('name_zh', 'latitude')
    """
    return re.sub(r"[\s\-]+", "_", str(s).strip().lower())


class Collector:
    """Problems of one file, capped at :data:`MAX_PROBLEMS_PER_FILE`."""

    def __init__(self, file: str, sink: list[Problem]):
        self.file = file
        self.sink = sink
        self.n = 0

    def add(self, line: int | None, column: str | None, reason: str) -> None:
        self.n += 1
        if self.n <= MAX_PROBLEMS_PER_FILE:
            self.sink.append(Problem(self.file, None if line is None else int(line), column, reason))
        elif self.n == MAX_PROBLEMS_PER_FILE + 1:
            self.sink.append(Problem(self.file, None, None,
                                     f"more than {MAX_PROBLEMS_PER_FILE} problems; stopped listing"))

    @property
    def full(self) -> bool:
        return self.n > MAX_PROBLEMS_PER_FILE


# ---------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------

def map_columns(df: pd.DataFrame, table: str, required: list[str], c: Collector) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename aliased columns to canonical names. Returns ``(frame, canonical -> original)``.

    A required column that is missing is a problem naming the closest header cell.
    """
    aliases = ALIASES[table]
    cols = [x for x in df.columns if x != "line"]
    by_norm = {norm_col(x): x for x in cols}
    rename: dict[str, str] = {}
    original: dict[str, str] = {}
    for canon, alts in aliases.items():
        for cand in [canon] + alts:
            hit = by_norm.get(norm_col(cand))
            if hit is not None and hit not in rename:
                rename[hit] = canon
                original[canon] = hit
                break
    header_line = df.attrs.get("header_line", 1)
    for req in required:
        if req not in original:
            leftover = [x for x in cols if x not in rename]
            guess = closest_column(req, aliases.get(req, []), leftover)
            hint = f"; did you mean {guess!r}?" if guess else ""
            accepted = ", ".join([req] + aliases.get(req, [])[:4])
            c.add(header_line, None, f"missing column {req!r} (accepted names: {accepted}){hint}; "
                                     f"the header has {', '.join(repr(x) for x in cols) or 'nothing'}")
    for x in cols:
        if x not in rename:
            original.setdefault(x, x)
    out = df.rename(columns=rename)
    out.attrs = dict(df.attrs)
    return out, original


def closest_column(canon: str, aliases: list[str], header: list[str], cutoff: float = 0.6) -> str | None:
    """The header cell most similar (difflib ratio) to ``canon`` or any of its aliases.

    >>> closest_column("lat", ["latitude"], ["name", "latitdue"]), closest_column("lon", [], ["name"])
    ('latitdue', None)
    """
    best, score = None, cutoff
    for h in header:
        for cand in [canon] + aliases:
            r = difflib.SequenceMatcher(None, norm_col(cand), norm_col(h)).ratio()
            if r >= score:
                best, score = h, r
    return best


# ---------------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------------

def is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip().lower() in _MISSING


def parse_number(v) -> float | None:
    """``float`` of a cell, or ``None`` when it is not a number. NaN/inf are returned as such.

    >>> parse_number("1e3"), parse_number("x"), parse_number(" 2 ")
    (1000.0, None, 2.0)
    """
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    if not s or "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def looks_like_formula(s: str) -> bool:
    """True for text a spreadsheet would run as a formula.

    >>> looks_like_formula('=HYPERLINK("http://x","y")'), looks_like_formula("-3"), looks_like_formula("@SUM(A1)")
    (True, False, True)
    """
    return bool(_FORMULA.match(s))


def check_text(v, line: int, column: str, c: Collector, *, required: bool = True, what: str = "value") -> str | None:
    if is_missing(v) and (v is None or str(v).strip() == ""):
        if required:
            c.add(line, column, f"{what} is empty")
        return None
    s = str(v).strip()
    if looks_like_formula(s):
        c.add(line, column, f"{what} {_short(s)} looks like a spreadsheet formula; formulas are "
                            "not accepted in text fields (formula injection)")
        return None
    if _CONTROL.search(s):
        c.add(line, column, f"{what} {_short(s)} contains control characters")
        return None
    return s


def check_year(v, line: int, column: str, c: Collector) -> int | None:
    x = parse_number(v)
    if x is None or math.isnan(x) or math.isinf(x) or not float(x).is_integer():
        c.add(line, column, f"year {_short(v)} is not an integer")
        return None
    y = int(x)
    if not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
        c.add(line, column, f"year {y} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
        return None
    return y


def check_number(v, line: int, column: str, c: Collector, *, required: bool = False,
                 lo: float | None = None, hi: float | None = None, what: str = "value") -> float | None:
    """A finite number in [lo, hi]; missing cells give NaN unless ``required``."""
    if is_missing(v):
        if required:
            c.add(line, column, f"{what} is missing")
            return None
        return math.nan
    x = parse_number(v)
    if x is None:
        c.add(line, column, f"{what} {_short(v)} is not a number")
        return None
    if math.isnan(x):
        c.add(line, column, f"{what} is NaN")
        return None
    if math.isinf(x):
        c.add(line, column, f"{what} is infinite")
        return None
    if lo is not None and x < lo:
        c.add(line, column, f"{what} {x:g} is below {lo:g}")
        return None
    if hi is not None and x > hi:
        c.add(line, column, f"{what} {x:g} is above {hi:g}")
        return None
    return x


def _short(v, n: int = 40) -> str:
    s = str(v)
    return repr(s if len(s) <= n else s[:n] + "...")


def _empty(df: pd.DataFrame, c: Collector) -> bool:
    if len(df) == 0:
        c.add(df.attrs.get("header_line", 1), None, "the file has a header but no data rows")
        return True
    return False


# ---------------------------------------------------------------------------------------------
# city references
# ---------------------------------------------------------------------------------------------

class CityIndex:
    """Resolve city references by ``name`` or ``name_zh`` (store first, then the load)."""

    def __init__(self, *frames: pd.DataFrame | None):
        self.names: dict[str, str] = {}
        for f in frames:
            if f is None or not len(f):
                continue
            for _, r in f.iterrows():
                name = r.get("name")
                if name is None or is_missing(name):
                    continue
                self.names[str(name)] = str(name)
                zh = r.get("name_zh")
                if zh is not None and not is_missing(zh):
                    self.names.setdefault(str(zh), str(name))

    def resolve(self, ref: str) -> str | None:
        return self.names.get(ref)

    def suggest(self, ref: str) -> str:
        g = difflib.get_close_matches(ref, list(self.names), n=1, cutoff=0.6)
        return f"; did you mean {g[0]!r}?" if g else ""


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------

def validate_cities(df: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    """name (required, unique), name_zh, province, lat in [-90, 90], lon in [-180, 180] (required
    columns; empty cells allowed), + extra columns (numeric when every value parses)."""
    c = Collector(df.attrs.get("file", "cities"), problems)
    df, orig = map_columns(df, "cities", ["name", "lat", "lon"], c)
    if c.n or _empty(df, c):
        return None
    extras = [x for x in df.columns if x not in ("line", "name", "name_zh", "province", "lat", "lon")]
    rows = []
    first: dict[str, int] = {}
    for rec in df.to_dict("records"):
        ln = rec["line"]
        name = check_text(rec.get("name"), ln, orig["name"], c, what="city name")
        if name is not None:
            if name in first:
                c.add(ln, orig["name"], f"duplicate city {name!r} (first on line {first[name]})")
            else:
                first[name] = ln
        row = {"name": name,
               "name_zh": check_text(rec.get("name_zh"), ln, orig.get("name_zh", "name_zh"), c,
                                     required=False, what="name_zh"),
               "province": check_text(rec.get("province"), ln, orig.get("province", "province"), c,
                                      required=False, what="province"),
               "lat": check_number(rec.get("lat"), ln, orig["lat"], c, lo=-90, hi=90, what="latitude"),
               "lon": check_number(rec.get("lon"), ln, orig["lon"], c, lo=-180, hi=180, what="longitude")}
        for x in extras:
            row[x] = rec.get(x)
        rows.append(row)
        if c.full:
            break
    out = pd.DataFrame(rows, columns=["name", "name_zh", "province", "lat", "lon"] + extras)
    zh_seen: dict[str, int] = {}
    for x, ln in zip(out["name_zh"], df["line"]):
        if x is not None and not is_missing(x):
            if x in zh_seen:
                c.add(ln, orig.get("name_zh"), f"duplicate name_zh {x!r} (first on line {zh_seen[x]})")
            zh_seen.setdefault(x, ln)
    _extra_columns(out, df, extras, c)
    return out


def _extra_columns(out: pd.DataFrame, df: pd.DataFrame, extras: list[str], c: Collector) -> None:
    """Numeric when every non-missing value parses as a number (then checked finite), else text
    (then checked for formulas)."""
    for x in extras:
        vals = list(df[x])
        lines = list(df["line"])
        present = [v for v in vals if not is_missing(v)]
        if present and all(parse_number(v) is not None for v in present):
            out[x] = [check_number(v, ln, x, c) for v, ln in zip(vals, lines)]
            out[x] = out[x].astype("float64")
        else:
            out[x] = [None if is_missing(v) else check_text(v, ln, x, c, required=False)
                      for v, ln in zip(vals, lines)]


def validate_indicators(df: pd.DataFrame, cities: CityIndex, problems: list[Problem]) -> pd.DataFrame | None:
    """city (known), year (1900-2100), unique (city, year), + numeric indicator columns (empty
    cells allowed and kept as NaN; non-numbers, NaN written as inf, are problems)."""
    c = Collector(df.attrs.get("file", "indicators"), problems)
    df, orig = map_columns(df, "indicators", ["city", "year"], c)
    if c.n or _empty(df, c):
        return None
    values = [x for x in df.columns if x not in ("line", "city", "year")]
    if not values:
        c.add(df.attrs.get("header_line", 1), None, "no indicator columns besides city and year")
        return None
    rows = []
    first: dict[tuple, int] = {}
    for rec in df.to_dict("records"):
        ln = rec["line"]
        ref = check_text(rec.get("city"), ln, orig["city"], c, what="city")
        city = None
        if ref is not None:
            city = cities.resolve(ref)
            if city is None:
                c.add(ln, orig["city"], f"unknown city {ref!r} (not in the store nor in the cities "
                                        f"file of this load){cities.suggest(ref)}")
        year = check_year(rec.get("year"), ln, orig["year"], c)
        if city is not None and year is not None:
            if (city, year) in first:
                c.add(ln, orig["city"], f"duplicate city-year ({city!r}, {year}) "
                                        f"(first on line {first[(city, year)]})")
            else:
                first[(city, year)] = ln
        row = {"city": city, "year": year}
        for x in values:
            row[x] = check_number(rec.get(x), ln, x, c, what=x)
        rows.append(row)
        if c.full:
            break
    out = pd.DataFrame(rows, columns=["city", "year"] + values)
    for x in values:
        out[x] = pd.to_numeric(out[x], errors="coerce").astype("float64")
    return out


def validate_enterprises(df: pd.DataFrame, cities: CityIndex, problems: list[Problem]) -> pd.DataFrame | None:
    """id (unique), name, city (known), + extra columns."""
    c = Collector(df.attrs.get("file", "enterprises"), problems)
    df, orig = map_columns(df, "enterprises", ["id", "name", "city"], c)
    if c.n or _empty(df, c):
        return None
    extras = [x for x in df.columns if x not in ("line", "id", "name", "city")]
    rows = []
    first: dict[str, int] = {}
    for rec in df.to_dict("records"):
        ln = rec["line"]
        eid = check_text(rec.get("id"), ln, orig["id"], c, what="enterprise id")
        if eid is not None:
            if eid in first:
                c.add(ln, orig["id"], f"duplicate enterprise id {eid!r} (first on line {first[eid]})")
            else:
                first[eid] = ln
        name = check_text(rec.get("name"), ln, orig["name"], c, what="enterprise name")
        ref = check_text(rec.get("city"), ln, orig["city"], c, what="city")
        city = None
        if ref is not None:
            city = cities.resolve(ref)
            if city is None:
                c.add(ln, orig["city"], f"enterprise {eid!r} is in unknown city {ref!r} (not in the "
                                        f"store nor in the cities file of this load){cities.suggest(ref)}")
        row = {"id": eid, "name": name, "city": city}
        for x in extras:
            row[x] = rec.get(x)
        rows.append(row)
        if c.full:
            break
    out = pd.DataFrame(rows, columns=["id", "name", "city"] + extras)
    _extra_columns(out, df, extras, c)
    return out


_PERIOD = [
    (re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$"), "Q", lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"^[Qq]([1-4])\s*[-_ ]?\s*(\d{4})$"), "Q", lambda m: f"{m[2]}Q{m[1]}"),
    (re.compile(r"^(\d{4})\s*[-_/Mm]\s*(\d{1,2})$"), "M", lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"^(\d{4})(?:\.0)?$"), "A", lambda m: m[1]),
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


def validate_series(df: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame | None:
    """region, period (2015Q1 / 2015-03 / 2015), freq (inferred from period; a given freq must
    agree), unique (region, period), one frequency per region, + numeric columns."""
    c = Collector(df.attrs.get("file", "series"), problems)
    df, orig = map_columns(df, "series", ["region", "period"], c)
    if c.n or _empty(df, c):
        return None
    values = [x for x in df.columns if x not in ("line", "region", "period", "freq")]
    if not values:
        c.add(df.attrs.get("header_line", 1), None, "no value columns besides region and period")
        return None
    rows = []
    first: dict[tuple, int] = {}
    region_freq: dict[str, tuple[str, int]] = {}
    for rec in df.to_dict("records"):
        ln = rec["line"]
        region = check_text(rec.get("region"), ln, orig["region"], c, what="region")
        raw = rec.get("period")
        parsed = None if is_missing(raw) else parse_period(raw)
        period = freq = None
        if parsed is None:
            c.add(ln, orig["period"], f"period {_short(raw)} is not a year (2015), quarter (2015Q1) "
                                      "or month (2015-03)")
        else:
            period, freq, year = parsed
            if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                c.add(ln, orig["period"], f"year {year} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
            given = rec.get("freq")
            if given is not None and not is_missing(given):
                g = str(given).strip().upper()[:1]
                g = {"Y": "A"}.get(g, g)
                if g != freq:
                    c.add(ln, orig.get("freq", "freq"), f"freq {given!r} disagrees with period {raw!r} ({freq})")
            if region is not None:
                if region in region_freq and region_freq[region][0] != freq:
                    c.add(ln, orig["period"], f"region {region!r} mixes frequencies "
                                              f"({region_freq[region][0]} on line {region_freq[region][1]}, {freq} here)")
                region_freq.setdefault(region, (freq, ln))
                if (region, period) in first:
                    c.add(ln, orig["period"], f"duplicate ({region!r}, {period}) "
                                              f"(first on line {first[(region, period)]})")
                else:
                    first[(region, period)] = ln
        row = {"region": region, "period": period, "freq": freq}
        for x in values:
            row[x] = check_number(rec.get(x), ln, x, c, what=x)
        rows.append(row)
        if c.full:
            break
    out = pd.DataFrame(rows, columns=["region", "period", "freq"] + values)
    for x in values:
        out[x] = pd.to_numeric(out[x], errors="coerce").astype("float64")
    return out.sort_values(["region", "period"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# edges
# ---------------------------------------------------------------------------------------------

def edge_frame_from_table(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Turn a headed table into the edge frame (source, target, weight, year, line); weights and
    years must parse (range checks come later, in :func:`validate_edges`). Raises ValidationError.
    Vectorised: files of 10^5-10^6 rows are common."""
    problems: list[Problem] = []
    c = Collector(name, problems)
    df, orig = map_columns(table, "edges", ["source", "target"], c)
    if problems:
        raise ValidationError(problems)
    n = len(df)
    if n == 0:
        raise ValidationError([Problem(name, table.attrs.get("header_line", 1), None,
                                       "the file has a header but no data rows")])
    lines = df["line"].astype("int64")
    found: list[tuple[int, int, str, str]] = []  # (line, order, column, reason)
    ok = pd.Series(True, index=df.index)
    for k, col in enumerate(("source", "target")):
        empty = df[col].isna()
        for ln in lines[empty]:
            found.append((ln, k, orig[col], "empty endpoint"))
        ok &= ~empty
    weight = pd.Series(1.0, index=df.index)
    if "weight" in df.columns:
        raw = df["weight"].astype(object)
        missing = raw.isna() | raw.astype(str).str.strip().str.lower().isin(_MISSING)
        num = pd.to_numeric(raw.where(~missing), errors="coerce").astype("float64")
        bad = ~missing & num.isna()
        for ln, v in zip(lines[bad], raw[bad]):
            found.append((ln, 2, orig["weight"], f"weight {_short(v)} is not a number"))
        ok &= ~bad
        weight = num.where(~missing, math.nan)  # missing: reported by validate_edges as NaN
    year = pd.Series(NO_YEAR, index=df.index, dtype="int64")
    if "year" in df.columns:
        raw = df["year"].astype(object)
        missing = raw.isna() | raw.astype(str).str.strip().str.lower().isin(_MISSING)
        num = pd.to_numeric(raw.where(~missing), errors="coerce").astype("float64")
        finite = num.notna() & (num.abs() != math.inf)
        integral = finite & (num == num.round())
        bad = ~missing & ~integral
        for ln, v in zip(lines[bad], raw[bad]):
            found.append((ln, 3, orig["year"], f"year {_short(v)} is not an integer"))
        out_of_range = ~missing & integral & ((num < YEAR_RANGE[0]) | (num > YEAR_RANGE[1]))
        for ln, v in zip(lines[out_of_range], num[out_of_range]):
            found.append((ln, 3, orig["year"], f"year {int(v)} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}"))
        ok &= ~bad & ~out_of_range
        year = num.where(~missing & integral, NO_YEAR).fillna(NO_YEAR).astype("int64")
    if found:
        for ln, _, col, reason in sorted(found, key=lambda f: (f[0], f[1])):
            c.add(ln, col, reason)
        raise ValidationError(problems)
    out = pd.DataFrame({"source": df["source"].astype(str).astype(object),
                        "target": df["target"].astype(str).astype(object),
                        "weight": weight.astype("float64"), "year": year,
                        "line": lines}).reset_index(drop=True)
    out.attrs.update(table.attrs)
    out.attrs["columns"] = {k: orig.get(k, k) for k in ("source", "target", "weight", "year")}
    return out


def validate_edges(edges: pd.DataFrame, problems: list[Problem]) -> bool:
    """Weights finite, 0 <= w <= 1e12; years 0 (none) or 1900-2100; endpoints non-empty text, no
    formulas; no self-loops. Returns True when no problem was found. Problems are in line order."""
    name = edges.attrs.get("file", "edges")
    cols = edges.attrs.get("columns", {})
    scol, tcol, wcol, ycol = (cols.get(k, k) for k in ("source", "target", "weight", "year"))
    lines = edges["line"].astype("int64")
    found: list[tuple[int, int, str, str]] = []
    # text checks on the distinct endpoint values only
    for k, (col, shown, what) in enumerate((("source", scol, "source"), ("target", tcol, "target"))):
        values = edges[col].astype(object)
        bad: dict = {}
        for v in pd.unique(values):
            sink: list[Problem] = []
            check_text(v, 0, shown, Collector(name, sink), what=what)
            if sink:
                bad[v] = sink[0].reason
        if bad:
            mask = values.isin(list(bad))
            for ln, v in zip(lines[mask], values[mask]):
                found.append((ln, k, shown, bad[v]))
    s, t = edges["source"].astype(object), edges["target"].astype(object)
    loop = (s == t) & s.notna()
    for ln, v in zip(lines[loop], s[loop]):
        found.append((ln, 2, scol, f"self-loop: source and target are both {v!r}"))
    w = edges["weight"].astype("float64")
    for mask, reason in (
        (w.isna(), lambda x: "weight is NaN or missing"),
        (w.abs() == math.inf, lambda x: "weight is infinite"),
        ((w < 0) & (w != -math.inf), lambda x: f"weight {x:g} is negative"),
        ((w > MAX_WEIGHT) & (w != math.inf), lambda x: f"weight {x:g} is absurdly large (> {MAX_WEIGHT:g})"),
    ):
        for ln, x in zip(lines[mask], w[mask]):
            found.append((ln, 3, wcol, reason(x)))
    y = edges["year"].astype("int64")
    bad_year = (y != NO_YEAR) & ((y < YEAR_RANGE[0]) | (y > YEAR_RANGE[1]))
    for ln, x in zip(lines[bad_year], y[bad_year]):
        found.append((ln, 4, ycol, f"year {x} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}"))
    c = Collector(name, problems)
    for ln, _, col, reason in sorted(found, key=lambda f: (f[0], f[1])):
        c.add(ln, col, reason)
    return not found


def sum_duplicate_edges(edges: pd.DataFrame, directed: bool) -> tuple[pd.DataFrame, int]:
    """Sum duplicate (source, target, year) rows; undirected pairs are put in sorted order first,
    so A-B and B-A are the same pair. Returns ``(frame without line, number of rows merged)``.

    >>> e = pd.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "weight": [1.0, 2.0], "year": [0, 0]})
    >>> sum_duplicate_edges(e, directed=False)[0].values.tolist()
    [['a', 'b', 3.0, 0]]
    >>> len(sum_duplicate_edges(e, directed=True)[0])
    2
    """
    e = edges[["source", "target", "weight", "year"]].copy()
    if not directed and len(e):
        swap = e["source"] > e["target"]
        e.loc[swap, ["source", "target"]] = e.loc[swap, ["target", "source"]].values
    out = e.groupby(["source", "target", "year"], sort=False, as_index=False)["weight"].sum()
    out = out[["source", "target", "weight", "year"]]
    out["weight"] = out["weight"].astype("float64")
    out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True), len(e) - len(out)


def classify_endpoints(edges: pd.DataFrame, enterprise_ids: set[str], cities: CityIndex,
                       problems: list[Problem]) -> tuple[str | None, pd.DataFrame]:
    """Decide whether an edge list links enterprises (-> COOPERATES) or cities (-> LINKS).

    Every endpoint must be known at one level. Returns ``(level, edges)`` with city endpoints
    resolved to city names (``name_zh`` references become ``name``); ``level`` is None on error.
    """
    name = edges.attrs.get("file", "edges")
    cols = edges.attrs.get("columns", {})
    c = Collector(name, problems)
    ends = set(edges["source"]) | set(edges["target"])
    n_ent = sum(1 for x in ends if x in enterprise_ids)
    n_city = sum(1 for x in ends if cities.resolve(x) is not None)
    if n_ent == len(ends):
        return "enterprise", edges
    if n_city == len(ends):
        out = edges.copy()
        out["source"] = out["source"].map(cities.names).astype(object)
        out["target"] = out["target"].map(cities.names).astype(object)
        return "city", out
    level = "enterprise" if n_ent > n_city else "city" if n_city else None
    for col in ("source", "target"):
        for x, ln in zip(edges[col], edges["line"]):
            ent, city = x in enterprise_ids, cities.resolve(x) is not None
            if level == "enterprise" and not ent:
                why = (f"{x!r} is a city but the other endpoints are enterprises: mixed edge file"
                       if city else f"unknown enterprise {x!r} (not in the store nor in the "
                                    "enterprises file of this load)")
            elif level == "city" and not city:
                why = (f"{x!r} is an enterprise but the other endpoints are cities: mixed edge file"
                       if ent else f"unknown city {x!r} (not in the store nor in the cities file "
                                   f"of this load){cities.suggest(x)}")
            elif level is None:
                why = f"unknown node {x!r}: neither a known city nor a known enterprise"
            else:
                continue
            c.add(ln, cols.get(col, col), why)
            if c.full:
                return None, edges
    return None, edges


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

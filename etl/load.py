"""Build a validated :class:`~cultnet.model.Bundle` from input files and write it to a store.

:func:`validate_files` reads and checks every given file once (nothing is written; all problems
of all files are collected and raised as one ValidationError); :func:`load_files` then hands the
bundle to ``store.load_bundle``. :func:`load_sample` loads ``data/sample/``.

The target study
    Validation checks the files against the study they go into: references resolve against the
    study's own cities and enterprises (suggestions too), and values that another dataset of the
    study already gave must agree (an indicator value, a city or enterprise attribute, an
    enterprise's city, the direction of an edge set of the same level and method). The study is
    read through a small interface (:class:`StudyData`): ``cities()``, ``enterprises()``,
    ``indicators()``, ``series()`` and ``edge_sets()`` returning frames, each optional. A store
    with ``study(name)`` gives the view; a study that does not exist yet is empty.

Entities introduced by references
    When the study has no cities and the load no cities file, the cities named by the
    indicators, enterprises and edge files are created without attributes (reported in the
    notes: "13 entities created, no coordinates"); ``bundle.cities`` holds them by name only and
    ``bundle.introduced`` lists them. When the study has cities, unknown names stay errors.

Edge files
    An edge file whose endpoints are all enterprises (known in the study or in the same load)
    becomes COOPERATES (``bundle.cooperation``) and is also aggregated to city LINKS
    ``{method: 'cooperation'}`` (sum of weights between the enterprises' cities, per year, no
    pairs within a city) in ``bundle.city_links``. An edge file whose endpoints are all cities
    becomes LINKS ``{method: 'observed'}``. Anything else is an error naming each unknown
    endpoint. Duplicate edges are summed; an undirected edge list is stored once per pair with
    the endpoints in sorted order (``bundle.notes`` says which).

Dataset id
    ``ds-`` + the first 16 hex digits of a sha256 over the study name, each role and the sha256
    of the bytes that were parsed for it (each file is read once, hashed as it is read), and the
    options (format, direction, sheet): loading the same files into the same study again gives
    the same id, so the store can replace rather than duplicate.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from cultnet.errors import LOAD_INPUT, CultnetError, InputContext, ValidationError
from cultnet.model import DEFAULT_STUDY, SAMPLE_STUDY, Bundle, check_study_name
from cultnet.etl import validate as v
from cultnet.etl.read import EdgeReader, TableReader, check_size

Progress = Callable[[int, int, str], None]
ROLES = ("cities", "indicators", "enterprises", "edges", "series")
SAMPLE_FILES = {"cities": "cities.csv", "indicators": "indicators.csv",
                "enterprises": "enterprises.csv", "edges": "cooperation.csv", "series": "series.csv"}
#: Relative tolerance for "the same value" against a study (the stores' float round trip).
REL_TOL = 1e-12


# ---------------------------------------------------------------------------------------------
# the target study
# ---------------------------------------------------------------------------------------------

class StudyData:
    """What validation reads of the target study, through a duck-typed view.

    The view may offer ``cities()``, ``enterprises()``, ``indicators()``, ``series()``,
    ``edge_sets()`` (and ``datasets()``), each returning a frame, and ``name``. A method that
    accepts ``by_dataset=True`` is asked for one row per dataset contribution with a ``dataset``
    column (so that a conflict can name the dataset); a frame with a ``dataset`` column is used
    the same way. ``None`` (or a view without a method) is an empty study.
    """

    def __init__(self, view: Any = None, name: str | None = None):
        self.view = view
        self.name = name or getattr(view, "name", None) or DEFAULT_STUDY
        self._cache: dict[str, pd.DataFrame | None] = {}

    def frame(self, what: str) -> pd.DataFrame | None:
        if what not in self._cache:
            fn = getattr(self.view, what, None) if self.view is not None else None
            df = None
            if callable(fn):
                try:
                    df = fn(by_dataset=True)
                except TypeError:
                    df = fn()
            self._cache[what] = df if isinstance(df, pd.DataFrame) else None
        return self._cache[what]

    def has_cities(self) -> bool:
        c = self.frame("cities")
        return c is not None and len(c) > 0

    def datasets_named(self) -> str:
        d = self.frame("datasets")
        if d is None or not len(d) or "id" not in d.columns:
            return ""
        return ", ".join(map(str, d["id"].tolist()[:5]))


def study_view(target: Any, study: str | None) -> StudyData:
    """The study a load goes into. ``target`` is None, a study view, or a store: a store with
    ``study(name)`` gives its view (a study that does not exist yet is empty); an older store
    without studies is used as the view itself (its reads span the store)."""
    name = study or DEFAULT_STUDY
    if target is None:
        return StudyData(None, name)
    get = getattr(target, "study", None)
    if callable(get):
        names = getattr(target, "study_names", None)
        if callable(names) and name not in names():
            return StudyData(None, name)  # a new study
        try:
            view = get(name)
        except CultnetError:  # StudyNotFound: a new study
            return StudyData(None, name)
        return StudyData(view, name)
    return StudyData(target, study or getattr(target, "name", None))


# ---------------------------------------------------------------------------------------------
# validate, load
# ---------------------------------------------------------------------------------------------

def validate_files(target=None, *, cities=None, indicators=None, edges=None, enterprises=None,
                   series=None, fmt: str | None = None, directed: bool | None = None,
                   sheet: str | None = None, source: str | None = None,
                   simulated: bool = False, study: str | None = None,
                   context: InputContext = LOAD_INPUT) -> Bundle:
    """Read and validate the given files against each other and the target study; build the
    Bundle.

    ``target`` may be None (an empty study), a study view or a store (see :func:`study_view`);
    ``study`` names the study (default: the view's name, else ``"default"``). ``fmt``/``directed`` apply to the edge
    file; ``sheet`` to every workbook with several sheets. Raises ValidationError with every
    problem found in every file, told in ``context``.
    """
    if study is not None:
        check_study_name(study)
    paths = {"cities": cities, "indicators": indicators, "enterprises": enterprises,
             "edges": edges, "series": series}
    paths = {k: Path(p) for k, p in paths.items() if p is not None}
    if not paths:
        raise CultnetError("Nothing to load: give at least one of --cities, --indicators, "
                           "--enterprises, --edges, --series (or --sample).")
    report = v.Report()
    for role, p in paths.items():
        try:
            check_size(p)
        except ValidationError as e:
            for pr in e.problems:
                report.add(pr)
    if len(report):  # missing or oversized files: read nothing
        raise report.error(context)

    sd = study_view(target, study)
    st_cities = sd.frame("cities")
    st_ents = sd.frame("enterprises")
    introduce = not sd.has_cities() and "cities" not in paths
    notes: list[str] = []
    digests: dict[str, str] = {}
    read_failed: set[str] = set()

    def attempt(role: str, fn):
        """Run a reader + validator; a file that cannot be read keeps only its read problems."""
        name = paths[role].name
        try:
            return fn()
        except ValidationError as e:
            report.file(name).clear()
            for pr in e.problems:
                report.add(pr)
            read_failed.add(role)
            return None

    def table(role: str) -> TableReader:
        return TableReader(paths[role], sheet=sheet, sheet_if_several=True)

    def done(role: str, t) -> None:
        if t is not None and "sha256" in t.attrs:
            digests[role] = t.attrs["sha256"]
            enc = t.attrs.get("encoding")
            if enc not in (None, "UTF-8"):
                notes.append(f"{paths[role].name}: read as {enc}")

    b_coop = b_links = None
    def run(role: str, validate: Callable[[TableReader], pd.DataFrame | None]) -> pd.DataFrame | None:
        if role not in paths:
            return None

        def go():
            t = table(role)
            out = validate(t)
            done(role, t)
            return out
        return attempt(role, go)

    b_cities = run("cities", lambda t: v.validate_cities(t, report, st_cities))
    index = v.CityIndex(_drop_dataset_rows(st_cities, "name"), b_cities)
    cities_unusable = "cities" in paths and b_cities is None
    refs = _Unchecked(index) if cities_unusable else index
    b_ind = run("indicators", lambda t: v.validate_indicators(t, refs, report, introduce=introduce))
    b_ent = run("enterprises", lambda t: v.validate_enterprises(t, refs, report, introduce=introduce))
    level = None
    edge_directed = None
    if "edges" in paths:
        res = attempt("edges", lambda: _edges(paths["edges"], fmt, directed, sheet, index, st_ents, b_ent,
                                              report, notes, introduce=introduce,
                                              unchecked=cities_unusable or ("enterprises" in paths and b_ent is None)))
        if res is not None:
            b_coop, b_links, level, edge_directed, digest = res
            if digest:
                digests["edges"] = digest
    b_series = run("series", lambda t: v.validate_series(t, report))
    for dep in ("indicators", "enterprises", "edges"):
        if dep in paths and dep not in read_failed and (cities_unusable or (dep == "edges" and "enterprises" in paths and b_ent is None)):
            why = paths["cities"].name if cities_unusable else paths["enterprises"].name
            report.file(paths[dep].name).add(None, None, f"references were not checked: {why} has problems "
                                                         "that stop it from being read; fix it first")

    options = {"fmt": fmt, "directed": directed, "sheet": sheet}
    sha = _dataset_sha(sd.name, digests, options) if set(digests) == set(paths) else None
    dataset_id = f"ds-{sha[:16]}" if sha else None
    introduced = list(index.introduced)
    if introduced and b_cities is None:
        b_cities = pd.DataFrame({"name": pd.Series(introduced, dtype=object),
                                 "name_zh": pd.Series([None] * len(introduced), dtype=object),
                                 "province": pd.Series([None] * len(introduced), dtype=object),
                                 "lat": np.full(len(introduced), np.nan), "lon": np.full(len(introduced), np.nan)})
        b_cities["line"] = 0
    # conflicts with what other datasets of the study gave (DESIGN section 2)
    _conflicts(sd, dataset_id, report, paths, cities=None if introduced else b_cities, indicators=b_ind,
               enterprises=b_ent, series=b_series, level=level, directed=edge_directed,
               has_links=b_links is not None)
    if len(report):
        raise report.error(context)
    assert sha is not None and dataset_id is not None

    if source is None:
        source = "files: " + ", ".join(f"{r}={paths[r].name}" for r in ROLES if r in paths)
    if introduced:
        used = [paths[r].name for r in ("indicators", "enterprises", "edges") if r in paths]
        notes.append(f"{len(introduced)} entities created, no coordinates: the cities named in "
                     f"{', '.join(used)} (the study {sd.name!r} had none and no cities file was given)")
        notes.extend(_look_alike_note(introduced))
    bundle = Bundle(dataset_id=dataset_id, source=source, sha256=sha, simulated=simulated,
                    study=sd.name, directed=None if level is None else bool(edge_directed),
                    cities=_strip(b_cities), indicators=_strip(b_ind), enterprises=_strip(b_ent),
                    cooperation=b_coop, city_links=b_links, series=_strip(b_series), notes=notes)
    bundle.introduced = tuple(introduced)  # cities created by references (name only, no attributes)
    return bundle


def load_files(store, *, cities=None, indicators=None, edges=None, enterprises=None, series=None,
               fmt: str | None = None, directed: bool | None = None, sheet: str | None = None,
               progress: Progress | None = None, source: str | None = None,
               simulated: bool = False, study: str = DEFAULT_STUDY) -> dict[str, Any]:
    """Validate, then ``store.load_bundle`` into ``study``. Returns ``{"dataset_id", "study",
    "source", "rows", "written" (the store's counts), "notes"}``."""
    bundle = validate_files(store, cities=cities, indicators=indicators, edges=edges,
                            enterprises=enterprises, series=series, fmt=fmt, directed=directed,
                            sheet=sheet, source=source, simulated=simulated, study=study)
    written = store.load_bundle(bundle, progress=progress)
    return {"dataset_id": bundle.dataset_id, "study": bundle.study, "source": bundle.source,
            "rows": bundle_rows(bundle), "written": written, "notes": list(bundle.notes)}


def bundle_rows(bundle: Bundle) -> dict[str, int]:
    """Rows per frame of a bundle (frames not loaded are left out)."""
    out = {}
    for k in ("cities", "indicators", "enterprises", "cooperation", "city_links", "series"):
        f = getattr(bundle, k)
        if f is not None:
            out[k] = len(f)
    return out


def sample_dir() -> Path:
    """``data/sample`` of the repository (``CULTNET_SAMPLE_DIR`` overrides)."""
    env = os.environ.get("CULTNET_SAMPLE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "data" / "sample"


def sample_bundle(study: str = SAMPLE_STUDY) -> Bundle:
    """Validate the simulated sample without a store (every reference is inside the sample),
    for the study ``liaoning-sample`` (or ``study``)."""
    return validate_files(None, **_sample_paths(), directed=_sample_directed(),
                          source=_sample_source(), simulated=True, study=study)


def load_sample(store, progress: Progress | None = None, *, gravity: bool = True,
                study: str = SAMPLE_STUDY) -> dict[str, Any]:
    """Load ``data/sample/`` (cities, indicators, enterprises, cooperation, series) into the
    study ``liaoning-sample`` (or ``study``), marked ``simulated=True``; with ``gravity``
    (default) also the yearly gravity-model city networks (:func:`add_gravity_links` with the
    default parameters), in the same atomic load."""
    bundle = sample_bundle(study)
    if gravity:
        add_gravity_links(bundle)
    written = store.load_bundle(bundle, progress=progress)
    return {"dataset_id": bundle.dataset_id, "study": bundle.study, "source": bundle.source,
            "rows": bundle_rows(bundle), "written": written, "notes": list(bundle.notes)}


def add_gravity_links(bundle: Bundle, **params: Any) -> int:
    """Append the gravity-model arcs of every year to ``bundle.city_links`` as
    ``LINKS {method: 'gravity'}`` (only the dichotomized arcs, ``linked`` true; ``weight`` is
    y_ij). ``params`` go to :func:`cultnet.analysis.gravity.gravity_links` (defaults: masses pop and cul,
    asymmetry cul, income gdp_pc, b = 2, row-mean threshold without the diagonal).
    Returns the number of arcs added; 0 when the bundle lacks cities or indicators."""
    from cultnet.analysis.gravity import gravity_links

    if bundle.cities is None or bundle.indicators is None or not len(bundle.indicators):
        return 0
    links = gravity_links(bundle.cities, bundle.indicators, **params)
    arcs = links.loc[links["linked"].astype(bool), ["source", "target", "weight", "year"]].copy()
    arcs["method"] = "gravity"
    arcs["year"] = arcs["year"].astype(int)
    frames = [f for f in (bundle.city_links, arcs) if f is not None and len(f)]
    bundle.city_links = pd.concat(frames, ignore_index=True) if frames else arcs
    bundle.notes.append(f"gravity model: {len(arcs)} arcs over {arcs['year'].nunique()} years "
                        "(LINKS {method:'gravity'}; analysis.gravity defaults)")
    return len(arcs)


# ---------------------------------------------------------------------------------------------

def _strip(df: pd.DataFrame | None) -> pd.DataFrame | None:
    if df is None:
        return None
    return df.drop(columns=[c for c in ("line",) if c in df.columns]).reset_index(drop=True)


def _dataset_sha(study: str, digests: dict[str, str], options: dict) -> str:
    h = hashlib.sha256()
    h.update(f"study:{study};".encode())
    for role in ROLES:
        if role in digests:
            h.update(f"{role}:{digests[role]};".encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    return h.hexdigest()


class _Unchecked:
    """A city index that accepts every reference (used when the cities file could not be read:
    its problems are reported, and every reference would be a false 'unknown city')."""

    introduced: dict = {}

    def __init__(self, index: v.CityIndex):
        self._index = index

    def resolve(self, ref: str) -> str:
        return self._index.resolve(ref) or ref

    def introduce(self, ref: str) -> str:
        return ref

    def suggest(self, ref: str) -> str:
        return ""


def _drop_dataset_rows(df: pd.DataFrame | None, key: str) -> pd.DataFrame | None:
    """One row per key (a by-dataset frame has one per dataset contribution)."""
    if df is None or "dataset" not in df.columns or key not in df.columns:
        return df
    return df.drop_duplicates(key)


def _look_alike_note(names: list[str]) -> list[str]:
    """Names created from references that look alike (a typo creates a second city)."""
    if len(names) > 200:
        return []
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if difflib.SequenceMatcher(None, a, b).ratio() >= 0.85:
                pairs.append(f"{a!r} and {b!r}")
    if not pairs:
        return []
    return [f"created names that look alike (typos?): {'; '.join(pairs[:10])}"]


def _sample_paths() -> dict[str, Path]:
    d = sample_dir()
    missing = [f for f in SAMPLE_FILES.values() if not (d / f).is_file()]
    if missing:
        raise CultnetError(f"The sample data is missing from {d} ({', '.join(missing)}); "
                           "regenerate it with `python scripts/make_sample.py`.")
    return {role: d / f for role, f in SAMPLE_FILES.items()}


def _sample_directed() -> bool | None:
    """Cooperation in the paper is undirected ("without distinguishing between referencing and
    referenced"); a ``directed`` key in data/sample/manifest.json overrides."""
    meta = _sample_meta()
    return bool(meta["directed"]) if "directed" in meta else False


def _sample_meta() -> dict:
    """``manifest.json`` written by scripts/make_sample.py (``metadata.json`` also accepted)."""
    for name in ("manifest.json", "metadata.json"):
        p = sample_dir() / name
        if p.is_file():
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                return {}
    return {}


def _sample_source() -> str:
    seed = _sample_meta().get("seed")
    if seed is None:
        for cand in (sample_dir() / "README.md", Path(__file__).resolve().parents[1] / "scripts" / "make_sample.py"):
            if cand.is_file():
                m = re.search(r"seed\D{0,10}(\d+)", cand.read_text(encoding="utf-8", errors="replace"), re.I)
                if m:
                    seed = m.group(1)
                    break
    return f"cultnet simulated sample (scripts/make_sample.py, seed {seed if seed is not None else 'unknown'})"


# ---------------------------------------------------------------------------------------------
# edges
# ---------------------------------------------------------------------------------------------

def _edges(path: Path, fmt, directed, sheet, index, store_ents, b_ent, report: v.Report,
           notes: list[str], *, introduce: bool, unchecked: bool):
    """Read, check, classify and sum an edge file. Returns ``(cooperation, city_links, level,
    directed, sha256)``; the frames are None when the file has problems."""
    reader = EdgeReader(path, fmt, directed=directed, sheet=sheet, sheet_if_several=True)
    f = report.file(reader.name)
    rows = v.read_edges(reader, f)
    is_directed = bool(reader.directed)
    digest = reader.attrs.get("sha256")
    enc = reader.attrs.get("encoding")
    if enc not in (None, "UTF-8"):
        notes.append(f"{path.name}: read as {enc}")
    if not len(rows) and not f.n:
        f.add(None, None, "the file holds no edges")
    ent_city: dict[str, str] = {}
    for fr in (store_ents, b_ent):
        if fr is not None and len(fr) and "id" in fr.columns:
            ent_city.update({str(i): c for i, c in zip(fr["id"], fr["city"]) if i is not None})
    if unchecked or not len(rows):
        return None, None, None, is_directed, digest
    level, names = v.classify_edges(rows, set(ent_city), index, f, introduce=introduce)
    if level is None:
        return None, None, None, is_directed, digest
    if level == "city":  # 'Dalian' - '大连' is one city
        same = names[rows.src] == names[rows.dst]
        if same.any():
            vals = rows.values
            idx = np.flatnonzero(same)
            f.add_many(rows.line[same], rows.columns.get("source", "source"),
                       lambda k: f"self-loop: {vals[rows.src[k]]!r} and {vals[rows.dst[k]]!r} are the "
                                 "same city", idx)
    if f.n:
        return None, None, level, is_directed, digest
    n_rows = len(rows)
    src, dst, year, weight = rows.src, rows.dst, rows.year, rows.weight
    rows.src = rows.dst = rows.year = rows.weight = rows.line = None  # only the codes below are kept
    summed, merged, (gs, gt, gy, gw) = v.sum_codes(src, dst, year, weight, names, is_directed, codes=True)
    del src, dst, year, weight
    kind = "directed" if is_directed else "undirected (each pair stored once, endpoints in sorted order)"
    notes.append(f"{path.name}: {n_rows} {level} edge rows, {kind}")
    if merged:
        notes.append(f"{path.name}: {merged} duplicate edge row(s) summed into existing pairs")
    if level == "enterprise":
        links = v.city_links_from_codes(gs, gt, gy, gw, names, ent_city, is_directed)
        return summed, links, level, is_directed, digest
    summed["method"] = "observed"
    return None, summed, level, is_directed, digest


# ---------------------------------------------------------------------------------------------
# conflicts with the study
# ---------------------------------------------------------------------------------------------

def _conflicts(sd: StudyData, dataset_id: str | None, report: v.Report, paths: dict[str, Path], *,
               cities, indicators, enterprises, series, level, directed, has_links: bool) -> None:
    fix = (f"delete that dataset first (`cultnet delete-dataset {{ds}}`) or load into another "
           f"study (--study NAME)")
    if cities is not None:
        _value_conflicts(sd, "cities", cities, ["name"], report.file(paths["cities"].name), dataset_id,
                         lambda k: f"city {k[0]!r}", fix)
    if indicators is not None:
        _value_conflicts(sd, "indicators", indicators, ["city", "year"], report.file(paths["indicators"].name),
                         dataset_id, lambda k: f"{k[0]} {k[1]}", fix)
    if enterprises is not None:
        _value_conflicts(sd, "enterprises", enterprises, ["id"], report.file(paths["enterprises"].name),
                         dataset_id, lambda k: f"enterprise {k[0]!r}", fix)
    if series is not None:
        _value_conflicts(sd, "series", series, ["region", "period"], report.file(paths["series"].name),
                         dataset_id, lambda k: f"{k[0]} {k[1]}", fix)
    if level is not None and "edges" in paths:
        _direction_conflicts(sd, level, bool(directed), has_links, report.file(paths["edges"].name), dataset_id)


def _norm_keys(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.copy()
    for k in keys:
        if k == "year":
            out[k] = pd.to_numeric(out[k], errors="coerce").astype("Int64")
        else:
            out[k] = out[k].astype(object).map(lambda x: None if x is None or (isinstance(x, float) and math.isnan(x)) else str(x))
    return out


def _as_float(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    return None


def _show(x: Any) -> str:
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    return repr(x) if isinstance(x, str) else str(x)


def _value_conflicts(sd: StudyData, what: str, new: pd.DataFrame, keys: list[str], f: v.FileProblems,
                     dataset_id: str | None, describe: Callable[[tuple], str], fix: str) -> None:
    """A value the load gives that differs from what another dataset of the study gave."""
    old = sd.frame(what)
    if old is None or not len(old) or not all(k in old.columns for k in keys):
        return
    if dataset_id is not None and "dataset" in old.columns:
        old = old[old["dataset"].astype(object) != dataset_id]
    cols = [c for c in new.columns if c in old.columns and c not in keys and c not in ("line", "dataset")]
    if not cols:
        return
    n = _norm_keys(new[keys + cols + ["line"]], keys)
    o = _norm_keys(old[keys + cols + (["dataset"] if "dataset" in old.columns else [])], keys)
    merged = n.merge(o, on=keys, how="inner", suffixes=("", "__old"))
    if not len(merged):
        return
    others = sd.datasets_named()
    for c in cols:
        a = merged[c].to_numpy(object)
        b = merged[f"{c}__old"].to_numpy(object)
        for k in np.flatnonzero(_differs(a, b)):
            key = tuple(merged[kk].iloc[k] for kk in keys)
            ds = merged["dataset"].iloc[k] if "dataset" in merged.columns else None
            where = (f"dataset {ds} of study {sd.name!r}" if ds else
                     f"another dataset of study {sd.name!r}" + (f" ({others})" if others else ""))
            if what == "enterprises" and c == "city":
                reason = (f"{describe(key)} is in {_show(a[k])} here but in {_show(b[k])} in {where}: "
                          "an enterprise may not move city; ")
            else:
                reason = f"{describe(key)}: {c} = {_show(a[k])} here but {_show(b[k])} in {where}; "
            f.add(merged["line"].iloc[k], c, reason + fix.format(ds=ds or "ID"))


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where two columns of values both hold a value and the values differ (numbers up to
    :data:`REL_TOL`, text exactly). Vectorised: a study's indicators may have many rows."""
    miss_a = pd.isna(pd.Series(a, dtype=object)).to_numpy()
    miss_b = pd.isna(pd.Series(b, dtype=object)).to_numpy()
    both = ~miss_a & ~miss_b
    num_a = np.array([_as_float(x) for x in a], dtype=object)
    num_b = np.array([_as_float(x) for x in b], dtype=object)
    numeric = both & np.array([x is not None for x in num_a]) & np.array([x is not None for x in num_b])
    out = np.zeros(len(a), dtype=bool)
    if numeric.any():
        fa = num_a[numeric].astype(np.float64)
        fb = num_b[numeric].astype(np.float64)
        out[numeric] = ~np.isclose(fa, fb, rtol=REL_TOL, atol=0.0)
    text = both & ~numeric
    if text.any():
        out[text] = np.array([str(x) != str(y) for x, y in zip(a[text], b[text])], dtype=bool)
    return out


def _direction_conflicts(sd: StudyData, level: str, directed: bool, has_links: bool, f: v.FileProblems,
                         dataset_id: str | None) -> None:
    """DESIGN section 4: a study's edge set (level, method) has one direction."""
    sets = sd.frame("edge_sets")
    if sets is None or not len(sets) or not {"level", "directed"} <= set(sets.columns):
        return
    mine = [(level, "cooperation" if level == "enterprise" else "observed")]
    if level == "enterprise" and has_links:
        mine.append(("city", "cooperation"))
    for lev, method in mine:
        for r in sets.to_dict("records"):
            m = r.get("method")
            m = "cooperation" if (lev == "enterprise" and m in (None, "")) else m
            if r.get("level") != lev or m != method or r.get("directed") is None:
                continue
            dsets = [d for d in (r.get("datasets") or []) if d != dataset_id]
            if not dsets and r.get("datasets"):
                continue
            old = bool(r["directed"])
            if old == directed:
                continue
            shown = ", ".join(map(str, dsets[:5])) or "another dataset"
            flag = "--directed" if old else "--undirected"
            f.add(None, None,
                  f"this file reads as {'directed' if directed else 'undirected'} {lev} {method} edges, "
                  f"but study {sd.name!r} holds them {'directed' if old else 'undirected'} (dataset(s) "
                  f"{shown}): load it with {flag} to match, delete those datasets first (`cultnet "
                  f"delete-dataset ID`), or load into another study (--study NAME)")
            return

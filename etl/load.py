"""Build a validated :class:`~cultnet.model.Bundle` from input files and write it to a store.

:func:`validate_files` reads and checks every given file (nothing is written; all problems of
all files are collected and raised as one ValidationError); :func:`load_files` then hands the
bundle to ``store.load_bundle``. :func:`load_sample` loads ``data/sample/``.

Edge files
    An edge file whose endpoints are all enterprises (known in the store or in the same load)
    becomes COOPERATES (``bundle.cooperation``) and is also aggregated to city LINKS
    ``{method: 'cooperation'}`` (sum of weights between the enterprises' cities, per year, no
    pairs within a city) in ``bundle.city_links``. An edge file whose endpoints are all cities
    becomes LINKS ``{method: 'observed'}``. Anything else is an error naming each unknown
    endpoint. Duplicate edges are summed; an undirected edge list is stored once per pair with
    the endpoints in sorted order (``bundle.notes`` says which).

Dataset id
    ``ds-`` + the first 16 hex digits of a sha256 over the study name, each role, the sha256 of
    its file's bytes and the options (format, direction, sheet): loading the same files again
    into the same study gives the same id, so the store can replace rather than duplicate; the
    same files loaded into two studies give two ids.

Studies
    Every bundle goes into one study (``study``, default ``default``; the sample goes into
    ``liaoning-sample``). References (cities, enterprises) are checked against that study only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from cultnet.errors import CultnetError, Problem, ValidationError
from cultnet.model import DEFAULT_STUDY, SAMPLE_STUDY, Bundle, check_study_name
from cultnet.etl import validate as v
from cultnet.etl.read import check_size, read_edge_file, read_table

Progress = Callable[[int, int, str], None]
ROLES = ("cities", "indicators", "enterprises", "edges", "series")
SAMPLE_FILES = {"cities": "cities.csv", "indicators": "indicators.csv",
                "enterprises": "enterprises.csv", "edges": "cooperation.csv", "series": "series.csv"}


def validate_files(store=None, *, cities=None, indicators=None, edges=None, enterprises=None,
                   series=None, fmt: str | None = None, directed: bool | None = None,
                   sheet: str | None = None, source: str | None = None,
                   simulated: bool = False, study: str = DEFAULT_STUDY) -> Bundle:
    """Read and validate the given files against each other and the store's ``study``; build
    the Bundle.

    ``store`` may be None (then nothing is known beforehand), and so may the study (a new study
    knows nothing yet). ``fmt``/``directed`` apply to the edge file; ``sheet`` to every workbook
    with several sheets. Raises ValidationError with every problem found in every file.
    """
    check_study_name(study)
    paths = {"cities": cities, "indicators": indicators, "enterprises": enterprises,
             "edges": edges, "series": series}
    paths = {k: Path(p) for k, p in paths.items() if p is not None}
    if not paths:
        raise CultnetError("Nothing to load: give at least one of --cities, --indicators, "
                           "--enterprises, --edges, --series (or --sample).")
    problems: list[Problem] = []
    digests: dict[str, str] = {}
    for role, p in paths.items():
        try:
            check_size(p)
            digests[role] = _sha256(p)
        except ValidationError as e:
            problems.extend(e.problems)
    if problems:  # missing or oversized files: read nothing
        raise ValidationError(problems)

    known = store.study(study) if store is not None and study in store.study_names() else None
    store_cities = known.cities() if known is not None else None
    store_ents = known.enterprises() if known is not None else None
    notes: list[str] = []

    def table(role: str) -> pd.DataFrame | None:
        try:
            df = _read_any_table(paths[role], sheet)
        except ValidationError as e:
            problems.extend(e.problems)
            return None
        if df.attrs.get("encoding") not in (None, "UTF-8"):
            notes.append(f"{paths[role].name}: read as {df.attrs['encoding']}")
        return df

    b_cities = b_ind = b_ent = b_coop = b_links = b_series = None
    is_directed = None
    if "cities" in paths and (df := table("cities")) is not None:
        b_cities = v.validate_cities(df, problems)
    index = v.CityIndex(store_cities, b_cities)
    if "indicators" in paths and (df := table("indicators")) is not None:
        b_ind = v.validate_indicators(df, index, problems)
    if "enterprises" in paths and (df := table("enterprises")) is not None:
        b_ent = v.validate_enterprises(df, index, problems)
    if "edges" in paths:
        b_coop, b_links, is_directed = _edges(paths["edges"], fmt, directed, sheet, index,
                                              store_ents, b_ent, problems, notes)
    if "series" in paths and (df := table("series")) is not None:
        b_series = v.validate_series(df, problems)
    if problems:
        raise ValidationError(problems)

    options = {"fmt": fmt, "directed": directed, "sheet": sheet}
    h = hashlib.sha256()
    h.update(f"study:{study};".encode())
    for role in ROLES:
        if role in digests:
            h.update(f"{role}:{digests[role]};".encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    sha = h.hexdigest()
    if source is None:
        source = "files: " + ", ".join(f"{r}={paths[r].name}" for r in ROLES if r in paths)
    bundle = Bundle(dataset_id=f"ds-{sha[:16]}", source=source, sha256=sha, simulated=simulated,
                    study=study, directed=is_directed, cities=b_cities, indicators=b_ind, enterprises=b_ent, cooperation=b_coop,
                    city_links=b_links, series=b_series, notes=notes)
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
    """Validate the simulated sample without a store (every reference is inside the sample)."""
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


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_any_table(p: Path, sheet: str | None) -> pd.DataFrame:
    """read_table, with ``sheet`` used only when the workbook has several sheets."""
    if sheet is not None and p.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return read_table(p, sheet=sheet)
        except ValidationError as e:
            if len(e.problems) == 1 and e.problems[0].reason.startswith("no sheet"):
                single = _single_sheet(p)
                if single is not None:
                    return read_table(p, sheet=single)
            raise
    return read_table(p, sheet=sheet)


def _single_sheet(p: Path) -> str | None:
    import openpyxl

    from cultnet.etl.read import check_zip

    check_size(p)
    check_zip(p)
    wb = openpyxl.load_workbook(p, read_only=True)
    try:
        return wb.sheetnames[0] if len(wb.sheetnames) == 1 else None
    finally:
        wb.close()


def _edges(path: Path, fmt, directed, sheet, index: v.CityIndex, store_ents, b_ent,
           problems: list[Problem], notes: list[str]):
    try:
        if sheet is not None and path.suffix.lower() in (".xlsx", ".xlsm") and _single_sheet_safe(path):
            sheet = None
        e, is_directed = read_edge_file(path, fmt, directed=directed, sheet=sheet)
    except ValidationError as err:
        problems.extend(err.problems)
        return None, None, None
    if e.attrs.get("encoding") not in (None, "UTF-8"):
        notes.append(f"{path.name}: read as {e.attrs['encoding']}")
    if not v.validate_edges(e, problems):
        return None, None, None
    ent_city: dict[str, str] = {}
    for f in (store_ents, b_ent):
        if f is not None and len(f):
            ent_city.update({str(i): c for i, c in zip(f["id"], f["city"]) if i is not None})
    level, e = v.classify_endpoints(e, set(ent_city), index, problems)
    if level is None:
        return None, None, None
    summed, merged = v.sum_duplicate_edges(e, is_directed)
    kind = "directed" if is_directed else "undirected (each pair stored once, endpoints in sorted order)"
    notes.append(f"{path.name}: {len(e)} {level} edge rows, {kind}")
    if merged:
        notes.append(f"{path.name}: {merged} duplicate edge row(s) summed into existing pairs")
    if level == "enterprise":
        links = v.cooperation_to_city_links(summed, ent_city, is_directed)
        return summed, links, is_directed
    summed["method"] = "observed"
    return None, summed, is_directed


def _single_sheet_safe(p: Path) -> bool:
    try:
        return _single_sheet(p) is not None
    except Exception:
        return False

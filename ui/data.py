"""The explorer's data layer: the one place with ``st.cache_*``.

* One store per process and configuration (``st.cache_resource``), opened with the same
  :class:`cultnet.settings.Settings` as the CLI (``CULTNET_BACKEND``, ``NEO4J_*``,
  ``CULTNET_DATA_DIR``), closed when the cache entry is released or the process exits.
* Every read goes through the view of ONE study (:class:`cultnet.graph.store.Study`): the study
  chosen in the sidebar / ``?study=`` (ui/app.py), carried in the *view key* (:func:`view_key`)
  that every cached read takes first (:func:`scope`).
* Reads and analysis results in ``st.cache_data``, keyed by that view key (the data key, i.e.
  the store configuration plus the id, load time and status of every dataset; the study; the
  model choices) and by the parameters. A load or a delete changes the data key, so nothing
  stale is ever shown; ``clear()`` also drops it.
* Nothing here computes: reads go through the :class:`cultnet.graph.store.GraphStore` API, computation
  through ``analysis``. Functions whose ``analysis`` module is not installed raise
  :class:`NotAvailable`, which pages turn into an ``st.info``.

Arguments beginning with ``_`` are not hashed by Streamlit; every cached function takes the data
key ``key`` first.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import logging
from types import ModuleType
from typing import Any, Callable

import pandas as pd
import streamlit as st

from cultnet.analysis.gravity import default_parameters as gravity_defaults
from cultnet.errors import CultnetError, NotEnoughData
from cultnet.model import DEFAULT_STUDY
from cultnet.settings import Settings

log = logging.getLogger(__name__)

# what the Data page's uploader accepts: what the loader reads (etl.read), no legacy .xls (the
# loader refuses it: save it as .xlsx)
UPLOAD_TYPES = ("csv", "txt", "tsv", "xlsx", "net", "paj")

# the enterprise force-directed view draws at most this many nodes (sample above it, and say so)
ENTERPRISE_VIEW_LIMIT = 1500


class NotAvailable(Exception):
    """A feature whose analysis module is not installed yet."""

    def __init__(self, module: str, what: str = ""):
        super().__init__(module)
        self.module = module
        self.what = what


def optional_module(name: str, what: str = "") -> ModuleType:
    """Import ``name`` or raise :class:`NotAvailable` (only when ``name`` itself is missing)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            raise NotAvailable(name, what) from None
        raise


# ---------------------------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------------------------


def settings() -> Settings:
    return Settings.from_env()


def _settings_key(s: Settings) -> tuple:
    return (s.backend, str(s.data_dir), s.graph_name, s.neo4j_uri, s.neo4j_user,
            s.neo4j_database, s.query_timeout_s, s.row_cap)


def _release(store: Any) -> None:
    try:
        store.close()
    except Exception:  # pragma: no cover - closing a dead store
        log.exception("closing the store failed")


@st.cache_resource(show_spinner="Connecting to the graph store ...", on_release=_release)
def _open(settings_key: tuple, _settings: Settings) -> Any:
    from cultnet.graph.store import open_store

    store = open_store(_settings)
    atexit.register(_release, store)
    return store


def store() -> Any:
    """The process-wide store for the current configuration."""
    s = settings()
    return _open(_settings_key(s), s)


def data_key() -> str:
    """A short hash of the store configuration and of every dataset's id, load time and status
    (of every study: one cheap read per rerun; a load or delete anywhere changes it).

    The key a page passes to the cached reads below is :func:`view_key`: this data key, the
    selected study and the page's model choices.
    """
    s = settings()
    ds = store().datasets()
    h = hashlib.sha1(repr(_settings_key(s)).encode())
    if ds is not None and len(ds):
        cols = [c for c in ("id", "loaded_at", "status", "sha256", "study") if c in ds.columns]
        h.update(ds[cols].astype(str).to_csv(index=False).encode())
    return h.hexdigest()[:16]


def view_key(data: str, gravity: dict | None = None, study: str | None = None) -> str:
    """The key every cached read and result of a run takes: ``<data key>|<study>|<choices>``.

    The study makes every read study-scoped and keeps two studies' results apart in the cache;
    the choices (the gravity model's masses, asymmetry and income) keep two models of the same
    data apart. :func:`study_of` reads the study back.

    >>> study_of(view_key("ab12", None, "shanxi")), study_of(view_key("ab12"))
    ('shanxi', None)
    """
    grav = hashlib.sha1(repr(_gravity_key(gravity)).encode()).hexdigest()[:8] if gravity else ""
    return f"{data}|{study or ''}|{grav}"


def study_of(key: str) -> str | None:
    """The study a view key is scoped to (None: a store without studies)."""
    parts = str(key).split("|")
    return parts[1] or None if len(parts) > 1 else None


class StudyMissing(RuntimeError):
    """A read whose key names no study while the store holds studies: a bug in the explorer (a
    page read before the router chose the study, or a key built by hand), never a default."""


def _study_name(key: str) -> str | None:
    """The study ``key`` is scoped to; None only for a store that holds no study (its reads are
    empty). A key without a study on a store with studies raises :class:`StudyMissing`."""
    name = study_of(key)
    if name is None and store().study_names():
        raise StudyMissing(f"a read without a study in its key ({key!r}) on a store that holds "
                           "studies: the explorer must choose the study before any read")
    return name


def scope(key: str) -> Any:
    """What the reads of ``key`` go through: the :class:`~cultnet.graph.store.Study` it names
    (``store.study(name)``). A store without any study reads as an empty study; a key without a
    study on a store with studies is an error (:class:`StudyMissing`), never the default study."""
    from cultnet.graph.store import Study

    name = _study_name(key)
    if name is None:
        return Study(store(), NO_STUDY)
    return store().study(name)


#: the name no study can have (names start with a letter or digit): reads with it are empty
NO_STUDY = "(none)"


@st.cache_data(show_spinner=False)
def studies(data: str) -> pd.DataFrame:
    """The studies in the store (``store.studies()``: name, datasets, counts, years, simulated);
    an empty frame for a store without studies."""
    return store().studies()


def default_study(names: list[str]) -> str:
    """The study a session opens on: ``CULTNET_STUDY`` when it names one, else the first study
    that is not the simulated sample (a user's own data before the demo), else the first."""
    import os

    env = os.environ.get("CULTNET_STUDY")
    if env in names:
        return env
    own = [n for n in names if n != "liaoning-sample"]
    return (own or names)[0]


def clear() -> None:
    """Drop cached reads and results (after a load or a delete)."""
    st.cache_data.clear()


# ---------------------------------------------------------------------------------------------
# plain reads
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def describe(key: str) -> dict:
    return dict(store().describe())


@st.cache_data(show_spinner=False)
def counts(key: str) -> dict:
    return scope(key).counts()


@st.cache_data(show_spinner=False)
def datasets(key: str) -> pd.DataFrame:
    return scope(key).datasets()


@st.cache_data(show_spinner=False)
def cities(key: str) -> pd.DataFrame:
    return scope(key).cities()


@st.cache_data(show_spinner=False)
def indicators(key: str) -> pd.DataFrame:
    return scope(key).indicators()


@st.cache_data(show_spinner=False)
def enterprises(key: str) -> pd.DataFrame:
    return scope(key).enterprises()


@st.cache_data(show_spinner=False)
def series(key: str) -> pd.DataFrame:
    return scope(key).series()


@st.cache_data(show_spinner=False)
def stored_city_edges(key: str, method: str | None = None, year: int | None = None) -> pd.DataFrame:
    return scope(key).edges("city", year=year, method=method)


@st.cache_data(show_spinner=False)
def enterprise_edges(key: str, year: int | None = None) -> pd.DataFrame:
    return scope(key).edges("enterprise", year=year)


@st.cache_data(show_spinner=False)
def all_datasets(key: str) -> pd.DataFrame:
    """Every dataset of every study (with its ``study`` column)."""
    return store().datasets()


def load_study() -> str:
    """The study a load goes into when none is named: ``CULTNET_STUDY``, else 'default'."""
    return settings().study or DEFAULT_STUDY


def run_query(key: str, cypher: str, params: dict | None = None, **kw: Any):
    """A user query (read-only, bounded) with the study of ``key`` passed as ``$study`` (unless
    the query's own parameters name one)."""
    name = _study_name(key)
    if name is not None and "study" not in (params or {}):
        return store().query(cypher, params, study=name, **kw)
    return store().query(cypher, params, **kw)


def simulated(key: str) -> bool:
    ds = datasets(key)
    if ds is None or not len(ds) or "simulated" not in ds.columns:
        return False
    return bool(ds["simulated"].fillna(False).astype(bool).any())


def has_data(key: str) -> bool:
    """Whether the study (or the store) holds any node."""
    c = counts(key)
    if isinstance(c, dict) and "labels" in c:
        return bool(sum((c.get("labels") or {}).values()))
    return bool(sum(v for v in (c or {}).values() if isinstance(v, (int, float))))


# ---------------------------------------------------------------------------------------------
# city networks: stored LINKS, or the gravity model computed from cities + indicators
# ---------------------------------------------------------------------------------------------

METHOD_HELP = ("gravity: the modified gravity model computed from the indicators (masses, "
               "asymmetry and income chosen under \"Gravity model\", b = 2, arc when a link is "
               "above its row mean), or gravity links stored by `cultnet gravity --write`. "
               "cooperation: enterprise cooperation aggregated to cities. observed: city links "
               "loaded as such.")
def numeric_indicator_columns(ind: pd.DataFrame | None) -> list[str]:
    """The numeric indicator columns of a study (not city or year), in file order."""
    if ind is None or not len(ind):
        return []
    return [c for c in ind.columns if c not in ("city", "year")
            and pd.api.types.is_numeric_dtype(ind[c])]


def _gravity_key(params: dict | None) -> tuple:
    p = params or {}
    return (tuple(p.get("masses") or ()), p.get("asymmetry"), p.get("income"))


def _linked(frame: pd.DataFrame) -> pd.DataFrame:
    """Arcs of a links frame: rows with linked == True when the column exists."""
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["source", "target", "weight", "year"])
    if "linked" in frame.columns:
        frame = frame[frame["linked"].fillna(False).astype(bool)]
    return frame.reset_index(drop=True)


def _can_compute_gravity(key: str) -> bool:
    """Cities with coordinates and at least one numeric indicator: the gravity model can run."""
    c = cities(key)
    return (c is not None and len(c) > 1 and {"lat", "lon"} <= set(c.columns)
            and bool(c[["lat", "lon"]].notna().all(axis=1).sum() > 1)
            and bool(numeric_indicator_columns(indicators(key))))


def gravity_params(key: str) -> dict:
    """The gravity model's parameters chosen on the page (session state ``gravity_params``),
    else the defaults for the study's columns (:func:`gravity_defaults`)."""
    chosen = st.session_state.get("gravity_params")
    cols = numeric_indicator_columns(indicators(key))
    if chosen and chosen.get("masses") and set(chosen["masses"]) <= set(cols) and all(
            v is None or v in cols for v in (chosen.get("asymmetry"), chosen.get("income"))):
        return dict(chosen)
    return gravity_defaults(cols)


@st.cache_data(show_spinner="Computing gravity networks ...")
def computed_gravity(key: str, masses: tuple[str, ...], asymmetry: str | None,
                     income: str | None) -> pd.DataFrame:
    """gravity_links over every year of the indicators with the given masses, asymmetry and
    income (b = 2, row-mean threshold without the diagonal)."""
    gravity = optional_module("cultnet.analysis.gravity", "The gravity model")
    return gravity.gravity_links(cities(key), indicators(key), masses=masses, asymmetry=asymmetry,
                                 income=income)


@st.cache_data(show_spinner=False)
def network_methods(key: str) -> list[str]:
    stored = stored_city_edges(key)
    have = set(stored["method"].dropna().astype(str)) if stored is not None and len(stored) and \
        "method" in stored.columns else set()
    out = []
    if "gravity" in have or _can_compute_gravity(key):
        out.append("gravity")
    for m in ("cooperation", "observed"):
        if m in have:
            out.append(m)
    return out


@st.cache_data(show_spinner=False)
def network_years(key: str, method: str) -> list[int]:
    years: set[int] = set()
    stored = stored_city_edges(key, method=method)
    if stored is not None and len(stored) and "year" in stored.columns:
        years |= {int(y) for y in stored["year"].dropna()}
    if method == "gravity" and _can_compute_gravity(key):
        years |= {int(y) for y in indicators(key)["year"].dropna().unique()}
    return sorted(years)


@st.cache_data(show_spinner=False)
def city_links(key: str, method: str, year: int | None) -> pd.DataFrame:
    """The arcs of the city network (source, target, weight, year) for one method and year."""
    stored = _linked(stored_city_edges(key, method=method, year=year))
    if len(stored) or method != "gravity":
        return stored
    if not _can_compute_gravity(key):
        return stored
    g = computed_gravity(key, *_gravity_key(gravity_params(key)))
    if year is not None:
        g = g[g["year"] == int(year)]
    return _linked(g)[["source", "target", "weight", "year"]]


@st.cache_data(show_spinner=False)
def links_directed(key: str, method: str) -> bool:
    """Whether the city links of ``method`` are directed: gravity networks are; other links as
    they were loaded (an undirected edge list is stored once per pair, endpoints sorted). See
    :func:`cultnet.graph.export.stored_direction` (the CLI uses the same rule)."""
    from cultnet.graph.export import stored_direction

    if method == "gravity":
        return True
    recorded = _recorded_direction(key, "city", method)
    if recorded is not None:
        return recorded
    return stored_direction(stored_city_edges(key, method=method), level="city", method=method)


def _recorded_direction(key: str, level: str, method: str | None) -> bool | None:
    """The direction the store recorded for the edge set (``Study.directed``), if any."""
    sc = scope(key)
    d = sc.directed(level, method) if hasattr(sc, "directed") else None
    return None if d is None else bool(d)


@st.cache_data(show_spinner=False)
def enterprise_directed(key: str) -> bool:
    """Whether the enterprise cooperation is directed (as loaded; see :func:`links_directed`)."""
    from cultnet.graph.export import stored_direction

    recorded = _recorded_direction(key, "enterprise", None)
    if recorded is not None:
        return recorded
    return stored_direction(enterprise_edges(key), level="enterprise")


def city_graph(key: str, method: str, year: int | None):
    from cultnet.graph.export import frame_to_igraph

    return frame_to_igraph(city_links(key, method, year), cities(key),
                           directed=links_directed(key, method))


@st.cache_data(show_spinner="Computing centralities ...")
def city_report(key: str, method: str, year: int | None, closeness: str = "wf",
                weighted_paths: bool = False):
    network = optional_module("cultnet.analysis.network", "Network analysis")
    return network.analyze_network(city_graph(key, method, year), closeness=closeness,
                                   weighted_paths=weighted_paths)


@st.cache_data(show_spinner=False)
def centrality_table(key: str, method: str, year: int | None, closeness: str = "wf",
                     closeness_column: str = "closeness_out") -> pd.DataFrame:
    network = optional_module("cultnet.analysis.network", "Network analysis")
    t = network.centrality_table(city_report(key, method, year, closeness),
                                 closeness=closeness_column)
    return t


@st.cache_data(show_spinner=False)
def pareto(key: str, method: str, year: int | None, measure: str, closeness: str = "wf") -> pd.DataFrame:
    network = optional_module("cultnet.analysis.network", "Network analysis")
    nodes = city_report(key, method, year, closeness).nodes
    return network.pareto(nodes.set_index("name")[measure], name=measure)


@st.cache_data(show_spinner="Computing network measures over the years ...")
def graph_measures_by_year(key: str, method: str) -> pd.DataFrame:
    """Whole-network measures (density, reciprocity, path length, ...) for every year."""
    rows = []
    for y in network_years(key, method):
        g = city_report(key, method, y).graph
        rows.append({"year": y, **{k: v for k, v in g.items()
                                   if isinstance(v, (int, float, bool)) or v is None}})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# roles, structure, robustness, enterprise view
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner="Assigning roles ...")
def city_roles(key: str, method: str, year: int | None) -> pd.DataFrame:
    roles = optional_module("cultnet.analysis.roles", "Role analysis")
    return roles.city_roles(city_graph(key, method, year))


@st.cache_data(show_spinner="Fitting the block model ...")
def block_model(key: str, method: str, year: int | None):
    roles = optional_module("cultnet.analysis.roles", "Block modelling")
    return roles.block_model(city_graph(key, method, year))


@st.cache_data(show_spinner="Simulating node removal ...")
def robustness(key: str, method: str, year: int | None, seed: int = 0) -> pd.DataFrame:
    rob = optional_module("cultnet.analysis.robustness", "Robustness analysis")
    return rob.robustness_curves(city_graph(key, method, year), seed=seed)


def _level_graph(key: str, level: str, method: str, year: int | None):
    if level == "city":
        return city_graph(key, method, year)
    from cultnet.graph.export import frame_to_igraph

    return frame_to_igraph(enterprise_edges(key, year), enterprises(key),
                           directed=enterprise_directed(key), key="id")


@st.cache_data(show_spinner="Comparing with random graphs (small-world) ...")
def small_world(key: str, level: str, method: str, year: int | None, n_random: int = 20,
                seed: int = 0):
    structure = optional_module("cultnet.analysis.structure", "Small-world analysis")
    return structure.small_world(_level_graph(key, level, method, year), n_random=n_random,
                                 seed=seed)


@st.cache_data(show_spinner="Fitting the degree distribution (scale-free) ...")
def scale_free(key: str, level: str, method: str, year: int | None, seed: int = 0,
               n_boot: int = 200):
    structure = optional_module("cultnet.analysis.structure", "Scale-free analysis")
    g = _level_graph(key, level, method, year)
    # degree = distinct neighbours, as the paper and `cultnet scalefree` count it
    und = g.as_undirected(mode="collapse") if g.is_directed() else g
    return structure.scale_free(und.degree(), seed=seed, n_boot=n_boot)


@st.cache_data(show_spinner=False)
def enterprise_years(key: str) -> list[int]:
    e = enterprise_edges(key)
    if e is None or not len(e) or "year" not in e.columns:
        return []
    return sorted(int(y) for y in e["year"].dropna().unique() if int(y) != 0)


@st.cache_data(show_spinner="Preparing the enterprise network ...")
def enterprise_view(key: str, year: int | None, limit: int) -> dict:
    """Nodes and edges to draw. Above ``limit`` enterprises, keep the ``limit`` with the largest
    weighted degree and the links among them (stated in ``note``)."""
    e = enterprise_edges(key, year)
    ents = enterprises(key)
    if e is None or not len(e):
        return {"nodes": ents.head(0).assign(degree=[]), "edges": pd.DataFrame(
            columns=["source", "target", "weight"]), "note": "no cooperation links"}
    e = e.assign(source=e["source"].astype(str), target=e["target"].astype(str))
    e = e.groupby(["source", "target"], as_index=False)["weight"].sum()
    deg = pd.concat([e["source"], e["target"]]).value_counts()
    strength = (pd.concat([e[["source", "weight"]].rename(columns={"source": "id"}),
                           e[["target", "weight"]].rename(columns={"target": "id"})])
                .groupby("id")["weight"].sum())
    n_all, m_all = len(deg), len(e)
    if n_all > limit:
        keep = set(strength.sort_values(ascending=False, kind="mergesort").index[:limit])
        e = e[e["source"].isin(keep) & e["target"].isin(keep)]
        note = (f"Showing the {limit:,} most connected of {n_all:,} enterprises (by total "
                f"cooperation weight) and the {len(e):,} of {m_all:,} links among them; "
                "raise the limit to see more.")
    else:
        keep = set(deg.index)
        note = f"All {n_all:,} cooperating enterprises and {m_all:,} links."
    nodes = ents.assign(id=ents["id"].astype(str))
    nodes = nodes[nodes["id"].isin(keep)].copy()
    missing = keep - set(nodes["id"])
    if missing:
        nodes = pd.concat([nodes, pd.DataFrame({"id": sorted(missing), "name": sorted(missing),
                                                "city": None})], ignore_index=True)
    nodes["degree"] = nodes["id"].map(deg).fillna(0).astype(int)
    return {"nodes": nodes.reset_index(drop=True), "edges": e.reset_index(drop=True), "note": note}


# ---------------------------------------------------------------------------------------------
# econometrics
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def paper_panel(key: str) -> pd.DataFrame:
    """The indicators with the paper's derived variables (isu, tiu, cia, ln_*)."""
    indices = optional_module("cultnet.analysis.indices", "Derived indicators")
    return indices.paper_variables(indicators(key), zero="drop")


@st.cache_data(show_spinner="Fitting the panel model ...")
def panel_fit(key: str, y: str, x: tuple[str, ...], effects: str, cov: str, log: bool):
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    return panel.fit_panel(paper_panel(key) if not log else indicators(key), y, list(x),
                           effects=effects, cov=cov, log=log, zero="drop" if log else "error",
                           source="indicators")


@st.cache_data(show_spinner="Running the Hausman test ...")
def hausman(key: str, y: str, x: tuple[str, ...], cov: str, log: bool) -> dict:
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    fe = panel_fit(key, y, x, "entity", "unadjusted", log)
    re_ = panel_fit(key, y, x, "random", "unadjusted", log)
    return panel.hausman(fe, re_)


@st.cache_data(show_spinner="Fitting the model per group ...")
def panel_by_group(key: str, y: str, x: tuple[str, ...], groups: tuple[tuple[str, str], ...],
                   effects: str, cov: str):
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    return panel.fit_by_group(paper_panel(key), y, list(x), dict(groups), effects=effects,
                              cov=cov, source="indicators")


# ---------------------------------------------------------------------------------------------
# model builder (added by the inference helper, issue 10 / 15): any study column, chosen logs,
# the panel models' small-sample inference (wild cluster bootstrap), the robust Hausman test
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def model_frame(key: str, logs: tuple[str, ...]) -> pd.DataFrame:
    """The study's indicators, with the paper's derived variables where their inputs exist and
    ``ln_<col>`` for each column in ``logs`` (rows with a value <= 0 dropped)."""
    indices = optional_module("cultnet.analysis.indices", "Derived indicators")
    ind = indicators(key)
    d = ind.copy()
    if {"va1", "va2", "va3", "gdp"} <= set(d.columns) and "isu" not in d.columns:
        d["isu"] = indices.industrial_structure_upgrading(d)
    if {"va3_modern", "va3"} <= set(d.columns) and "tiu" not in d.columns:
        d["tiu"] = indices.tertiary_internal_upgrading(d)
    if {"cul_va", "gdp", "year"} <= set(d.columns) and "cia" not in d.columns:
        d["cia"] = indices.location_quotient(d, time="year")
    if logs:
        d = indices.log_transform(d, list(logs), entity="city", time="year", zero="drop", source="indicators")
    return d


@st.cache_data(show_spinner="Fitting the panel model ...")
def panel_model(key: str, y: str, x: tuple[str, ...], logs: tuple[str, ...], effects: str, cov: str,
                inference: str = "auto", reps: int = 9999, seed: int = 0):
    """cultnet.analysis.panel.fit_panel on :func:`model_frame` (terms ln_<col> for logged columns)."""
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    term = lambda c: f"ln_{c}" if c in logs else c  # noqa: E731
    return panel.fit_panel(model_frame(key, logs), term(y), [term(c) for c in x], effects=effects, cov=cov,
                           source="indicators", inference=inference, reps=reps, seed=seed)


@st.cache_data(show_spinner="Fitting the model per group ...")
def panel_model_by_group(key: str, y: str, x: tuple[str, ...], logs: tuple[str, ...],
                         groups: tuple[tuple[str, str], ...], effects: str, cov: str,
                         inference: str = "auto", reps: int = 9999, seed: int = 0):
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    term = lambda c: f"ln_{c}" if c in logs else c  # noqa: E731
    return panel.fit_by_group(model_frame(key, logs), term(y), [term(c) for c in x], dict(groups),
                              effects=effects, cov=cov, source="indicators", inference=inference,
                              reps=reps, seed=seed)


@st.cache_data(show_spinner="Running the Hausman and Mundlak tests ...")
def hausman_tests(key: str, y: str, x: tuple[str, ...], logs: tuple[str, ...], inference: str = "auto") -> dict:
    """The classical Hausman test (classical FE and RE fits) and the cluster-robust Mundlak test."""
    panel = optional_module("cultnet.analysis.panel", "Panel regressions")
    term = lambda c: f"ln_{c}" if c in logs else c  # noqa: E731
    d, yy, xx = model_frame(key, logs), term(y), [term(c) for c in x]
    out: dict = {}
    try:
        fe = panel.fit_panel(d, yy, xx, effects="entity", source="indicators", inference="analytic")
        re_ = panel.fit_panel(d, yy, xx, effects="random", source="indicators", inference="analytic")
        out["hausman"] = panel.hausman(fe, re_)
    except CultnetError as e:
        out["hausman"] = {"reason": e.user_message}
    try:
        out["mundlak"] = panel.mundlak_test(d, yy, xx, cov="clustered", inference=inference, source="indicators")
    except CultnetError as e:
        out["mundlak"] = {"reason": e.user_message}
    return out


@st.cache_data(show_spinner="Computing Moran's I ...")
def moran_model(key: str, variables: tuple[str, ...], logs: tuple[str, ...], w_year: int,
                permutations: int = 999) -> pd.DataFrame:
    """Moran's I of model-builder terms (ln_<col> for logged columns) with the gravity W."""
    spatial = optional_module("cultnet.analysis.spatial", "Spatial statistics")
    return spatial.moran_table(model_frame(key, logs), list(variables), spatial_w(key, w_year),
                               permutations=permutations, seed=0)


@st.cache_data(show_spinner="Fitting the spatial panel model ...")
def spatial_model(key: str, y: str, x: tuple[str, ...], logs: tuple[str, ...], model: str, w_year: int):
    """The spatial panel model of model-builder terms (ln_<col> for logged columns)."""
    spatial = optional_module("cultnet.analysis.spatial", "Spatial panel models")
    term = lambda c: f"ln_{c}" if c in logs else c  # noqa: E731
    return spatial.fit_spatial_panel(model_frame(key, logs), term(y), [term(c) for c in x],
                                     spatial_w(key, w_year), model=model, seed=0, source="indicators")


# ---------------------------------------------------------------------------------------------
# (end of the model-builder block)
# ---------------------------------------------------------------------------------------------


def regression_display(results: dict, term_labels: dict | None = None) -> pd.DataFrame:
    """A paper-style side-by-side table as a flat frame (columns "model · Coef", ...)."""
    tables = optional_module("cultnet.analysis.tables", "Regression tables")
    t = tables.regression_table(results, term_labels=term_labels).display.copy()
    t.columns = [f"{a} · {b}" if len(results) > 1 else str(b) for a, b in t.columns]
    return t.reset_index().rename(columns={"": "term", "index": "term"})


@st.cache_data(show_spinner="Fitting the panel VAR ...")
def pvar_fit(key: str, variables: tuple[str, ...], log: bool, lags: int, inst_lags: int,
             steps: int, time_effects: bool, horizon: int, bands: str | None, reps: int,
             seed: int = 0):
    """cultnet.analysis.pvar.fit_pvar on the store's city-year indicators (cached per data key)."""
    pvar = optional_module("cultnet.analysis.pvar", "The panel VAR")
    return pvar.fit_pvar(indicators(key), list(variables), entity="city", time="year",
                         lags=lags, inst_lags=inst_lags, steps=steps, log=log, horizon=horizon,
                         bands=bands, reps=reps, seed=seed, time_effects=time_effects,
                         source="indicators")


@st.cache_data(show_spinner="Fitting the VAR ...")
def var_fit(key: str, region: str | None, variables: tuple[str, ...], log: bool, lags: Any,
            horizon: int, bands: str | None, order: tuple[str, ...] | None = None,
            reps: int = 500, seed: int = 0):
    var = optional_module("cultnet.analysis.var", "VAR analysis")
    s = series(key)
    if region is not None and "region" in s.columns:
        s = s[s["region"].astype(str) == region]
    data = var.prepare_series(s, list(variables), time="period", log=log, source="series")
    if order is not None and log:
        order = tuple(f"ln_{v}" for v in order)
    return var.fit_var(data, lags=lags, horizon=horizon, bands=bands, order=order, reps=reps,
                       seed=seed)


def spatial_w(key: str, year: int) -> pd.DataFrame:
    """The spatial weights: the gravity network of ``year`` (weights, before row-standardizing),
    stored by the network commands or computed here; as the ``cultnet spatial`` command does."""
    stored = stored_city_edges(key, method="gravity", year=int(year))
    if stored is not None and len(stored):
        return stored[["source", "target", "weight"]]
    gravity = optional_module("cultnet.analysis.gravity", "The gravity model")
    gp = gravity_params(key)
    return gravity.gravity_matrix(cities(key), indicators(key), year=int(year),
                                  masses=tuple(gp["masses"]), asymmetry=gp["asymmetry"],
                                  income=gp["income"])


@st.cache_data(show_spinner="Computing Moran's I ...")
def moran_table(key: str, variables: tuple[str, ...], w_year: int, permutations: int = 999) -> pd.DataFrame:
    spatial = optional_module("cultnet.analysis.spatial", "Spatial statistics")
    return spatial.moran_table(paper_panel(key), list(variables), spatial_w(key, w_year),
                               permutations=permutations, seed=0)


@st.cache_data(show_spinner="Fitting the spatial panel model ...")
def spatial_panel(key: str, y: str, x: tuple[str, ...], model: str, w_year: int):
    spatial = optional_module("cultnet.analysis.spatial", "Spatial panel models")
    return spatial.fit_spatial_panel(paper_panel(key), y, list(x), spatial_w(key, w_year),
                                     model=model, seed=0, source="indicators")


SERIES_KEYS = ("region", "period", "freq")


def series_regions(key: str) -> list[str]:
    s = series(key)
    if s is None or not len(s) or "region" not in s.columns:
        return []
    return sorted(s["region"].dropna().astype(str).unique())


def series_variables(key: str) -> list[str]:
    s = series(key)
    if s is None or not len(s):
        return []
    return [c for c in s.columns if c not in SERIES_KEYS and pd.api.types.is_numeric_dtype(s[c])]


def default_var(key: str):
    """The paper's VAR (ln dt, ln wfb, ln wsb; Cholesky in that order; lag by AIC; horizon 10;
    no error bands) on the first region; returns (result, impulse, response)."""
    var = optional_module("cultnet.analysis.var", "VAR analysis")
    regions = series_regions(key)
    if not regions:
        raise NotEnoughData("the loaded data has no time series for a VAR (series file)")
    have = series_variables(key)
    variables = tuple(v for v in var.DEFAULT_VARIABLES if v in have) or tuple(have[:3])
    if len(variables) < 2:
        raise NotEnoughData("a VAR needs at least two series variables; the data has "
                            f"{', '.join(have) or 'none'}")
    res = var_fit(key, regions[0], variables, True, "auto", 10, None)  # no bands: point values
    impulse = res.variables[0]
    response = res.variables[1]
    return res, impulse, response


# ---------------------------------------------------------------------------------------------
# QAP / MRQAP (the qap helper's block; used by views/qap.py and, later, the replication report)
# ---------------------------------------------------------------------------------------------


def _qap_directions(key: str) -> dict:
    qap = optional_module("cultnet.analysis.qap", "QAP")
    return {m: _recorded_direction(key, "city", m) for m in qap.Y_NETWORKS}


@st.cache_data(show_spinner=False)
def qap_choices(key: str):
    """analysis.qap.spec_choices on the study shown: the columns and networks QAP can use."""
    qap = optional_module("cultnet.analysis.qap", "QAP")
    return qap.spec_choices(cities(key), indicators(key), stored_city_edges(key),
                            gravity=gravity_params(key))


@st.cache_data(show_spinner="Running the QAP permutations ...")
def qap_study(key: str, y: str, year: int | None, weighted: bool, specs: tuple[str, ...],
              perms: int = 2000, seed: int = 0, method: str = "dsp", logit: bool = False,
              statistic: str = "t"):
    """analysis.qap.study_dyads + study_qap on the study shown, exactly as ``cultnet qap``
    (gravity, when not stored, with the model chosen on the pages: :func:`gravity_params`)."""
    qap = optional_module("cultnet.analysis.qap", "QAP")
    dyads = qap.study_dyads(cities(key), indicators(key), stored_city_edges(key), y=y,
                            specs=list(specs), year=year, weighted=weighted,
                            directions=_qap_directions(key), gravity=gravity_params(key))
    return qap.study_qap(dyads, perms=perms, seed=seed, method=method, logit=logit,
                         statistic=statistic)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=256)
def _figure_json(key: str, name: str, params: tuple, _build: Callable) -> str:
    return _build().to_json()


def figure(key: str, name: str, params: tuple, build: Callable):
    """A figure built once per data key, name and parameters, then reused: building a plotly
    figure costs 0.1-0.4 s, re-reading its JSON a few ms. ``build()`` must depend only on
    ``key`` and ``params`` (it is not part of the cache key)."""
    import json

    import plotly.graph_objects as go

    return go.Figure(json.loads(_figure_json(key, name, params, build)), _validate=False)

"""The explorer's data layer: the one place with ``st.cache_*``.

* One store per process and configuration (``st.cache_resource``), opened with the same
  :class:`cultnet.settings.Settings` as the CLI (``CULTNET_BACKEND``, ``NEO4J_*``,
  ``CULTNET_DATA_DIR``), closed when the cache entry is released or the process exits.
* Every read goes through the view of ONE study (:class:`cultnet.graph.store.Study`): the study
  named by ``CULTNET_STUDY``, else the only study in the store (``GraphStore.resolve_study``;
  several studies and none chosen raise ``StudyNotFound``, which pages show as an error). A
  store without any study reads as empty.
* Reads and analysis results in ``st.cache_data``, keyed by a *data key* (the store
  configuration, the study, plus the id, load time and status of every dataset) and by the
  parameters. A load or a delete changes the data key, so nothing stale is ever shown;
  ``clear()`` also drops it.
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

from cultnet.errors import CultnetError, NotEnoughData, StudyNotFound
from cultnet.model import DEFAULT_STUDY
from cultnet.settings import Settings

log = logging.getLogger(__name__)

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


#: the name no study can have (names start with a letter or digit): reads with it are empty
NO_STUDY = "(none)"


def study_name() -> str | None:
    """The study the explorer shows: ``CULTNET_STUDY``, else the only study in the store; None
    when the store holds no study. Raises StudyNotFound when the store holds several and none
    is chosen, or the chosen one does not exist."""
    s = settings()
    if s.study is None and not store().study_names():
        return None
    return store().resolve_study(s.study)


def query_study() -> str | None:
    """The study passed as ``$study`` to console queries (None when none can be resolved)."""
    try:
        return study_name()
    except StudyNotFound:
        return None


def load_study() -> str:
    """The study the Data page loads uploaded files into (``CULTNET_STUDY``, else 'default')."""
    return settings().study or DEFAULT_STUDY


def view() -> Any:
    """The Study view every read below goes through (empty when the store holds no study)."""
    from cultnet.graph.store import Study

    name = study_name()
    return Study(store(), NO_STUDY if name is None else name)


def data_key() -> str:
    """A short hash of the store configuration, the study shown, and every dataset's id, load
    time and status.

    Two cheap reads per rerun; every cached read below is keyed by it.
    """
    s = settings()
    try:
        name = study_name()
    except StudyNotFound as e:  # the pages show the error; the key still changes with the data
        name = f"unresolved: {e.user_message}"
    ds = store().datasets()
    h = hashlib.sha1(repr((_settings_key(s), name)).encode())
    if ds is not None and len(ds):
        cols = [c for c in ("id", "loaded_at", "status", "sha256") if c in ds.columns]
        h.update(ds[cols].astype(str).to_csv(index=False).encode())
    return h.hexdigest()[:16]


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
    return view().counts()


@st.cache_data(show_spinner=False)
def datasets(key: str) -> pd.DataFrame:
    """The datasets of the study shown."""
    return view().datasets()


@st.cache_data(show_spinner=False)
def all_datasets(key: str) -> pd.DataFrame:
    """Every dataset of every study (the Data page manages them all)."""
    return store().datasets()


@st.cache_data(show_spinner=False)
def cities(key: str) -> pd.DataFrame:
    return view().cities()


@st.cache_data(show_spinner=False)
def indicators(key: str) -> pd.DataFrame:
    return view().indicators()


@st.cache_data(show_spinner=False)
def enterprises(key: str) -> pd.DataFrame:
    return view().enterprises()


@st.cache_data(show_spinner=False)
def series(key: str) -> pd.DataFrame:
    return view().series()


@st.cache_data(show_spinner=False)
def stored_city_edges(key: str, method: str | None = None, year: int | None = None) -> pd.DataFrame:
    return view().edges("city", year=year, method=method)


@st.cache_data(show_spinner=False)
def enterprise_edges(key: str, year: int | None = None) -> pd.DataFrame:
    return view().edges("enterprise", year=year)


def simulated(key: str) -> bool:
    ds = datasets(key)
    if ds is None or not len(ds) or "simulated" not in ds.columns:
        return False
    return bool(ds["simulated"].fillna(False).astype(bool).any())


def has_data(key: str) -> bool:
    c = counts(key)
    return bool(sum((c.get("labels") or {}).values()))


# ---------------------------------------------------------------------------------------------
# city networks: stored LINKS, or the gravity model computed from cities + indicators
# ---------------------------------------------------------------------------------------------

METHOD_HELP = ("gravity: the modified gravity model of the paper computed from the indicators "
               "(masses pop and cul, economic distance with gdp_pc, b = 2, arc when a link is "
               "above its row mean), or gravity links stored by `cultnet network gravity`. "
               "cooperation: enterprise cooperation aggregated to cities. observed: city links "
               "loaded as such.")
GRAVITY_NEEDS = ("pop", "cul", "gdp_pc")


def _linked(frame: pd.DataFrame) -> pd.DataFrame:
    """Arcs of a links frame: rows with linked == True when the column exists."""
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["source", "target", "weight", "year"])
    if "linked" in frame.columns:
        frame = frame[frame["linked"].fillna(False).astype(bool)]
    return frame.reset_index(drop=True)


def _can_compute_gravity(key: str) -> bool:
    c, i = cities(key), indicators(key)
    return (c is not None and len(c) > 1 and {"lat", "lon"} <= set(c.columns)
            and i is not None and len(i) > 0 and set(GRAVITY_NEEDS) <= set(i.columns))


@st.cache_data(show_spinner="Computing gravity networks ...")
def computed_gravity(key: str) -> pd.DataFrame:
    """gravity_links over every year of the indicators (the paper's default parameters)."""
    gravity = optional_module("cultnet.analysis.gravity", "The gravity model")
    return gravity.gravity_links(cities(key), indicators(key))


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
    g = computed_gravity(key)
    if year is not None:
        g = g[g["year"] == int(year)]
    return _linked(g)[["source", "target", "weight", "year"]]


@st.cache_data(show_spinner=False)
def links_directed(key: str, method: str) -> bool:
    """Whether the city links of ``method`` are directed.

    The direction stored with the edge set (``Study.directed``) when it is known. Otherwise:
    gravity networks are directed; stored links loaded from an undirected edge file come in
    sorted pair order (source < target, see etl.validate.cooperation_to_city_links); when every
    stored pair is in that order the network is read as undirected.
    """
    if method == "gravity":
        return True
    stored = view().directed("city", method)
    if stored is not None:
        return bool(stored)
    e = stored_city_edges(key, method=method)
    if e is None or len(e) < 3:
        return True
    return not bool((e["source"].astype(str) < e["target"].astype(str)).all())


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

    return frame_to_igraph(enterprise_edges(key, year), enterprises(key), directed=False)


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
    return gravity.gravity_matrix(cities(key), indicators(key), year=int(year))


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
# QAP / MRQAP (the qap helper's block; used by pages/qap.py and, later, the replication report)
# ---------------------------------------------------------------------------------------------


def _qap_directions(key: str) -> dict:
    qap = optional_module("cultnet.analysis.qap", "QAP")
    return {m: view().directed("city", m) for m in qap.Y_NETWORKS}


@st.cache_data(show_spinner=False)
def qap_choices(key: str):
    """analysis.qap.spec_choices on the study shown: the columns and networks QAP can use."""
    qap = optional_module("cultnet.analysis.qap", "QAP")
    return qap.spec_choices(cities(key), indicators(key), stored_city_edges(key))


@st.cache_data(show_spinner="Running the QAP permutations ...")
def qap_study(key: str, y: str, year: int | None, weighted: bool, specs: tuple[str, ...],
              perms: int = 2000, seed: int = 0, method: str = "dsp", logit: bool = False,
              statistic: str = "t"):
    """analysis.qap.study_dyads + study_qap on the study shown, exactly as ``cultnet qap``."""
    qap = optional_module("cultnet.analysis.qap", "QAP")
    dyads = qap.study_dyads(cities(key), indicators(key), stored_city_edges(key), y=y,
                            specs=list(specs), year=year, weighted=weighted,
                            directions=_qap_directions(key))
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

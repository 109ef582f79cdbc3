"""The replication report (issue 13): every explorer section of one study, as files.

``build_report(k, params, out)`` writes a self-contained directory (docs/design/
replication-report.md)::

    report.html  report.pdf  tables/NN_name.csv|.tex  figures/NN_name.png|.svg
    params.json  provenance.json  environment.json  inputs/  replicate.sh   (+ DIR.zip)

**One computation per number.** Every number comes from the same cached ``ui/data.py``
function the explorer's page calls (``D.city_report``, ``D.panel_model``, ``D.qap_study``, ...),
with the page's defaults (``ui/views/_specs.py`` and the pages' widget defaults) for every
choice the caller leaves open; :class:`Params` records every choice, resolved, in params.json,
and ``cultnet report --params params.json`` reads it back. A section the study cannot support
(no series for a VAR, too few cities for a test) is written with the reason instead of a number.

Tables: CSV (UTF-8 with BOM, as the explorer's downloads; floats ``%.10g`` so that identical
inputs print identical files; regression tables as the tidy numbers of
:func:`cultnet.analysis.tables.regression_table`) and LaTeX (booktabs; regression tables by
:func:`cultnet.analysis.tables.to_latex`, stars and notes as esttab). Figures: PNG (2x) and SVG
through :func:`cultnet.ui.plots.figure_bytes` (kaleido + Debian's Chromium, matplotlib fallback).
When the study is simulated every section carries the SIMULATED banner and every figure's title
says SIMULATED DATA.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import math
import os
import platform
import re
import shlex
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from cultnet.errors import CultnetError

log = logging.getLogger(__name__)

SCHEMA = "cultnet.report/1"
FLOAT_FORMAT = "%.10g"
HTML_ROWS = 60          # rows of a table shown in the HTML / PDF (every row is in the CSV)
Progress = Callable[[int, int, str], None]


def quiet_streamlit() -> None:
    """Silence Streamlit's "No runtime found" / "missing ScriptRunContext" warnings: outside
    ``streamlit run`` the cached functions of ui/data.py fall back to an in-memory cache, which
    is what the command line wants. (Inside the explorer this changes nothing that is shown.)"""
    import streamlit.logger

    if _in_streamlit():
        return
    streamlit.logger.set_log_level("error")
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _in_streamlit() -> bool:
    try:
        from streamlit.runtime import exists

        return bool(exists())
    except Exception:  # noqa: BLE001 - an older streamlit: assume the command line
        return False


# ---------------------------------------------------------------------------------------------
# the choices
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """Every choice of the report, one field per page choice. ``None`` means "the page's default
    for this study" and is replaced by the value used (:func:`resolve`) before anything is
    computed, so params.json lists every choice explicitly."""

    study: str
    # the city network (Network map, Centrality, Structure, Roles)
    method: str | None = None            # gravity | cooperation | observed (page: the first)
    year: int | None = None              # page: the latest year
    closeness: str = "wf"                # wf | ucinet | reachable | strict
    closeness_direction: str = "closeness_out"
    n_random: int = 20                   # small-world reference graphs
    n_boot: int = 200                    # scale-free bootstrap sets
    robustness_seed: int = 0
    # QAP
    qap_y: str | None = None
    qap_x: tuple[str, ...] | None = None
    qap_year: int | None = None          # None: every year (the page's default)
    qap_weighted: bool = False
    qap_perms: int = 2000
    qap_seed: int = 0
    qap_method: str = "dsp"
    qap_logit: bool = False
    # the panel models (Drivers: Table 2; Upgrading: Tables 3-4, spatial)
    panel_y: str | None = None
    panel_x: tuple[str, ...] | None = None
    panel_logs: tuple[str, ...] | None = None
    effects: str | None = None
    cov: str | None = None
    inference: str | None = None
    reps: int = 9999
    seed: int = 0
    upgrading_ys: tuple[str, ...] | None = None
    upgrading_x: tuple[str, ...] | None = None
    upgrading_logs: tuple[str, ...] | None = None
    upgrading_effects: str | None = None
    groups: tuple[tuple[str, str], ...] | None = None   # None: the network's roles (page default)
    groups_label: str | None = None
    spatial_model: str = "lag"
    w_year: int | None = None
    # dynamics
    var_region: str | None = None
    var_variables: tuple[str, ...] | None = None
    var_log: bool = True
    var_lags: Any = "auto"
    var_horizon: int = 10
    var_bands: str | None = "mc"
    var_reps: int = 200
    pvar_variables: tuple[str, ...] | None = None
    pvar_log: bool = True
    pvar_lags: int = 1
    pvar_inst_lags: int | None = None
    pvar_time_effects: bool = False
    pvar_horizon: int = 10
    pvar_bands: str | None = "mc"
    pvar_reps: int = 500
    # gravity model of the pages (recorded; the masses decide the computed gravity network)
    gravity: dict | None = None

    def to_json(self) -> str:
        return json.dumps({"schema": SCHEMA, "params": _plain(dataclasses.asdict(self))},
                          indent=1, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Params":
        d = json.loads(text)
        if d.get("schema") != SCHEMA:
            raise CultnetError(f"params: schema {d.get('schema')!r}; this cultnet reads {SCHEMA}")
        return cls.from_dict(d["params"])

    @classmethod
    def from_dict(cls, d: dict) -> "Params":
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - set(names))
        if unknown:
            raise CultnetError(f"params: unknown choice(s) {', '.join(unknown)}")
        kw = {}
        for k, v in d.items():
            if isinstance(v, list):
                v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
            kw[k] = v
        return cls(**kw)

    def replace(self, **kw: Any) -> "Params":
        return dataclasses.replace(self, **kw)


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


#: the explorer's widget keys -> Params fields (the download uses the current choices)
SESSION_KEYS = {
    "cent_closeness": "closeness", "cent_dir": "closeness_direction", "st_nrand": "n_random",
    "st_nboot": "n_boot", "qap_weighted": "qap_weighted", "qap_perms": "qap_perms",
    "qap_seed": "qap_seed", "qap_method": "qap_method", "qap_logit": "qap_logit",
    "drv_y": "panel_y", "drv_x": "panel_x", "drv_logs": "panel_logs", "drv_eff": "effects",
    "drv_cov": "cov", "drv_inf": "inference", "up_y": "upgrading_ys", "up_x": "upgrading_x",
    "up_logs": "upgrading_logs", "up_eff": "upgrading_effects", "sp_model": "spatial_model",
    "sp_wyear": "w_year", "dyn_region": "var_region", "dyn_vars": "var_variables",
    "dyn_log": "var_log", "dyn_h": "var_horizon", "dyn_bands": "var_bands", "dyn_reps": "var_reps",
    "pvar_vars": "pvar_variables", "pvar_log": "pvar_log", "pvar_lags": "pvar_lags",
    "pvar_inst": "pvar_inst_lags", "pvar_td": "pvar_time_effects", "pvar_h": "pvar_horizon",
    "pvar_bands": "pvar_bands", "qap_y": "qap_y",
}


def params_from_session(study: str, state: Any) -> Params:
    """The report's choices from the explorer's widgets (``st.session_state``): the network
    method and year of the Centrality page, the model builders, QAP, dynamics; anything the
    user has not touched keeps the page's default."""
    kw: dict[str, Any] = {}
    for key, name in SESSION_KEYS.items():
        # None is a choice for the bands ("none"); elsewhere it means "not chosen"
        if key in state and (state[key] is not None or key in ("dyn_bands", "pvar_bands")):
            v = state[key]
            kw[name] = tuple(v) if isinstance(v, list) else v
    for prefix in ("cent", "roles", "st", "map"):
        if state.get(f"{prefix}_method"):
            kw.setdefault("method", state[f"{prefix}_method"])
        if state.get(f"{prefix}_year") is not None:
            kw.setdefault("year", int(state[f"{prefix}_year"]))
    if "dyn_lags" in state:
        kw["var_lags"] = "auto" if isinstance(state["dyn_lags"], str) else int(state["dyn_lags"])
    if state.get("qap_year") not in (None, "every year"):
        kw["qap_year"] = int(state["qap_year"])
    if isinstance(kw.get("upgrading_ys"), str):
        kw["upgrading_ys"] = (kw["upgrading_ys"],)
    if isinstance(kw.get("panel_y"), (list, tuple)):
        kw["panel_y"] = kw["panel_y"][0]
    if state.get("gravity_params"):
        kw["gravity"] = dict(state["gravity_params"])
    return Params(study=study, **kw)


def resolve(k: str, p: Params) -> Params:
    """``p`` with every open choice replaced by the page's default for the study of ``k``."""
    from cultnet.ui import data as D
    from cultnet.ui.views import _specs as S

    kw: dict[str, Any] = {"gravity": _plain(dict(D.gravity_params(k))) if p.gravity is None else p.gravity}
    methods = D.network_methods(k)
    method = p.method if p.method is not None else (methods[0] if methods else None)
    kw["method"] = method
    if method is not None and p.year is None:
        years = D.network_years(k, method)
        kw["year"] = years[-1] if years else None
    frame = D.model_frame(k, ())
    spec = S.default_spec(frame) if len(frame) else None
    if spec is not None:
        kw.update(panel_y=p.panel_y or spec.y, panel_x=p.panel_x or spec.x,
                  panel_logs=spec.logs if p.panel_logs is None else p.panel_logs,
                  effects=p.effects or spec.effects, cov=p.cov or spec.cov,
                  inference=p.inference or spec.inference)
        up, ys = S.default_upgrading(frame)
        kw.update(upgrading_ys=p.upgrading_ys or ys, upgrading_x=p.upgrading_x or up.x,
                  upgrading_logs=up.logs if p.upgrading_logs is None else p.upgrading_logs,
                  upgrading_effects=p.upgrading_effects or up.effects)
        years = sorted(int(v) for v in frame["year"].dropna().unique()) if "year" in frame else []
        if p.w_year is None and years:
            kw["w_year"] = years[-1]
    else:
        kw.update(effects=p.effects or S.DEFAULT_EFFECTS, cov=p.cov or S.DEFAULT_COV,
                  inference=p.inference or S.DEFAULT_INFERENCE)
    try:
        ch = D.qap_choices(k)
        nets = [m for m in ("gravity", "cooperation", "observed") if m in ch.networks]
        if p.qap_y is None and nets:
            kw["qap_y"] = nets[0]
        if p.qap_x is None:
            x = (["distance"] if ch.distance else [])
            for c in ("gdp_pc", "income_pc", "gdp_per_capita"):
                if c in ch.numeric:
                    x.append(f"absdiff:{c}")
                    break
            else:
                if not ch.distance and ch.numeric:
                    x.append(f"absdiff:{ch.numeric[0]}")
            kw["qap_x"] = tuple(x)
    except (CultnetError, D.NotAvailable) as e:
        log.info("QAP defaults: %s", e)
    regions = D.series_regions(k)
    if p.var_region is None and regions:
        kw["var_region"] = regions[0]
    if p.var_variables is None:
        from cultnet.analysis.var import DEFAULT_VARIABLES

        have = D.series_variables(k)
        kw["var_variables"] = tuple(v for v in DEFAULT_VARIABLES if v in have) or tuple(have[:3])
    if p.pvar_variables is None:
        ind = D.indicators(k)
        have = [c for c in ind.columns if c not in ("city", "year")
                and pd.api.types.is_numeric_dtype(ind[c])] if ind is not None and len(ind) else []
        pdef = ("dig", "wfb", "wsb")
        kw["pvar_variables"] = pdef if set(pdef) <= set(have) else tuple(have[:3])
    if p.pvar_inst_lags is None:
        kw["pvar_inst_lags"] = p.pvar_lags
    return p.replace(**kw)


# ---------------------------------------------------------------------------------------------
# what a section holds
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    frame: pd.DataFrame
    caption: str = ""
    notes: tuple[str, ...] = ()
    latex: str | None = None        # a regression table's own LaTeX (analysis.tables.to_latex)
    display: pd.DataFrame | None = None   # what the HTML shows (default: frame)
    show: bool = True               # in the HTML / PDF (False: the CSV and LaTeX only)


@dataclass
class Figure:
    name: str
    fig: Any
    caption: str = ""


@dataclass
class Section:
    slug: str
    title: str
    blocks: list = field(default_factory=list)   # ("text"|"note"|"reason", str) | Table | Figure

    def text(self, s: str) -> None:
        self.blocks.append(("text", s))

    def note(self, s: str) -> None:
        self.blocks.append(("note", s))

    def reason(self, s: str) -> None:
        """What the sample cannot support, said instead of a number."""
        self.blocks.append(("reason", s))

    def table(self, *a: Any, **kw: Any) -> Table:
        t = Table(*a, **kw)
        self.blocks.append(t)
        return t

    def figure(self, *a: Any, **kw: Any) -> Figure:
        f = Figure(*a, **kw)
        self.blocks.append(f)
        return f

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


def _guarded(sec: Section, what: str, fn: Callable[[], None]) -> None:
    """Run one part of a section; a CultnetError or a missing module becomes its reason."""
    from cultnet.ui import data as D

    try:
        fn()
    except CultnetError as e:
        sec.reason(f"{what}: {e.user_message}")
    except D.NotAvailable as e:
        sec.reason(f"{what}: not available in this build (module {e.module} is not installed)")


# ---------------------------------------------------------------------------------------------
# the sections (each calls the page's ui/data.py functions)
# ---------------------------------------------------------------------------------------------

SECTION_TITLES = {
    "data": "Data and provenance",
    "map": "Network map",
    "centrality": "Table 1: centrality and Pareto charts",
    "structure": "Small world and scale free",
    "roles": "Roles, block model and robustness",
    "qap": "QAP and MRQAP",
    "panel": "Panel models: Tables 2-4",
    "spatial": "Spatial dependence",
    "dynamics": "Dynamics: VAR and panel VAR",
}


def section_data(k: str, p: Params) -> Section:
    from cultnet.ui import data as D

    sec = Section("data", SECTION_TITLES["data"])
    ds = D.datasets(k)
    cols = [c for c in ("id", "kind", "source", "sha256", "status", "simulated") if c in ds.columns]
    sec.text(f"Study {p.study}: {len(ds)} dataset(s). Load times and file digests are in "
             "provenance.json; the choices of every section in params.json.")
    sec.table("datasets", ds[cols].sort_values("id").reset_index(drop=True),
              caption="Datasets of the study (id: a digest of the study, the files and the load options).")
    c = D.counts(k)
    rows = [{"kind": "node", "label": a, "count": int(b)} for a, b in sorted((c.get("labels") or {}).items())]
    rows += [{"kind": "relationship", "label": a, "count": int(b)}
             for a, b in sorted((c.get("relationships") or {}).items())]
    sec.table("counts", pd.DataFrame(rows, columns=["kind", "label", "count"]),
              caption="What the study's complete datasets hold.")
    cities = D.cities(k)
    if cities is not None and len(cities):
        keep = [c for c in ("name", "name_zh", "province", "lat", "lon") if c in cities.columns]
        keep += [c for c in cities.columns if c not in keep and c not in ("study", "dataset", "datasets")]
        sec.table("cities", cities[keep].sort_values("name").reset_index(drop=True),
                  caption="The study's cities (names, Chinese names, coordinates and attributes).")
    es = D.scope(k).edge_sets()
    if es is not None and len(es):
        es = es.assign(years=es["years"].map(lambda v: " ".join(str(int(y)) for y in v) if isinstance(v, (list, tuple, np.ndarray)) else v),
                       datasets=es["datasets"].map(lambda v: " ".join(sorted(map(str, v))) if isinstance(v, (list, tuple, np.ndarray)) else v))
        sec.table("edge_sets", es.sort_values(["level", "method"]).reset_index(drop=True),
                  caption="Edge sets: level, method, direction as loaded, years and the datasets that wrote them.")
    g = p.gravity or {}
    sec.note(f"Gravity model (when computed from the indicators): masses {', '.join(g.get('masses') or [])}; "
             f"asymmetry {g.get('asymmetry') or 'none'}; income {g.get('income') or 'none'}; b = 2.")
    return sec


def _need_network(sec: Section, p: Params) -> bool:
    if p.method is None or p.year is None:
        sec.reason("No city network can be built: the study has no city links and no indicators "
                   "with coordinates for the gravity model.")
        return False
    return True


def section_map(k: str, p: Params) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    sec = Section("map", SECTION_TITLES["map"])
    if not _need_network(sec, p):
        return sec

    def run() -> None:
        links = D.city_links(k, p.method, p.year)
        report = D.city_report(k, p.method, p.year, p.closeness)
        cities = D.cities(k)
        try:
            roles = D.city_roles(k, p.method, p.year)
        except (CultnetError, D.NotAvailable):
            roles = None
        directed = D.links_directed(k, p.method)
        sec.text(f"The {p.method} network of {p.year}: {len(links)} {'arcs' if directed else 'edges'} "
                 f"among {len(cities)} cities ({'directed' if directed else 'undirected'}).")
        if cities is None or not {"lat", "lon"} <= set(cities.columns) or not cities[["lat", "lon"]].notna().all(axis=1).any():
            sec.reason("The cities have no coordinates (lat, lon): no map is drawn.")
        else:
            fig = P.map_figure(cities, links, report.nodes, size_by="degree",
                               colour_by="role" if roles is not None else "degree", roles=roles,
                               title=f"Figure 1: the {p.method} network, {p.year}", directed=directed)
            sec.figure(f"figure1_{p.method}_{p.year}", fig,
                       "Cities at their coordinates; node size: degree; colour: role; arc width: weight.")
        sec.table(f"links_{p.method}_{p.year}",
                  links.sort_values(["source", "target"]).reset_index(drop=True),
                  caption="The arcs drawn (source, target, weight, year).")

    _guarded(sec, "The network map", run)
    return sec


def section_centrality(k: str, p: Params) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    sec = Section("centrality", SECTION_TITLES["centrality"])
    if not _need_network(sec, p):
        return sec

    def run() -> None:
        table = D.centrality_table(k, p.method, p.year, p.closeness, p.closeness_direction)
        report = D.city_report(k, p.method, p.year, p.closeness)
        sec.table(f"table1_centrality_{p.method}_{p.year}", table,
                  caption=f"Table 1: centrality of the {p.method} network, {p.year}; the last row is "
                          "the average over the cities.")
        conv = dict(table.attrs.get("conventions", {}))
        conv.update({a: b for a, b in report.conventions.items()
                     if a in ("orientation", "paths", "closeness_convention")})
        sec.table("conventions", pd.DataFrame({"measure": list(conv), "convention": list(conv.values())}),
                  caption="Normalization conventions of Table 1.")
        if report.graph.get("closeness_note"):
            sec.note(str(report.graph["closeness_note"]))
        for measure, label, n, scale in (("betweenness", "Betweenness centrality", 2, 1.0),
                                         (p.closeness_direction, "Closeness centrality (×100)", 3, 100.0)):
            pr = D.pareto(k, p.method, p.year, measure, p.closeness).copy()
            pr[measure] = pr[measure] * scale
            pr["cumulative %"] = 100 * pr["cumulative_share"]
            mean = float(report.nodes[measure].mean()) * scale
            fig = P.pareto_figure(pr, measure, cumulative="cumulative %", y_title=label, mean=mean,
                                  title=f"Figure {n}: Pareto chart of {label.lower()}, {p.year}")
            sec.figure(f"figure{n}_pareto_{measure}_{p.year}", fig)
            sec.table(f"pareto_{measure}_{p.year}", pr, caption=f"Pareto table of {label.lower()}.")
        sec.table(f"node_measures_{p.method}_{p.year}", report.nodes, caption="Every node measure.")

    _guarded(sec, "Centrality", run)
    return sec


def section_structure(k: str, p: Params) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    sec = Section("structure", SECTION_TITLES["structure"])
    if not _need_network(sec, p):
        return sec

    def sw() -> None:
        r = D.small_world(k, "city", p.method, p.year, n_random=p.n_random, seed=0)
        sec.text(f"Small world ({p.n_random} random reference graphs, seed 0): {r.verdict}")
        for n in r.notes:
            sec.note(n)
        sec.table(f"small_world_{p.method}_{p.year}", r.to_frame(),
                  caption="C, L against Erdős–Rényi and degree-preserving references; σ and ω.")

    def sf() -> None:
        r = D.scale_free(k, "city", p.method, p.year, seed=0, n_boot=p.n_boot)
        why = r.reason if str(r.reason).startswith(str(r.verdict)) else f"{r.verdict}. {r.reason}"
        if not r.testable:
            sec.reason(f"Scale free: {why}")
        else:
            sec.text(f"Scale free (Clauset-Shalizi-Newman, {p.n_boot} bootstrap sets): {why}")
        sec.table(f"scale_free_{p.method}_{p.year}", r.to_frame().astype({"value": str}),
                  caption="Power-law fit of the degree distribution (degree: distinct neighbours).")
        g = D._level_graph(k, "city", p.method, p.year)
        und = g.as_undirected(mode="collapse") if g.is_directed() else g
        sec.figure(f"degree_distribution_{p.method}_{p.year}", P.degree_figure(und.degree(), r))

    def years() -> None:
        m = D.graph_measures_by_year(k, p.method)
        have = [c for c in ("density", "reciprocity", "avg_path_length", "transitivity",
                            "global_efficiency", "degree_centralization") if c in m.columns]
        if len(m) < 2 or not have:
            sec.note("Only one year of this network: no measures over the years.")
            return
        fig = P.figure()
        for i, c in enumerate(have[:4]):
            fig.add_scatter(x=m["year"], y=m[c], mode="lines+markers", name=c.replace("_", " "),
                            line=dict(color=P.PALETTE[i % len(P.PALETTE)]))
        P.axis_titles(fig, "year", "value")
        fig.update_layout(legend=P.TOP_LEGEND)
        sec.figure(f"network_measures_by_year_{p.method}", P.style(fig, f"{p.method.capitalize()} network, by year"))
        sec.table(f"network_measures_by_year_{p.method}", m[["year", *have]],
                  caption="Whole-network measures for every year.")

    _guarded(sec, "Small world", sw)
    _guarded(sec, "Scale free", sf)
    _guarded(sec, "Measures over the years", years)
    return sec


def section_roles(k: str, p: Params) -> Section:
    import plotly.graph_objects as go

    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    sec = Section("roles", SECTION_TITLES["roles"])
    if not _need_network(sec, p):
        return sec

    def roles() -> None:
        r = D.city_roles(k, p.method, p.year)
        sec.table(f"city_roles_{p.method}_{p.year}", r, caption=str(r.attrs.get("rule", "City roles.")))
        counts = r["role"].value_counts()
        fig = P.figure(go.Bar(x=list(counts.index), y=list(counts.values),
                              marker=dict(color=[P.role_colour(x, counts.index) for x in counts.index])))
        P.axis_titles(fig, y="cities")
        fig.update_layout(height=360)
        sec.figure(f"roles_count_{p.year}", P.style(fig, "Cities per role"))

    def blocks() -> None:
        bm = D.block_model(k, p.method, p.year)
        img = pd.DataFrame(bm.image)
        fig = P.figure(go.Heatmap(z=img.values, x=[str(c) for c in img.columns], y=[str(i) for i in img.index],
                                  colorscale="Blues", showscale=False, texttemplate="%{z}", zmin=0, zmax=1))
        fig.update_layout(height=380, xaxis=dict(title=dict(text="receiving block")),
                          yaxis=dict(autorange="reversed", title=dict(text="sending block")))
        sec.figure(f"block_image_{p.year}", P.style(fig, "Image matrix (1: block density above the network's)"))
        sec.table(f"block_density_{p.year}", pd.DataFrame(bm.density).rename_axis("sending block").reset_index(),
                  caption=f"Density of ties between blocks (network density {bm.network_density:.4g}).")
        sec.table(f"block_roles_{p.year}", bm.blocks, caption=bm.criteria or "The blocks and their roles.")
        sec.table(f"block_membership_{p.year}", bm.membership, caption="Block of each city.")
        for n in bm.notes:
            sec.note(n)

    def robust() -> None:
        curves = D.robustness(k, p.method, p.year, seed=p.robustness_seed)
        fig = P.figure()
        for i, (s, f) in enumerate(curves.groupby("strategy", sort=False)):
            fig.add_scatter(x=f["removed_fraction"], y=f["largest_component_share"], mode="lines+markers",
                            name=str(s), line=dict(color=P.PALETTE[i % len(P.PALETTE)]))
        P.axis_titles(fig, "share of cities removed", "largest component share")
        fig.update_layout(legend=P.TOP_LEGEND)
        sec.figure(f"robustness_{p.method}_{p.year}", P.style(fig, "Network robustness: random versus targeted removal"))
        sec.table(f"robustness_{p.method}_{p.year}", curves, caption=f"Node-removal curves (seed {p.robustness_seed}).")

    _guarded(sec, "City roles", roles)
    _guarded(sec, "Block model", blocks)
    _guarded(sec, "Robustness", robust)
    return sec


def section_qap(k: str, p: Params, progress: Progress | None = None) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    sec = Section("qap", SECTION_TITLES["qap"])
    if p.qap_y is None:
        sec.reason("The study has no city network (no stored links, and no indicators and "
                   "coordinates for the gravity model): no QAP.")
        return sec
    if not p.qap_x:
        sec.reason("No explanatory matrix can be built from the study (no coordinates for "
                   "distance, no numeric column).")
        return sec

    def run() -> None:
        res = D.qap_study(k, p.qap_y, p.qap_year, p.qap_weighted, tuple(p.qap_x), perms=p.qap_perms,
                          seed=p.qap_seed, method=p.qap_method, logit=p.qap_logit)
        d = res.dyads
        sec.text(f"Dependent network: {d.y} ({'weights' if d.weighted else '0/1 ties'}, "
                 f"{'directed' if d.directed else 'undirected'}); explanatory matrices: "
                 f"{', '.join(p.qap_x)}; {res.method}, {res.perms} permutations, seed {res.seed} "
                 "(each year draws from default_rng([seed, year])).")
        for n in dict.fromkeys(d.notes):
            sec.note(n)
        sec.table(f"qap_fit_{d.y}", res.fit(), caption="MRQAP fit by year.")
        sec.table(f"qap_coefficients_{d.y}", res.coefficients(),
                  caption="MRQAP coefficients by year: b, standardized b, s.e., t (z for logit), "
                          "two-sided permutation p-value, and the classical p (independent dyads; "
                          "comparison only).")
        last = res.years[-1]
        c = res.correlations[last]
        sec.table(f"qap_correlations_{d.y}_{last}", c.to_frame(),
                  caption=f"QAP correlations, {last}: Pearson r over the "
                          f"{'ordered dyads' if c.directed else 'pairs i < j'}, permutation p.")
        for term, why in res.mrqap.results[last].table["reason"].items():
            if why:
                sec.reason(f"{term}: {why}")
        for yr, why in res.skipped.items():
            sec.reason(f"{yr}: skipped ({why})")
        value = "estimate" if res.logit else "std_estimate"
        fig = P.qap_coefficients_figure(res.coefficients(), value=value,
                                        title=f"MRQAP of {d.y}, study {p.study}")
        sec.figure(f"qap_coefficients_{d.y}", fig, "Filled markers: permutation p < 0.05.")

    _guarded(sec, "QAP", run)
    return sec


def _model_notes(sec: Section, label: str, res: Any) -> None:
    for d in res.dropped:
        sec.reason(f"{label}{d['term']} was left out: {d['reason']}.")
    for w in res.inference.get("warnings", []):
        sec.note(f"{label}{w}")
    for name, t in res.tests.items():
        if isinstance(t, dict) and "reason" in t and "stat" not in t:
            sec.reason(f"{label}{name} not reported: {t['reason']}")
    for n in res.notes:
        sec.note(f"{label}{n}")


def _regression(sec: Section, name: str, results: dict, caption: str, labels: dict | None = None) -> None:
    from cultnet.analysis import tables as T

    rt = T.regression_table(results, term_labels=labels)
    display = rt.display.copy()
    display.columns = [f"{a} · {b}" if len(results) > 1 else str(b) for a, b in display.columns]
    display = display.reset_index().rename(columns={"": "term", "index": "term"})
    frame = rt.numeric.copy()
    sec.table(name, frame, caption=caption, notes=tuple(rt.notes),
              latex=T.to_latex(rt, caption=caption), display=display)
    if len(rt.fit):
        fit = rt.fit.assign(value=rt.fit["value"].map(lambda v: "" if v is None else str(v) if not isinstance(v, float) else FLOAT_FORMAT % v))
        sec.table(f"{name}_fit", fit, caption="Fit statistics of the table above.", show=False)


def _tests_frame(tests: dict) -> pd.DataFrame:
    rows = []
    for name, t in tests.items():
        if isinstance(t, dict):
            rows.append({"test": name, "distribution": t.get("dist", ""), "statistic": t.get("stat"),
                         "p_value": t.get("p_value"),
                         "h0_or_reason": t.get("reason") or t.get("explanation") or t.get("h0", "")})
    return pd.DataFrame(rows, columns=["test", "distribution", "statistic", "p_value", "h0_or_reason"])


def _groups(k: str, p: Params) -> tuple[str, dict[str, str]]:
    from cultnet.ui import data as D

    if p.groups:
        return p.groups_label or "given groups", dict(p.groups)
    methods = D.network_methods(k)
    if not methods:
        raise CultnetError("no groups: the study has no city network for roles and no groups were given")
    method = methods[0]
    year = D.network_years(k, method)[-1]
    roles = D.city_roles(k, method, year)
    col = "group" if "group" in roles.columns else "role"
    return f"roles in the {year} {method} network", dict(zip(roles["name"].astype(str), roles[col].astype(str)))


def section_panel(k: str, p: Params) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui.views import _specs as S

    sec = Section("panel", SECTION_TITLES["panel"])
    if not p.panel_y or not p.panel_x:
        sec.reason("The indicators need at least two numeric columns for a panel model.")
        return sec
    spec = S.Spec(p.panel_y, tuple(p.panel_x), tuple(p.panel_logs or ()), p.effects, p.cov, p.inference)

    def table2() -> None:
        res = D.panel_model(k, spec.y, spec.x, spec.logs, spec.effects, spec.cov, spec.inference, p.reps, p.seed)
        sec.text(f"Table 2: {res.y} on {', '.join(spec.term(x) for x in spec.x)}; {res.estimator}; "
                 f"{res.nobs} observations, {res.n_entities} cities × {res.n_periods} years; "
                 f"{res.stat_name} statistics. {res.inference.get('description', '')}.")
        _regression(sec, f"table2_{spec.effects}_{spec.cov}", {S.EFFECTS[spec.effects]: res},
                    f"Table 2: {res.y}, {spec.describe()}")
        _model_notes(sec, "", res)
        sec.table("table2_tests", _tests_frame(res.tests), caption="Model tests (a test the sample "
                  "cannot support gives its reason instead of a statistic).")
        if spec.effects in ("entity", "random", "twoway"):
            h = D.hausman_tests(k, spec.y, spec.x, spec.logs, spec.inference)
            sec.table("table2_hausman_mundlak", _tests_frame(h),
                      caption="Fixed or random effects: classical Hausman (d.f. = rank of V_FE − V_RE) "
                              "and the cluster-robust Mundlak test.")

    def table3() -> None:
        ys = tuple(p.upgrading_ys or ())
        logs = tuple(p.upgrading_logs or ())
        up = S.Spec(ys[0], tuple(p.upgrading_x or ()), logs, p.upgrading_effects or spec.effects, spec.cov, spec.inference)
        results = {}
        for i, y in enumerate(ys):
            results[f"({i + 1}) {up.term(y)}"] = D.panel_model(k, y, up.x, up.logs, up.effects, up.cov,
                                                              up.inference, p.reps, p.seed)
        first = next(iter(results.values()))
        _regression(sec, f"table3_{up.effects}_{up.cov}", results,
                    f"Table 3: {', '.join(up.term(y) for y in ys)}; {up.describe()}")
        for label, r in results.items():
            _model_notes(sec, f"{label}: ", r)
        sec.text(f"Table 3 inference: {first.inference.get('description', '')}.")
        how, groups = _groups(k, p)
        y4 = ys[-1]
        g = D.panel_model_by_group(k, y4, up.x, up.logs, tuple(sorted(groups.items())), up.effects, up.cov,
                                   up.inference, p.reps, p.seed)
        if g.results:
            _regression(sec, f"table4_groups_{up.effects}", dict(g.results),
                        f"Table 4: {up.term(y4)} by group of cities ({how}); each group's t on t(cities in the group − 1)")
        t = g.equality_test
        rows = []
        if "joint" in t or "reason" in t:
            j = t.get("joint", t)
            rows.append({"H0 equal across groups": "all slopes jointly", "test": j.get("dist", ""),
                         "statistic": j.get("stat"), "p_value": j.get("p_value"),
                         "bootstrap_p": (t.get("joint_bootstrap") or {}).get("p_value"),
                         "reason": j.get("reason") or (t.get("joint_bootstrap") or {}).get("reason", "")})
        for term, pt in (t.get("per_regressor") or {}).items():
            rows.append({"H0 equal across groups": term, "test": pt.get("dist", ""), "statistic": pt.get("stat"),
                         "p_value": pt.get("p_value"), "bootstrap_p": (pt.get("bootstrap") or {}).get("p_value"),
                         "reason": pt.get("reason") or (pt.get("bootstrap") or {}).get("reason", "")})
        if rows:
            sec.table("table4_equality", pd.DataFrame(rows), caption=f"Do the slopes differ between the groups? {t.get('method', '')}")
        for r in rows:
            if r["statistic"] is None and r["reason"]:
                sec.reason(f"{r['H0 equal across groups']}: {r['reason']}")
        if t.get("warning"):
            sec.note(t["warning"])
        for grp, why in (t.get("groups_not_fitted") or {}).items():
            sec.reason(f"Group {grp} is not fitted on its own: {why}")
        sec.table("table4_groups", pd.DataFrame(sorted(g.groups.items()), columns=["city", "group"]),
                  caption=f"Group membership ({how}).")

    _guarded(sec, "Table 2", table2)
    if p.upgrading_ys and p.upgrading_x:
        _guarded(sec, "Tables 3-4", table3)
    return sec


def section_spatial(k: str, p: Params) -> Section:
    from cultnet.ui import data as D
    from cultnet.ui import plots as P
    from cultnet.ui.views import _specs as S

    sec = Section("spatial", SECTION_TITLES["spatial"])
    if not p.upgrading_ys or not p.upgrading_x or p.w_year is None:
        sec.reason("No panel model can be specified from the indicators: no spatial statistics.")
        return sec
    up = S.Spec(p.upgrading_ys[-1], tuple(p.upgrading_x), tuple(p.upgrading_logs or ()))

    def run() -> None:
        D.spatial_w(k, p.w_year)
        variables = tuple(up.term(v) for v in (up.y, *up.x))[:3]
        sec.text(f"W: the gravity network of {p.w_year} (weights, row-standardized). Moran's I with "
                 "normal-approximation and permutation (999, seed 0) p-values.")
        m = D.moran_model(k, variables, up.logs, int(p.w_year))
        fig = P.figure()
        for i, (v, f) in enumerate(m.groupby("variable", sort=False)):
            fig.add_scatter(x=f["period"], y=f["I"], mode="lines+markers", name=str(v),
                            line=dict(color=P.PALETTE[i % len(P.PALETTE)]))
        if len(m):
            P.hline(fig, float(m["EI"].iloc[0]), "E[I] = -1/(n-1)")
        P.axis_titles(fig, "year", "Moran's I")
        fig.update_layout(legend=P.TOP_LEGEND)
        sec.figure("morans_i", P.style(fig, "Moran's I by year"))
        sec.table("morans_i", m, caption="Moran's I by variable and year.")
        res = D.spatial_model(k, up.y, up.x, up.logs, p.spatial_model, int(p.w_year))
        _regression(sec, f"spatial_{p.spatial_model}", {p.spatial_model: res},
                    f"Spatial panel model ({p.spatial_model}) of {up.term(up.y)}, entity fixed effects, ML")
        sec.table(f"spatial_{p.spatial_model}_effects", res.effects.reset_index(),
                  caption="LeSage-Pace direct, indirect (spillover) and total effects.")

    _guarded(sec, "Spatial statistics", run)
    return sec


def _irf_figure(res: Any, impulse: str, response: str, title: str):
    from cultnet.analysis.var import irf_axis_range
    from cultnet.ui import plots as P

    f = P.irf_frame(res, impulse, response, "orthogonalized")
    has = "lower" in f
    lo, hi, _ = irf_axis_range(f["response"], f["lower"] if has else None, f["upper"] if has else None)
    fig = P.line_band_figure(f, x="h", y="response", lower="lower" if has else None,
                             upper="upper" if has else None, x_title="period after the shock (h = 0: impact)",
                             y_title=f"response of {response}", title=title)
    fig.update_yaxes(range=[lo, hi])
    return fig, f


def _dynamics_part(sec: Section, res: Any, tag: str, label: str) -> None:
    from cultnet.ui import plots as P

    stab = res.tests.get("stability", {})
    if "stable" in stab:
        sec.text(f"{label}: {'stable' if stab['stable'] else 'NOT stable'} (largest companion root "
                 f"modulus {stab['max_modulus']:.4f}).")
    for n in res.notes:
        sec.note(f"{label}: {n}")
    imp, resp = res.variables[0], res.variables[min(1, len(res.variables) - 1)]
    for a, b, what in ((imp, imp, "own"), (imp, resp, "cross")):
        fig, f = _irf_figure(res, a, b, f"{label}: {a} → {b}")
        sec.figure(f"{tag}_irf_{a}_{b}", fig, "Orthogonalized (Cholesky, in the order listed) response to a "
                   "one-s.d. shock" + ("; shaded: 95% band." if "lower" in f else "."))
        sec.table(f"{tag}_irf_{a}_{b}", f, caption=f"{label}: {what} impulse response of {b} to {a}.")
    t = res.fevd_table(resp)
    shares = [c for c in t.columns if c.endswith("%")]
    sec.table(f"{tag}_fevd_{resp}", t, caption=f"{label}: variance decomposition of {resp} (period 1: impact; "
              "each row's shares sum to 100%).")
    sec.figure(f"{tag}_fevd_{resp}", P.stacked_bar_figure(t, x="period", columns=shares, x_title="period",
                                                         y_title="share of forecast error variance (%)",
                                                         title=f"{label}: variance decomposition of {resp}"))
    sec.table(f"{tag}_coefficients", res.coefficients.reset_index(), caption=f"{label}: coefficients.")


def section_dynamics(k: str, p: Params) -> Section:
    from cultnet.ui import data as D

    sec = Section("dynamics", SECTION_TITLES["dynamics"])

    def var() -> None:
        if p.var_region is None:
            sec.reason("VAR: the study has no regional time series (series file).")
            return
        if len(p.var_variables or ()) < 2:
            sec.reason(f"VAR: a VAR needs at least two series variables; the study has {len(p.var_variables or ())}.")
            return
        res = D.var_fit(k, p.var_region, tuple(p.var_variables), p.var_log, p.var_lags, p.var_horizon,
                        p.var_bands, reps=p.var_reps)
        sec.text(f"VAR({res.lags}) of {', '.join(res.variables)} for {p.var_region} on {res.nobs} observations "
                 f"(lags: {p.var_lags}; bands: {p.var_bands or 'none'}, {p.var_reps} draws, seed 0).")
        _dynamics_part(sec, res, "var", "VAR")
        rows = [{"test": n, "statistic": res.tests.get(n, {}).get("stat"), "df": res.tests.get(n, {}).get("df"),
                 "p_value": res.tests.get(n, {}).get("p_value"),
                 "note": res.tests.get(n, {}).get("reason", res.tests.get(n, {}).get("test", ""))}
                for n in ("whiteness", "normality")]
        sec.table("var_residual_tests", pd.DataFrame(rows), caption="VAR residual tests.")
        if res.lag_selection is not None:
            sec.table("var_lag_selection", res.lag_selection.reset_index(), caption="Information criteria (* = selected).")

    def pvar() -> None:
        if len(p.pvar_variables or ()) < 2:
            sec.reason("Panel VAR: needs at least two numeric indicator columns.")
            return
        res = D.pvar_fit(k, tuple(p.pvar_variables), p.pvar_log, p.pvar_lags, p.pvar_inst_lags or p.pvar_lags,
                         2, p.pvar_time_effects, p.pvar_horizon, p.pvar_bands, p.pvar_reps)
        ident = res.identification or {}
        sec.text(f"Panel VAR({res.lags}) by FOD-GMM ({res.estimator}) on {res.nobs} transformed observations "
                 f"of {res.n_entities} cities; {ident.get('moments', '?')} moment conditions for "
                 f"{ident.get('parameters', '?')} coefficients. Consistent as N grows with T fixed: with "
                 f"{res.n_entities} cities read the IRFs as indicative.")
        j = res.tests.get("hansen_j", {})
        if j.get("stat") is not None:
            sec.text(f"Hansen's J {j['stat']:.4g} (df {j.get('df')}), p = {j.get('p_value', float('nan')):.4f}.")
        elif j.get("reason"):
            sec.reason(f"Hansen's J: {j['reason']}")
        _dynamics_part(sec, res, "pvar", "Panel VAR")

    _guarded(sec, "VAR", var)
    _guarded(sec, "Panel VAR", pvar)
    return sec


SECTIONS: list[tuple[str, Callable]] = [
    ("data", section_data), ("map", section_map), ("centrality", section_centrality),
    ("structure", section_structure), ("roles", section_roles), ("qap", section_qap),
    ("panel", section_panel), ("spatial", section_spatial), ("dynamics", section_dynamics),
]


# ---------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------

_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_escape(s: Any) -> str:
    """LaTeX-escape text (``& % $ # _ { } ~ ^ \\``).

    >>> tex_escape("a_b & 50% {x}")
    'a\\\\_b \\\\& 50\\\\% \\\\{x\\\\}'
    """
    return "".join(_TEX.get(ch, ch) for ch in str(s))


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(map(str, v))
    return str(v)


def latex_table(frame: pd.DataFrame, caption: str = "", notes: tuple[str, ...] = ()) -> str:
    """A booktabs ``tabular`` of ``frame``: numeric columns right-aligned, text left; notes under
    the table as esttab writes them (``\\par\\footnotesize``)."""
    spec = "".join("r" if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
                   else "l" for c in frame.columns)
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        lines.append(r"\caption{" + tex_escape(caption) + "}")
    lines += [r"\begin{tabular}{" + spec + "}", r"\toprule",
              " & ".join(tex_escape(c) for c in frame.columns) + r" \\", r"\midrule"]
    for row in frame.itertuples(index=False):
        lines.append(" & ".join(tex_escape(_cell(v)) for v in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [r"\par\footnotesize{" + tex_escape(n) + "}" for n in notes]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as the explorer's downloads (UTF-8 with BOM, formula-like cells neutralized), floats
    ``%.10g``: identical inputs give identical bytes."""
    from cultnet.export_safety import neutralize_frame

    return neutralize_frame(_csv_frame(frame)).to_csv(index=False, float_format=FLOAT_FORMAT,
                                                      lineterminator="\n").encode("utf-8-sig")


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s).strip("_") or "x"


def mark_simulated(fig: Any) -> Any:
    """SIMULATED DATA in the figure's title (the title is part of the PNG and SVG)."""
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    if "SIMULATED" not in title:
        mark = "<span style='color:#D55E00'>SIMULATED DATA</span>"
        fig.update_layout(title=dict(text=f"{mark} · {title}" if title else mark))
        fig.update_layout(margin=dict(t=max(int(fig.layout.margin.t or 0), 56)))
    return fig


CSS = """
body { font-family: 'Noto Sans', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', Arial, sans-serif;
       color: #262730; max-width: 1100px; margin: 24px auto; padding: 0 16px; font-size: 14px; }
h1 { font-size: 24px; } h2 { font-size: 20px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
.simulated { background: #FDECEA; color: #8A1C00; border-left: 4px solid #D55E00; padding: 6px 10px;
             font-weight: bold; }
.reason { background: #FFF6E0; border-left: 4px solid #E69F00; padding: 6px 10px; }
.note { color: #555; font-size: 12px; }
table { border-collapse: collapse; margin: 8px 0 2px 0; font-size: 11px; }
th, td { padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: right; }
th { border-bottom: 2px solid #888; } td.t, th.t { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; font-size: 12px; }
.files { font-size: 11px; color: #555; margin-bottom: 12px; }
img { max-width: 100%; height: auto; display: block; margin: 8px 0 0 0; }
figure { margin: 10px 0; } figcaption { font-size: 12px; color: #555; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
        @top-center { content: string(runhead); font-size: 9px; color: #8A1C00; }
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 9px; } }
header { string-set: runhead content(); font-size: 12px; }
@media print { body { max-width: none; margin: 0; } section { break-before: page; }
               table { font-size: 8px; } }
"""


def _table_html(t: Table, files: str) -> str:
    frame = t.display if t.display is not None else t.frame
    cols = [str(c) for c in frame.columns]
    text_cols = {str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f"<th class='{'t' if c in text_cols else ''}'>{html.escape(c)}</th>" for c in cols)
    body = []
    for row in frame.head(HTML_ROWS).itertuples(index=False):
        body.append("<tr>" + "".join(f"<td class='{'t' if c in text_cols else ''}'>{html.escape(_cell(v))}</td>"
                                     for c, v in zip(cols, row)) + "</tr>")
    more = (f"<p class='note'>The first {HTML_ROWS} of {len(frame)} rows; every row is in {files}.</p>"
            if len(frame) > HTML_ROWS else "")
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in t.notes)
    return (f"<table><caption>{html.escape(t.caption or t.name)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{notes}{more}<p class='files'>{html.escape(files)}</p>")


@dataclass
class BuiltReport:
    out: Path
    sections: list[Section]
    params: Params
    simulated: bool
    files: list[str]
    zip_path: Path | None = None
    pdf: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out = {}
    for name in ("cultnet", "numpy", "scipy", "pandas", "statsmodels", "linearmodels", "spreg", "libpysal",
                 "esda", "powerlaw", "python-igraph", "igraph", "networkx", "plotly", "kaleido", "matplotlib",
                 "streamlit", "weasyprint", "falkordb", "redis", "neo4j", "typer", "rich"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _uv_lock() -> dict[str, Any]:
    """sha256 of the uv.lock the environment was installed from (the repository's; uv.lock is
    not installed with the package)."""
    import cultnet

    cand = Path(cultnet.__file__).resolve().parents[1] / "uv.lock"
    if cand.is_file():
        return {"path": str(cand), "sha256": _sha256(cand)}
    return {"path": None, "sha256": None,
            "reason": "no uv.lock next to the installed package (installed from a wheel, not the repository)"}


def environment(k: str) -> dict[str, Any]:
    from cultnet.ui import data as D

    s = D.settings()
    try:
        desc = {a: b for a, b in dict(D.describe(k)).items() if isinstance(b, (str, int, float, bool)) or b is None}
    except Exception as e:  # noqa: BLE001 - the environment is informative, never fatal
        desc = {"error": f"{type(e).__name__}: {e}"}
    return {"schema": SCHEMA, "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "packages": _versions(), "uv_lock": _uv_lock(),
            "store": {"backend": s.backend, **desc}}


# ---------------------------------------------------------------------------------------------
# provenance and inputs (what replicate.sh loads)
# ---------------------------------------------------------------------------------------------


def _files_of(source: str) -> dict[str, str]:
    """role -> file name from a dataset's source ("files: cities=cities.csv, edges=links.csv")."""
    if not str(source).startswith("files: "):
        return {}
    out = {}
    for part in str(source)[len("files: "):].split(", "):
        role, _, name = part.partition("=")
        if role and name:
            out[role] = name
    return out


def _match_inputs(study: str, row: dict, search: list[Path]) -> dict[str, Any] | None:
    """The dataset's files found in ``search`` whose digests reproduce its stored sha256, and the
    load options (direction) that do: ``{"files": {role: Path}, "directed": ...}``; None when not
    found. The dataset id is a digest of the study, the files and the options (etl.load), so a
    match proves these are the bytes that were loaded."""
    from cultnet.etl.load import _dataset_sha

    names = _files_of(row.get("source", ""))
    if not names:
        return None
    for d in search:
        for base in (d / str(row["id"]), d):
            paths = {r: base / n for r, n in names.items()}
            if not all(pth.is_file() for pth in paths.values()):
                continue
            digests = {r: _sha256(pth) for r, pth in paths.items()}
            for directed in (None, False, True):
                for fmt in (None, "csv", "xlsx", "pajek", "triples"):
                    if _dataset_sha(study, digests, {"fmt": fmt, "directed": directed, "sheet": None}) == row["sha256"]:
                        return {"files": paths, "directed": directed, "fmt": fmt}
    return None


def _sample_match(study: str, row: dict) -> dict[str, Any] | None:
    from cultnet.etl.load import SAMPLE_FILES, _dataset_sha, _sample_directed, sample_dir

    d = sample_dir()
    paths = {r: d / n for r, n in SAMPLE_FILES.items()}
    if not all(pth.is_file() for pth in paths.values()):
        return None
    digests = {r: _sha256(pth) for r, pth in paths.items()}
    if _dataset_sha(study, digests, {"fmt": None, "directed": _sample_directed(), "sheet": None}) != row["sha256"]:
        return None
    extra = [d / n for n in ("manifest.json", "README.md", "truth.json") if (d / n).is_file()]
    return {"files": paths, "extra": extra, "sample": True}


def provenance(k: str, p: Params, inputs: list[Path], out: Path) -> tuple[dict, list[str], list[str]]:
    """provenance.json, the load lines of replicate.sh, and what it cannot redo. Copies the
    matched input files into ``out/inputs/<dataset id>/``."""
    from cultnet.graph.store import SAMPLE_SOURCE
    from cultnet.ui import data as D

    ds = D.datasets(k)
    ds = ds.sort_values(["loaded_at", "id"]) if "loaded_at" in ds.columns else ds
    recs, lines, missing = [], [], []
    sums = []
    for row in ds.to_dict(orient="records"):
        rec = {c: _plain(row.get(c)) for c in ("id", "kind", "source", "sha256", "status", "simulated",
                                                "loaded_at", "completed_at", "edge_sets", "error")}
        if row.get("status") != "complete":
            rec["replicate"] = "not loaded again (status is not complete: nothing of it is read)"
            recs.append(rec)
            continue
        if row.get("kind") == "run":
            missing.append(f"{row['id']}: links written back by a command ({row.get('source')}); "
                           "replicate.sh cannot run it again with the same choices")
            rec["replicate"] = "not reproducible by replicate.sh (a write-back run)"
            recs.append(rec)
            continue
        sample = str(row.get("source", "")).startswith(SAMPLE_SOURCE) and bool(row.get("simulated"))
        m = _sample_match(p.study, row) if sample else _match_inputs(p.study, row, inputs)
        if m is None:
            what = ("the sample files in data/sample/ no longer match it" if sample else
                    f"its files ({', '.join(_files_of(row.get('source', '')).values()) or 'unknown'}) were not "
                    "found (give the folder that holds them with --inputs)")
            missing.append(f"{row['id']}: {what}")
            rec["replicate"] = "inputs not included"
            recs.append(rec)
            continue
        dest = out / "inputs" / str(row["id"])
        dest.mkdir(parents=True, exist_ok=True)
        files = []
        for role, src in m["files"].items():
            shutil.copyfile(src, dest / src.name)
            digest = _sha256(dest / src.name)
            files.append({"role": role, "file": f"inputs/{row['id']}/{src.name}", "sha256": digest})
            sums.append(f"{digest}  inputs/{row['id']}/{src.name}")
        for src in m.get("extra", []):
            shutil.copyfile(src, dest / src.name)
        rec["files"] = files
        q = shlex.quote
        if m.get("sample"):
            lines.append(f'CULTNET_SAMPLE_DIR="$here/inputs/{row["id"]}" "$CULTNET_BIN" load --sample --study {q(p.study)} >/dev/null')
        else:
            args = " ".join(f"--{f['role']} {q(f['file'])}" for f in files)
            opt = ""
            if m.get("directed") is not None:
                opt += " --directed" if m["directed"] else " --undirected"
            if m.get("fmt"):
                opt += f" --format {m['fmt']}"
            if row.get("simulated"):
                opt += " --simulated"
            lines.append(f'"$CULTNET_BIN" load --study {q(p.study)} {args}{opt} >/dev/null')
        rec["replicate"] = "loaded again by replicate.sh"
        recs.append(rec)
    (out / "inputs").mkdir(exist_ok=True)
    (out / "inputs" / "SHA256SUMS").write_text("\n".join(sums) + ("\n" if sums else ""), encoding="utf-8")
    prov = {"schema": SCHEMA, "study": p.study, "simulated": bool(D.simulated(k)), "datasets": recs,
            "replicable": not missing, "not_replicable": missing}
    return prov, lines, missing


REPLICATE = """#!/usr/bin/env bash
# Rebuild this report's tables from the same inputs in a fresh, private embedded store, then
# compare them with the tables here, byte for byte. Needs `cultnet` on PATH (or CULTNET_BIN).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
CULTNET_BIN="${{CULTNET_BIN:-cultnet}}"
{refuse}sha256sum --check --quiet inputs/SHA256SUMS
tmp="$(mktemp -d)"
export CULTNET_DATA_DIR="$tmp/store" CULTNET_BACKEND=embedded
unset CULTNET_STUDY NEO4J_URI
cleanup() {{ "$CULTNET_BIN" stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }}
trap cleanup EXIT
{loads}
"$CULTNET_BIN" report --study {study} --params params.json -o "$tmp/rebuilt" --tables-only >/dev/null
diff -r tables "$tmp/rebuilt/tables"
echo "replicate.sh: every table reproduced identically ($(find tables -name '*.csv' | wc -l) CSV files)"
"""


def replicate_script(p: Params, lines: list[str], missing: list[str]) -> str:
    refuse = ""
    if missing:
        msg = "; ".join(missing).replace("'", "")
        refuse = f"echo 'replicate.sh: cannot rebuild from this directory: {msg}' >&2\nexit 2\n"
    return REPLICATE.format(refuse=refuse, loads="\n".join(lines), study=shlex.quote(p.study))


# ---------------------------------------------------------------------------------------------
# the build
# ---------------------------------------------------------------------------------------------


def build_sections(k: str, p: Params, progress: Progress | None = None) -> list[Section]:
    out = []
    for i, (slug, fn) in enumerate(SECTIONS):
        if progress:
            progress(i, len(SECTIONS), f"computing: {SECTION_TITLES[slug]}")
        out.append(fn(k, p))
    return out


def build_report(k: str, params: Params, out: Path, *, inputs: list[Path] | None = None,
                 tables_only: bool = False, pdf: bool = True, zip_: bool = True,
                 progress: Progress | None = None) -> BuiltReport:
    """Compute every section of the study of ``k`` with ``params`` (resolved first) and write the
    report directory ``out`` (replaced when it exists and holds a report)."""
    import time

    from cultnet.ui import data as D
    from cultnet.ui import plots as P

    quiet_streamlit()
    t0 = time.perf_counter()
    out = Path(out)
    if out.exists():
        if not (out / "params.json").is_file() and any(out.iterdir()):
            raise CultnetError(f"{out} exists and is not a cultnet report directory: choose another -o")
        shutil.rmtree(out)
    (out / "tables").mkdir(parents=True)
    p = resolve(k, params)
    sim = bool(D.simulated(k))
    sections = build_sections(k, p, progress)
    seconds = {"compute": time.perf_counter() - t0}
    files: list[str] = []
    n_fig = sum(len(s.figures) for s in sections)
    steps = len(SECTIONS) + (0 if tables_only else n_fig) + 2
    done = len(SECTIONS)
    # tables
    for si, sec in enumerate(sections, start=1):
        for ti, t in enumerate(sec.tables, start=1):
            stem = f"{si:02d}_{ti:02d}_{_slug(t.name)}"
            (out / "tables" / f"{stem}.csv").write_bytes(csv_bytes(t.frame))
            tex = t.latex or latex_table(t.display if t.display is not None else t.frame, t.caption, t.notes)
            (out / "tables" / f"{stem}.tex").write_text(tex, encoding="utf-8")
            t.stem = stem  # type: ignore[attr-defined]
            files += [f"tables/{stem}.csv", f"tables/{stem}.tex"]
    (out / "params.json").write_text(p.to_json(), encoding="utf-8")
    files.append("params.json")
    if tables_only:
        seconds["total"] = time.perf_counter() - t0
        return BuiltReport(out, sections, p, sim, files, seconds=seconds)
    # figures
    (out / "figures").mkdir()
    t1 = time.perf_counter()
    for si, sec in enumerate(sections, start=1):
        for fi, f in enumerate(sec.figures, start=1):
            stem = f"{si:02d}_{fi:02d}_{_slug(f.name)}"
            if progress:
                progress(done, steps, f"figures: {stem}")
            fig = mark_simulated(f.fig) if sim else f.fig
            for fmt in ("png", "svg"):
                (out / "figures" / f"{stem}.{fmt}").write_bytes(P.figure_bytes(fig, fmt))
                files.append(f"figures/{stem}.{fmt}")
            f.stem = stem  # type: ignore[attr-defined]
            done += 1
    seconds["figures"] = time.perf_counter() - t1
    if progress:
        progress(done, steps, "provenance, environment, replicate.sh")
    prov, lines, missing = provenance(k, p, list(inputs or []), out)
    (out / "provenance.json").write_text(json.dumps(prov, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    (out / "environment.json").write_text(json.dumps(_plain(environment(k)), indent=1, ensure_ascii=False,
                                                     default=str) + "\n", encoding="utf-8")
    rs = out / "replicate.sh"
    rs.write_text(replicate_script(p, lines, missing), encoding="utf-8")
    rs.chmod(0o755)
    files += ["provenance.json", "environment.json", "replicate.sh"]
    page = render_html(sections, p, sim, prov, figure_ext="svg")
    (out / "report.html").write_text(page, encoding="utf-8")
    files.append("report.html")
    pdf_path = None
    if pdf:
        if progress:
            progress(done + 1, steps, "report.pdf (WeasyPrint)")
        t2 = time.perf_counter()
        pdf_path = write_pdf(render_html(sections, p, sim, prov, figure_ext="png", for_print=True), out)
        seconds["pdf"] = time.perf_counter() - t2
        files.append("report.pdf")
    zip_path = None
    if zip_:
        zip_path = out.with_name(out.name + ".zip")
        write_zip(out, zip_path)
    if progress:
        progress(steps, steps, "done")
    seconds["total"] = time.perf_counter() - t0
    return BuiltReport(out, sections, p, sim, files, zip_path=zip_path, pdf=pdf_path, seconds=seconds)


def render_html(sections: list[Section], p: Params, sim: bool, prov: dict, *, figure_ext: str = "svg",
                for_print: bool = False) -> str:
    e = html.escape
    banner = (f"<p class='simulated'>SIMULATED DATA: the study '{e(p.study)}' holds a dataset marked "
              "simulated; its numbers are not official statistics.</p>") if sim else ""
    toc = "".join(f"<li><a href='#{s.slug}'>{i}. {e(s.title)}</a></li>" for i, s in enumerate(sections, 1))
    ids = ", ".join(str(d["id"]) for d in prov.get("datasets", []))
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>cultnet replication report: {e(p.study)}</title><style>{CSS}</style></head><body>",
             f"<header>cultnet replication report · study {e(p.study)}{' · SIMULATED DATA' if sim else ''}</header>",
             f"<h1>Replication report: study {e(p.study)}</h1>{banner}",
             f"<p>Datasets: {e(ids)}. Every choice is in params.json, every input's digest in "
             "provenance.json, the software in environment.json; replicate.sh rebuilds every table "
             "from the inputs in a fresh store and compares them byte for byte.</p>",
             f"<ol>{toc}</ol>"]
    if not prov.get("replicable", True):
        parts.append("<p class='reason'>replicate.sh cannot rebuild this report: "
                     + e("; ".join(prov.get("not_replicable", []))) + "</p>")
    for i, s in enumerate(sections, 1):
        parts.append(f"<section id='{s.slug}'><h2>{i}. {e(s.title)}</h2>{banner}")
        for b in s.blocks:
            if isinstance(b, Table):
                if not b.show:
                    continue
                stem = getattr(b, "stem", _slug(b.name))
                parts.append(_table_html(b, f"tables/{stem}.csv, tables/{stem}.tex"))
            elif isinstance(b, Figure):
                stem = getattr(b, "stem", None)
                if stem is None:
                    continue
                alt = e(b.name)
                parts.append(f"<figure><img src='figures/{stem}.{figure_ext}' alt='{alt}'>"
                             f"<figcaption>{e(b.caption)} (figures/{stem}.png, .svg)</figcaption></figure>")
            else:
                kind, text = b
                cls = {"text": "", "note": "note", "reason": "reason"}[kind]
                prefix = "Not reported: " if kind == "reason" else ""
                parts.append(f"<p class='{cls}'>{e(prefix + text)}</p>")
        if not s.tables and not s.figures and not any(b[0] == "reason" for b in s.blocks if isinstance(b, tuple)):
            parts.append("<p class='reason'>Nothing in this section can be computed from the study.</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def pdf_unavailable() -> str | None:
    """Why report.pdf cannot be written here (WeasyPrint or Pango missing), or None."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as e:   # OSError: Pango's shared libraries are missing
        return (f"report.pdf needs WeasyPrint and Pango (Debian libpango-1.0-0, libpangoft2-1.0-0): "
                f"{type(e).__name__}: {e}")
    return None


def write_pdf(page: str, out: Path) -> Path:
    """report.pdf from the HTML through WeasyPrint (Pango): A4, each section on a new page."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:   # OSError: Pango missing
        raise CultnetError(f"report.pdf needs WeasyPrint and Pango (Debian libpango-1.0-0, "
                           f"libpangoft2-1.0-0): {e}. Use --no-pdf to skip it.") from e
    for name in ("weasyprint", "fontTools", "fontTools.subset"):
        logging.getLogger(name).setLevel(logging.ERROR)
    path = out / "report.pdf"
    HTML(string=page, base_url=str(out) + os.sep).write_pdf(str(path))
    return path


def write_zip(out: Path, zip_path: Path) -> Path:
    """DIR.zip: the directory under its own name, files in sorted order."""
    if zip_path.exists():
        zip_path.unlink()
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(out.rglob("*")):
            if f.is_file():
                info = zipfile.ZipInfo(str(Path(out.name) / f.relative_to(out)))
                info.external_attr = (0o755 if f.name == "replicate.sh" else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, f.read_bytes())
    return zip_path

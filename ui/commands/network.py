"""``cultnet network``, ``gravity``, ``smallworld``, ``scalefree``, ``roles``, ``robustness``, ``audit``.

Every network command reads its graph either from the store (``--level city|enterprise``,
``--method gravity|cooperation|observed``, ``--year``; default year = the latest in the data) or
from an edge file (``--edges F``, any format ``etl.read.read_edge_file`` reads). The direction
is the one stored with the edges or written in the file (Pajek ``*Arcs`` / ``*Edges``);
``--directed/--undirected`` overrides it. Every node is a vertex, with or without links. For
``--method gravity`` without stored gravity LINKS for the year, the gravity network is computed on the fly from the store's cities and indicators (and the
output says so). Human output is Rich tables with the conventions printed under them; ``--json``
prints machine-readable results in the conventions stated in docs/network.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer
from rich.table import Table

from cultnet.errors import CultnetError, NotEnoughData
from cultnet.ui.common import (console, handle_errors, out, print_json, print_wide, progress_bar,
                               study_session, warn_if_simulated)

METHODS = ("gravity", "cooperation", "observed")
LEVELS = ("city", "enterprise")


@dataclass
class LoadedGraph:
    graph: Any
    source: str
    year: int | None
    notes: list[str]
    study: str | None = None


# ------------------------------------------------------------------------------------------------
def _run_id(prefix: str) -> str:
    return f"{prefix}-{pd.Timestamp.now('UTC').strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _parse_years(s: Optional[str]) -> list[int] | None:
    if not s:
        return None
    years: list[int] = []
    for part in s.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part[1:]:
                a, b = part.split("-", 1)
                years.extend(range(int(a), int(b) + 1))
            else:
                years.append(int(part))
        except ValueError:
            raise CultnetError(f"--years {s!r}: write years as a list (2001,2005) or a range (2001-2010)") from None
    return years


def _parse_threshold(s: str) -> str | float:
    if s in ("row_mean", "global_mean"):
        return s
    try:
        return float(s)
    except ValueError:
        raise CultnetError(f"--threshold {s!r}: use row_mean, global_mean or a number") from None


def _gravity_params(masses: str | None, asymmetry: str | None, income: str | None, b: float,
                    indicators: pd.DataFrame | None = None) -> dict[str, Any]:
    """The gravity model's parameters: what the user gave, the rest from the study's own columns
    (:func:`cultnet.analysis.gravity.default_parameters`)."""
    from cultnet.analysis.gravity import default_parameters

    cols = [c for c in (indicators.columns if indicators is not None else [])
            if c not in ("city", "year") and pd.api.types.is_numeric_dtype(indicators[c])]
    dflt = default_parameters(cols) if cols else {"masses": ("pop", "cul"), "asymmetry": "cul",
                                                  "income": "gdp_pc"}
    ms = tuple(m.strip() for m in masses.split(",") if m.strip()) if masses is not None else dflt["masses"]
    if not ms:
        raise CultnetError("--masses needs at least one indicator column"
                           + (f" (the study has {', '.join(cols)})" if cols else ""))

    def pick(v: str | None, d: str | None) -> str | None:
        if v is None:
            return d
        return None if v.strip().lower() in ("", "none") else v.strip()

    return {"masses": ms, "asymmetry": pick(asymmetry, dflt["asymmetry"]),
            "income": pick(income, dflt["income"]), "b": b}


def _latest_year(frame: pd.DataFrame) -> int | None:
    if frame is None or not len(frame) or "year" not in frame.columns:
        return None
    ys = pd.to_numeric(frame["year"], errors="coerce").dropna()
    ys = ys[ys > 0]
    return int(ys.max()) if len(ys) else None


def load_graph(*, year: Optional[int], method: str, level: str, edges: Optional[str],
               directed: bool | None = None, gravity: dict[str, Any] | None = None,
               threshold: str | float = "row_mean", study: str | None = None) -> LoadedGraph:
    """The graph a command analyses (see module docstring).

    Direction: ``directed`` (``--directed/--undirected``) overrides; otherwise it is what the
    file says (a Pajek file with ``*Arcs`` is directed, ``*Edges`` undirected; see
    :func:`cultnet.etl.read.read_edge_file`) or how the store holds the edge set (gravity
    directed, other links as loaded: :func:`cultnet.graph.export.stored_direction`).
    Vertices: every node of the file (a Pajek file's ``*Vertices``, isolates included) or of the
    study (every city, or every enterprise), not only the endpoints of the edges. ``study``:
    the study to read (:func:`cultnet.ui.common.study_session`).
    """
    from cultnet.graph.export import frame_to_igraph, vertex_frame

    notes: list[str] = []
    if method not in METHODS:
        raise CultnetError(f"--method {method!r}: use one of {', '.join(METHODS)}")
    if level not in LEVELS:
        raise CultnetError(f"--level {level!r}: use city or enterprise")
    override = "" if directed is None else f" ({'--directed' if directed else '--undirected'})"
    if edges:
        from cultnet.etl.read import read_edge_file

        path = Path(edges)
        if not path.exists():
            raise CultnetError(f"{edges}: file not found")
        df, file_directed = read_edge_file(path, directed=directed)
        vertices = list(df.attrs.get("vertices") or [])
        is_directed = file_directed if directed is None else bool(directed)
        y = year
        if y is not None and "year" in df.columns and (df["year"] != 0).any():
            df = df[df["year"] == y]
            if df.empty:
                raise NotEnoughData(f"{edges}: no edges in year {y}")
        g = frame_to_igraph(df, vertex_frame(vertices) if vertices else None, directed=is_directed)
        isolated = sum(1 for d in g.degree() if d == 0)
        notes.append(f"{'directed' if is_directed else 'undirected'} network from {path.name}{override}; "
                     f"{g.vcount()} nodes ({isolated} without links), parallel edges merged with "
                     "weights summed")
        return LoadedGraph(g, f"file {path.name}", y, notes)

    with study_session(study) as store:
        name = getattr(store, "name", None)
        name = name if isinstance(name, str) else None
        where = f"study {name}: " if name else "store: "
        warn_if_simulated(store.datasets(), name)
        if level == "enterprise":
            ed_all = store.edges("enterprise")
            y = year if year is not None else _latest_year(ed_all)
            ed = ed_all if y is None else ed_all[pd.to_numeric(ed_all["year"]) == y]
            if ed.empty:
                raise NotEnoughData(f"no enterprise cooperation edges{'' if y is None else f' in {y}'} in the store")
            is_directed = directed if directed is not None else _direction(store, ed_all, "enterprise", None)
            g = frame_to_igraph(ed, store.enterprises(), directed=is_directed, key="id")
            notes.append(f"enterprise cooperation analysed as {'directed' if is_directed else 'undirected'}"
                         + (override or " (as stored)"))
            return LoadedGraph(g, f"{where}enterprise cooperation", y, notes, name)
        cities = store.cities()
        if method == "gravity":
            ind = store.indicators()
            y = year if year is not None else (_latest_year(store.edges("city", method="gravity"))
                                               or _latest_year(ind))
            if y is None:
                raise NotEnoughData("no gravity links and no indicators in the store: load data first")
            ed = store.edges("city", year=y, method="gravity")
            ed_all = ed
            if ed.empty:
                from cultnet.analysis.gravity import gravity_links

                links = gravity_links(cities, ind, years=[y], threshold=threshold,
                                      **(gravity or _gravity_params(None, None, None, 2.0, ind)))
                ed = links[links["linked"]]
                notes.append(f"no stored gravity LINKS for {y}: computed on the fly from the "
                             f"{'study' if name else 'store'}'s cities and indicators (masses "
                             f"{', '.join(links.attrs.get('masses') or [])}; {links.attrs.get('rule')}); "
                             "run `cultnet gravity --write` to store them")
            elif "linked" in ed.columns:
                ed = ed[ed["linked"].fillna(True).astype(bool)]
        else:
            ed_all = store.edges("city", method=method)
            y = year if year is not None else _latest_year(ed_all)
            ed = ed_all if y is None else ed_all[pd.to_numeric(ed_all["year"]) == y]
            if ed.empty:
                raise NotEnoughData(f"no '{method}' city links{'' if y is None else f' in {y}'} in the store")
        is_directed = directed if directed is not None else _direction(store, ed_all, "city", method)
        if method != "gravity" or override:
            notes.append(f"city {method} links analysed as {'directed' if is_directed else 'undirected'}"
                         + (override or " (as loaded)"))
        g = frame_to_igraph(ed, cities, directed=is_directed)
        return LoadedGraph(g, f"{where}city {method} links", y, notes, name)


def _direction(scope: Any, edges: pd.DataFrame, level: str, method: str | None) -> bool:
    """The stored direction of an edge set: ``Study.directed(level, method)`` where the store
    records it, else as the edges were stored (:func:`cultnet.graph.export.stored_direction`)."""
    from cultnet.graph.export import stored_direction

    if level == "city" and method == "gravity":
        return True
    recorded = scope.directed(level, method) if hasattr(scope, "directed") else None
    return bool(recorded) if recorded is not None else stored_direction(edges, level=level, method=method)


def _fmt(v: Any) -> str:
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float):
        if v != v:
            return "–"
        return f"{v:.3f}" if abs(v) < 1000 else f"{v:.4g}"
    return str(v)


def _table(df: pd.DataFrame, title: str, max_rows: int = 60) -> Table:
    """A Rich table of ``df``; text columns (city names) are never wrapped or cut (print it
    with :func:`cultnet.ui.common.print_wide`)."""
    t = Table(title=title, show_lines=False)
    for c in df.columns:
        text = not pd.api.types.is_numeric_dtype(df[c])
        t.add_column(str(c), justify="left" if text else "right", no_wrap=True)
    for row in df.head(max_rows).astype(object).itertuples(index=False):
        t.add_row(*[_fmt(v) for v in row])
    return t


def _print_conventions(conv: dict[str, str], keys: list[str] | None = None) -> None:
    for k in keys or list(conv):
        if k in conv:
            out.print(f"  [dim]{k}: {conv[k]}[/]", highlight=False)


def _print_notes(notes: list[str]) -> None:
    for n in notes:
        console.print(f"[yellow]note:[/] {n}", highlight=False)


# whole-network measures that only mean something for a directed network
UNDIRECTED_HIDDEN = ("reciprocity", "strong_components", "strongly_connected",
                     "out_degree_centralization", "in_degree_centralization")


# their names for an undirected network (the JSON keys stay the same)
UNDIRECTED_LABELS = {"arcs": "edges", "weak_components": "components"}


# common options --------------------------------------------------------------------------------
_YEAR = typer.Option(None, "--year", help="year of the network (default: the latest in the data)")
_METHOD = typer.Option("gravity", "--method", help="city links: gravity | cooperation | observed")
_LEVEL = typer.Option("city", "--level", help="city | enterprise")
_EDGES = typer.Option(None, "--edges", help="analyse an edge file instead of the store (any format the ETL reads)")
_DIRECTED = typer.Option(None, "--directed/--undirected",
                         help="override the direction (default: as the file says or the store holds it)")
_JSON = typer.Option(False, "--json", help="print JSON")
_STUDY = typer.Option(None, "--study", help="the study to read (default: the global --study, "
                      "CULTNET_STUDY, or the only study in the store)")
_SEED = typer.Option(0, "--seed", help="random seed")


def register(app: typer.Typer) -> None:
    @app.command("network")
    @handle_errors
    def network_command(
        year: Optional[int] = _YEAR, method: str = _METHOD, level: str = _LEVEL,
        edges: Optional[str] = _EDGES, directed: Optional[bool] = _DIRECTED, as_json: bool = _JSON,
        study: Optional[str] = _STUDY,
        write: bool = typer.Option(False, "--write", help="store per-node results on the nodes (with a run id)"),
        closeness: str = typer.Option("wf", "--closeness", help="wf | reachable | ucinet | strict (matters only when not strongly connected)"),
        weighted_paths: bool = typer.Option(False, "--weighted-paths", help="path length = 1/weight (default: unweighted, as the paper)"),
        view: str = typer.Option("measures", "--view", help="measures | paper (Table 1 layout) | ucinet (UCINET scales)"),
    ) -> None:
        """Whole-network and per-node measures (Table 1), with their conventions."""
        from cultnet.analysis.network import analyze_network, centrality_table, ucinet_table

        if write and edges:
            raise CultnetError("--write stores results on the store's nodes; it cannot be used with --edges")
        lg = load_graph(year=year, method=method, level=level, edges=edges, directed=directed, study=study)
        rep = analyze_network(lg.graph, closeness=closeness, weighted_paths=weighted_paths)
        run_id = None
        if write:
            run_id = _run_id("network")
            cols = [c for c in rep.nodes.columns if c != "name"]
            res = rep.nodes.set_index("name")[cols]
            with study_session(study) as scope:
                n = scope.write_node_results(level, res, run_id=run_id, prefix="sna_")
            lg.notes.append(f"wrote {len(cols)} measures (prefix sna_) on {n} {level} nodes, run id {run_id}")
        if as_json:
            d = rep.to_dict()
            d["graph"].update(source=lg.source, year=lg.year, run_id=run_id, notes=lg.notes)
            print_json(d)
            return
        _print_notes(lg.notes)
        gm = rep.graph
        gt = Table(title=f"Network ({lg.source}{'' if lg.year is None else f', {lg.year}'})")
        gt.add_column("measure", no_wrap=True)
        gt.add_column("value", justify="right", no_wrap=True)
        directed = bool(gm.get("directed", True))
        for k, v in gm.items():
            if k in ("closeness_convention", "closeness_note") or (not directed and k in UNDIRECTED_HIDDEN):
                continue
            gt.add_row(UNDIRECTED_LABELS.get(k, k) if not directed else k, _fmt(v))
        print_wide(gt)
        if view == "paper":
            print_wide(_table(centrality_table(rep), "Centrality (paper's Table 1 layout)"))
        elif view == "ucinet":
            print_wide(_table(ucinet_table(rep), "Centrality in UCINET's scales"))
        else:
            cols = {"name": "name", "out_degree": "out", "in_degree": "in", "degree": "degree",
                    "betweenness": "btw", "closeness_in": "clo_in", "closeness_out": "clo_out",
                    "harmonic_in": "harm_in", "harmonic_out": "harm_out", "pagerank": "pagerank"}
            if not directed:  # in = out = degree, and closeness has one direction
                cols = {"name": "name", "degree": "degree", "betweenness": "btw",
                        "closeness_out": "closeness", "harmonic_out": "harmonic", "pagerank": "pagerank"}
            nodes = rep.nodes[list(cols)].rename(columns=cols).sort_values("degree", ascending=False)
            print_wide(_table(nodes, "Nodes (btw = betweenness / max; clo = closeness; harm = harmonic)"))
        if "closeness_note" in gm:
            console.print(f"[yellow]note:[/] {gm['closeness_note']}", highlight=False)
        out.print("[bold]conventions[/]")
        _print_conventions(rep.conventions, ["paths", "degree", "betweenness", "closeness_in",
                                             "closeness_out", "harmonic_in", "pagerank", "clustering"])

    @app.command("gravity")
    @handle_errors
    def gravity_command(
        years: Optional[str] = typer.Option(None, "--years", help="a range such as 2001-2010 or a list such as 2001,2005 (default: all)"),
        masses: Optional[str] = typer.Option(None, "--masses", help="mass indicators; geometric mean of their product (default: pop,cul when the study has them, else a population-like column and the first other one)"),
        asymmetry: Optional[str] = typer.Option(None, "--asymmetry", help="X of k_ij = X_i/(X_i+X_j), or none (default: cul, else the second mass)"),
        income: Optional[str] = typer.Option(None, "--income", help="per-capita income for the economic distance, or none (default: gdp_pc, else an income-per-head-like column, else none)"),
        b: float = typer.Option(2.0, "--b", help="distance-decay exponent"),
        threshold: str = typer.Option("row_mean", "--threshold", help="row_mean (diagonal excluded) | global_mean | VALUE"),
        write: bool = typer.Option(False, "--write", help="store LINKS {method:'gravity', year, weight, linked}"),
        all_pairs: bool = typer.Option(False, "--all-pairs", help="with --write: store every pair's weight (linked true/false), not only the arcs"),
        as_json: bool = _JSON, study: Optional[str] = _STUDY,
    ) -> None:
        """Modified gravity networks, one per year, from the study's cities and indicators."""
        from cultnet.analysis.gravity import gravity_links

        thr = _parse_threshold(threshold)
        with study_session(study) as store:
            cities, ind = store.cities(), store.indicators()
            params = _gravity_params(masses, asymmetry, income, b, ind)
            links = gravity_links(cities, ind, years=_parse_years(years), threshold=thr, **params)
            run_id = None
            written = 0
            if write:
                run_id = _run_id("gravity")
                rows = links if all_pairs else links[links["linked"]]
                written = store.write_links(rows, method="gravity", run_id=run_id)
        n_cities = links["source"].nunique()
        summary = links.groupby("year").agg(arcs=("linked", "sum"), mean_weight=("weight", "mean"))
        summary["density"] = summary["arcs"] / (n_cities * (n_cities - 1))
        summary = summary.reset_index()
        if as_json:
            print_json({"parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
                        | {"threshold": thr, "rule": links.attrs.get("rule")},
                        "run_id": run_id, "written": written, "summary": summary,
                        "links": links})
            return
        print_wide(_table(summary, "Gravity networks"))
        out.print(f"  [dim]y_ij = k_ij (M_i M_j)^(1/m) / (D_ij/|g_i-g_j|)^b; masses {list(params['masses'])}, "
                  f"k from {params['asymmetry']}, income {params['income']}, b={b:g}, great-circle km; "
                  f"{links.attrs.get('rule')}[/]", highlight=False)
        if write:
            out.print(f"wrote {written} LINKS (method gravity, run id {run_id})")

    @app.command("smallworld")
    @handle_errors
    def smallworld_command(
        year: Optional[int] = _YEAR, method: str = _METHOD, level: str = _LEVEL,
        edges: Optional[str] = _EDGES, directed: Optional[bool] = _DIRECTED, as_json: bool = _JSON,
        study: Optional[str] = _STUDY,
        n_random: int = typer.Option(20, "--n-random", help="references per family (Erdős–Rényi, rewired)"),
        seed: int = _SEED,
    ) -> None:
        """Small-world test: C and L against random references, sigma and omega with their spread."""
        from cultnet.analysis.structure import small_world

        lg = load_graph(year=year, method=method, level=level, edges=edges, directed=directed, study=study)
        r = small_world(lg.graph, n_random=n_random, seed=seed)
        if as_json:
            print_json(r.to_dict() | {"source": lg.source, "year": lg.year, "load_notes": lg.notes})
            return
        _print_notes(lg.notes + list(r.notes))
        ref = pd.DataFrame([{"quantity": q, "observed": obs,
                             "ER mean ± sd": f"{r.er[q]['mean']:.3f} ± {r.er[q]['sd']:.3f}",
                             "rewired mean ± sd": f"{r.rewired[q]['mean']:.3f} ± {r.rewired[q]['sd']:.3f}"}
                            for q, obs in (("C", r.C), ("C_avg", r.C_avg), ("L", r.L))])
        print_wide(_table(ref, f"Small-world test (n={r.n}, m={r.m}, {n_random} references each, seed {seed})"))
        idx = pd.DataFrame([{"index": k, "value": v, "per-reference 2.5%": sp["p2_5"], "97.5%": sp["p97_5"]}
                            for k, v, sp in (("sigma (ER)", r.sigma_er, r.sigma_er_spread),
                                             ("sigma (rewired)", r.sigma_rewired, r.sigma_rewired_spread),
                                             ("omega", r.omega, r.omega_spread))])
        print_wide(_table(idx, "Small-world indices"))
        if not r.L_exact:
            out.print(f"  [dim]L sampled: 95% error bound ± {r.L_error:.4f}[/]")
        out.print(f"[bold]verdict:[/] {r.verdict}")
        out.print("  [dim]sigma=(C/C_r)/(L/L_r), C=transitivity (Humphries & Gurney 2008); omega=L_r/L-C_avg/C_latt, "
                  "rewired L_r, ring-lattice C_latt (Telesford et al. 2011); undirected, unweighted[/]")

    @app.command("scalefree")
    @handle_errors
    def scalefree_command(
        year: Optional[int] = _YEAR, method: str = _METHOD, level: str = _LEVEL,
        edges: Optional[str] = _EDGES, directed: Optional[bool] = _DIRECTED, as_json: bool = _JSON,
        study: Optional[str] = _STUDY,
        degree: str = typer.Option("all", "--degree", help="total | in | out | all (all: the three sequences, Broido-Clauset network verdict)"),
        n_boot: int = typer.Option(500, "--n-boot", help="bootstrap sets for the goodness-of-fit p-value"),
        seed: int = _SEED,
    ) -> None:
        """Scale-free test (Clauset-Shalizi-Newman) with a Broido-Clauset verdict."""
        from cultnet.analysis.structure import broido_clauset, scale_free

        lg = load_graph(year=year, method=method, level=level, edges=edges, directed=directed, study=study)
        g = lg.graph
        if degree not in ("total", "in", "out", "all"):
            raise CultnetError("--degree: use total, in, out or all")
        kinds = (["total", "in", "out"] if degree == "all" else [degree]) if g.is_directed() else ["total"]
        u = g.as_undirected(mode="collapse") if g.is_directed() else g
        seqs = {"total": u.degree(), "in": g.degree(mode="in"), "out": g.degree(mode="out")}
        results = {}
        with progress_bar("bootstrap") as prog:
            for k in kinds:
                results[k] = scale_free(seqs[k], n_boot=n_boot, seed=seed, progress=prog)
        verdict = broido_clauset(list(results.values()))
        if as_json:
            print_json({"verdict": verdict, "sequences": {k: r.to_dict() for k, r in results.items()},
                        "source": lg.source, "year": lg.year, "notes": lg.notes})
            return
        _print_notes(lg.notes)
        for k, r in results.items():
            print_wide(_table(r.to_frame(), f"{k}-degree sequence (n={r.n})"))
        out.print(f"[bold]verdict (Broido-Clauset):[/] {verdict}")
        out.print("  [dim]discrete power law, x_min by KS, MLE alpha, semi-parametric bootstrap p (<=0.1 rejects); "
                  "LR > 0 favours the power law; total degree = distinct neighbours[/]")

    @app.command("roles")
    @handle_errors
    def roles_command(
        year: Optional[int] = _YEAR, method: str = _METHOD, level: str = _LEVEL,
        edges: Optional[str] = _EDGES, directed: Optional[bool] = _DIRECTED, as_json: bool = _JSON,
        study: Optional[str] = _STUDY,
        k: float = typer.Option(1.0, "--k", help="standard deviations in the role thresholds"),
        blocks: bool = typer.Option(True, "--blocks/--no-blocks", help="also the CONCOR four-block model"),
        write: bool = typer.Option(False, "--write", help="store role, group (and block) on the nodes"),
    ) -> None:
        """Core hub / bridge / sub-node / edge node roles and the CONCOR block model."""
        from cultnet.analysis.roles import block_model, city_roles

        if write and edges:
            raise CultnetError("--write cannot be used with --edges")
        lg = load_graph(year=year, method=method, level=level, edges=edges, directed=directed, study=study)
        r = city_roles(lg.graph, k=k)
        bm = block_model(lg.graph) if blocks and lg.graph.vcount() >= 4 else None
        run_id = None
        if write:
            run_id = _run_id("roles")
            res = r.set_index("name")[["role", "group"]]
            if bm is not None:
                res = res.join(bm.membership.set_index("name")[["block", "block_role"]])
            with study_session(study) as scope:
                scope.write_node_results(level, res, run_id=run_id, prefix="sna_")
        if as_json:
            print_json({"roles": r, "rule": r.attrs.get("rule"), "blocks": bm.to_dict() if bm else None,
                        "source": lg.source, "year": lg.year, "run_id": run_id, "notes": lg.notes})
            return
        _print_notes(lg.notes)
        print_wide(_table(r[["name", "role", "group", "degree", "betweenness", "closeness"]], "Roles"))
        out.print(f"  [dim]{r.attrs.get('rule')}[/]", highlight=False)
        if bm is not None:
            print_wide(_table(bm.blocks, "CONCOR blocks"))
            print_wide(_table(bm.image.reset_index(), "Image matrix (block density > network density)"))
            out.print(f"  [dim]{bm.criteria}[/]", highlight=False)

    @app.command("robustness")
    @handle_errors
    def robustness_command(
        year: Optional[int] = _YEAR, method: str = _METHOD, level: str = _LEVEL,
        edges: Optional[str] = _EDGES, directed: Optional[bool] = _DIRECTED, as_json: bool = _JSON,
        study: Optional[str] = _STUDY,
        strategies: str = typer.Option("random,degree,betweenness", "--strategies"),
        runs: int = typer.Option(50, "--runs", help="random-removal runs averaged"),
        steps: Optional[int] = typer.Option(None, "--steps", help="recorded points (default: every removal)"),
        seed: int = _SEED,
    ) -> None:
        """Largest component and global efficiency as nodes are removed (random vs targeted)."""
        from cultnet.analysis.robustness import robustness_curves

        lg = load_graph(year=year, method=method, level=level, edges=edges, directed=directed, study=study)
        c = robustness_curves(lg.graph, strategies=tuple(s.strip() for s in strategies.split(",") if s.strip()),
                              runs=runs, seed=seed, steps=steps)
        if as_json:
            print_json({"curves": c, "conventions": c.attrs.get("conventions"), "source": lg.source,
                        "year": lg.year, "notes": lg.notes})
            return
        _print_notes(lg.notes)
        wide = c.pivot_table(index="removed_fraction", columns="strategy",
                             values=["largest_component_share", "global_efficiency"])
        wide.columns = [f"{a.replace('largest_component_share', 'LCC').replace('global_efficiency', 'Eff')} {b}"
                        for a, b in wide.columns]
        print_wide(_table(wide.reset_index(), "Robustness curves"))
        out.print(f"  [dim]{c.attrs.get('conventions')}[/]", highlight=False)

    @app.command("audit")
    @handle_errors
    def audit_command(
        table: str = typer.Option(..., "--table", help="CSV/TSV/XLSX: city, out-degree, in-degree, degree, betweenness, closeness"),
        as_json: bool = _JSON,
    ) -> None:
        """Prove the internal inconsistencies of a reported centrality table."""
        from cultnet.analysis.audit import audit_centrality_table, findings_frame

        p = Path(table)
        if not p.exists():
            raise CultnetError(f"{table}: file not found")
        try:
            if p.suffix.lower() in (".xlsx", ".xls"):
                df = pd.read_excel(p, dtype=str)
            else:
                df = pd.read_csv(p, sep=None, engine="python", dtype=str)
        except Exception as e:  # parse errors from pandas
            raise CultnetError(f"{table}: cannot read the table ({e})") from None
        findings = audit_centrality_table(df)
        if as_json:
            print_json({"table": str(p), "findings": [f.to_dict() for f in findings],
                        "errors": sum(f.severity == "error" for f in findings),
                        "warnings": sum(f.severity == "warning" for f in findings)})
            return
        t = Table(title=f"Audit of {p.name}", show_lines=True)
        for c in ("severity", "city", "check", "message"):
            t.add_column(c, overflow="fold")
        colour = {"error": "red", "warning": "yellow", "info": "dim"}
        for f in findings:
            t.add_row(f"[{colour[f.severity]}]{f.severity}[/]", f.city or "", f.check, f.message)
        out.print(t)
        ne = sum(f.severity == "error" for f in findings)
        nw = sum(f.severity == "warning" for f in findings)
        out.print(f"{ne} error(s): impossible for any network; {nw} warning(s): impossible under the "
                  "standard conventions or a missing convention")
        _ = findings_frame

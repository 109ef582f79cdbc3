"""``cultnet panel``, ``cultnet var``, ``cultnet pvar`` and ``cultnet spatial``.

Without ``--data`` the commands read the store (``indicators()`` for panels, ``series()`` for the
VAR, the gravity network for roles and the spatial W); with ``--data`` they read a CSV/XLSX in
long format. Human output is Rich tables; ``--json`` prints the result's ``to_dict()``.
See docs/econometrics.md for how the numbers map onto Stata and EViews.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer
from rich.table import Table

from cultnet.errors import CultnetError, Problem, ValidationError
from cultnet.ui.common import STUDY_HELP, console, handle_errors, out, print_json, study_session, use_study


# ------------------------------------------------------------------------------------------------
def read_long_table(path: str) -> pd.DataFrame:
    """Read a CSV/XLSX (long format) into a frame whose numeric-looking columns are numbers."""
    p = Path(path)
    if not p.exists():
        raise CultnetError(f"{path}: file not found")
    try:
        from cultnet.etl.read import read_table  # validated reader (line numbers, encodings)

        df = read_table(p)
        df = df.drop(columns=[c for c in ("line",) if c in df.columns])
    except ImportError:  # pragma: no cover - etl not installed
        df = pd.read_excel(p) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p)
    except ValidationError:
        raise
    for c in df.columns:
        conv = pd.to_numeric(df[c], errors="coerce")
        if conv.notna().sum() == df[c].notna().sum():
            df[c] = conv
    return df


def _split(s: Optional[str]) -> list[str]:
    return [v.strip() for v in (s or "").split(",") if v.strip()]


def _derive(df: pd.DataFrame, needed: list[str], time: str) -> pd.DataFrame:
    """Compute isu / tiu / cia on the fly when requested and absent but their inputs exist."""
    from cultnet.analysis import indices

    df = df.copy()
    if "isu" in needed and "isu" not in df.columns and {"va1", "va2", "va3", "gdp"} <= set(df.columns):
        df["isu"] = indices.industrial_structure_upgrading(df)
    if "tiu" in needed and "tiu" not in df.columns and {"va3_modern", "va3"} <= set(df.columns):
        df["tiu"] = indices.tertiary_internal_upgrading(df)
    if "cia" in needed and "cia" not in df.columns and {"cul_va", "gdp"} <= set(df.columns):
        df["cia"] = indices.location_quotient(df, time=time)
    return df


def _groups_from_file(path: str, entity: str = "city", known: set[str] | None = None) -> dict[str, str]:
    """(entity, group) pairs from a CSV/XLSX with columns ``<entity>`` (or ``city``) and ``group``.

    Every problem is reported at once (file, line, reason): a missing group, an entity listed
    twice with different groups, an entity the panel does not have (with the closest names)."""
    from difflib import get_close_matches

    g = read_long_table(path)
    cols = {str(c).lower(): c for c in g.columns}
    key = cols.get(entity.lower()) or cols.get("city")
    if key is None or "group" not in cols:
        raise CultnetError(f"{path}: a groups file needs columns {entity!r} (or 'city') and 'group' "
                           f"(have {', '.join(map(str, g.columns))})")
    problems, out = [], {}
    for line, (c, v) in enumerate(zip(g[key], g[cols["group"]]), start=2):
        if pd.isna(c):
            continue
        c = str(c).strip()
        if pd.isna(v) or not str(v).strip():
            problems.append(Problem(path, line, "group", f"{c}: no group given"))
            continue
        v = str(v).strip()
        if c in out and out[c] != v:
            problems.append(Problem(path, line, "group", f"{c}: listed twice with different groups ({out[c]}, {v})"))
            continue
        if known is not None and c not in known:
            near = get_close_matches(c, sorted(known), n=1)
            problems.append(Problem(path, line, str(key), f"{c!r} is not an entity of the panel"
                                    + (f" (did you mean {near[0]!r}?)" if near else "")))
            continue
        out[c] = v
    if problems:
        raise ValidationError(problems)
    if not out:
        raise CultnetError(f"{path}: no (entity, group) rows")
    return out


def _roles_from_store(year: int | None) -> tuple[dict[str, str] | None, str]:
    """Groups from the network roles of the latest-year gravity network, or (None, reason).

    Uses the store's gravity LINKS of that year; when there are none, builds the gravity network
    from the store's cities and indicators with analysis.gravity (dichotomized at the row mean).
    """
    try:
        from cultnet.analysis.roles import city_roles  # written by the network helper
    except ImportError:
        return None, "cultnet.analysis.roles is not available yet"
    with study_session() as store:
        ind = store.indicators()
        y = int(year if year is not None else pd.to_numeric(ind["year"]).max())
        g = store.to_igraph("city", year=y, method="gravity")
        cities = store.cities()
    how = f"roles from the store's {y} gravity network"
    if g.ecount() == 0:
        try:
            from cultnet.analysis.gravity import gravity_links
            from cultnet.graph.export import frame_to_igraph
        except ImportError:
            return None, f"no gravity network in the store for {y} and analysis.gravity is unavailable"
        links = gravity_links(cities, ind, years=[y], **_own_gravity(ind))
        g = frame_to_igraph(links[links["linked"]], cities)
        how = f"roles from the {y} gravity network computed from the store's indicators (row-mean threshold)"
    if g.ecount() == 0:
        return None, f"the {y} gravity network has no arcs"
    roles = city_roles(g)
    return {str(n): str(gr) for n, gr in zip(roles["name"], roles["group"])}, how


def _rich_regression(tab: Any, title: str) -> tuple[Table, int]:
    """A Rich table of a RegressionTable and the width it needs (cells are never wrapped)."""
    d = tab.display
    t = Table(title=title, show_lines=False)
    t.add_column("", no_wrap=True)
    prev = None
    widths = [max([len(str(i)) for i in d.index] + [1])]
    for n, (m, s) in enumerate(d.columns):
        t.add_column(f"{m if m != prev else ''}\n{s}", justify="right", no_wrap=True)
        widths.append(max([len(str(v)) for v in d.iloc[:, n]] + [len(str(m)), len(str(s))]))
        prev = m
    n_terms = len(tab.numeric["term"].unique()) if len(tab.numeric) else 0
    for i, idx in enumerate(d.index):
        t.add_row(str(idx), *[str(v) for v in d.iloc[i].tolist()], end_section=(i == n_terms - 1))
    return t, sum(widths) + 3 * len(widths) + 1


def _print_table(table_width: tuple[Table, int]) -> None:
    table, width = table_width
    if width <= out.width:
        out.print(table)
    else:  # wider than the terminal: render at full width rather than truncate numbers
        from rich.console import Console

        Console(file=out.file, width=width, force_terminal=out.is_terminal, no_color=out.no_color).print(table)


def _print_tests(tests: dict[str, Any]) -> None:
    """One line per test: distribution, statistic, p; or the reason it is not reported."""
    names = {"model": "model test", "wald": "Wald", "model_bootstrap": "model test, wild bootstrap",
             "year_effects": "year effects", "effects_F": "entity effects", "hausman": "Hausman (classical)",
             "mundlak": "Mundlak (cluster-robust Hausman)"}
    for name, tv in tests.items():
        if not isinstance(tv, dict):
            continue
        label = names.get(name, name)
        if tv.get("stat") is not None and tv.get("p_value") is not None:
            line = (f"{label}: {tv.get('dist', '')} = {tv['stat']:.4f}, p = {tv['p_value']:.4f}"
                    + (f"  (H0: {tv['h0']})" if tv.get("h0") else ""))
        elif tv.get("stat") is not None:
            line = f"{label}: {tv.get('dist', '')} = {tv['stat']:.4f}, no p-value — {tv.get('explanation', '')}"
        elif "reason" in tv:
            line = f"{label}: not reported — {tv['reason']}"
        else:
            continue
        if tv.get("recommended"):
            line += "  [recommended with robust SEs]"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
        boot = tv.get("bootstrap")
        if isinstance(boot, dict):
            out.print(f"  {label}, wild bootstrap: " + (f"p = {boot['p_value']:.4f} ({boot.get('method', '')})"
                                                       if "p_value" in boot else f"not reported — {boot.get('reason')}"),
                      markup=False, highlight=False, soft_wrap=True)
        for extra in ("note", "warning"):
            if tv.get(extra):
                out.print(f"  {extra}: {tv[extra]}", markup=False, highlight=False, soft_wrap=True)


def _fmt_cell(v: Any, digits: int) -> str:
    if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
        return "*" if v else ""
    if isinstance(v, float):
        if v != v:
            return ""
        if v != 0 and (abs(v) < 1e-4 or abs(v) >= 1e7):
            return f"{v:.{digits}e}"
        return f"{v:.{digits}f}"
    return str(v)


def _frame_table(df: pd.DataFrame, title: str, digits: int = 4) -> tuple[Table, int]:
    t = Table(title=title)
    cells = [[_fmt_cell(v, digits) for v in row] for row in df.itertuples(index=False)]
    widths = []
    for n, c in enumerate(df.columns):
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(df[c]) else "left", no_wrap=True)
        widths.append(max([len(str(c))] + [len(r[n]) for r in cells]))
    for r in cells:
        t.add_row(*r)
    return t, sum(widths) + 3 * len(widths) + 1


# ------------------------------------------------------------------------------------------------
def register(app: typer.Typer) -> None:
    @app.command("panel")
    @handle_errors
    def panel_command(
        y: str = typer.Option(..., "--y", help="dependent variable (any numeric column; isu, tiu, cia are derived when absent)"),
        x: str = typer.Option(..., "--x", help="comma-separated regressors"),
        entity: str = typer.Option("city", "--entity"),
        time: str = typer.Option("year", "--time"),
        log: bool = typer.Option(False, "--log", help="natural logs of y and x (terms become ln_<col>)"),
        log_x: Optional[str] = typer.Option(None, "--log-only", help="log only these columns (comma-separated), e.g. dig,em,tis,rc for Table 3"),
        zero: str = typer.Option("error", "--zero", help="values <= 0 under --log: error | drop | shift (log(x+1))"),
        effects: str = typer.Option("entity", "--effects", help="entity | twoway | random | pooled | between"),
        cov: str = typer.Option("unadjusted", "--cov", help="unadjusted | robust | clustered | driscoll-kraay"),
        inference: str = typer.Option("auto", "--inference", help="auto (wild cluster bootstrap when SEs are clustered and there are < 42 clusters) | analytic | wild"),
        boot_weights: str = typer.Option("auto", "--boot-weights", help="auto (Webb below 12 clusters, else Rademacher) | rademacher | webb"),
        reps: int = typer.Option(9999, "--reps", help="bootstrap draws (all draws are enumerated when there are fewer)"),
        seed: int = typer.Option(0, "--seed", help="bootstrap seed"),
        by_role: bool = typer.Option(False, "--by-role", help="fit per network role group (center, sub-node, edge) + equality test"),
        groups: Optional[str] = typer.Option(None, "--groups", help="groups file (columns: the entity column or 'city', and 'group'), or 'paper' (only for the paper's cities)"),
        group_col: Optional[str] = typer.Option(None, "--group-col", help="a column of the data that holds each entity's group"),
        data: Optional[str] = typer.Option(None, "--data", help="CSV/XLSX long panel instead of the store"),
        as_json: bool = typer.Option(False, "--json"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
        latex: Optional[str] = typer.Option(None, "--latex", help="write the table as LaTeX to this file"),
        csv: Optional[str] = typer.Option(None, "--csv", help="write the table as CSV to this file"),
    ) -> None:
        """Static panel regression (Stata xtreg-style output) with small-sample inference, optionally per group."""
        use_study(study)
        from cultnet.analysis.indices import log_transform
        from cultnet.analysis.panel import equality_lines, fit_by_group, fit_panel, hausman, mundlak_test
        from cultnet.analysis.tables import regression_table

        xs = _split(x)
        if not xs:
            raise CultnetError("--x needs at least one column")
        df = read_long_table(data) if data else _store_indicators()
        source = data or "store indicators"
        df = _derive(df, [y, *xs], time)
        yv, xv = y, list(xs)
        if log_x:
            cols = _split(log_x)
            df = log_transform(df, cols, entity=entity, time=time, zero=zero, source=source)  # type: ignore[arg-type]
            yv = f"ln_{y}" if y in cols else y
            xv = [f"ln_{c}" if c in cols else c for c in xs]
        kw = dict(entity=entity, time=time, effects=effects, cov=cov, log=log, zero=zero, source=source,
                  inference=inference, weights=boot_weights, reps=reps, seed=seed)
        if by_role or groups or group_col:
            mapping, note = _grouping(df, entity, by_role, groups, group_col, data)
            gres = fit_by_group(df, yv, xv, mapping, **kw)  # type: ignore[arg-type]
            tab = regression_table(gres.results)
            _write_exports(tab, latex, csv)
            if as_json:
                print_json({**gres.to_dict(), "grouping": note})
                return
            _print_table(_rich_regression(tab, f"{effects} model of {gres.results[next(iter(gres.results))].y} by group ({cov} SE)"))
            _print_lines(tab.notes)
            _print_lines(equality_lines(gres.equality_test))
            if gres.equality_test.get("warning"):
                _print_lines([f"warning: {gres.equality_test['warning']}"])
            _print_lines([f"grouping: {note}"])
            return
        res = fit_panel(df, yv, xv, **kw)  # type: ignore[arg-type]
        tests = dict(res.tests)
        if effects in ("entity", "random"):
            tests.update(_hausman_pair(df, yv, xv, kw, res, hausman, fit_panel, mundlak_test))
        res = dataclasses.replace(res, tests=tests)
        tab = regression_table({res.effects: res})
        _write_exports(tab, latex, csv)
        if as_json:
            print_json(res.to_dict())
            return
        _print_table(_rich_regression(tab, f"{res.estimator}: {res.y} ({cov} SE)"))
        _print_lines(tab.notes)
        if res.bootstrapped:
            cb = res.coefficients.drop(index="const", errors="ignore").reset_index()
            cb = cb[["term", "estimate", "statistic", "p_value", "boot_p_value", "boot_ci_low", "boot_ci_high"]]
            cb.columns = ["term", "estimate", res.stat_name, f"p {res.inference['distribution']}", "p boot",
                          f"boot CI {100 * res.inference['level']:g}% low", "high"]
            _print_table(_frame_table(cb, "Wild cluster bootstrap (WCR): p-values and CIs by test inversion"))
        _print_tests(res.tests)
        if res.info:
            out.print(", ".join(f"{k} = {v:.6g}" for k, v in res.info.items() if k != "s2_gls"),
                      markup=False, highlight=False, soft_wrap=True)

    @app.command("var")
    @handle_errors
    def var_command(
        vars_: Optional[str] = typer.Option(None, "--vars", help="comma-separated variables (default dt,wfb,wsb, logged)"),
        time: Optional[str] = typer.Option(None, "--time", help="period column (default: period in the store's series)"),
        region: Optional[str] = typer.Option(None, "--region", help="series region (needed when there are several)"),
        lags: str = typer.Option("auto", "--lags", help="lag order P or 'auto'"),
        maxlags: Optional[int] = typer.Option(None, "--maxlags"),
        ic: str = typer.Option("aic", "--ic", help="aic | bic | hqic | fpe for --lags auto"),
        trend: str = typer.Option("c", "--trend", help="deterministic terms: c (constant), ct (constant + trend), n"),
        horizon: int = typer.Option(10, "--horizon"),
        log: Optional[bool] = typer.Option(None, "--log/--no-log", help="take logs (default: on for the default variables)"),
        order: Optional[str] = typer.Option(None, "--order", help="Cholesky ordering, e.g. dt,wfb,wsb"),
        bands: str = typer.Option("mc", "--bands", help="mc | bootstrap | none"),
        reps: int = typer.Option(500, "--reps"),
        seed: int = typer.Option(0, "--seed"),
        data: Optional[str] = typer.Option(None, "--data", help="CSV/XLSX, one row per period"),
        as_json: bool = typer.Option(False, "--json"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
    ) -> None:
        """VAR: unit roots, lag order, diagnostics, orthogonalized + generalized IRF, FEVD (Table 5)."""
        use_study(study)
        from cultnet.analysis.var import DEFAULT_VARIABLES, fit_var, prepare_series

        variables = _split(vars_) or list(DEFAULT_VARIABLES)
        if log is None:
            log = vars_ is None
        if data:
            df = read_long_table(data)
            source = data
        else:
            with study_session() as store:
                df = store.series()
            source = "store series"
            time = time or "period"
        if "region" in df.columns:
            regions = sorted(df["region"].dropna().astype(str).unique())
            if region is not None:
                df = df[df["region"].astype(str) == region]
                if df.empty:
                    raise CultnetError(f"no series for region {region!r}; have: {', '.join(regions)}")
            elif len(regions) > 1:
                raise CultnetError(f"several regions in the series ({', '.join(regions)}); choose one with --region")
        ser = prepare_series(df, variables, time=time, log=bool(log), source=source)
        ordr = _split(order) or None
        if ordr and log:
            ordr = [o if o.startswith("ln_") else f"ln_{o}" for o in ordr]
        res = fit_var(ser, lags="auto" if lags == "auto" else int(lags), maxlags=maxlags, ic=ic, order=ordr,
                      horizon=horizon, bands=None if bands == "none" else bands, reps=reps, seed=seed,  # type: ignore[arg-type]
                      trend=trend)  # type: ignore[arg-type]
        if as_json:
            print_json(res.to_dict())
            return
        out.print(f"VAR({res.lags}) on {', '.join(res.variables)} — {res.nobs} observations; "
                  f"Cholesky ordering {' > '.join(res.variables)}", markup=False, highlight=False, soft_wrap=True)
        for n in res.notes:
            out.print(f"note: {n}", markup=False, highlight=False, soft_wrap=True)
        if res.unit_roots is not None:
            _print_table(_frame_table(res.unit_roots[["variable", "form", "adf_stat", "adf_p", "kpss_stat", "kpss_p",
                                                   "verdict", "suggestion"]], "Unit roots (ADF: H0 unit root; KPSS: H0 stationary)"))
        if res.lag_selection is not None:
            _print_table(_frame_table(res.lag_selection.reset_index(), "Lag order selection (* = chosen by that criterion)", 5))
        _print_var_tests(res.tests)
        for v in res.variables:
            _print_table(_frame_table(res.fevd_table(v), f"Variance decomposition of {v} (percent; period 1 = impact)"))

    @app.command("pvar")
    @handle_errors
    def pvar_command(
        vars_: str = typer.Option(..., "--vars", help="comma-separated endogenous variables"),
        entity: str = typer.Option("city", "--entity"),
        time: str = typer.Option("year", "--time"),
        lags: int = typer.Option(1, "--lags"),
        inst_lags: Optional[int] = typer.Option(None, "--inst-lags", help="lags of levels as instruments (>= lags)"),
        steps: int = typer.Option(2, "--steps", help="1 (2SLS) or 2 (two-step GMM)"),
        log: bool = typer.Option(False, "--log"),
        time_effects: bool = typer.Option(False, "--time-effects", help="remove year effects (cross-sectional demeaning, Abrigo-Love td)"),
        horizon: int = typer.Option(10, "--horizon"),
        order: Optional[str] = typer.Option(None, "--order"),
        reps: int = typer.Option(500, "--reps"),
        seed: int = typer.Option(0, "--seed"),
        data: Optional[str] = typer.Option(None, "--data"),
        as_json: bool = typer.Option(False, "--json"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
    ) -> None:
        """Panel VAR by FOD-GMM (Abrigo–Love style) with IRFs and FEVD."""
        use_study(study)
        from cultnet.analysis.pvar import fit_pvar

        df = read_long_table(data) if data else _store_indicators()
        variables = _split(vars_)
        df = _derive(df, variables, time)
        res = fit_pvar(df, variables, entity=entity, time=time, lags=lags, inst_lags=inst_lags, steps=steps,  # type: ignore[arg-type]
                       log=log, horizon=horizon, order=_split(order) or None, reps=reps, seed=seed,
                       time_effects=time_effects, source=data or "store indicators")
        if as_json:
            print_json(res.to_dict())
            return
        out.print(f"{res.estimator}: panel VAR({res.lags}) on {', '.join(res.variables)}", markup=False, highlight=False, soft_wrap=True)
        for n in res.notes:
            out.print(f"note: {n}", markup=False, highlight=False, soft_wrap=True)
        _print_var_tests(res.tests)
        _print_table(_frame_table(res.coefficients, "Coefficients"))
        band = f", {100 * (1 - res.alpha):g}% Monte Carlo band lo-hi" if res.fevd_lower is not None else ""
        for v in res.variables:
            _print_table(_frame_table(res.fevd_table(v), f"Variance decomposition of {v} (percent{band})", 2))

    @app.command("spatial")
    @handle_errors
    def spatial_command(
        model: str = typer.Option("moran", "--model", help="moran | lag | durbin | error"),
        vars_: Optional[str] = typer.Option(None, "--vars", help="Moran's I: comma-separated columns"),
        y: Optional[str] = typer.Option(None, "--y", help="dependent variable (lag/durbin/error)"),
        x: Optional[str] = typer.Option(None, "--x", help="regressors (lag/durbin/error)"),
        entity: str = typer.Option("city", "--entity"),
        time: str = typer.Option("year", "--time"),
        log: bool = typer.Option(False, "--log"),
        w: Optional[str] = typer.Option(None, "--w", help="W file: square matrix (first column = city) or edge list source,target,weight"),
        w_year: Optional[int] = typer.Option(None, "--w-year", help="year of the gravity network used as W (default latest)"),
        permutations: int = typer.Option(999, "--permutations"),
        seed: int = typer.Option(0, "--seed"),
        data: Optional[str] = typer.Option(None, "--data"),
        as_json: bool = typer.Option(False, "--json"),
        study: Optional[str] = typer.Option(None, "--study", help=STUDY_HELP),
    ) -> None:
        """Moran's I with the gravity network as W, and SAR / SDM / SEM panel models with effects."""
        use_study(study)
        from cultnet.analysis.spatial import fit_spatial_panel, moran_table

        df = read_long_table(data) if data else _store_indicators()
        W = _read_w(w) if w else _store_w(w_year)
        if model == "moran":
            cols = _split(vars_)
            if not cols:
                raise CultnetError("--model moran needs --vars")
            df = _derive(df, cols, time)
            tab = moran_table(df, cols, W, entity=entity, time=time, permutations=permutations, seed=seed, log=log)
            if as_json:
                print_json({"moran": tab})
                return
            _print_table(_frame_table(tab, "Moran's I (row-standardized gravity W)"))
            return
        if not y or not x:
            raise CultnetError(f"--model {model} needs --y and --x")
        xs = _split(x)
        df = _derive(df, [y, *xs], time)
        res = fit_spatial_panel(df, y, xs, W, entity=entity, time=time, model=model, log=log, seed=seed,  # type: ignore[arg-type]
                                source=data or "store indicators")
        if as_json:
            print_json(res.to_dict())
            return
        from cultnet.analysis.tables import regression_table

        _print_table(_rich_regression(regression_table({model: res}), f"Spatial {model} panel (entity FE, ML): {res.y}"))
        _print_table(_frame_table(res.effects, "LeSage–Pace effects (simulated SE)"))


def _write_exports(tab: Any, latex: Optional[str], csv: Optional[str]) -> None:
    from cultnet.analysis.tables import to_csv, to_latex

    if latex:
        Path(latex).write_text(to_latex(tab), encoding="utf-8")
    if csv:
        Path(csv).write_text(to_csv(tab), encoding="utf-8")


def _print_lines(lines: Any) -> None:
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _hausman_pair(df: pd.DataFrame, y: str, x: list[str], kw: dict[str, Any], res: Any, hausman: Any,
                  fit_panel: Any, mundlak_test: Any) -> dict[str, Any]:
    """The classical Hausman test (from classical FE and RE fits) and the cluster-robust Mundlak
    test beside it; the Mundlak test is the one to read when the SEs are robust."""
    out: dict[str, Any] = {}
    base = {**kw, "cov": "unadjusted", "inference": "analytic"}
    try:
        fe = res if (res.effects == "entity" and res.cov_type == "unadjusted") else fit_panel(df, y, x, **{**base, "effects": "entity"})
        re_ = res if (res.effects == "random" and res.cov_type == "unadjusted") else fit_panel(df, y, x, **{**base, "effects": "random"})
        h = hausman(fe, re_)
        if kw["cov"] != "unadjusted":
            h["note"] = ("classical test on classical FE/RE fits (it assumes RE is efficient); with robust "
                         "standard errors read the Mundlak test" + (f"; {h['note']}" if h.get("note") else ""))
        out["hausman"] = h
    except CultnetError as e:
        out["hausman"] = {"reason": e.user_message}
    mcov = "clustered" if kw["cov"] in ("unadjusted", "robust", "clustered") else kw["cov"]
    try:
        m = mundlak_test(df, y, x, entity=kw["entity"], time=kw["time"], log=kw["log"], zero=kw["zero"], cov=mcov,
                         inference=kw["inference"], weights=kw["weights"], reps=kw["reps"], seed=kw["seed"],
                         source=kw["source"])
        if m.get("excluded"):
            m["note"] = "no mean term for " + "; ".join(f"{e['term']} ({e['reason']})" for e in m["excluded"])
        if kw["cov"] != "unadjusted":
            m["recommended"] = True
        out["mundlak"] = m
    except CultnetError as e:
        out["mundlak"] = {"reason": e.user_message}
    return out


def _grouping(df: pd.DataFrame, entity: str, by_role: bool, groups: Optional[str], group_col: Optional[str],
              data: Optional[str]) -> tuple[dict[str, str], str]:
    """Entity -> group from a data column, a file, the network roles or (for the paper's cities) the paper."""
    from cultnet.analysis.paper import PAPER_GROUPS

    if group_col:
        if group_col not in df.columns:
            raise CultnetError(f"--group-col {group_col!r}: no such column (have: {', '.join(map(str, df.columns))})")
        g = df[[entity, group_col]].dropna().drop_duplicates()
        multi = g.groupby(entity)[group_col].nunique()
        if (multi > 1).any():
            bad = ", ".join(map(str, multi[multi > 1].index[:5]))
            raise CultnetError(f"--group-col {group_col!r}: an entity must keep one group over time ({bad} change group)")
        return {str(e): str(v) for e, v in zip(g[entity], g[group_col])}, f"groups from column {group_col!r}"
    if by_role:
        mapping, note = _roles_from_store(None) if not data else (None, "--by-role with --data: roles need the store")
        if mapping is not None:
            return mapping, note
        console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
        if not groups:
            raise CultnetError(f"--by-role: {note}. Give the groups with --groups FILE or --group-col COLUMN")
    if groups == "paper" or groups is None:
        present = set(df[entity].astype(str))
        missing = sorted(set(PAPER_GROUPS) - present)
        if missing:
            raise CultnetError("--groups paper is the paper's grouping of 14 Liaoning cities; this data lacks "
                               f"{len(missing)} of them ({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}). "
                               "Give your own groups with --groups FILE (columns city, group) or --group-col COLUMN")
        return dict(PAPER_GROUPS), "paper's grouping"
    return _groups_from_file(groups, entity, set(df[entity].astype(str))), f"groups from {groups}"


def _print_var_tests(tests: dict[str, Any]) -> None:
    st = tests.get("stability", {})
    if "stable" in st:
        out.print(f"stability: {'stable' if st['stable'] else 'NOT stable'}; max modulus {st['max_modulus']:.4f}",
                  markup=False, highlight=False, soft_wrap=True)
    for name in ("whiteness", "normality", "hansen_j"):
        t = tests.get(name)
        if not t:
            continue
        out.print(f"{name}: " + (f"stat {t['stat']:.3f}, df {t['df']}, p {t['p_value']:.4f}" if "stat" in t
                                 else f"not computed — {t.get('reason')}"), markup=False, highlight=False, soft_wrap=True)
    for g in tests.get("granger", []):
        if "stat" in g:
            out.print(f"Granger: {g['causing']} -> {g['caused']}: stat {g['stat']:.3f}, p {g['p_value']:.4f}",
                      markup=False, highlight=False, soft_wrap=True)


def _store_indicators() -> pd.DataFrame:
    with study_session() as store:
        df = store.indicators()
    if df is None or df.empty:
        raise CultnetError("the store has no indicators; load data first (cultnet load --sample) or pass --data")
    return df


def _read_w(path: str) -> pd.DataFrame:
    t = read_long_table(path)
    cols = [str(c).lower() for c in t.columns]
    if {"source", "target"} <= set(cols):
        return t.rename(columns={c: str(c).lower() for c in t.columns})
    first = t.columns[0]
    m = t.set_index(first)
    m.index = m.index.astype(str)
    m.columns = [str(c) for c in m.columns]
    if sorted(m.index) != sorted(m.columns):
        raise CultnetError(f"{path}: a W matrix needs the same cities as row labels (first column) and column headers")
    return m.astype(float)


def _store_w(year: int | None) -> pd.DataFrame:
    with study_session() as store:
        ind = store.indicators()
        y = int(year if year is not None else pd.to_numeric(ind["year"]).max())
        edges = store.edges("city", year=y, method="gravity")
        if edges is not None and len(edges):
            return edges[["source", "target", "weight"]]
        cities = store.cities()
    try:
        from cultnet.analysis.gravity import gravity_matrix
    except ImportError as e:  # pragma: no cover
        raise CultnetError("no gravity network in the store and analysis.gravity is unavailable; pass --w") from e
    return gravity_matrix(cities, ind, year=y, **_own_gravity(ind))


def _own_gravity(ind: pd.DataFrame) -> dict:
    """The gravity model's masses, asymmetry and income from the study's own columns (the
    paper's pop, cul, gdp_pc only when present): analysis.gravity.default_parameters."""
    from cultnet.analysis.gravity import default_parameters

    cols = [c for c in ind.columns if c not in ("city", "year") and pd.api.types.is_numeric_dtype(ind[c])]
    return default_parameters(cols)

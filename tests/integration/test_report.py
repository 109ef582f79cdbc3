"""``cultnet report`` end to end on the real embedded store (issue 13, the replication report).

Two studies are loaded into a private store with the real loader: the simulated sample
(``liaoning-sample``) and the second region fixture (tests/data/region, Shanxi, loaded
``--simulated``). The report of each is built once (module fixture) by the real command in a
subprocess, with reduced bootstrap and permutation counts (``--reps 199 --qap-perms 200``; every
other choice at the pages' defaults). Then:

* ``replicate.sh`` rebuilds the tables in a fresh private store from the copied inputs and
  ``diff -r`` finds every CSV (and .tex) byte-identical; a tampered input makes it fail;
* the HTML in Debian's Chromium (Playwright): every ``<img>`` loaded (naturalWidth > 0), one per
  figure, no console error, no request off the file system, the SIMULATED banner in every
  section, SIMULATED DATA in every SVG; a screenshot per section in test-artifacts/screenshots/;
* the PDF read back with pypdf: more pages than sections, each section title on its own page, in
  order;
* every ``.tex`` parsed (balanced braces and environments, one tabular, booktabs rules, the cell
  count of every row equal to the column spec; multicolumn spans counted), and compiled when a
  TeX engine is on PATH;
* the CSV numbers equal the analysis functions called directly on the study read back through
  the store (Table 1, Table 2, MRQAP, the VAR's FEVD), and a study without series says why
  there is no VAR instead of a number.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cultnet.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "tests" / "data" / "region"
BIN = Path(sys.executable).parent / "cultnet"
CHROMIUM = os.environ.get("CULTNET_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
SMALL = ["--reps", "199", "--qap-perms", "200"]
TITLES = ["Data and provenance", "Network map", "Table 1: centrality and Pareto charts",
          "Small world and scale free", "Roles, block model and robustness", "QAP and MRQAP",
          "Panel models: Tables 2-4", "Spatial dependence", "Dynamics: VAR and panel VAR"]

pytestmark = pytest.mark.slow


def run(env: dict, *args: str, timeout: int = 900, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"cultnet {' '.join(args)}: rc {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A private store with both studies and their two reports."""
    base = tmp_path_factory.mktemp("report")
    env = {**os.environ, "CULTNET_DATA_DIR": str(base / "store"), "CULTNET_BACKEND": "embedded",
           "PATH": f"{BIN.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for var in ("CULTNET_STUDY", "NEO4J_URI"):
        env.pop(var, None)
    run(env, "load", "--sample")
    run(env, "load", "--study", "shanxi", "--cities", str(REGION / "cities.csv"),
        "--indicators", str(REGION / "indicators.csv"), "--edges", str(REGION / "links.csv"),
        "--series", str(REGION / "series.csv"), "--simulated")
    out = {}
    for study, extra in (("liaoning-sample", []), ("shanxi", ["--inputs", str(REGION)])):
        proc = run(env, "report", "--study", study, "-o", str(base / study), *SMALL, *extra, "--json")
        out[study] = {"dir": base / study, "json": json.loads(proc.stdout)}
    yield {"env": env, "base": base, **out}
    subprocess.run([str(BIN), "stop"], env=env, capture_output=True, timeout=60)


STUDIES = ["liaoning-sample", "shanxi"]


def _csv(d: Path, pattern: str) -> pd.DataFrame:
    found = sorted((d / "tables").glob(f"*_{pattern}.csv"))
    assert len(found) == 1, f"{pattern}: {found}"
    return pd.read_csv(found[0], encoding="utf-8-sig")


# ---------------------------------------------------------------------------------------------
# the directory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("study", STUDIES)
def test_the_directory_holds_every_part(built, study):
    d, j = built[study]["dir"], built[study]["json"]
    assert j["sections"] == TITLES
    for name in ("report.html", "report.pdf", "params.json", "provenance.json", "environment.json",
                 "replicate.sh", "inputs/SHA256SUMS"):
        assert (d / name).is_file(), name
    assert Path(j["zip"]).is_file() and Path(j["zip"]).name == f"{study}.zip"
    csvs, texs = sorted((d / "tables").glob("*.csv")), sorted((d / "tables").glob("*.tex"))
    assert len(csvs) >= 30 and [p.stem for p in csvs] == [p.stem for p in texs]
    pngs, svgs = sorted((d / "figures").glob("*.png")), sorted((d / "figures").glob("*.svg"))
    assert len(pngs) >= 12 and [p.stem for p in pngs] == [p.stem for p in svgs]
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", p.name
    params = json.loads((d / "params.json").read_text())
    assert params["schema"] == "cultnet.report/1" and params["params"]["study"] == study
    assert params["params"]["reps"] == 199 and params["params"]["qap_perms"] == 200
    assert None not in (params["params"]["method"], params["params"]["year"], params["params"]["panel_y"])
    env = json.loads((d / "environment.json").read_text())
    assert env["packages"]["cultnet"] and env["packages"]["weasyprint"]
    lock = ROOT / "uv.lock"
    import hashlib

    assert env["uv_lock"]["sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    import zipfile

    with zipfile.ZipFile(j["zip"]) as z:
        names = set(z.namelist())
    assert f"{study}/report.html" in names and f"{study}/replicate.sh" in names
    assert {f"{study}/tables/{p.name}" for p in csvs} <= names


@pytest.mark.parametrize("study", STUDIES)
def test_provenance_names_the_datasets_and_their_files(built, study):
    from cultnet.graph.store import open_store

    d = built[study]["dir"]
    prov = json.loads((d / "provenance.json").read_text())
    store = open_store(Settings(backend="embedded", data_dir=Path(built["env"]["CULTNET_DATA_DIR"])))
    try:
        ds = store.study(study).datasets()
    finally:
        store.close()
    assert prov["simulated"] is True and prov["replicable"] is True
    assert [r["id"] for r in prov["datasets"]] == list(ds.sort_values("loaded_at")["id"])
    rec = prov["datasets"][0]
    assert rec["sha256"] == ds["sha256"].iloc[0] and rec["loaded_at"] == ds["loaded_at"].iloc[0]
    import hashlib

    sums = (d / "inputs" / "SHA256SUMS").read_text().split("\n")
    for f in rec["files"]:
        assert hashlib.sha256((d / f["file"]).read_bytes()).hexdigest() == f["sha256"]
        assert f"{f['sha256']}  {f['file']}" in sums
    if study == "shanxi":   # the copies are the fixture's files, byte for byte
        for f in rec["files"]:
            assert (d / f["file"]).read_bytes() == (REGION / Path(f["file"]).name).read_bytes()


@pytest.mark.parametrize("study", STUDIES)
def test_replicate_sh_reproduces_every_csv_in_a_fresh_store(built, study):
    d = built[study]["dir"]
    env = {k: v for k, v in built["env"].items() if k != "CULTNET_DATA_DIR"}
    env["CULTNET_BIN"] = str(BIN)
    proc = subprocess.run(["bash", str(d / "replicate.sh")], env=env, capture_output=True, text=True,
                          timeout=900, cwd="/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n = len(list((d / "tables").glob("*.csv")))
    assert f"every table reproduced identically ({n} CSV files)" in proc.stdout


def test_replicate_sh_refuses_a_changed_input(built, tmp_path):
    src = built["shanxi"]["dir"]
    d = tmp_path / "copy"
    shutil.copytree(src, d)
    f = next((d / "inputs").glob("*/indicators.csv"))
    f.write_bytes(f.read_bytes().replace(b"2019", b"2018", 1))
    env = {**built["env"], "CULTNET_BIN": str(BIN)}
    proc = subprocess.run(["bash", str(d / "replicate.sh")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "indicators.csv: FAILED" in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def no_series(built):
    """A third study: the Shanxi cities and indicators only (no links: the gravity network is
    computed; no series: no VAR)."""
    run(built["env"], "load", "--study", "no-series", "--cities", str(REGION / "cities.csv"),
        "--indicators", str(REGION / "indicators.csv"), "--simulated")
    return "no-series"


def test_a_study_without_series_says_why_there_is_no_var(built, no_series):
    env = built["env"]
    proc = run(env, "report", "--study", "no-series", "-o", str(built["base"] / "no-series"), *SMALL,
               "--tables-only", "--json")
    j = json.loads(proc.stdout)
    reasons = [why for title, why in j["not_reported"] if title == TITLES[-1]]
    assert "VAR: the study has no regional time series (series file)." in reasons
    assert not list((built["base"] / "no-series" / "tables").glob("*_var_*.csv"))
    # the panel VAR runs on the city-year indicators
    assert list((built["base"] / "no-series" / "tables").glob("*_pvar_fevd_*.csv"))


# ---------------------------------------------------------------------------------------------
# the HTML in a real browser, the SIMULATED marks
# ---------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("study", STUDIES)
def test_html_in_chromium_has_every_image(built, study):
    from playwright.sync_api import sync_playwright

    d = built[study]["dir"]
    page_html = (d / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page_html and "https://" not in page_html and "<script" not in page_html
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                                                      "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            pg = browser.new_page(viewport={"width": 1200, "height": 900})
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("request", lambda r: requests.append(r.url))
            pg.goto((d / "report.html").as_uri())
            pg.wait_for_load_state("load")
            imgs = pg.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
            sections = pg.evaluate("Array.from(document.querySelectorAll('section')).map(s => "
                                   "[s.querySelector('h2').textContent, !!s.querySelector('.simulated')])")
            SHOTS.mkdir(parents=True, exist_ok=True)   # one screenshot per section, for the reviewer
            for slug in pg.evaluate("Array.from(document.querySelectorAll('section')).map(s => s.id)"):
                pg.locator(f"section#{slug}").screenshot(path=str(SHOTS / f"report_{study}_{slug}.png"))
        finally:
            browser.close()
    assert not errors, errors
    assert all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file://")]
    assert len(imgs) == len(list((d / "figures").glob("*.svg")))
    assert [src for src, ok, w in imgs if not (ok and w > 0)] == []
    assert [t for t, _ in sections] == [f"{i}. {t}" for i, t in enumerate(TITLES, 1)]
    assert all(sim for _, sim in sections)
    for svg in (d / "figures").glob("*.svg"):
        assert "SIMULATED DATA" in svg.read_text(encoding="utf-8"), svg.name


# ---------------------------------------------------------------------------------------------
# the PDF
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("study", STUDIES)
def test_pdf_has_a_page_per_section_with_its_title(built, study):
    from pypdf import PdfReader

    reader = PdfReader(str(built[study]["dir"] / "report.pdf"))
    texts = [(p.extract_text() or "") for p in reader.pages]
    assert len(texts) >= len(TITLES) + 1
    assert f"Replication report: study {study}" in texts[0] and "SIMULATED DATA" in texts[0]
    first_pages = []
    for i, title in enumerate(TITLES, 1):
        heading = f"{i}. {title}"
        # page 0 is the title page with the contents (which list every heading)
        pages = [n for n, t in enumerate(texts) if n > 0 and heading in t.replace("\n", " ")]
        assert pages, f"{heading!r} is on no page"
        first_pages.append(pages[0])
    assert first_pages == sorted(set(first_pages)), first_pages   # in order, each on its own page
    assert first_pages[0] == 1
    if study == "shanxi":   # Chinese city names (the cities table) reach the PDF as text (a CJK font)
        assert "太原" in " ".join(texts) and "大同" in " ".join(texts)
    for n in first_pages:   # the section starts its page: the heading is the first body line
        body = [ln for ln in texts[n].split("\n") if ln.strip() and not ln.startswith("cultnet replication report")]
        assert re.match(r"\d+\. ", body[0]), body[:2]


# ---------------------------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------------------------


def _cells(row: str) -> int:
    """Cells of a tabular row: unescaped & separators, \\multicolumn{n} counting n."""
    parts = re.split(r"(?<!\\)&", row)
    n = 0
    for part in parts:
        m = re.match(r"\s*\\multicolumn\{(\d+)\}", part)
        n += int(m.group(1)) if m else 1
    return n


def check_latex(tex: str) -> None:
    """Raise AssertionError unless ``tex`` is one well-formed booktabs table."""
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "{}" and (i == 0 or tex[i - 1] != "\\" or (i > 1 and tex[i - 2] == "\\")):
            depth += 1 if ch == "{" else -1
            assert depth >= 0, f"unbalanced }} at {i}"
    assert depth == 0, "unbalanced {"
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{(\w+)\}", tex):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env, f"\\end{{{env}}} without its begin"
    assert not stack, stack
    assert tex.count(r"\begin{tabular}") == 1
    spec = re.search(r"\\begin\{tabular\}\{([^}]*)\}", tex).group(1)
    ncol = len(re.findall(r"[lrc]", spec))
    body = tex[tex.index(r"\begin{tabular}"):tex.index(r"\end{tabular}")]
    top, mid, bot = body.find(r"\toprule"), body.find(r"\midrule"), body.find(r"\bottomrule")
    assert 0 < top < mid < bot, (top, mid, bot)
    rows = [ln for ln in body.split("\n") if ln.rstrip().endswith(r"\\")]
    assert rows, "no rows"
    for ln in rows:
        assert _cells(ln[: ln.rstrip().rfind(r"\\")]) == ncol, (ncol, ln)


def test_the_latex_checker_catches_broken_tables():
    good = "\\begin{table}\n\\begin{tabular}{lr}\n\\toprule\na & b \\\\\n\\midrule\nx & 1 \\\\\n\\bottomrule\n\\end{tabular}\n\\end{table}\n"
    check_latex(good)
    for bad in (good.replace("x & 1", "x & 1 & 2"), good.replace("\\midrule\n", ""),
                good.replace("\\end{table}", ""), good.replace("{lr}", "{lr")):
        with pytest.raises(AssertionError):
            check_latex(bad)


@pytest.mark.parametrize("study", STUDIES)
def test_every_latex_table_is_well_formed(built, study, tmp_path):
    texs = sorted((built[study]["dir"] / "tables").glob("*.tex"))
    assert texs
    for f in texs:
        try:
            check_latex(f.read_text(encoding="utf-8"))
        except AssertionError as e:
            raise AssertionError(f"{f.name}: {e}") from None
    reg = (built[study]["dir"] / "tables")
    t2 = next(reg.glob("*_table2_*_robust.tex")).read_text(encoding="utf-8")
    assert "$^{***}$ p$<$0.01" in t2 and r"\multicolumn" in t2      # esttab stars and legend
    engine = shutil.which("lualatex") or shutil.which("pdflatex")
    if engine:    # no TeX engine on this machine; compiled wherever one is installed
        doc = tmp_path / "all.tex"
        doc.write_text("\\documentclass{article}\\usepackage{booktabs}\\usepackage{fontspec}\\begin{document}\n"
                       + "\n".join(f"\\input{{{f}}}\\clearpage" for f in texs) + "\n\\end{document}\n"
                       if "lualatex" in engine else
                       "\\documentclass{article}\\usepackage[utf8]{inputenc}\\usepackage{booktabs}\\begin{document}\n"
                       + "\n".join(f"\\input{{{f}}}\\clearpage" for f in texs) + "\n\\end{document}\n", encoding="utf-8")
        proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", doc.name], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:]


# ---------------------------------------------------------------------------------------------
# the numbers are the analysis functions' numbers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_study(built):
    from cultnet.graph.store import open_store

    store = open_store(Settings(backend="embedded", data_dir=Path(built["env"]["CULTNET_DATA_DIR"])))
    s = store.study("liaoning-sample")
    data = {"cities": s.cities(), "indicators": s.indicators(), "edges": s.edges("city"), "series": s.series(),
            "directed": {m: s.directed("city", m) for m in ("gravity", "cooperation", "observed")},
            "gravity_2024": s.edges("city", year=2024, method="gravity")}
    store.close()
    return data


def _close(a, b, rtol=1e-8, atol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def test_table1_equals_analysis_network(built, sample_study):
    from cultnet.analysis.network import analyze_network, centrality_table
    from cultnet.graph.export import frame_to_igraph

    links = sample_study["gravity_2024"]
    links = links[links["linked"].fillna(False).astype(bool)] if "linked" in links else links
    g = frame_to_igraph(links.reset_index(drop=True), sample_study["cities"], directed=True)
    want = centrality_table(analyze_network(g, closeness="wf"), closeness="closeness_out")
    got = _csv(built["liaoning-sample"]["dir"], "table1_centrality_gravity_2024")
    assert list(got.columns) == list(want.columns) and list(got["City"]) == list(want["City"])
    for c in want.columns[1:]:
        _close(got[c], want[c], rtol=1e-9)


def test_table2_equals_analysis_panel(built, sample_study):
    from cultnet.analysis.indices import log_transform
    from cultnet.analysis.panel import fit_panel

    cols = ["cul", "dig", "tech", "res", "dem", "sys"]
    d = log_transform(sample_study["indicators"], cols, entity="city", time="year", zero="drop", source="indicators")
    res = fit_panel(d, "ln_cul", [f"ln_{c}" for c in cols[1:]], effects="twoway", cov="robust",
                    source="indicators", inference="auto", reps=199, seed=0)
    got = _csv(built["liaoning-sample"]["dir"], "table2_twoway_robust").set_index("term")
    want = res.coefficients
    assert set(got.index) == set(want.index)
    for col in ("estimate", "std_error", "statistic", "p_value", "boot_p_value", "boot_ci_low", "boot_ci_high"):
        _close(got.loc[want.index, col], want[col], rtol=1e-9)
    # the stars follow the bootstrap p where there is one (the constant has none: its analytic p)
    p_star = want["boot_p_value"].where(want["boot_p_value"].notna(), want["p_value"])
    assert list(got.loc[want.index, "stars"].fillna("")) == [
        "***" if p < .01 else "**" if p < .05 else "*" if p < .1 else "" for p in p_star]
    fit = _csv(built["liaoning-sample"]["dir"], "table2_twoway_robust_fit")
    n = fit[fit["stat"] == "N"]["value"].iloc[0]
    assert int(float(n)) == res.nobs


def test_mrqap_equals_analysis_qap(built, sample_study):
    from cultnet.analysis.gravity import default_parameters
    from cultnet.analysis.qap import parse_specs, study_dyads, study_qap

    ind = sample_study["indicators"]
    num = [c for c in ind.columns if c not in ("city", "year") and pd.api.types.is_numeric_dtype(ind[c])]
    dy = study_dyads(sample_study["cities"], ind, sample_study["edges"], y="gravity",
                     specs=parse_specs("distance,absdiff:gdp_pc"), year=None, weighted=False,
                     directions=sample_study["directed"], gravity=default_parameters(num))
    res = study_qap(dy, perms=200, seed=0, method="dsp")
    want = res.coefficients()
    got = _csv(built["liaoning-sample"]["dir"], "qap_coefficients_gravity")
    assert list(got["year"]) == list(want["year"]) and list(got["term"]) == list(want["term"])
    for col in ("estimate", "std_estimate", "std_error", "statistic", "p_value"):
        _close(got[col], want[col], rtol=1e-9)


def test_var_fevd_equals_analysis_var(built, sample_study):
    from cultnet.analysis.var import fit_var, prepare_series

    s = sample_study["series"]
    region = sorted(s["region"].dropna().astype(str).unique())[0]
    data = prepare_series(s[s["region"].astype(str) == region], ["dt", "wfb", "wsb"], time="period", log=True,
                          source="series")
    res = fit_var(data, lags="auto", horizon=10, bands="mc", order=None, reps=200, seed=0)
    want = res.fevd_table(res.variables[1])
    got = _csv(built["liaoning-sample"]["dir"], f"var_fevd_{res.variables[1]}")
    assert list(got.columns) == list(want.columns)
    for c in want.columns:
        _close(got[c], want[c], rtol=1e-9)


def test_a_test_the_sample_cannot_support_is_a_sentence_not_a_number(built):
    d = built["liaoning-sample"]["dir"]
    sf = _csv(d, "scale_free_gravity_2024").set_index("quantity")["value"]
    assert sf["testable"] in (False, "False") and pd.isna(sf["alpha"])
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "Not reported: Scale free: too small to test: n=14" in html
    # the refused joint slope-equality test: its reason, no statistic
    eq = _csv(d, "table4_equality")
    joint = eq[eq["H0 equal across groups"] == "all slopes jointly"].iloc[0]
    assert pd.isna(joint["statistic"]) and "not computable" in joint["reason"]


def test_the_gravity_choice_is_used_recorded_and_replayed(built, no_series):
    from cultnet.analysis.gravity import gravity_links
    from cultnet.graph.store import open_store

    env, base = built["env"], built["base"]
    bad = run(env, "report", "--study", no_series, "-o", str(base / "g-bad"), "--masses", "residents,nope",
              "--income", "gdp", "--tables-only", check=False)
    assert bad.returncode != 0
    msg = " ".join(bad.stderr.split())
    assert "gravity model: nope, gdp not numeric indicator column(s) of the study 'no-series'" in msg
    a = base / "g-a"
    run(env, "report", "--study", no_series, "-o", str(a), *SMALL, "--masses", "residents", "--asymmetry", "none",
        "--income", "income_pc", "--tables-only")
    params = json.loads((a / "params.json").read_text())["params"]
    assert params["gravity"] == {"masses": ["residents"], "asymmetry": None, "income": "income_pc"}
    year = params["year"]
    store = open_store(Settings(backend="embedded", data_dir=Path(env["CULTNET_DATA_DIR"])))
    try:
        s = store.study(no_series)
        want = gravity_links(s.cities(), s.indicators(), masses=("residents",), asymmetry=None, income="income_pc")
    finally:
        store.close()
    want = want[(want["year"] == year) & want["linked"]].sort_values(["source", "target"]).reset_index(drop=True)
    got = _csv(a, f"links_gravity_{year}")
    assert list(zip(got["source"], got["target"])) == list(zip(want["source"], want["target"]))
    _close(got["weight"], want["weight"], rtol=1e-9)
    # the defaults give another network: the choice was used
    d = base / "no-series"
    if (d / "params.json").is_file():
        assert json.loads((d / "params.json").read_text())["params"]["gravity"] != params["gravity"]
    # replayed from params.json (as replicate.sh does): the same tables, byte for byte
    b = base / "g-b"
    run(env, "report", "--study", no_series, "-o", str(b), "--params", str(a / "params.json"), "--tables-only")
    names = sorted(p.name for p in (a / "tables").iterdir())
    assert names == sorted(p.name for p in (b / "tables").iterdir())
    assert [n for n in names if (a / "tables" / n).read_bytes() != (b / "tables" / n).read_bytes()] == []

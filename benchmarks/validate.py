"""Validation cost: peak memory and time of ``etl.load.validate_files`` on big edge files, and
the hostile small files of issue 11 item 9.

```bash
python benchmarks/validate.py                       # 10 MB and 100 MB edge files
python benchmarks/validate.py --sizes 10 --hostile  # + the hostile files
python benchmarks/validate.py --json out.json
git archive 3b94ebe | tar -x -C /tmp/before && python benchmarks/validate.py --baseline-src /tmp/before
```

Each measurement runs in its own Python process (``python -c``: import cultnet, validate, exit)
whose peak RSS is read with ``os.wait4`` (Linux ``ru_maxrss``, KiB); the baseline row is the same
process validating a 3-line file, so ``peak - baseline`` is what the input costs. The process
runs under an address-space limit (``--max-gb``, default 6) so that a regression cannot take the
machine's memory; a process killed by it is reported as ``killed (limit)``.

The edge files are seeded (``--seed``): 14 cities, 20,000 enterprises, rows
``E0001234,E0005678,<weight 1-9>,<year 2010-2019>`` (about 24 bytes a row), written once into
``--dir`` (default a temporary directory) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITIES = ["Shenyang", "Dalian", "Anshan", "Fushun", "Benxi", "Dandong", "Jinzhou", "Yingkou",
          "Fuxin", "Liaoyang", "Panjin", "Tieling", "Chaoyang", "Huludao"]
N_ENT = 20_000

_CHILD = """
import sys, time
SRC = sys.argv.pop(1)
""" + (Path(__file__).with_name("_baseline_prelude.py")).read_text() + """
from cultnet.errors import ValidationError
from cultnet.etl.load import validate_files
kw = {k: v for k, v in (a.split('=', 1) for a in sys.argv[1:])}
t = time.perf_counter()
try:
    b = validate_files(None, **kw)
    out = 'ok ' + str(b.row_count()) + ' rows'
except ValidationError as e:
    out = 'refused: ' + (str(e.problems[0]) if e.problems else '')
print(f'{time.perf_counter() - t:.3f}\\t{out[:300]}')
"""


def write_inputs(d: Path, sizes_mb: list[int], seed: int) -> dict[str, Path]:
    d.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cities = d / "cities.csv"
    if not cities.exists():
        cities.write_text("name,lat,lon\n" + "".join(f"{c},{40 + i * 0.1:.2f},{120 + i * 0.1:.2f}\n"
                                                    for i, c in enumerate(CITIES)))
    ents = d / "enterprises.csv"
    if not ents.exists():
        ents.write_text("id,name,city\n" + "".join(f"E{i:07d},Firm {i},{CITIES[i % 14]}\n"
                                                   for i in range(N_ENT)))
    out = {"cities": cities, "enterprises": ents}
    for mb in sizes_mb:
        p = d / f"edges_{mb}mb.csv"
        if not p.exists():
            target = mb * 2**20 - 100  # just under the default 100 MB limit for --sizes 100
            with open(p, "w") as f:
                f.write("source,target,weight,year\n")
                n = 26
                while n < target - 30:
                    a = rng.randrange(N_ENT)
                    b = rng.randrange(N_ENT - 1)
                    b += b >= a
                    row = f"E{a:07d},E{b:07d},{rng.randint(1, 9)},{rng.randint(2010, 2019)}\n"
                    f.write(row)
                    n += len(row)
        out[f"edges_{mb}mb"] = p
    return out


def hostile_inputs(d: Path) -> dict[str, Path]:
    """The red team's small files (issue 11 item 9) and their siblings."""
    d.mkdir(parents=True, exist_ok=True)
    files = {
        "pajek_3e9.net": "*Vertices 3000000000\n*Arcs\n1 2\n",
        "pajek_2e7.net": "*Vertices 20000000\n*Arcs\n1 2\n",
        "pajek_superscript.net": "*Vertices \u00b2\n*Arcs\n1 2\n",
    }
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    clash = d / "pajek_40k_labels.net"
    if not clash.exists():
        n = 20_000  # 40k vertices; every listed label is the number of an unlisted vertex
        with open(clash, "w") as f:
            f.write(f"*Vertices {2 * n}\n")
            for i in range(1, n + 1):
                f.write(f'{i} "{n + i}"\n')
            f.write("*Arcs\n1 2\n")
    wide = d / "wide_1e6_columns.csv"
    if not wide.exists():
        with open(wide, "w") as f:
            f.write(",".join(f"c{i}" for i in range(1_000_000)) + "\n")
            f.write(",".join("1" for _ in range(1_000_000)) + "\n")
    return {p.stem: p for p in (d / n for n in [*files, clash.name, wide.name])}


def measure(args: list[str], max_gb: float, timeout: float = 900, src: str = "") -> dict:
    def limit() -> None:
        lim = int(max_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([sys.executable, "-c", _CHILD, src, *args], stdout=out, stderr=subprocess.STDOUT,
                             preexec_fn=limit)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode("utf-8", "replace").strip()
    code = os.waitstatus_to_exitcode(status)
    line = text.splitlines()[-1] if text else ""
    secs, _, outcome = line.partition("\t")
    if code != 0:
        outcome = "killed (limit or timeout)" if code < 0 or "MemoryError" in text else f"exit {code}: {text[-300:]}"
        secs = ""
    return {"validate_s": float(secs) if secs else None, "process_s": round(wall, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "outcome": outcome}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,100", help="edge file sizes in MB (comma-separated)")
    ap.add_argument("--hostile", action="store_true", help="also the hostile small files")
    ap.add_argument("--only-hostile", action="store_true")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--max-gb", type=float, default=6.0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--baseline-src", default="",
                    help="a source tree (e.g. `git archive` of an older commit) measured too, in the same run")
    a = ap.parse_args(argv)
    d = a.dir or Path(tempfile.gettempdir()) / "cultnet-bench-validate"
    sizes = [] if a.only_hostile else [int(s) for s in a.sizes.split(",") if s]
    files = write_inputs(d, sizes, a.seed)
    rows = []
    small = d / "small.csv"
    small.write_text("name,lat,lon\nA,1,1\nB,2,2\n")
    cases = [("baseline (3-line cities file)", small, [f"cities={small}"])]
    for mb in sizes:
        p = files[f"edges_{mb}mb"]
        cases.append((f"edges {mb} MB + enterprises + cities", p,
                      [f"cities={files['cities']}", f"enterprises={files['enterprises']}", f"edges={p}"]))
    if a.hostile or a.only_hostile:
        for name, p in hostile_inputs(d / "hostile").items():
            role = "cities" if p.suffix == ".csv" else "edges"
            cases.append((name, p, [f"{role}={p}"]))
    trees = [("this tree", "")] + ([("baseline", a.baseline_src)] if a.baseline_src else [])
    for name, p, args in cases:
        for tree, src in trees:
            rows.append((name, tree, p.stat().st_size, measure(args, a.max_gb, src=src)))
    print(f"{'input':38} {'code':10} {'bytes':>11} {'validate s':>10} {'peak RSS MB':>11}  outcome")
    for name, tree, size, r in rows:
        vs = "" if r["validate_s"] is None else f"{r['validate_s']:.2f}"
        print(f"{name:38} {tree:10} {size:>11,} {vs:>10} {r['peak_rss_mb']:>11.1f}  {r['outcome'][:80]}")
    if a.json:
        a.json.write_text(json.dumps([{"input": n, "code": t, "bytes": s, **r} for n, t, s, r in rows], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

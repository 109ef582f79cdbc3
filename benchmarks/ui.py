"""Explorer timings: first render and page switch of every page, on the sample data.

Runs the app in-process with Streamlit's AppTest (the same script runs a browser session
would), against a fresh embedded store loaded with the sample in a temporary directory:

* **first render**: the first visit of each page in a new process (cold caches: store reads,
  gravity network, model fits);
* **page switch**: later visits (warm caches), the median of ``--rounds`` rounds.

The target is a page switch well under a second after the first load. Usage::

    python benchmarks/ui.py [--rounds 3] [--out benchmarks/results/ui.json]

AppTest adds its own overhead (~0.05-0.1 s per run); times in a browser are similar plus
network and drawing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ["overview", "network_map", "centrality", "structure", "roles", "drivers", "upgrading",
         "dynamics", "console", "data"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "ui.json"))
    args = ap.parse_args()

    from cultnet.settings import Settings
    from cultnet.etl.load import load_sample
    from cultnet.graph.store import open_store

    tmp = tempfile.mkdtemp(prefix="cultnet-bench-ui-")
    env = {"CULTNET_BACKEND": "embedded", "CULTNET_DATA_DIR": tmp}
    os.environ.update(env)
    store = open_store(Settings.from_env())
    t = time.perf_counter()
    load_sample(store)
    load_s = time.perf_counter() - t
    store.close()

    from streamlit.testing.v1 import AppTest
    import streamlit as st

    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=600)
    t = time.perf_counter()
    at.run()  # the router + the default page (Overview)
    startup = time.perf_counter() - t
    first: dict[str, float] = {}
    for page in PAGES:
        at.switch_page(f"views/{page}.py")
        t = time.perf_counter()
        at.run()
        first[page] = time.perf_counter() - t
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].value}")
    switch: dict[str, list[float]] = {p: [] for p in PAGES}
    for _ in range(args.rounds):
        for page in PAGES:
            at.switch_page(f"views/{page}.py")
            t = time.perf_counter()
            at.run()
            switch[page].append(time.perf_counter() - t)
    st.cache_resource.clear()
    from cultnet.graph.embedded_store import stop_server

    stop_server(Settings.from_env())  # the embedded server outlives its clients

    rows = [{"page": p, "first_render_s": round(first[p], 3),
             "page_switch_s": round(statistics.median(switch[p]), 3)} for p in PAGES]
    result = {
        "what": "AppTest run times on the sample data (embedded store)",
        "startup_s (router + Overview, cold)": round(startup, 3),
        "sample_load_s": round(load_s, 3),
        "rounds": args.rounds,
        "pages": rows,
        "page_switch_median_s": round(statistics.median(r["page_switch_s"] for r in rows), 3),
        "page_switch_max_s": round(max(r["page_switch_s"] for r in rows), 3),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(f"sample load {load_s:.2f} s; app start (router + Overview, cold) {startup:.2f} s")
    print(f"{'page':<14}{'first render (s)':>18}{'page switch (s)':>18}")
    for r in rows:
        print(f"{r['page']:<14}{r['first_render_s']:>18.3f}{r['page_switch_s']:>18.3f}")
    print(f"page switch: median {result['page_switch_median_s']:.3f} s, "
          f"max {result['page_switch_max_s']:.3f} s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Generate a SIMULATED second region for cultnet's study tests (``tests/data/region/``).

THE DATA WRITTEN BY THIS SCRIPT ARE SIMULATED. They are not official statistics and must not be
cited as such. Only the city names, their Chinese names and their approximate city-centre
coordinates are real facts (Shanxi's 11 prefecture-level cities); every number is drawn from the
data-generating process below with a fixed seed.

The region is deliberately *not* shaped like the paper's Liaoning sample, so that a tool which
only works on the paper's data fails on it:

* other column names: ``revenue, broadband, patents, visitors, residents, income_pc`` (not cul,
  dig, tech, res, dem, sys, pop, gdp_pc);
* a cities file with Chinese headers (``城市, 中文名, 省份, 纬度, 经度``);
* other years (2012-2019, 8 years) and another number of cities (11);
* a city-level three-column edge list ``node, partner, frequency`` (undirected, no year), with
  one city (Shuozhou) that has no link at all and one pair given twice (summed by the loader);
* a user group file (``city, group``: north / central / south Shanxi);
* a quarterly series for the province with its own variable names.

Usage::

    python scripts/make_region.py                  # writes tests/data/region/
    python scripts/make_region.py --out /tmp/x     # anywhere else (the test regenerates it)

The output is a pure function of ``--seed`` (default :data:`SEED`): every float is written with
:data:`FLOAT_FORMAT`, so reruns are byte-identical.

Data-generating process (natural logs; i = city, t = year; e ~ N(0, 0.05^2) independent):

    ln broadband_it = ln b_i + 0.09 (t - 2012) + e
    ln patents_it   = ln p_i + 0.07 (t - 2012) + e
    ln visitors_it  = ln v_i + 0.11 (t - 2012) + e
    ln revenue_it   = a_i + 0.40 ln broadband_it + 0.20 ln patents_it + 0.30 ln visitors_it
                      + d_t + u_it,   u_it ~ N(0, 0.04^2),  d_t = 0.02 (t - 2012)
    residents_it    = residents_i * (1 + g_i)^(t - 2012),  g_i ~ U(-0.006, 0.006)
    income_pc_it    = income_i * 1.06^(t - 2012) * exp(e)

The true slopes (0.40, 0.20, 0.30) are written to ``truth.json``; a two-way fixed-effects panel
of ln revenue on ln broadband, ln patents, ln visitors recovers them within sampling error.
Link frequencies: Poisson with mean 1 + 14 * (m_i m_j)^(1/2) / d_ij^1.2 scaled to a mean of about
5, on a fixed list of plausible pairs.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20120101
GENERATOR_VERSION = "1.0.0"
FLOAT_FORMAT = "%.6f"
YEARS = list(range(2012, 2020))
QUARTERS = [f"{y}Q{q}" for y in YEARS for q in range(1, 5)]
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "data" / "region"
STUDY = "shanxi"

# name, name_zh, lat, lon, group, then SIMULATION CALIBRATION TARGETS (not data): residents 2012
# (10k persons), income per head 2012 (yuan), broadband 2012 (10k subscriptions), patents 2012,
# visitors 2012 (10k arrivals)
CITIES = [
    ("Taiyuan", "太原", 37.8706, 112.5489, "central", 425, 62000, 120.0, 5200, 3900),
    ("Datong", "大同", 40.0768, 113.3001, "north", 335, 30000, 48.0, 900, 2600),
    ("Yangquan", "阳泉", 37.8570, 113.5805, "central", 138, 41000, 22.0, 420, 700),
    ("Changzhi", "长治", 36.1954, 113.1163, "south", 338, 38000, 45.0, 800, 1700),
    ("Jincheng", "晋城", 35.4906, 112.8513, "south", 230, 45000, 33.0, 700, 1500),
    ("Shuozhou", "朔州", 39.3316, 112.4329, "north", 172, 52000, 24.0, 300, 600),
    ("Jinzhong", "晋中", 37.6870, 112.7528, "central", 330, 33000, 42.0, 1100, 2300),
    ("Yuncheng", "运城", 35.0263, 111.0070, "south", 518, 22000, 55.0, 650, 2100),
    ("Xinzhou", "忻州", 38.4167, 112.7342, "north", 310, 21000, 34.0, 280, 1600),
    ("Linfen", "临汾", 36.0880, 111.5190, "south", 438, 27000, 50.0, 500, 2200),
    ("Lüliang", "吕梁", 37.5193, 111.1443, "central", 380, 30000, 38.0, 330, 1000),
]
# plausible cooperation pairs (Shuozhou has none: an isolated city); one pair is listed twice,
# once in each order, as real exports often do (the loader sums it)
PAIRS = [
    ("Taiyuan", "Jinzhong"), ("Taiyuan", "Yangquan"), ("Taiyuan", "Xinzhou"), ("Taiyuan", "Lüliang"),
    ("Taiyuan", "Datong"), ("Taiyuan", "Changzhi"), ("Taiyuan", "Linfen"), ("Taiyuan", "Yuncheng"),
    ("Jinzhong", "Yangquan"), ("Jinzhong", "Lüliang"), ("Changzhi", "Jincheng"),
    ("Linfen", "Yuncheng"), ("Linfen", "Lüliang"), ("Datong", "Xinzhou"), ("Jincheng", "Yuncheng"),
    ("Changzhi", "Linfen"), ("Jinzhong", "Changzhi"), ("Yuncheng", "Linfen"),
]
TRUE = {"broadband": 0.40, "patents": 0.20, "visitors": 0.30}


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def generate(seed: int = SEED) -> dict[str, pd.DataFrame | dict]:
    rng = np.random.default_rng(seed)
    cities = pd.DataFrame({"城市": [c[0] for c in CITIES], "中文名": [c[1] for c in CITIES],
                           "省份": "山西", "纬度": [c[2] for c in CITIES],
                           "经度": [c[3] for c in CITIES]})
    groups = pd.DataFrame({"city": [c[0] for c in CITIES], "group": [c[4] for c in CITIES]})
    rows = []
    alpha = rng.normal(2.0, 0.15, len(CITIES))
    growth = rng.uniform(-0.006, 0.006, len(CITIES))
    for i, (name, _zh, _lat, _lon, _g, res0, inc0, bb0, pat0, vis0) in enumerate(CITIES):
        for y in YEARS:
            t = y - YEARS[0]
            e = rng.normal(0, 0.05, 4)
            lbb = math.log(bb0) + 0.09 * t + e[0]
            lpat = math.log(pat0) + 0.07 * t + e[1]
            lvis = math.log(vis0) + 0.11 * t + e[2]
            lrev = (alpha[i] + TRUE["broadband"] * lbb + TRUE["patents"] * lpat
                    + TRUE["visitors"] * lvis + 0.02 * t + rng.normal(0, 0.04))
            rows.append({"city": name, "year": y, "revenue": math.exp(lrev),
                         "broadband": math.exp(lbb), "patents": round(math.exp(lpat)),
                         "visitors": math.exp(lvis), "residents": res0 * (1 + growth[i]) ** t,
                         "income_pc": inc0 * 1.06 ** t * math.exp(e[3])})
    indicators = pd.DataFrame(rows)
    pos = {c[0]: (c[2], c[3]) for c in CITIES}
    mass = {c[0]: c[5] for c in CITIES}
    raw = [math.sqrt(mass[a] * mass[b]) / haversine(*pos[a], *pos[b]) ** 1.2 for a, b in PAIRS]
    scale = 4.0 / float(np.mean(raw))
    links = pd.DataFrame({"node": [a for a, _ in PAIRS], "partner": [b for _, b in PAIRS],
                          "frequency": [1 + int(rng.poisson(r * scale)) for r in raw]})
    # the quarterly provincial series: a stable VAR(1) in logs with its own names
    A = np.array([[0.55, 0.20, 0.05], [0.10, 0.60, 0.05], [0.05, 0.15, 0.50]])
    mu = np.array([4.0, -0.9, 2.5])
    x = mu.copy()
    series = []
    for k, q in enumerate(QUARTERS):
        x = mu + A @ (x - mu) + np.array([0.012, 0.006, 0.010]) * k / 4 + rng.normal(0, [0.04, 0.02, 0.05])
        series.append({"region": "Shanxi", "period": q, "freq": "Q", "online_sales": math.exp(x[0]),
                       "broadband_rate": math.exp(x[1]), "visitor_index": math.exp(x[2])})
    truth = {"seed": seed, "generator": "scripts/make_region.py", "generator_version": GENERATOR_VERSION,
             "simulated": True,
             "panel": {"model": "two-way FE, ln revenue on ln broadband, ln patents, ln visitors",
                       "slopes": {f"ln_{k}": v for k, v in TRUE.items()}},
             "var": {"A": A.tolist(), "variables": ["ln_online_sales", "ln_broadband_rate", "ln_visitor_index"]}}
    return {"cities": cities, "indicators": indicators, "links": links, "groups": groups,
            "series": pd.DataFrame(series), "truth": truth}


README = """# SIMULATED second region: Shanxi (11 prefecture-level cities), 2012-2019

**These data are SIMULATED.** They are generated by `scripts/make_region.py` (seed {seed}) and are
not official statistics. Only the city names, Chinese names and approximate city-centre
coordinates are real. They exist to test that cultnet works on a user's own region, loaded into
its own study next to the simulated Liaoning sample (issue 15), with nothing named like the paper:

| file | what | shape |
|---|---|---|
| `cities.csv` | 11 cities; **Chinese headers** 城市 (name), 中文名 (name_zh), 省份 (province), 纬度 (lat), 经度 (lon) | 11 rows |
| `indicators.csv` | city, year (2012-2019) + revenue, broadband, patents, visitors, residents, income_pc | 88 rows |
| `links.csv` | city-level **three-column** list `node, partner, frequency` (undirected, no year); Shuozhou has no link; Linfen-Yuncheng is listed twice (the loader sums it) | {links} rows |
| `groups.csv` | a user grouping: `city, group` (north, central, south) | 11 rows |
| `series.csv` | quarterly provincial series 2012Q1-2019Q4: online_sales, broadband_rate, visitor_index | 32 rows |
| `truth.json` | the true parameters of the data-generating process | |

The data-generating process is in the docstring of `scripts/make_region.py`; the panel's true
slopes (two-way FE, ln revenue on ln broadband, ln patents, ln visitors) are 0.40, 0.20, 0.30.

Load it as its own study (the sample stays untouched in `liaoning-sample`):

```bash
cultnet load --study shanxi --cities tests/data/region/cities.csv \\
    --indicators tests/data/region/indicators.csv --edges tests/data/region/links.csv \\
    --series tests/data/region/series.csv
cultnet --study shanxi gravity --write --masses residents,revenue --asymmetry revenue --income income_pc
cultnet --study shanxi panel --y revenue --x broadband,patents,visitors --log --effects twoway \\
    --cov clustered --groups tests/data/region/groups.csv
```
"""


def write(out: Path, seed: int = SEED) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    d = generate(seed)
    paths = []
    for name in ("cities", "indicators", "links", "groups", "series"):
        p = out / f"{name}.csv"
        d[name].to_csv(p, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        paths.append(p)
    p = out / "truth.json"
    p.write_text(json.dumps(d["truth"], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    paths.append(p)
    p = out / "README.md"
    p.write_text(README.format(seed=seed, links=len(d["links"])), encoding="utf-8")
    paths.append(p)
    manifest = {"simulated": True, "generator": "scripts/make_region.py",
                "generator_version": GENERATOR_VERSION, "seed": seed, "study": STUDY,
                "directed": False,
                "description": "SIMULATED second region for cultnet's study tests: Shanxi's 11 "
                               "prefecture-level cities (real names and approximate coordinates), "
                               "2012-2019; NOT official statistics.",
                "files": sorted(x.name for x in paths)}
    p = out / "manifest.json"
    p.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*paths, p]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    for p in write(args.out, args.seed):
        print(p)


if __name__ == "__main__":
    main()

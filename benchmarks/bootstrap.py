"""Wild cluster bootstrap speed: cultnet's numpy WCR against wildboottest (numba) and a refit loop.

    python benchmarks/bootstrap.py                       # G = 14, 40, 200 clusters; B = 9,999
    python benchmarks/bootstrap.py --clusters 14,40 --reps 99999 --json out.json

Same data for every contender: a simulated panel (G clusters × 10 periods, 3 regressors and a
constant, cluster effects in x and u; seeded), one coefficient tested, Rademacher weights, the
symmetric p-value only (no CI: wildboottest has none). Contenders:

* ``cultnet``: :class:`cultnet.analysis.bootstrap.WildBootstrap` ``.test_coef(..., ci=False)``;
* ``cultnet+CI``: the same with the test-inversion confidence interval (what the panel models run);
* ``wildboottest first``: ``wildboottest.WildboottestCL`` in a fresh process, including numba's
  compile on first use (what a CLI call pays);
* ``wildboottest warm``: the second call in that process;
* ``refit loop``: B OLS refits with the CRV1 formula in numpy (what a user writes by hand),
  timed on min(B, 999) draws and scaled to B (linear in B).

Times are wall-clock seconds, best of ``--repeat`` runs, on whatever else the machine is running:
the ratios measured in one run are what this reports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time

import numpy as np


def panel(G: int, T: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(G), T)
    a = rng.normal(size=G)[g]
    X = np.column_stack([np.ones(G * T), *(rng.normal(size=G * T) + 0.5 * a for _ in range(3))])
    y = X @ [1.0, 0.2, 0.0, -0.1] + a + rng.normal(size=G * T)
    return X, y, g


def t_cultnet(X, y, g, reps, ci):
    from cultnet.analysis.bootstrap import WildBootstrap

    t0 = time.perf_counter()
    r = WildBootstrap(X, y, g).test_coef(2, weights="rademacher", reps=reps, seed=1, ci=ci)
    return time.perf_counter() - t0, r.p_value


def t_refit(X, y, g, reps):
    G = g.max() + 1
    N, K = X.shape
    c = G / (G - 1) * (N - 1) / (N - K)
    XtXi = np.linalg.inv(X.T @ X)
    j = 2
    keep = [k for k in range(K) if k != j]
    bt = np.linalg.lstsq(X[:, keep], y, rcond=None)[0]
    fit0 = X[:, keep] @ bt
    ut = y - fit0

    def tstat(yy):
        b = XtXi @ (X.T @ yy)
        u = yy - X @ b
        sc = np.zeros((G, K))
        np.add.at(sc, g, X * u[:, None])
        V = c * XtXi @ sc.T @ sc @ XtXi
        return b[j] / np.sqrt(V[j, j])

    t_hat = tstat(y)
    n = min(reps, 999)
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    ts = [tstat(fit0 + ut * (rng.integers(0, 2, G) * 2.0 - 1)[g]) for _ in range(n)]
    dt = (time.perf_counter() - t0) * reps / n
    return dt, float(np.mean(np.abs(ts) > abs(t_hat)))


WBT = textwrap.dedent("""
    import json, sys, time, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    G, reps = int(sys.argv[1]), int(sys.argv[2])
    sys.path.insert(0, sys.argv[3])
    from bootstrap import panel
    X, y, g = panel(G)
    out = []
    for _ in range(2):
        t0 = time.perf_counter()
        from wildboottest.wildboottest import WildboottestCL
        R = np.zeros(X.shape[1]); R[2] = 1.0
        b = WildboottestCL(X=X, Y=y, cluster=g, R=R, B=reps, seed=1, parallel=False)
        b.get_scores(bootstrap_type="11", impose_null=True); b.get_weights("rademacher")
        b.get_numer(); b.get_denom(); b.get_tboot(); b.get_vcov(); b.get_tstat(); b.get_pvalue()
        out.append([time.perf_counter() - t0, float(b.pvalue)])
    print(json.dumps(out))
""")


def t_wildboottest(G, reps):
    from pathlib import Path

    r = subprocess.run([sys.executable, "-c", WBT, str(G), str(reps), str(Path(__file__).parent)],
                       capture_output=True, text=True, timeout=1800)
    if r.returncode:
        return None, None, r.stderr.strip().splitlines()[-1] if r.stderr else "failed"
    (first, p_first), (warm, _) = json.loads(r.stdout.strip().splitlines()[-1])
    return first, warm, f"wildboottest p = {p_first:.4f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", default="14,40,200")
    ap.add_argument("--reps", type=int, default=9999)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()
    rows = []
    for G in (int(v) for v in a.clusters.split(",")):
        X, y, g = panel(G)
        best = lambda f: min((f() for _ in range(a.repeat)), key=lambda r: r[0])  # noqa: E731
        c, p = best(lambda: t_cultnet(X, y, g, a.reps, False))
        cci, _ = best(lambda: t_cultnet(X, y, g, a.reps, True))
        rf, prf = t_refit(X, y, g, a.reps)
        wf, ww, err = t_wildboottest(G, a.reps)
        rows.append({"clusters": G, "reps": a.reps, "cultnet_s": c, "cultnet_ci_s": cci, "refit_loop_s": rf,
                     "wildboottest_first_s": wf, "wildboottest_warm_s": ww, "p_cultnet": p, "p_refit": prf,
                     "note": err})
    hdr = f"{'G':>5} {'B':>7} {'cultnet':>9} {'+CI':>9} {'wbt first':>10} {'wbt warm':>9} {'refit':>9}  ratios (x cultnet)"
    print(hdr)
    for r in rows:
        ratio = lambda v: f"{v / r['cultnet_s']:.1f}" if v else "n/a"  # noqa: E731
        print(f"{r['clusters']:>5} {r['reps']:>7} {r['cultnet_s']:>9.3f} {r['cultnet_ci_s']:>9.3f} "
              f"{(r['wildboottest_first_s'] or float('nan')):>10.3f} {(r['wildboottest_warm_s'] or float('nan')):>9.3f} "
              f"{r['refit_loop_s']:>9.3f}  wbt first {ratio(r['wildboottest_first_s'])}, warm "
              f"{ratio(r['wildboottest_warm_s'])}, refit {ratio(r['refit_loop_s'])}  {r['note']}")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()

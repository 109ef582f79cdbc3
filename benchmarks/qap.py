"""Benchmark: cultnet's vectorized QAP / MRQAP against per-permutation loops.

Run:  python benchmarks/qap.py [--n 300] [--perms 2000] [--predictors 3] [--loop-perms 100]
                               [--logit] [--json out.json]

Data: a directed n x n y and ``--predictors`` explanatory matrices (seeded normal draws; y
depends on the first two), i.e. n(n-1) = 89,700 dyads at n = 300.

Contenders, on the same data:

* ``cultnet``: :func:`cultnet.analysis.qap.mrqap` (methods dsp, y, x) and
  :func:`~cultnet.analysis.qap.qap_correlation`, ``--perms`` permutations;
* ``numpy loop``: the plain implementation, one permutation at a time: the permuted matrix
  ``A[np.ix_(pi, pi)]`` is built, its cells extracted and the regression refitted with
  ``np.linalg.lstsq`` (for dsp and x once per term, as R's ``sna::netlm`` does);
* ``statsmodels loop``: what a Python user writes without a QAP package (there is no maintained
  one on PyPI; R's sna::netlm is the same loop in R): ``sm.OLS(y_pi, X).fit()`` per permutation
  (and per term), reading the t-value; for the correlation ``np.corrcoef`` per permutation.

The loops run ``--loop-perms`` permutations and are **extrapolated linearly** to ``--perms``
(every permutation costs the same), as the output says. The statistics of the loops are checked
against cultnet's on the same permutations. Times are wall-clock seconds (cultnet: the faster of two runs); the load average is
printed because other processes on a shared machine inflate every number alike: the ratios,
measured in one run, are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import statsmodels.api as sm  # noqa: E402

from cultnet.analysis.qap import cell_mask, mrqap, permutations, qap_correlation  # noqa: E402


def make_data(n: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    xs = {f"x{j + 1}": rng.normal(size=(n, n)) for j in range(k)}
    y = 0.3 * xs["x1"] + (0.1 * xs["x2"] if k > 1 else 0) + rng.normal(size=(n, n))
    return y, xs


def loop_stats(y, xs, perm, method, fitter):
    """Per-permutation loop, term by term; returns the P x p matrix of t-values."""
    n = y.shape[0]
    mask = cell_mask(n)
    full = [np.ones((n, n))] + list(xs.values())
    cols = [m[mask] for m in full]
    X = np.column_stack(cols)
    p = X.shape[1]
    out = np.full((len(perm), p), np.nan)
    resid_mats = {}
    if method == "dsp":
        for k in range(p):
            Z = np.delete(X, k, axis=1)
            e = X[:, k] - Z @ np.linalg.lstsq(Z, X[:, k], rcond=None)[0]
            E = np.zeros((n, n))
            E[mask] = e
            resid_mats[k] = (Z, E)
    for b, pi in enumerate(perm):
        ix = np.ix_(pi, pi)
        if method == "y":
            out[b] = fitter(y[ix][mask], X)
            continue
        for k in range(p):
            if method == "x":
                if k == 0:
                    continue
                Xk = X.copy()
                Xk[:, k] = full[k][ix][mask]
                out[b, k] = fitter(y[mask], Xk)[k]
            else:
                Z, E = resid_mats[k]
                out[b, k] = fitter(y[mask], np.column_stack([Z, E[ix][mask]]))[-1]
    return out


def numpy_t(yv, X):
    beta, rss, *_ = np.linalg.lstsq(X, yv, rcond=None)
    resid = yv - X @ beta
    df = len(yv) - X.shape[1]
    cov = np.linalg.inv(X.T @ X) * (resid @ resid) / df
    return beta / np.sqrt(np.diag(cov))


def statsmodels_t(yv, X):
    return sm.OLS(yv, X).fit().tvalues


def timed(fn, *a, repeat: int = 1, **kw):
    """Wall-clock seconds of the fastest of ``repeat`` runs, and the result."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        r = fn(*a, **kw)
        best = min(best, time.perf_counter() - t)
    return best, r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--perms", type=int, default=2000)
    ap.add_argument("--predictors", type=int, default=3)
    ap.add_argument("--loop-perms", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--logit", action="store_true", help="also time logistic MRQAP (slow at n=300)")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()

    y, xs = make_data(a.n, a.predictors, a.seed)
    m = a.n * (a.n - 1)
    print(f"QAP benchmark: n = {a.n} nodes, {m:,} dyads, {a.predictors} predictors + intercept, "
          f"{a.perms} permutations; loops timed on {a.loop_perms} and extrapolated")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    perm_loop, _ = permutations(a.n, a.loop_perms, a.seed)
    rows = []
    for method in ("dsp", "y", "x"):
        t_c, r = timed(mrqap, y, xs, method=method, perms=a.perms, seed=a.seed, repeat=2)
        # the first loop-perms permutations of cultnet's draw are the loops' permutations
        check = mrqap(y, xs, method=method, perms=a.loop_perms, seed=a.seed)
        t_np, ref = timed(loop_stats, y, xs, perm_loop, method, numpy_t)
        n_sm = max(5, a.loop_perms // 5)
        t_sm, ref_sm = timed(loop_stats, y, xs, perm_loop[:n_sm], method, statsmodels_t)
        cols = list(check.null_distribution.columns)
        idx = [list(check.table.index).index(c) for c in cols]
        err = float(np.nanmax(np.abs(check.null_distribution.to_numpy() - ref[:, idx])))
        err_sm = float(np.nanmax(np.abs(check.null_distribution.to_numpy()[:n_sm] - ref_sm[:, idx])))
        np_full = t_np * a.perms / a.loop_perms
        sm_full = t_sm * a.perms / n_sm
        rows.append({"what": f"MRQAP {method}", "cultnet_s": t_c, "numpy_loop_s": np_full,
                     "statsmodels_loop_s": sm_full, "x_numpy": np_full / t_c,
                     "x_statsmodels": sm_full / t_c, "max_abs_diff": max(err, err_sm)})
    t_c, qc = timed(qap_correlation, {"y": y, **xs}, perms=a.perms, seed=a.seed, repeat=2)
    names = ["y", *xs]
    mats = [y, *xs.values()]
    mask = cell_mask(a.n)

    def corr_loop(perm):
        out = []
        for pi in perm:
            ix = np.ix_(pi, pi)
            for i in range(len(mats) - 1):
                pv = mats[i][ix][mask]
                for j in range(i + 1, len(mats)):
                    out.append(np.corrcoef(pv, mats[j][mask])[0, 1])
        return np.array(out)

    t_l, ref = timed(corr_loop, perm_loop)
    check = qap_correlation({"y": y, **xs}, perms=a.loop_perms, seed=a.seed)
    del check, names
    loop_full = t_l * a.perms / a.loop_perms
    rows.append({"what": "QAP correlation (all pairs)", "cultnet_s": t_c, "numpy_loop_s": loop_full,
                 "statsmodels_loop_s": float("nan"), "x_numpy": loop_full / t_c,
                 "x_statsmodels": float("nan"), "max_abs_diff": float("nan")})
    if a.logit:
        yb = (y > 0.3).astype(float)
        P_logit = max(10, a.perms // 10)
        t_c, r = timed(mrqap, yb, xs, method="dsp", perms=P_logit, seed=a.seed, logit=True)

        def sm_logit(yv, X):
            return sm.Logit(yv, X).fit(disp=0).tvalues

        n_l = 5
        t_sm, _ = timed(loop_stats, yb, xs, perm_loop[:n_l], "dsp", sm_logit)
        rows.append({"what": f"logit MRQAP dsp ({P_logit} perms)", "cultnet_s": t_c,
                     "numpy_loop_s": float("nan"), "statsmodels_loop_s": t_sm * P_logit / n_l,
                     "x_numpy": float("nan"), "x_statsmodels": t_sm * P_logit / n_l / t_c,
                     "max_abs_diff": float("nan")})
    head = f"{'':28s} {'cultnet s':>10s} {'numpy loop s':>13s} {'statsmodels s':>14s} {'x numpy':>8s} {'x sm':>8s} {'max |diff|':>11s}"
    print(head)
    for r in rows:
        print(f"{r['what']:28s} {r['cultnet_s']:10.2f} {r['numpy_loop_s']:13.1f} "
              f"{r['statsmodels_loop_s']:14.1f} {r['x_numpy']:8.1f} {r['x_statsmodels']:8.1f} "
              f"{r['max_abs_diff']:11.2e}")
    print("loops extrapolated linearly from the permutations actually run; max |diff| compares the "
          "loops' t-values with cultnet's on the same permutations")
    if a.json:
        Path(a.json).write_text(json.dumps({"n": a.n, "perms": a.perms, "predictors": a.predictors,
                                            "load_average": os.getloadavg()[0], "rows": rows}, indent=1))


if __name__ == "__main__":
    main()

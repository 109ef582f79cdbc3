#!/usr/bin/env python
"""Generate cultnet's SIMULATED sample data set (``data/sample/``).

THE DATA WRITTEN BY THIS SCRIPT ARE SIMULATED. They are not official statistics and must not be
cited as such. The reference paper (Zhang & Zhao, "The Path of Content Innovation and Industrial
Upgrading of Liaoning Regional Cultural Industry under the Support of Digital Technology",
doi:10.65102/is2026204) does not publish its data; cultnet ships this synthetic panel so that every
command runs out of the box and so that the estimators have a *known truth* to recover.

Only the city names and approximate city-centre coordinates are real facts. Every number below is
drawn from the data-generating process (DGP) documented in ``data/sample/README.md``; its true
parameters are written to ``data/sample/truth.json``.

Usage::

    python scripts/make_sample.py                 # writes data/sample/
    python scripts/make_sample.py --out /tmp/x    # anywhere else (tests do this)

The output is a pure function of ``--seed`` (default :data:`SEED`) and :data:`GENERATOR_VERSION`:
components 1-4 draw from ``numpy.random.SeedSequence(seed).spawn(4)``, component 5 from
``default_rng([seed, VAR_DRAW])``, and every float is written with the fixed format
:data:`FLOAT_FORMAT` (truth.json: :data:`JSON_DIGITS` significant digits), so reruns are
byte-identical on any machine but for values within ~1e-16 of a rounding boundary (see
:func:`_rounded`). Runtime is about 2 s of CPU.

``python scripts/make_sample.py --select-var-draw`` reruns the Monte Carlo that chose
:data:`VAR_DRAW` (400 candidate draws of the quarterly VAR, needs statsmodels, ~30 s) and prints
the sampling distribution quoted in the README and the best-scoring candidates.

Components (each with its own random stream, in this order):

1. panel VAR(1) of (ln dig, ln wfb, ln wsb), annual, city fixed effects + year effects;
2. Table-2 regressors (tech, res, dem, sys) and ln cul from a two-way fixed-effects model;
3. macro variables (pop, gdp, em, tis, rc, cultural value added) and the Table-3/4 models of
   the industrial-structure indices isu and tiu, backed out into va1, va2, va3, va3_modern;
4. enterprises and their yearly cooperation edges (heavy-tailed, gravity-like between cities);
5. the provincial quarterly VAR(1) of (ln dt, ln wfb, ln wsb) with a linear trend.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

GENERATOR_VERSION = "1.0.0"
SEED = 20150101
FLOAT_FORMAT = "%.12g"
JSON_DIGITS = 12  # significant digits of every float in truth.json (as FLOAT_FORMAT)
YEARS = list(range(2015, 2025))
T = len(YEARS)
QUARTERS = [f"{y}Q{q}" for y in YEARS for q in range(1, 5)]

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "data" / "sample"

# --------------------------------------------------------------------------------------------
# Cities (real names and approximate city-centre coordinates) and the calibration targets.
# --------------------------------------------------------------------------------------------
# name, name_zh, lat, lon, group (paper Table 4), then SIMULATION CALIBRATION TARGETS (not data):
# pop 2015/2024 (10k persons), gdp 2015/2024 (100M yuan), cul 2015/2024 (10k yuan),
# dig 2015/2024 (10k yuan), museums 2015, R&D 2015 (10k yuan), dem 2015 (yuan), rc 2015 (yuan),
# isu 2015, tiu 2015, primary share 2015, cultural-VA share of GDP 2015, wfb 2015/2024,
# wsb 2015/2024. (The table rows are long on purpose: one city per line.)
CITY_TABLE = [
    # name      zh        lat      lon       group   pop15 pop24 gdp15 gdp24  cul15   cul24    dig15    dig24   mus  tech15   dem15 rc15  isu   tiu  s1    cva   wfb15 wfb24 wsb15 wsb24
    ("Shenyang", "沈阳", 41.8057, 123.4315, "center", 830, 920, 7280, 9027, 856400, 1365100, 1245700, 4202900, 30, 1200000, 3300, 30000, 2.52, 0.50, 0.045, 0.045, 0.58, 0.66, 0.15, 0.21),
    ("Dalian", "大连", 38.9140, 121.6147, "center", 698, 753, 7730, 9517, 721600, 1189300, 987700, 3332300, 28, 1300000, 3500, 32000, 2.46, 0.49, 0.060, 0.042, 0.57, 0.65, 0.14, 0.20),
    ("Anshan", "鞍山", 41.1087, 122.9946, "sub", 346, 320, 2350, 2010, 160000, 265000, 130000, 420000, 10, 250000, 2700, 25000, 2.36, 0.40, 0.050, 0.026, 0.50, 0.57, 0.11, 0.15),
    ("Fushun", "抚顺", 41.8809, 123.9573, "sub", 210, 179, 1220, 950, 95000, 150000, 60000, 180000, 8, 90000, 2500, 22000, 2.34, 0.39, 0.070, 0.024, 0.48, 0.55, 0.10, 0.14),
    ("Benxi", "本溪", 41.2941, 123.7660, "sub", 150, 128, 1170, 950, 80000, 128000, 45000, 140000, 7, 80000, 2450, 22000, 2.37, 0.38, 0.060, 0.024, 0.47, 0.54, 0.10, 0.13),
    ("Dandong", "丹东", 40.0006, 124.3545, "center", 238, 208, 985, 990, 110000, 175000, 80000, 250000, 9, 70000, 2600, 21000, 2.35, 0.44, 0.160, 0.030, 0.52, 0.60, 0.12, 0.17),
    ("Jinzhou", "锦州", 41.0951, 121.1270, "center", 302, 262, 1330, 1370, 155000, 250000, 110000, 360000, 10, 110000, 2650, 22000, 2.28, 0.43, 0.160, 0.030, 0.51, 0.59, 0.12, 0.17),
    ("Yingkou", "营口", 40.6670, 122.2350, "sub", 243, 229, 1510, 1500, 100000, 160000, 70000, 220000, 7, 100000, 2550, 23000, 2.35, 0.39, 0.080, 0.025, 0.48, 0.55, 0.10, 0.14),
    ("Fuxin", "阜新", 42.0218, 121.6700, "edge", 180, 158, 540, 620, 50000, 78000, 25000, 70000, 5, 25000, 2100, 17000, 2.20, 0.32, 0.220, 0.018, 0.42, 0.47, 0.08, 0.10),
    ("Liaoyang", "辽阳", 41.2686, 123.2370, "sub", 183, 154, 1030, 880, 90000, 145000, 55000, 170000, 8, 75000, 2500, 22000, 2.30, 0.38, 0.080, 0.025, 0.49, 0.56, 0.10, 0.14),
    ("Tieling", "铁岭", 42.2862, 123.8420, "edge", 266, 227, 860, 780, 70000, 110000, 40000, 115000, 6, 35000, 2200, 18000, 2.22, 0.33, 0.240, 0.019, 0.43, 0.48, 0.08, 0.11),
    ("Chaoyang", "朝阳", 41.5734, 120.4505, "edge", 295, 272, 870, 1080, 55000, 88000, 30000, 85000, 9, 30000, 2050, 16500, 2.18, 0.31, 0.250, 0.017, 0.41, 0.46, 0.08, 0.10),
    ("Panjin", "盘锦", 41.1199, 122.0707, "sub", 144, 138, 1260, 1450, 85000, 135000, 60000, 185000, 5, 90000, 2650, 24000, 2.33, 0.37, 0.090, 0.024, 0.47, 0.54, 0.10, 0.13),
    ("Huludao", "葫芦岛", 40.7109, 120.8370, "edge", 255, 233, 710, 960, 72000, 115000, 40000, 120000, 6, 30000, 2150, 17500, 2.25, 0.33, 0.150, 0.019, 0.43, 0.48, 0.08, 0.11),
]
CITY_COLS = ["name", "name_zh", "lat", "lon", "group", "pop15", "pop24", "gdp15", "gdp24",
             "cul15", "cul24", "dig15", "dig24", "mus15", "tech15", "dem15", "rc15", "isu15",
             "tiu15", "s1_15", "cva15", "wfb15", "wfb24", "wsb15", "wsb24"]
CITIES = [r[0] for r in CITY_TABLE]
N = len(CITIES)
GROUPS = {"center": ["Shenyang", "Dalian", "Dandong", "Jinzhou"],
          "sub": ["Anshan", "Fushun", "Benxi", "Liaoyang", "Yingkou", "Panjin"],
          "edge": ["Fuxin", "Tieling", "Chaoyang", "Huludao"]}

# --------------------------------------------------------------------------------------------
# True parameters.
# --------------------------------------------------------------------------------------------
# Table 2 (two-way FE):
#   ln cul = a_i + lambda_t + beta . [ln dig, ln tech, ln res, ln dem, ln sys] + e
TABLE2_VARS = ["ln_dig", "ln_tech", "ln_res", "ln_dem", "ln_sys"]
BETA = {"ln_dig": 0.756, "ln_tech": 0.567, "ln_res": 0.195, "ln_dem": 0.284, "ln_sys": -0.030}
TABLE2_WITHIN_R2_TARGET = 0.917
LAMBDA_2020_DIP = -0.015  # extra common year effect in 2020 (with the dem dip: a ~5 % pullback)
LAMBDA_2021_DIP = 0.0

# Table 3/4: regressors [cia, ln dig, ln em, ln tis, ln rc] (entity FE only, no year effects).
TABLE3_VARS = ["cia", "ln_dig", "ln_em", "ln_tis", "ln_rc"]
COEF_SCALE = 0.4          # every Table 3/4 coefficient is the paper's times this factor
PAPER_ISU = {"cia": 0.1573, "ln_dig": 0.2130, "ln_em": 0.2961, "ln_tis": 0.2830, "ln_rc": 0.1147}
PAPER_TIU_POOLED = {"cia": 0.3180, "ln_dig": 0.1649, "ln_em": 1.384, "ln_tis": 0.2500,
                    "ln_rc": 0.1221}
PAPER_TIU_GROUP = {
    "center": {"cia": 0.284, "ln_dig": 0.189, "ln_em": 0.165, "ln_tis": 0.272, "ln_rc": 0.132},
    "sub": {"cia": 0.198, "ln_dig": 0.152, "ln_em": 0.231, "ln_tis": 0.305, "ln_rc": 0.101},
    "edge": {"cia": 0.121, "ln_dig": 0.087, "ln_em": 0.094, "ln_tis": 0.356, "ln_rc": 0.065},
}
ISU_WITHIN_R2_TARGET = 0.917
SIGMA_TIU = 0.0025        # idiosyncratic sd of tiu, all groups (small: 40 obs in the edge group)

# Panel VAR(1), annual, y_it = (ln dig, ln wfb, ln wsb):
#   y_it = mu_i + delta_t + A_P y_i,t-1 + eps_it,  eps ~ N(0, SIGMA_P), t = 2016..2024
PVAR_A = np.array([[0.70, 0.20, 0.10],
                   [0.12, 0.50, 0.05],
                   [0.08, 0.10, 0.45]])
PVAR_SD = np.array([0.06, 0.04, 0.05])
PVAR_CORR = np.array([[1.0, 0.3, 0.2],
                      [0.3, 1.0, 0.1],
                      [0.2, 0.1, 1.0]])
PVAR_TREND = np.array([0.13, 0.012, 0.03])  # delta_t = (I - A_P) @ PVAR_TREND * (t - 2015)

# Provincial quarterly VAR(1), y_t = (ln dt, ln wfb, ln wsb), s = 0 for 2015Q1:
#   y_t = m + g s + x_t,   x_t = VAR_A x_t-1 + u_t,   u_t ~ N(0, VAR_P VAR_P')
#   i.e. y_t = c + d s + VAR_A y_t-1 + u_t with c = (I - A) m + A g, d = (I - A) g.
# VAR_A and VAR_P were calibrated (least squares on the theoretical IRF/FEVD, then rounded) to the
# paper's Figure 7/8 IRFs and Table 5 FEVD; see README.
VAR_A = np.array([[0.915, 0.000, 0.000],
                  [0.024, 0.652, 0.305],
                  [0.017, 0.055, 0.870]])
VAR_P = np.array([[0.0793, 0.0, 0.0],
                  [0.0361, 0.0636, 0.0],
                  [0.0135, -0.0463, 0.0200]])
VAR_M = np.array([math.log(72.0), math.log(0.50), math.log(0.12)])   # dt in 100M yuan / quarter
VAR_G = np.array([0.0308, 0.0030, 0.0075])                            # per quarter
VAR_BURN_IN = 200
VAR_DRAW = 274              # which candidate draw of the quarterly VAR is shipped (see README)
VAR_H = 10

# Cooperation network
N_ENTERPRISES = 3000
DEGREE_EXPONENT = 2.3           # Pareto tail exponent of the enterprise activity weights
EVENTS_2015 = 900               # cooperation events in 2015, growing 12 % a year
EVENTS_GROWTH = 1.12
SHARE_FOUNDED_BY_2015 = 0.6
INTRA_SHARE = {"Shenyang": 0.72, "Dalian": 0.72, "Fuxin": 0.80, "Chaoyang": 0.80}
INTRA_SHARE_DEFAULT = 0.55
CORRIDORS = {"Shenyang": ["Anshan", "Fushun", "Benxi", "Liaoyang", "Tieling"],
             "Dalian": ["Jinzhou", "Yingkou", "Panjin", "Dandong"]}
CORRIDOR_BOOST = 4.0
CORE_PAIR_BOOST = 2.0           # Shenyang <-> Dalian
PERIPHERAL = ["Fuxin", "Chaoyang"]
PERIPHERAL_DAMP = 0.3
ENTERPRISE_KINDS = ["Culture", "Media", "Digital Arts", "Creative Design", "Heritage Services"]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _city_frame() -> pd.DataFrame:
    return pd.DataFrame(CITY_TABLE, columns=CITY_COLS).set_index("name")


def _ar1(rng: np.random.Generator, shape: tuple[int, int], rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) paths along axis 1, innovation sd ``sd`` (marginal sd/sqrt(1-rho^2))."""
    x = np.empty(shape)
    x[:, 0] = rng.normal(0.0, sd / math.sqrt(1 - rho * rho), shape[0])
    for t in range(1, shape[1]):
        x[:, t] = rho * x[:, t - 1] + rng.normal(0.0, sd, shape[0])
    return x


def _two_way_demean(x: np.ndarray) -> np.ndarray:
    """x is (N, T); remove city and year means (balanced panel)."""
    return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()


def _within(x: np.ndarray) -> np.ndarray:
    return x - x.mean(axis=1, keepdims=True)


def _lin_path(v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
    """Log-linear interpolation from v0 (2015) to v1 (2024): (N, T)."""
    k = np.arange(T) / (T - 1)
    return np.exp(np.log(v0)[:, None] + (np.log(v1) - np.log(v0))[:, None] * k[None, :])


def _by_city(a: np.ndarray) -> dict[str, list[float]]:
    return {c: [float(v) for v in a[i]] for i, c in enumerate(CITIES)}


def _vec(d: dict[str, float], names: list[str]) -> np.ndarray:
    return np.array([d[n] for n in names])


def theoretical_irf_fevd(a: np.ndarray, p: np.ndarray, h: int):
    """Orthogonalised IRF Theta_k = A^k P (k = 0..h) and FEVD of a VAR(1).

    Returns (irf, fevd, fe_sd): irf[k, i, j] response of i to shock j; fevd[k, i, j] share of
    i's (k+1)-step forecast error variance due to shock j; fe_sd[k, i] forecast error sd.
    """
    th = np.empty((h + 1, 3, 3))
    m = np.eye(3)
    for k in range(h + 1):
        th[k] = m @ p
        m = a @ m
    cum = np.cumsum(th ** 2, axis=0)
    tot = cum.sum(axis=2)
    return th, cum / tot[:, :, None], np.sqrt(tot)


# --------------------------------------------------------------------------------------------
# 1. panel VAR of (ln dig, ln wfb, ln wsb)
# --------------------------------------------------------------------------------------------
def panel_var(rng: np.random.Generator, cf: pd.DataFrame) -> dict:
    a = PVAR_A
    sigma = np.outer(PVAR_SD, PVAR_SD) * PVAR_CORR
    chol = np.linalg.cholesky(sigma)
    eps = rng.standard_normal((N, T, 3)) @ chol.T          # eps[:, 0] unused (initial year)
    eps[:, 0, :] = 0.0
    y0 = np.log(np.column_stack([cf["dig15"], cf["wfb15"], cf["wsb15"]]))
    y_target = np.log(np.column_stack([cf["dig24"], cf["wfb24"], cf["wsb24"]]))
    delta = np.array([(np.eye(3) - a) @ PVAR_TREND * k for k in range(T)])  # delta[0] unused
    # y_T = A^9 y0 + sum_{k=1..9} A^(9-k) (mu + delta_k + eps_k). mu is solved so that the
    # NOISE-FREE path (eps = 0) hits the 2024 target; it does not depend on the shocks (solving it
    # given the shocks would make mu a function of future eps and bias dynamic-panel estimators).
    apow = [np.linalg.matrix_power(a, j) for j in range(T)]
    s_mat = sum(apow[j] for j in range(T - 1))
    det = sum(apow[T - 1 - k] @ delta[k] for k in range(1, T))
    mu = np.linalg.solve(s_mat, (y_target - y0 @ apow[T - 1].T - det).T).T
    y = np.empty((N, T, 3))
    y[:, 0] = y0
    for k in range(1, T):
        y[:, k] = mu + delta[k] + y[:, k - 1] @ a.T + eps[:, k]
    return {"y": y, "mu": mu, "delta": delta, "eps": eps, "sigma": sigma}


# --------------------------------------------------------------------------------------------
# 2. Table 2: cultural-industry development (two-way FE)
# --------------------------------------------------------------------------------------------
def table2(rng: np.random.Generator, cf: pd.DataFrame, ln_dig: np.ndarray) -> dict:
    k = np.arange(T)[None, :]
    # R&D: city growth 4-9 %/yr + AR(1) deviations
    g_tech = rng.normal(0.065, 0.015, (N, 1))
    ln_tech = np.log(cf["tech15"].to_numpy())[:, None] + g_tech * k + _ar1(rng, (N, T), 0.5, 0.06)
    # museums: latent log count with city growth; integer, never decreasing, >= 1
    g_mus = rng.uniform(0.015, 0.07, (N, 1))
    latent = np.log(cf["mus15"].to_numpy())[:, None] + g_mus * k + _ar1(rng, (N, T), 0.6, 0.05)
    res = np.maximum.accumulate(np.maximum(1, np.rint(np.exp(latent))).astype(int), axis=1)
    # urban per-capita culture/education/entertainment spending; COVID dip 2020-2022
    dem_common = np.array([0, .05, .10, .15, .20, .02, .12, .10, .24, .30])
    g_dem = rng.normal(0.0, 0.012, (N, 1))
    ln_dem = (np.log(cf["dem15"].to_numpy())[:, None] + dem_common[None, :] + g_dem * k
              + _ar1(rng, (N, T), 0.4, 0.05))
    # patent enforcement cases closed: Poisson around a city mean growing ~9 %/yr
    base = np.maximum(4.0, cf["tech15"].to_numpy() / 8000.0)[:, None]
    lam_sys = base * np.exp(0.09 * k + rng.normal(0, 0.15, (N, 1)) * k / 9)
    sys_ = np.maximum(1, rng.poisson(lam_sys))

    x = np.stack([ln_dig, ln_tech, np.log(res), ln_dem, np.log(sys_)], axis=2)   # (N, T, 5)
    beta = _vec(BETA, TABLE2_VARS)
    xb = x @ beta
    # noise sd so that the expected two-way within R^2 equals the target
    v_sig = _two_way_demean(xb).var()
    dof = (N - 1) * (T - 1) / (N * T)
    sigma_e = math.sqrt(v_sig * (1 - TABLE2_WITHIN_R2_TARGET) / TABLE2_WITHIN_R2_TARGET / dof)
    e = rng.normal(0.0, sigma_e, (N, T))
    # year effects: linear (slope solved from the Shenyang & Dalian anchors) + 2020/21 dips
    dip = np.zeros(T)
    dip[YEARS.index(2020)] = LAMBDA_2020_DIP
    dip[YEARS.index(2021)] = LAMBDA_2021_DIP
    ln_c15 = np.log(cf["cul15"].to_numpy())
    ln_c24 = np.log(cf["cul24"].to_numpy())
    anchors = [CITIES.index("Shenyang"), CITIES.index("Dalian")]
    need = np.mean([(ln_c24[i] - ln_c15[i]) - (xb[i, -1] + e[i, -1] - xb[i, 0] - e[i, 0])
                    for i in anchors])
    lam = need * np.arange(T) / (T - 1) + dip
    lam = lam - lam[0]                                       # normalisation: lambda_2015 = 0
    # city effects: hit the 2015 and 2024 targets on average (in logs)
    fit = xb + e + lam[None, :]
    alpha = 0.5 * ((ln_c15 - fit[:, 0]) + (ln_c24 - fit[:, -1]))
    ln_cul = alpha[:, None] + fit
    return {"tech": np.exp(ln_tech), "res": res, "dem": np.exp(ln_dem), "sys": sys_,
            "cul": np.exp(ln_cul), "alpha": alpha, "lam": lam, "e": e, "sigma_e": sigma_e}


# --------------------------------------------------------------------------------------------
# 3. macro variables and the industrial-structure models (Table 3 / 4)
# --------------------------------------------------------------------------------------------
def table3(rng: np.random.Generator, cf: pd.DataFrame, ln_dig: np.ndarray) -> dict:
    k = np.arange(T)[None, :]
    pop = (_lin_path(cf["pop15"].to_numpy(), cf["pop24"].to_numpy())
           * np.exp(_ar1(rng, (N, T), 0.8, 0.003)))
    gdp_shape = np.array([0, -.10, -.09, -.07, -.05, -.07, -.03, -.03, -.01, 0])
    gdp = (_lin_path(cf["gdp15"].to_numpy(), cf["gdp24"].to_numpy())
           * np.exp(gdp_shape[None, :] + _ar1(rng, (N, T), 0.5, 0.015)))
    # employment: 52-58 % of residents, slowly falling rate, AR(1) deviations
    er = rng.uniform(0.52, 0.58, (N, 1))
    ln_em = np.log(er * pop) - 0.004 * k + _ar1(rng, (N, T), 0.6, 0.03)
    # fixed-asset investment: the 2016-17 collapse, partial recovery, city trends, AR(1)
    tis_common = np.array([0, -.45, -.55, -.50, -.45, -.43, -.38, -.33, -.28, -.25])
    tr = rng.uniform(0.65, 0.85, (N, 1))
    g_tis = rng.normal(0.0, 0.02, (N, 1))
    ln_tis = (np.log(tr * cf["gdp15"].to_numpy()[:, None]) + tis_common[None, :] + g_tis * k
              + _ar1(rng, (N, T), 0.5, 0.08))
    # residents' consumption level
    rc_common = 0.055 * np.arange(T) + np.where(np.array(YEARS) == 2020, -0.05, 0.0) \
        + np.where(np.array(YEARS) == 2022, -0.02, 0.0)
    g_rc = rng.normal(0.0, 0.01, (N, 1))
    ln_rc = (np.log(cf["rc15"].to_numpy())[:, None] + rc_common[None, :] + g_rc * k
             + _ar1(rng, (N, T), 0.5, 0.025))
    # cultural-industry value added as a share of GDP -> location quotient cia
    g_cva = rng.normal(0.02, 0.02, (N, 1))
    share = cf["cva15"].to_numpy()[:, None] * np.exp(g_cva * k + _ar1(rng, (N, T), 0.5, 0.10))
    cul_va = share * gdp
    cia = (cul_va / gdp) / (cul_va.sum(axis=0) / gdp.sum(axis=0))[None, :]

    x = np.stack([cia, ln_dig, ln_em, ln_tis, ln_rc], axis=2)          # (N, T, 5)
    grp = np.array([cf.loc[c, "group"] for c in CITIES])

    # isu: pooled coefficients, entity FE
    g_isu = COEF_SCALE * _vec(PAPER_ISU, TABLE3_VARS)
    xg = x @ g_isu
    v_sig = _within(xg).var()
    sigma_isu = math.sqrt(v_sig * (1 - ISU_WITHIN_R2_TARGET) / ISU_WITHIN_R2_TARGET
                          / ((T - 1) / T))
    u_isu = rng.normal(0.0, sigma_isu, (N, T))
    a_isu = cf["isu15"].to_numpy() - xg[:, 0]
    isu = a_isu[:, None] + xg + u_isu

    # tiu: group-specific coefficients, entity FE
    g_tiu = {g: COEF_SCALE * _vec(PAPER_TIU_GROUP[g], TABLE3_VARS) for g in GROUPS}
    xg_t = np.stack([x[i] @ g_tiu[grp[i]] for i in range(N)])
    u_tiu = rng.normal(0.0, SIGMA_TIU, (N, T))
    a_tiu = cf["tiu15"].to_numpy() - xg_t[:, 0]
    tiu = a_tiu[:, None] + xg_t + u_tiu

    # primary share: own process; then s3 = isu - 2 + s1, s2 = 3 - isu - 2 s1
    s1 = cf["s1_15"].to_numpy()[:, None] * np.exp(-0.025 * k + _ar1(rng, (N, T), 0.5, 0.03))
    s3 = isu - 2 + s1
    s2 = 3 - isu - 2 * s1
    if not ((s1 > 0).all() and (s2 > 0).all() and (s3 > 0).all() and (s3 < 1).all()):
        raise RuntimeError("sector shares outside (0, 1): adjust the calibration")
    if not ((tiu > 0).all() and (tiu < 1).all()):
        raise RuntimeError("tiu outside (0, 1): adjust the calibration")
    va1, va2 = s1 * gdp, s2 * gdp
    va3 = gdp - va1 - va2
    return {"pop": pop, "gdp": gdp, "em": np.exp(ln_em), "tis": np.exp(ln_tis), "rc": np.exp(ln_rc),
            "cul_va": cul_va, "cia": cia, "isu": isu, "tiu": tiu, "va1": va1, "va2": va2,
            "va3": va3, "va3_modern": tiu * va3, "a_isu": a_isu, "u_isu": u_isu,
            "sigma_isu": sigma_isu, "g_isu": g_isu, "a_tiu": a_tiu, "u_tiu": u_tiu,
            "g_tiu": g_tiu, "x": x, "grp": grp}


# --------------------------------------------------------------------------------------------
# 4. enterprises and cooperation
# --------------------------------------------------------------------------------------------
def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def city_affinity(cf: pd.DataFrame, sizes: np.ndarray) -> np.ndarray:
    """Row-stochastic P[c, d]: probability that a tie started in city c goes to city d."""
    lat, lon = cf["lat"].to_numpy(), cf["lon"].to_numpy()
    dist = _haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(dist, 1.0)
    g = np.outer(sizes, sizes) / dist ** 2
    np.fill_diagonal(g, 0.0)
    idx = {c: i for i, c in enumerate(CITIES)}
    for hub, partners in CORRIDORS.items():
        for p in partners:
            g[idx[hub], idx[p]] *= CORRIDOR_BOOST
            g[idx[p], idx[hub]] *= CORRIDOR_BOOST
    g[idx["Shenyang"], idx["Dalian"]] *= CORE_PAIR_BOOST
    g[idx["Dalian"], idx["Shenyang"]] *= CORE_PAIR_BOOST
    for p in PERIPHERAL:
        g[idx[p], :] *= PERIPHERAL_DAMP
        g[:, idx[p]] *= PERIPHERAL_DAMP
    out = np.zeros((N, N))
    for i, c in enumerate(CITIES):
        intra = INTRA_SHARE.get(c, INTRA_SHARE_DEFAULT)
        out[i] = (1 - intra) * g[i] / g[i].sum()
        out[i, i] = intra
    return out


def network(rng: np.random.Generator, cf: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    mass = cf["dig24"].to_numpy() ** 0.7
    n_city = np.floor(N_ENTERPRISES * mass / mass.sum()).astype(int)
    n_city[np.argsort(-(N_ENTERPRISES * mass / mass.sum() - n_city), kind="stable")[
        : N_ENTERPRISES - n_city.sum()]] += 1
    city_of = np.repeat(np.arange(N), n_city)
    ne = len(city_of)
    ids = np.array([f"E{j + 1:05d}" for j in range(ne)])
    names, kinds = [], rng.integers(0, len(ENTERPRISE_KINDS), ne)
    counter = dict.fromkeys(CITIES, 0)
    for j in range(ne):
        c = CITIES[city_of[j]]
        counter[c] += 1
        names.append(f"{c} {ENTERPRISE_KINDS[kinds[j]]} Co. {counter[c]}")
    enterprises = pd.DataFrame({"id": ids, "name": names, "city": [CITIES[c] for c in city_of]})
    # activity weights: Pareto tail P(W > w) = w^-(gamma-1), w >= 1
    w = (1.0 - rng.random(ne)) ** (-1.0 / (DEGREE_EXPONENT - 1.0))
    founded = np.where(rng.random(ne) < SHARE_FOUNDED_BY_2015, 2015,
                       rng.integers(2016, 2025, ne))
    aff = city_affinity(cf, n_city.astype(float))
    rows = []
    for y in YEARS:
        n_ev = int(round(EVENTS_2015 * EVENTS_GROWTH ** (y - 2015)))
        active = founded <= y
        wa = np.where(active, w, 0.0)
        src = rng.choice(ne, size=n_ev, p=wa / wa.sum())
        dst_city = np.array([rng.choice(N, p=aff[city_of[s]]) for s in src])
        dst = np.empty(n_ev, dtype=int)
        for d in range(N):
            sel = np.flatnonzero(dst_city == d)
            if sel.size == 0:
                continue
            members = np.flatnonzero((city_of == d) & active)
            pw = wa[members] / wa[members].sum()
            dst[sel] = members[rng.choice(members.size, size=sel.size, p=pw)]
            # no self-loops: redraw (same city only)
            while True:
                bad = sel[dst[sel] == src[sel]]
                if bad.size == 0:
                    break
                dst[bad] = members[rng.choice(members.size, size=bad.size, p=pw)]
        a, b = np.minimum(src, dst), np.maximum(src, dst)
        pairs, counts = np.unique(np.column_stack([a, b]), axis=0, return_counts=True)
        rows.append(pd.DataFrame({"source": ids[pairs[:, 0]], "target": ids[pairs[:, 1]],
                                  "weight": counts.astype(int), "year": y}))
    coop = pd.concat(rows, ignore_index=True)
    info = {"n_enterprises_by_city": {c: int(n) for c, n in zip(CITIES, n_city)},
            "city_affinity": {c: {d: float(aff[i, j]) for j, d in enumerate(CITIES)}
                              for i, c in enumerate(CITIES)}}
    return enterprises, coop, info


# --------------------------------------------------------------------------------------------
# 5. provincial quarterly VAR
# --------------------------------------------------------------------------------------------
def quarterly_var(rng: np.random.Generator) -> dict:
    n = len(QUARTERS)
    u = rng.standard_normal((VAR_BURN_IN + n, 3)) @ VAR_P.T
    x = np.zeros(3)
    xs = np.empty((n, 3))
    for t in range(VAR_BURN_IN + n):
        x = VAR_A @ x + u[t]
        if t >= VAR_BURN_IN:
            xs[t - VAR_BURN_IN] = x
    s = np.arange(n)[:, None]
    y = VAR_M[None, :] + VAR_G[None, :] * s + xs
    return {"y": y}


# --------------------------------------------------------------------------------------------
# assemble and write
# --------------------------------------------------------------------------------------------
def generate(seed: int = SEED) -> tuple[dict[str, pd.DataFrame], dict]:
    """Return ({file name: frame}, truth dict). Pure function of ``seed``."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    cf = _city_frame()
    pv = panel_var(streams[0], cf)
    ln_dig = pv["y"][:, :, 0]
    t2 = table2(streams[1], cf, ln_dig)
    t3 = table3(streams[2], cf, ln_dig)
    enterprises, coop, net_info = network(streams[3], cf)
    qv = quarterly_var(np.random.default_rng([seed, VAR_DRAW]))

    cities = pd.DataFrame({"name": CITIES, "name_zh": cf["name_zh"].to_list(),
                           "province": "Liaoning", "lat": cf["lat"].to_list(),
                           "lon": cf["lon"].to_list()})
    ind = {
        "cul": t2["cul"], "dig": np.exp(ln_dig), "tech": t2["tech"], "res": t2["res"],
        "dem": t2["dem"], "sys": t2["sys"], "pop": t3["pop"], "gdp": t3["gdp"],
        "gdp_pc": t3["gdp"] * 1e8 / (t3["pop"] * 1e4), "va1": t3["va1"], "va2": t3["va2"],
        "va3": t3["va3"], "va3_modern": t3["va3_modern"], "cul_va": t3["cul_va"], "em": t3["em"],
        "tis": t3["tis"], "rc": t3["rc"], "wfb": np.exp(pv["y"][:, :, 1]),
        "wsb": np.exp(pv["y"][:, :, 2]),
    }
    indicators = pd.DataFrame({"city": np.repeat(CITIES, T), "year": np.tile(YEARS, N)})
    for col, v in ind.items():
        indicators[col] = np.asarray(v).reshape(-1)
    series = pd.DataFrame({"region": "Liaoning", "period": QUARTERS, "freq": "Q",
                           "dt": np.exp(qv["y"][:, 0]), "wfb": np.exp(qv["y"][:, 1]),
                           "wsb": np.exp(qv["y"][:, 2])})
    frames = {"cities.csv": cities, "indicators.csv": indicators, "enterprises.csv": enterprises,
              "cooperation.csv": coop, "series.csv": series}
    truth = _truth(seed, cf, pv, t2, t3, net_info)
    return frames, truth


def _truth(seed, cf, pv, t2, t3, net_info) -> dict:
    irf, fevd, fe_sd = theoretical_irf_fevd(VAR_A, VAR_P, VAR_H)
    eye = np.eye(3)
    c_mine = (eye - VAR_A) @ VAR_M + VAR_A @ VAR_G
    d_mine = (eye - VAR_A) @ VAR_G
    g_tiu = t3["g_tiu"]
    return {
        "simulated": True,
        "generator": "scripts/make_sample.py",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "note": "SIMULATED data: true parameters of the data-generating process, not estimates "
                "from real statistics. See data/sample/README.md.",
        "cities": CITIES,
        "years": YEARS,
        "table2": {
            "true_model": "two-way fixed effects: ln cul_it = alpha_i + lambda_t + beta . x_it + e_it, "
                          "e_it iid N(0, sigma_e^2)",
            "estimator": "PanelOLS(ln_cul, x, entity_effects=True, time_effects=True)",
            "regressors": TABLE2_VARS,
            "beta": BETA,
            "sigma_e": t2["sigma_e"],
            "within_r2_target": TABLE2_WITHIN_R2_TARGET,
            "alpha": dict(zip(CITIES, map(float, t2["alpha"]))),
            "lambda": dict(zip(map(str, YEARS), map(float, t2["lam"]))),
            "lambda_normalisation": "lambda_2015 = 0",
            "e": _by_city(t2["e"]),
        },
        "table3_isu": {
            "true_model": "entity fixed effects: isu_it = alpha_i + gamma . x_it + u_it, "
                          "u_it iid N(0, sigma^2); isu = 1*s1 + 2*s2 + 3*s3",
            "estimator": "PanelOLS(isu, x, entity_effects=True)",
            "regressors": TABLE3_VARS,
            "gamma": dict(zip(TABLE3_VARS, map(float, t3["g_isu"]))),
            "paper_gamma": PAPER_ISU,
            "scale": COEF_SCALE,
            "sigma": t3["sigma_isu"],
            "within_r2_target": ISU_WITHIN_R2_TARGET,
            "alpha": dict(zip(CITIES, map(float, t3["a_isu"]))),
            "u": _by_city(t3["u_isu"]),
            "isu": _by_city(t3["isu"]),
        },
        "table4_tiu": {
            "true_model": "entity fixed effects with group-specific slopes: tiu_it = alpha_i + "
                          "gamma_g(i) . x_it + u_it, u_it iid N(0, sigma^2); tiu = va3_modern/va3",
            "estimator": "PanelOLS(tiu, x, entity_effects=True) separately on each group",
            "regressors": TABLE3_VARS,
            "groups": GROUPS,
            "gamma": {g: dict(zip(TABLE3_VARS, map(float, v))) for g, v in g_tiu.items()},
            "paper_gamma": PAPER_TIU_GROUP,
            "scale": COEF_SCALE,
            "sigma": SIGMA_TIU,
            "alpha": dict(zip(CITIES, map(float, t3["a_tiu"]))),
            "u": _by_city(t3["u_tiu"]),
            "tiu": _by_city(t3["tiu"]),
        },
        "table3_tiu_pooled": {
            "note": "NOT a DGP parameter: tiu has group-specific slopes (table4_tiu). A pooled "
                    "entity-FE fit estimates a sample-dependent mixture. The paper's pooled EM "
                    "coefficient 1.384 exceeds all three of its group coefficients and cannot be "
                    "matched.",
            "paper_gamma": PAPER_TIU_POOLED,
        },
        "cia_definition": "cia_it = (cul_va_it / gdp_it) / (sum_j cul_va_jt / sum_j gdp_jt)",
        "panel_var": {
            "true_model": "y_it = mu_i + delta_t + A y_i,t-1 + eps_it, y = (ln dig, ln wfb, ln wsb), "
                          "eps_it iid N(0, Sigma); y_i,2015 fixed (initial condition)",
            "estimator_hint": "city fixed effects AND year effects (or cross-sectional demeaning); "
                              "T = 10 so the within (LSDV) estimator has Nickell bias",
            "variables": ["ln_dig", "ln_wfb", "ln_wsb"],
            "A": PVAR_A.tolist(),
            "Sigma": pv["sigma"].tolist(),
            "mu": {c: pv["mu"][i].tolist() for i, c in enumerate(CITIES)},
            "delta": {str(y): pv["delta"][k].tolist() for k, y in enumerate(YEARS) if k > 0},
            "trend_per_year": PVAR_TREND.tolist(),
            "eps": {c: pv["eps"][i, 1:].tolist() for i, c in enumerate(CITIES)},
            "eps_note": "eps[city][k] is the shock of year 2016 + k, order (ln dig, ln wfb, ln wsb)",
            "eigenvalue_moduli": sorted(np.abs(np.linalg.eigvals(PVAR_A)).tolist(), reverse=True),
        },
        "var": {
            "true_model": "y_s = c + d s + A y_{s-1} + u_s, y = (ln dt, ln wfb, ln wsb), s = 0 at "
                          "2015Q1, u_s iid N(0, Sigma), Sigma = P P'; equivalently y_s = m + g s + x_s "
                          "with x_s = A x_{s-1} + u_s stationary",
            "estimator": "statsmodels VAR(y).fit(1, trend='ct')",
            "variables": ["ln_dt", "ln_wfb", "ln_wsb"],
            "cholesky_order": ["ln_dt", "ln_wfb", "ln_wsb"],
            "A": VAR_A.tolist(),
            "P": VAR_P.tolist(),
            "Sigma": (VAR_P @ VAR_P.T).tolist(),
            "m": VAR_M.tolist(),
            "g": VAR_G.tolist(),
            "c": c_mine.tolist(),
            "d": d_mine.tolist(),
            "eigenvalue_moduli": sorted(np.abs(np.linalg.eigvals(VAR_A)).tolist(), reverse=True),
            "burn_in": VAR_BURN_IN,
            "irf_orth": irf.tolist(),
            "irf_orth_note": "irf_orth[h][i][j]: response of variable i at horizon h (0..10) to a "
                             "one-sd orthogonalised shock in variable j",
            "fevd": fevd.tolist(),
            "fevd_note": "fevd[h][i][j]: share (fraction) of variable i's (h+1)-step forecast error "
                         "variance due to shock j; h = 0 is EViews period 1 / paper 'Current'",
            "forecast_error_sd": fe_sd.tolist(),
            "paper_targets": {
                "irf_ln_dt_to_ln_dt": [0.087, 0.072, 0.063, "...", "~0.039 from h=8"],
                "irf_ln_wfb_to_ln_dt": [0.036, "...", "~0.012 from h=7"],
                "fevd_ln_wfb_from_ln_dt_pct": [23.94, 31.42, 36.22, 40.53, 41.71, 42.31, 43.12,
                                               43.43, 44.13, 44.53, 44.85],
                "fevd_ln_wfb_from_ln_wsb_pct": [0.14, 0.60, 1.03, 2.94, 3.04, 4.59, 5.73, 6.25,
                                                6.75, 7.36, 8.01],
                "forecast_sd_ln_wfb": [0.0761, 0.1087, 0.1226, 0.1576, 0.1724, 0.1807, 0.1906,
                                       0.2008, 0.2139, 0.2219, 0.2240],
            },
        },
        "network": {
            "n_enterprises": N_ENTERPRISES,
            "activity_weight_tail_exponent": DEGREE_EXPONENT,
            "events_2015": EVENTS_2015,
            "events_growth_per_year": EVENTS_GROWTH,
            "share_founded_by_2015": SHARE_FOUNDED_BY_2015,
            "intra_city_share": {c: INTRA_SHARE.get(c, INTRA_SHARE_DEFAULT) for c in CITIES},
            "corridors": CORRIDORS,
            "corridor_boost": CORRIDOR_BOOST,
            "core_pair_boost": CORE_PAIR_BOOST,
            "peripheral": PERIPHERAL,
            "peripheral_damp": PERIPHERAL_DAMP,
            **net_info,
        },
        "calibration_anchors_10k_yuan": {
            "cul": {"Shenyang": [856400, 1365100], "Dalian": [721600, 1189300]},
            "dig": {"Shenyang": [1245700, 4202900], "Dalian": [987700, 3332300]},
            "years": [2015, 2024],
        },
    }


def _rounded(obj):
    """``obj`` with every float rounded to :data:`JSON_DIGITS` significant digits.

    Some stored quantities come out of BLAS reductions (``x @ beta``, ``var()``) whose last bits
    depend on the BLAS build and the CPU (seen: ``sigma_e`` 0.020187569240011905 on one machine,
    0.02018756924001189 on another). Written at the precision of the CSV files (``%.12g``), the
    file is the same on any machine except when a value sits within ~1e-16 of a rounding
    boundary; the test compares truth.json with a tolerance for that reason.
    """
    if isinstance(obj, float):
        return float(f"{obj:.{JSON_DIGITS}g}") if math.isfinite(obj) else obj
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_rounded(v) for v in obj]
    return obj


def write(out: Path, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Generate and write every file of the sample into ``out``."""
    frames, truth = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(out / name, index=False, float_format=FLOAT_FORMAT, lineterminator="\n",
                  encoding="utf-8")
    (out / "truth.json").write_text(json.dumps(_rounded(truth), indent=1, ensure_ascii=False)
                                    + "\n", encoding="utf-8")
    manifest = {
        "simulated": True,
        "generator": "scripts/make_sample.py",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "directed": False,   # cooperation.csv: undirected pairs, stored once with source < target
        "description": "SIMULATED sample data for cultnet: 14 Liaoning prefecture-level cities "
                       "(real names and approximate coordinates), 2015-2024 city-year indicators, "
                       f"{len(frames['enterprises.csv'])} synthetic enterprises with "
                       f"{len(frames['cooperation.csv'])} yearly cooperation edges, and a "
                       "provincial quarterly series. Drawn from a documented data-generating "
                       "process calibrated to magnitudes reported in Zhang & Zhao "
                       "(doi:10.65102/is2026204); NOT official statistics. See README.md; true "
                       "parameters in truth.json.",
        "files": sorted([*frames, "truth.json", "README.md"]),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return frames


def select_var_draw(seed: int = SEED, n_draws: int = 400) -> pd.DataFrame:
    """Monte Carlo over candidate draws ``default_rng([seed, k])`` of the quarterly VAR.

    For each draw: statsmodels ``VAR(y).fit(1, trend="ct")``; sample FEVD share of ln dt in ln wfb
    at h = 0 and 10 (``f0``, ``f10``) and of ln wsb at h = 10 (``fs10``); orthogonalised IRF of
    ln wfb to ln dt at h = 0, 7 (``i0``, ``i7``) and of ln dt to itself at h = 0, 8 (``d0``,
    ``d8``); ``zmax`` = max |A_hat - A| / se. ``score`` = scaled distance of these sample
    statistics from their population values + 2 * max(0, zmax - 2); lowest is best.
    """
    from statsmodels.tsa.api import VAR   # only needed here

    irf, fevd, _ = theoretical_irf_fevd(VAR_A, VAR_P, VAR_H)
    pop = np.array([fevd[0, 1, 0], fevd[10, 1, 0], fevd[10, 1, 2], irf[0, 1, 0], irf[7, 1, 0],
                    irf[0, 0, 0], irf[8, 0, 0]])
    scale = np.array([0.05, 0.05, 0.03, 0.005, 0.005, 0.005, 0.005])
    rows = []
    for k in range(n_draws):
        y = quarterly_var(np.random.default_rng([seed, k]))["y"]
        res = VAR(pd.DataFrame(y, columns=["ln_dt", "ln_wfb", "ln_wsb"])).fit(1, trend="ct")
        f = res.fevd(VAR_H + 1).decomp
        i = res.irf(VAR_H).orth_irfs
        stats = np.array([f[1, 0, 0], f[1, 10, 0], f[1, 10, 2], i[0, 1, 0], i[7, 1, 0],
                          i[0, 0, 0], i[8, 0, 0]])
        zmax = float(np.max(np.abs(res.coefs[0] - VAR_A) / res.stderr.to_numpy()[2:].T))
        dist = float(np.sqrt((((stats - pop) / scale) ** 2).sum()))
        rows.append([k, *stats, zmax, dist + 2 * max(0.0, zmax - 2)])
    return pd.DataFrame(rows, columns=["k", "f0", "f10", "fs10", "i0", "i7", "d0", "d8", "zmax",
                                       "score"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--seed", type=int, default=SEED, help="seed (default %(default)s)")
    ap.add_argument("--select-var-draw", action="store_true",
                    help="rerun the Monte Carlo that chose VAR_DRAW, print it, write nothing")
    args = ap.parse_args(argv)
    if args.select_var_draw:
        mc = select_var_draw(args.seed)
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(mc.drop(columns="k").describe(percentiles=[0.05, 0.5, 0.95]).round(3))
            print(f"share zmax < 3: {(mc.zmax < 3).mean():.3f}, "
                  f"< 3.5: {(mc.zmax < 3.5).mean():.3f}")
            print(mc.sort_values("score").head(5).round(3).to_string(index=False))
        return
    frames = write(args.out, args.seed)
    print(f"wrote {', '.join(frames)} , truth.json, manifest.json to {args.out}")


if __name__ == "__main__":
    main()

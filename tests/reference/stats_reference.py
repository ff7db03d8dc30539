#!/usr/bin/env python3
"""Reference values for virtperf's statistics module (src/stats.rs).

Computed independently of the Rust code, with numpy and scipy (and mpmath for the exact
evaluation of Fieller's quadratic), and written to stats_reference.json beside this script.
tests/stats.rs loads that JSON and checks every number to a relative error below 1e-9.

Not run by CI. To regenerate (from the repository root):

    python3 tests/reference/stats_reference.py > tests/reference/stats_reference.json

Conventions of the JSON:
- `null` means "not available" (the Rust side must return None there);
- every case has a `name`; data sets are written out in full, except the large-n summary,
  which is given by a generator (`x_i = base + ((i * mult) % modulus) * scale`, i = 0..n-1,
  exact in binary floating point) that the Rust test rebuilds;
- p-values, quantiles and bounds are plain doubles, printed with repr (shortest round-trip).
"""

import json
from decimal import Decimal
import math
import pathlib
import platform
import sys

import mpmath
import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import ttost_ind

mpmath.mp.dps = 50

CONFIDENCES = [0.90, 0.95, 0.99]


def opt(x):
    """A float, or None for what is not available (NaN never reaches the JSON)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------------------------------------
# Student's t quantiles: scipy.stats.t.ppf itself.

def t_quantiles():
    dfs = [1, 1.5, 2, 3, 4, 4.7, 7.3, 10, 19, 29, 50, 100, 999, 1000, 2345.6, 9999, 10000, 10001,
           20000, 1e5, 1e6, 1e8]
    ps = [0.5, 0.55, 0.9, 0.95, 0.975, 0.995, 0.9995, 1 - 1e-7, 0.05, 0.025, 1e-9]
    return [{"df": float(df), "p": p, "q": float(stats.t.ppf(p, df))} for df in dfs for p in ps]


# ---------------------------------------------------------------------------------------------
# Summaries: numpy for the moments, scipy.stats.t.ppf for the interval of the mean.

def large_generator():
    return {"n": 20001, "base": 1000.0, "mult": 7919, "modulus": 1009, "scale": 0.125}


def generate(g):
    i = np.arange(g["n"], dtype=np.int64)
    return g["base"] + ((i * g["mult"]) % g["modulus"]).astype(float) * g["scale"]


def summary(name, values, conf, generator=None):
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n >= 2 else None
    cv = sd / abs(mean) * 100.0 if sd is not None and mean != 0 else None
    if n >= 2:
        t = stats.t.ppf(1.0 - (1.0 - conf) / 2.0, n - 1)
        half = t * sd / math.sqrt(n)
        lo, hi = mean - half, mean + half
    else:
        lo = hi = None
    case = {"name": name, "confidence": conf}
    if generator is None:
        case["values"] = [float(v) for v in values]
    else:
        case["generator"] = generator
    case.update({
        "n": n, "mean": mean, "sd": opt(sd), "median": float(np.median(x)),
        "min": float(np.min(x)), "max": float(np.max(x)), "cv_pct": opt(cv),
        "ci_low": opt(lo), "ci_high": opt(hi),
    })
    return case


NATIVE_EVENTS = [1084.5, 1080.2, 1090.1, 1079.9, 1085.0]
DOCKER_EVENTS = [1050.3, 1049.8, 1061.2, 1047.7, 1052.9]
NATIVE_LAT_MS = [2.10, 2.12, 2.08, 2.15, 2.11]
DOCKER_LAT_MS = [2.31, 2.28, 2.40, 2.35, 2.29]


def summaries():
    sets = [
        ("native_events", NATIVE_EVENTS),
        ("docker_events", DOCKER_EVENTS),
        ("n2", [12.5, 13.1]),
        ("n1", [42.0]),
        ("negative", [-3.2, -1.1, -4.7, -2.05, -3.9, -0.6]),
        ("mixed_sign", [-0.8, 2.4, 1.9, 3.3, 0.7, 2.2, 1.4]),
        ("zero_variance", [5.0, 5.0, 5.0]),
        ("even_n_latency", [2.31, 2.28, 2.40, 2.35, 2.29, 2.61]),
    ]
    out = []
    for conf in CONFIDENCES:
        for name, values in sets:
            out.append(summary(name, values, conf))
        g = large_generator()
        out.append(summary("large_n", generate(g), conf, generator=g))
    return out


# ---------------------------------------------------------------------------------------------
# Welch: scipy.stats.ttest_ind(a, b, equal_var=False); a = platform, b = baseline.

def welch_case(name, a, b):
    r = stats.ttest_ind(np.asarray(a, float), np.asarray(b, float), equal_var=False)
    return {"name": name, "a": [float(v) for v in a], "b": [float(v) for v in b],
            "t": float(r.statistic), "df": float(r.df), "p": float(r.pvalue)}


def seeded(seed, n, loc, scale, digits):
    rng = np.random.default_rng(seed)
    return [round(float(v), digits) for v in rng.normal(loc, scale, n)]


def welch_cases():
    return [
        welch_case("events_docker_vs_native", DOCKER_EVENTS, NATIVE_EVENTS),
        welch_case("latency_docker_vs_native", DOCKER_LAT_MS, NATIVE_LAT_MS),
        welch_case("n2_vs_n3", [12.5, 13.1], [11.9, 12.2, 12.0]),
        welch_case("unequal_n_and_spread", seeded(11, 8, 50.0, 6.0, 3), seeded(12, 15, 47.0, 1.5, 3)),
        welch_case("equal_means", [1.0, 2.0, 3.0], [0.0, 2.0, 4.0]),
        welch_case("one_side_constant", [5.0, 5.0, 5.0], [4.1, 4.3, 3.9, 4.2]),
        welch_case("tiny_p", [100.0, 100.1, 99.9, 100.05], [50.0, 50.2, 49.9, 50.1]),
        welch_case("n200", seeded(21, 200, 1000.0, 25.0, 4), seeded(22, 200, 995.0, 20.0, 4)),
    ]


# ---------------------------------------------------------------------------------------------
# Fieller with unequal variances, as mratios::ttestratio(x, y, var.equal = FALSE) computes it,
# written straight from the formula. The arithmetic is done in 50-digit mpmath from the data, so
# the reference is the exact value of the formula given scipy's t quantile.

def fieller(a, b, conf):
    mp = mpmath.mpf
    xa = [mp(repr(v)) for v in a]
    xb = [mp(repr(v)) for v in b]
    na, nb = len(xa), len(xb)
    if na < 2 or nb < 2:
        return {"estimate": float(sum(xa) / na / (sum(xb) / nb)), "df": None, "t_crit": None,
                "unavailable": "too_few_runs"}
    ma = sum(xa) / na
    mb = sum(xb) / nb
    sa2 = sum((v - ma) ** 2 for v in xa) / (na - 1)
    sb2 = sum((v - mb) ** 2 for v in xb) / (nb - 1)
    va, vb = sa2 / na, sb2 / nb
    q = ma / mb
    if va + q * q * vb == 0:
        return {"estimate": float(q), "df": None, "t_crit": None, "unavailable": "no_variation"}
    df = (va + q ** 2 * vb) ** 2 / (va ** 2 / (na - 1) + q ** 4 * vb ** 2 / (nb - 1))
    df = max(mp(1), df)  # mratios: degfest <- max(1, ...)
    t = stats.t.ppf(1.0 - (1.0 - conf) / 2.0, float(df))
    tm = mp(repr(float(t)))
    A = mb ** 2 - tm ** 2 * vb
    B = -2 * ma * mb
    C = ma ** 2 - tm ** 2 * va
    res = {"estimate": float(q), "df": float(df), "t_crit": float(t)}
    disc = B ** 2 - 4 * A * C
    if A <= 0 or disc < 0:
        res["unavailable"] = "baseline_indistinguishable_from_zero"
        return res
    r1 = (-B - mpmath.sqrt(disc)) / (2 * A)
    r2 = (-B + mpmath.sqrt(disc)) / (2 * A)
    res["low"], res["high"] = float(min(r1, r2)), float(max(r1, r2))
    return res


def overhead(q, lo, hi, better):
    """Positive means 'costs more than the baseline'."""
    if better == "higher":
        f = lambda r: (1.0 - r) * 100.0
        return f(q), (None if hi is None else f(hi)), (None if lo is None else f(lo))
    f = lambda r: (r - 1.0) * 100.0
    return f(q), (None if lo is None else f(lo)), (None if hi is None else f(hi))


def change_and_cost(q, lo, hi, unavailable, better):
    """The change of the metric, (q - 1) * 100, and the cost ratio: 1 / q when higher is better
    (time per unit of work), q when lower is better; its interval from Fieller's, only when
    the ratio's interval is bounded and above 0 (a cost is positive)."""
    change = (q - 1.0) * 100.0
    clo = None if lo is None else (lo - 1.0) * 100.0
    chi = None if hi is None else (hi - 1.0) * 100.0
    cost = None if q <= 0 else (1.0 / q if better == "higher" else q)
    if lo is None:
        cost_lo = cost_hi = None
        cost_unavailable = unavailable
    elif lo <= 0:
        cost_lo = cost_hi = None
        cost_unavailable = "platform_indistinguishable_from_zero"
    else:
        cost_lo, cost_hi = (1.0 / hi, 1.0 / lo) if better == "higher" else (lo, hi)
        cost_unavailable = None
    return change, clo, chi, cost, cost_lo, cost_hi, cost_unavailable


def verdict(na, nb, olo, ohi, unavailable, eq_p, alpha, p_adjusted=None):
    """The rule of docs/statistics.md, written again here: the interval decides, equivalence by
    TOST's p-value, and an adjusted p-value (when given) must agree for slower/faster."""
    if na < 2 or nb < 2:
        return "too_few_runs"
    if unavailable is not None:
        return "no_verdict:" + unavailable
    if eq_p is not None and eq_p < alpha:
        return "equivalent"
    adjusted_ok = p_adjusted is None or p_adjusted < alpha
    if olo > 0 and adjusted_ok:
        return "slower"
    if ohi < 0 and adjusted_ok:
        return "faster"
    return "no_significant_difference"


# ---------------------------------------------------------------------------------------------
# Equivalence: TOST on the ratio. A test of mean_a - rho mean_b is Welch's test of a against
# rho * b, so statsmodels' ttost_ind(a, rho * b, 0, 0, usevar='unequal') gives each one-sided
# test: its first test (H0: diff <= 0) at rho = 1 - M/100, its second (H0: diff >= 0) at
# rho = 1 + M/100.

def tost_ratio(a, b, margin):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2 or np.mean(b) == 0:
        return None
    if np.mean(b) < 0:
        a, b = -a, -b
    lo, hi = 1.0 - margin / 100.0, 1.0 + margin / 100.0
    _, (t1, p1, df1), _ = ttost_ind(a, lo * b, 0.0, 0.0, usevar="unequal")
    _, _, (t2, p2, df2) = ttost_ind(a, hi * b, 0.0, 0.0, usevar="unequal")
    return {"lower_t": float(t1), "lower_df": float(df1), "lower_p": float(p1),
            "upper_t": float(t2), "upper_df": float(df2), "upper_p": float(p2),
            "p": float(max(p1, p2))}


def equivalence_case(name, a, b, margin):
    return {"name": name, "a": [float(x) for x in a], "b": [float(x) for x in b], "margin_pct": margin,
            "tost": tost_ratio(a, b, margin)}


def equivalence_cases():
    return [
        equivalence_case("docker_events_5pct", DOCKER_EVENTS, NATIVE_EVENTS, 5.0),
        equivalence_case("docker_events_3pct", DOCKER_EVENTS, NATIVE_EVENTS, 3.0),
        equivalence_case("docker_events_1pct", DOCKER_EVENTS, NATIVE_EVENTS, 1.0),
        equivalence_case("latency_10pct", DOCKER_LAT_MS, NATIVE_LAT_MS, 10.0),
        equivalence_case("no_difference_2pct", [101.2, 99.4, 100.8, 98.9, 100.1],
                         [100.3, 101.0, 99.2, 99.9, 100.6], 2.0),
        equivalence_case("unequal_n_and_spread_20pct", seeded(11, 8, 50.0, 6.0, 3),
                         seeded(12, 15, 47.0, 1.5, 3), 20.0),
        equivalence_case("negative_means", [-10.2, -10.4, -9.9, -10.1], [-10.0, -10.3, -10.1, -9.8, -10.2], 5.0),
        equivalence_case("n2", [100.0, 104.0], [98.0, 99.0], 10.0),
        equivalence_case("platform_constant", [5.0, 5.0, 5.0], [4.9, 5.1, 5.0, 5.05], 5.0),
        equivalence_case("too_few_runs", [5.0], [4.1, 4.3, 3.9], 5.0),
    ]


def fieller_case(name, a, b, conf, better, margin=None):
    f = fieller(a, b, conf)
    lo, hi = f.get("low"), f.get("high")
    o, olo, ohi = overhead(f["estimate"], lo, hi, better)
    change, clo, chi, cost, cost_lo, cost_hi, cost_unavailable = change_and_cost(
        f["estimate"], lo, hi, f.get("unavailable"), better)
    w = stats.ttest_ind(np.asarray(a, float), np.asarray(b, float), equal_var=False)
    p = opt(w.pvalue)
    if np.var(a) == 0 and np.var(b) == 0:
        p = None  # scipy gives t = +-inf and p = 0 (or NaN); virtperf: not available
    tost = tost_ratio(a, b, margin) if margin is not None else None
    eq_p = None if tost is None else tost["p"]
    v = verdict(len(a), len(b), olo, ohi, f.get("unavailable"), eq_p, 1.0 - conf)
    interval_excludes_zero = olo is not None and (olo > 0 or ohi < 0)
    agrees = None if p is None or olo is None else ((p < 1.0 - conf) == interval_excludes_zero)
    return {"name": name, "a": [float(x) for x in a], "b": [float(x) for x in b],
            "confidence": conf, "better": better, "margin_pct": margin,
            "estimate": f["estimate"], "df": opt(f["df"]), "t_crit": opt(f["t_crit"]),
            "low": opt(lo), "high": opt(hi), "unavailable": f.get("unavailable"),
            "overhead_pct": o, "overhead_low": opt(olo), "overhead_high": opt(ohi),
            "change_pct": change, "change_low": opt(clo), "change_high": opt(chi),
            "cost_ratio": opt(cost), "cost_low": opt(cost_lo), "cost_high": opt(cost_hi),
            "cost_unavailable": cost_unavailable,
            "welch_p": p, "equivalence_p": eq_p, "verdict": v, "p_value_agrees": agrees}


def fieller_cases():
    out = []
    for conf in CONFIDENCES:
        out.append(fieller_case("events_docker_vs_native", DOCKER_EVENTS, NATIVE_EVENTS, conf, "higher"))
    return out + [
        fieller_case("latency_docker_vs_native", DOCKER_LAT_MS, NATIVE_LAT_MS, 0.95, "lower"),
        fieller_case("baseline_near_zero", [10.0, 11.0, 9.5, 10.5, 10.2], [0.5, -0.3, 1.2, -0.8, 0.1],
                     0.95, "higher"),
        fieller_case("n2", [100.0, 104.0], [98.0, 99.0], 0.95, "higher"),
        fieller_case("no_difference", [101.2, 99.4, 100.8, 98.9, 100.1], [100.3, 101.0, 99.2, 99.9, 100.6],
                     0.95, "higher"),
        fieller_case("faster_lower_is_better", [8.1, 8.3, 8.0, 8.2], [9.0, 9.4, 9.1, 9.2, 9.3], 0.95, "lower"),
        fieller_case("equivalent_within_5pct", [1000.5, 1001.2, 999.8, 1000.9, 1000.1, 1001.0],
                     [1001.1, 1000.4, 1001.9, 1000.7, 1001.5, 1000.9], 0.95, "higher", margin=5.0),
        fieller_case("slower_not_equivalent_1pct", DOCKER_EVENTS, NATIVE_EVENTS, 0.95, "higher", margin=1.0),
        # The (1 - alpha) interval of the change, [-3.5%, -2.3%], reaches past -3.52%, but the
        # (1 - 2 alpha) one lies inside: TOST says equivalent where the old rule did not.
        fieller_case("equivalent_by_tost_not_by_95_interval", DOCKER_EVENTS, NATIVE_EVENTS, 0.95, "higher",
                     margin=3.52),
        fieller_case("platform_constant", [5.0, 5.0, 5.0], [4.1, 4.3, 3.9, 4.2], 0.95, "lower"),
        fieller_case("both_constant", [5.0, 5.0, 5.0], [4.0, 4.0], 0.95, "lower"),
        fieller_case("too_few_runs", [5.0], [4.1, 4.3, 3.9], 0.95, "lower"),
        # Marginal disagreements between the interval and the Welch p-value (found by a seeded
        # search): the interval excludes 1 while p > 0.05, and the reverse.
        fieller_case("interval_significant_p_not", [94.5, 94.1, 103.1, 95.5, 104.3],
                     [108.8, 99.4, 109.3, 115.6], 0.95, "higher"),
        fieller_case("p_significant_interval_not", [96.5, 97.1, 100.7, 110.3, 96.1],
                     [108.4, 113.8, 106.0, 105.6, 104.6], 0.95, "higher"),
        fieller_case("unequal_n_and_spread", seeded(11, 8, 50.0, 6.0, 3), seeded(12, 15, 47.0, 1.5, 3),
                     0.99, "higher"),
        # The platform's mean is not distinguishable from zero: Fieller's interval of the ratio
        # reaches below 0, so the cost ratio (time per unit of work, or the metric's ratio) has
        # no bound on one side, while the change's interval is bounded.
        fieller_case("platform_near_zero_higher", [0.5, -0.3, 1.2, -0.8, 0.1], [10.0, 11.0, 9.5, 10.5, 10.2],
                     0.95, "higher"),
        fieller_case("platform_near_zero_lower", [0.5, -0.3, 1.2, -0.8, 0.9], [10.0, 11.0, 9.5, 10.5, 10.2],
                     0.95, "lower"),
        # A throughput that doubles and a latency that halves: cost ratio 0.5 either way.
        fieller_case("throughput_doubles", [200.5, 199.0, 201.3, 198.8, 200.4], [100.2, 99.6, 100.9, 99.8, 100.5],
                     0.95, "higher"),
        fieller_case("latency_halves", [5.02, 4.97, 5.05, 4.96, 5.00], [10.1, 9.9, 10.05, 9.95, 10.0],
                     0.95, "lower"),
    ]


# ---------------------------------------------------------------------------------------------
# Modified z-scores (Iglewicz & Hoaglin 1993), with IBM's mean-absolute-deviation fallback.

def modified_z(name, values):
    x = np.asarray(values, float)
    med = np.median(x)
    dev = x - med
    mad = np.median(np.abs(dev))
    if mad > 0:
        m, scale = 0.6745 * dev / mad, "mad"
    else:
        meanad = np.mean(np.abs(dev))
        if meanad > 0:
            m, scale = dev / (1.253314 * meanad), "mean_absolute_deviation"
        else:
            m, scale = np.zeros_like(x), "no_spread"
    return {"name": name, "values": [float(v) for v in values], "scores": [float(v) for v in m],
            "scale": scale, "flagged": [int(i) for i in np.nonzero(np.abs(m) > 3.5)[0]]}


def modified_z_cases():
    return [
        modified_z("events_with_outlier", NATIVE_EVENTS + [1130.7]),
        modified_z("mad_zero", [10.0, 10.0, 10.0, 10.0, 12.0]),
        modified_z("all_equal", [3.0, 3.0, 3.0]),
        modified_z("n2_negative", [-4.0, -9.5]),
        modified_z("even_n_two_outliers", [2.31, 2.28, 2.40, 2.35, 2.29, 2.61, 0.9, 2.33]),
        modified_z("n1", [7.0]),
    ]


# ---------------------------------------------------------------------------------------------
# Mann-Kendall: Kendall's tau-b between repetition order and value,
# scipy.stats.kendalltau(method='asymptotic').

def mann_kendall(name, values):
    if len(values) < 3:
        # Not available below 3 runs (scipy's asymptotic variance divides by n - 2 and raises
        # ZeroDivisionError at n = 2).
        return {"name": name, "values": [float(v) for v in values], "tau": None, "p": None,
                "drift_at_0_05": False}
    x = np.arange(len(values))
    r = stats.kendalltau(x, np.asarray(values, float), method="asymptotic")
    tau, p = opt(r.statistic), opt(r.pvalue)
    drift = tau is not None and len(values) >= 4 and p < 0.05
    return {"name": name, "values": [float(v) for v in values], "tau": tau, "p": p,
            "drift_at_0_05": drift}


def mann_kendall_cases():
    return [
        mann_kendall("increasing", [100.0, 101.0, 101.5, 103.0, 102.9, 104.0, 105.2, 106.0]),
        mann_kendall("native_events", NATIVE_EVENTS),
        mann_kendall("ties", [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 2.0]),
        mann_kendall("n4_monotone", [1.0, 2.0, 3.0, 4.0]),
        mann_kendall("n3_monotone", [1.0, 2.0, 3.0]),
        mann_kendall("decreasing_n10", [50.0, 49.2, 49.5, 48.1, 47.7, 47.9, 46.0, 45.2, 45.9, 44.0]),
        mann_kendall("n2", [5.0, 3.0]),
        mann_kendall("constant", [2.0, 2.0, 2.0, 2.0]),
        mann_kendall("n50", seeded(31, 50, 10.0, 1.0, 2)),
        mann_kendall("n60_slight_trend", [round(v + 0.01 * i, 3) for i, v in enumerate(seeded(32, 60, 10.0, 0.3, 3))]),
    ]


# ---------------------------------------------------------------------------------------------
# Geometric mean: scipy.stats.gmean; None for empty input or a non-positive ratio.

def gmean(name, ratios):
    ok = len(ratios) > 0 and all(r > 0 and math.isfinite(r) for r in ratios)
    return {"name": name, "ratios": ratios, "value": float(stats.gmean(ratios)) if ok else None}


def gmean_cases():
    return [
        gmean("subsystem", [0.97, 1.02, 0.88, 1.10]),
        gmean("single", [1.5]),
        gmean("wide_spread", [1e-3, 1e3, 2.5]),
        gmean("with_zero", [0.9, 0.0, 1.1]),
        gmean("with_negative", [0.9, -1.0, 1.1]),
        gmean("empty", []),
    ]


# ---------------------------------------------------------------------------------------------
# Many comparisons: statsmodels' multipletests, Holm and Benjamini-Hochberg.

def adjust_case(name, ps):
    holm = multipletests(ps, method="holm")[1]
    bh = multipletests(ps, method="fdr_bh")[1]
    return {"name": name, "p": [float(x) for x in ps], "holm": [float(x) for x in holm],
            "bh": [float(x) for x in bh]}


def adjust_cases():
    rng = np.random.default_rng(41)
    return [
        adjust_case("textbook", [0.01, 0.04, 0.03, 0.005]),
        adjust_case("ties", [0.02, 0.02, 0.5, 0.001, 0.02]),
        adjust_case("with_ones", [1.0, 0.9, 0.04, 1.0]),
        adjust_case("single", [0.03]),
        adjust_case("tiny", [1e-12, 3e-9, 0.2, 0.049]),
        adjust_case("forty_uniform", [float(x) for x in rng.uniform(0, 1, 40)]),
        adjust_case("forty_small", [float(x) for x in rng.uniform(0, 0.02, 40)]),
    ]


# ---------------------------------------------------------------------------------------------
# Power: the smallest difference (in % of the baseline's mean) a two-sided Welch test detects
# with 80% power, by the formula (t(1 - a/2, df) + t(0.8, df)) * se / |mean_b| * 100, with
# Welch's df and se; the fewest runs per side to detect a given %, by brute force over n; and,
# as a check of the approximation (not of virtperf), the power the noncentral t gives at the
# detectable difference.

def power_case(name, a, b, conf, detect_pct):
    a, b = np.asarray(a, float), np.asarray(b, float)
    alpha, power = 1.0 - conf, 0.8
    w = stats.ttest_ind(a, b, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = math.sqrt(va + vb)
    df = float(w.df)
    tc = stats.t.ppf(1 - alpha / 2, df)
    d = (tc + stats.t.ppf(power, df)) * se
    pct = d / abs(np.mean(b)) * 100.0
    ncp = d / se
    achieved = stats.nct.sf(tc, df, ncp) + stats.nct.cdf(-tc, df, ncp)
    sa2, sb2 = np.var(a, ddof=1), np.var(b, ddof=1)
    target = detect_pct / 100.0 * abs(np.mean(b))
    runs = None
    for n in range(2, 200001):
        dfn = (n - 1) * (sa2 + sb2) ** 2 / (sa2 ** 2 + sb2 ** 2)
        dn = (stats.t.ppf(1 - alpha / 2, dfn) + stats.t.ppf(power, dfn)) * math.sqrt((sa2 + sb2) / n)
        if dn <= target:
            runs = n
            break
    return {"name": name, "a": [float(x) for x in a], "b": [float(x) for x in b], "confidence": conf,
            "detectable_pct": float(pct), "achieved_power_nct": float(achieved),
            "detect_pct": detect_pct, "runs_to_detect": runs}


def power_cases():
    return [
        power_case("docker_events", DOCKER_EVENTS, NATIVE_EVENTS, 0.95, 1.0),
        power_case("no_difference", [101.2, 99.4, 100.8, 98.9, 100.1], [100.3, 101.0, 99.2, 99.9, 100.6],
                   0.95, 0.5),
        power_case("noisy_cv20", seeded(51, 5, 100.0, 20.0, 2), seeded(52, 5, 100.0, 20.0, 2), 0.95, 5.0),
        power_case("unequal_n_and_spread", seeded(11, 8, 50.0, 6.0, 3), seeded(12, 15, 47.0, 1.5, 3),
                   0.99, 10.0),
        power_case("already_enough", [100.0, 100.1, 99.9, 100.05], [50.0, 50.2, 49.9, 50.1], 0.95, 50.0),
        power_case("n2", [100.0, 104.0], [98.0, 99.0], 0.90, 2.0),
    ]


# ---------------------------------------------------------------------------------------------
# Practical size (issue 16, part 8): Sen's slope (scipy.stats.theilslopes) and the drift's size
# in % of the median; outliers that are far (> 1% of the median) and a minority; two clusters.

PRACTICAL_PCT = 1.0


def drift_case(name, values):
    x = np.asarray(values, float)
    slope = float(stats.theilslopes(x, np.arange(len(x))).slope) if len(x) >= 2 else None
    med = float(np.median(x))
    size = None if slope is None or med == 0 else slope * (len(x) - 1) / abs(med) * 100.0
    return {"name": name, "values": [float(v) for v in values], "slope": slope, "size_pct": size}


def drift_cases():
    return [
        drift_case("increasing", [100.0, 101.0, 101.5, 103.0, 102.9, 104.0, 105.2, 106.0]),
        # Significant by Mann-Kendall, but 0.02 a run on 1000: 0.018% over ten runs.
        drift_case("tiny_but_steady", [1000.0, 1000.03, 1000.05, 1000.04, 1000.09, 1000.1, 1000.12, 1000.15,
                                       1000.16, 1000.2]),
        drift_case("decreasing_n10", [50.0, 49.2, 49.5, 48.1, 47.7, 47.9, 46.0, 45.2, 45.9, 44.0]),
        drift_case("ties", [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 2.0]),
        drift_case("n60_slight_trend", [round(v + 0.01 * i, 3) for i, v in enumerate(seeded(32, 60, 10.0, 0.3, 3))]),
        drift_case("n2", [5.0, 3.0]),
    ]


def practical_outliers(values):
    x = np.asarray(values, float)
    med = np.median(x)
    dev = x - med
    mad = np.median(np.abs(dev))
    if mad > 0:
        m = 0.6745 * dev / mad
    elif np.mean(np.abs(dev)) > 0:
        m = dev / (1.253314 * np.mean(np.abs(dev)))
    else:
        m = np.zeros_like(x)
    far = np.ones_like(x, bool) if med == 0 else np.abs(dev / med) * 100.0 > PRACTICAL_PCT
    flagged = [int(i) for i in np.nonzero((np.abs(m) > 3.5) & far)[0]]
    if 2 * len(flagged) >= len(x) or bimodality(values) is not None:
        flagged = []
    return flagged


def bimodality(values):
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n < 6:
        return None
    gaps = np.diff(x)
    cut = 1 + int(np.argmax(gaps[1:n - 2]))  # first widest gap leaving >= 2 on each side
    lo, hi = x[:cut + 1], x[cut + 1:]
    smad = lambda v: 1.4826 * float(np.median(np.abs(v - np.median(v))))
    spread = max(smad(lo), smad(hi))
    gap = float(x[cut + 1] - x[cut])
    if not (gap > 6.0 * spread and gap > 0.05 * abs(float(np.median(x)))):
        return None
    v = np.asarray(values, float)
    return {"low": [int(i) for i in np.nonzero(v <= x[cut])[0]],
            "high": [int(i) for i in np.nonzero(v >= x[cut + 1])[0]],
            "gap": gap, "spread": spread}


def practical_case(name, values):
    return {"name": name, "values": [float(v) for v in values], "outliers": practical_outliers(values),
            "bimodal": bimodality(values)}


def practical_cases():
    return [
        practical_case("events_with_outlier", NATIVE_EVENTS + [1130.7]),
        # 0.3% from the median: a modified z-score far above 3.5, but no practical size.
        practical_case("near_outlier", [1000.0, 1000.1, 999.9, 1000.05, 1000.0, 997.0]),
        practical_case("half_would_be_flagged", [10.0, 10.0, 10.0, 20.0, 20.0, 20.0, 10.0]),
        practical_case("two_clusters", [100.2, 99.8, 100.1, 61.0, 60.5, 100.0, 60.8, 99.9, 61.2]),
        practical_case("three_clusters", [38.0, 38.1, 37.9, 76.1, 75.8, 76.2, 109.1, 109.3, 38.05, 75.9]),
        practical_case("normal_n10", seeded(61, 10, 100.0, 5.0, 2)),
        practical_case("normal_n30", seeded(62, 30, 100.0, 20.0, 2)),
        practical_case("n5_two_clusters", [1.0, 1.1, 2.0, 2.1, 2.05]),
        practical_case("median_zero", [0.0, 0.0, 0.0, 0.0, 5.0, 0.0]),
        practical_case("clusters_too_close", [100.0, 100.1, 100.2, 103.0, 103.1, 103.2]),
    ]


# ---------------------------------------------------------------------------------------------
# Printed resolution (issue 16, part 9): from the printed text, with decimal arithmetic (the
# Rust code sees only the f64 values). A sample's step is the finest last non-zero digit of
# its distinct non-zero values (None with fewer than two); a comparison's the coarser of both,
# or the pooled samples' when a side has none; within resolution when 0 < |mean_a - mean_b| <= step.


def printed_step(printed, scale):
    vals = {Decimal(t) * Decimal(scale) for t in printed if Decimal(t) != 0}
    if len(vals) < 2:
        return None
    step = min(Decimal(1).scaleb(v.normalize().as_tuple().exponent) for v in vals)
    # More than six decimals: computed, not printed (no step); steps stop at 10^6.
    return None if step < Decimal("1e-6") else float(min(step, Decimal("1e6")))


def resolution_case(name, a, b, scale_a=1, scale_b=1):
    step_a, step_b = printed_step(a, scale_a), printed_step(b, scale_b)
    if step_a is not None and step_b is not None:
        step = max(step_a, step_b)
    else:
        step = printed_step([str(Decimal(t) * Decimal(scale_a)) for t in a]
                            + [str(Decimal(t) * Decimal(scale_b)) for t in b], 1)
    va = [float(Decimal(t) * Decimal(scale_a)) for t in a]
    vb = [float(Decimal(t) * Decimal(scale_b)) for t in b]
    diff = abs(float(np.mean(va)) - float(np.mean(vb)))
    within = step is not None and 0 < diff <= step * (1 + 1e-9)
    return {"name": name, "a": va, "b": vb, "step_a": step_a, "step_b": step_b, "step": step,
            "within": within}


def resolution_cases():
    return [
        # sysbench 0.4 / 1.0 latencies printed to 0.01 ms (snake0__sync, sample-data).
        resolution_case("sysbench_one_step_plus_100pct", ["0.01", "0.01", "0.02", "0.01", "0.01"],
                        ["0.02", "0.02", "0.02", "0.03", "0.02"]),
        resolution_case("sysbench_equal_sides", ["0.01"] * 5, ["0.02"] * 5),
        resolution_case("sysbench_two_steps", ["0.07", "0.10", "0.07"], ["0.10", "0.12", "0.11"]),
        # fio percentiles: msec on one platform (brucechin__HardwareTest), usec on the other.
        resolution_case("fio_msec_vs_usec", ["62", "63", "62"], ["62544", "62212", "61980"], 1000, 1),
        resolution_case("fio_msec_vs_usec_two_steps", ["62", "64", "63"], ["61004", "61120", "60980"], 1000, 1),
        # sysbench 1.0 events/s to 0.01: far above one step.
        resolution_case("events_per_sec", ["497.42", "502.35", "502.11"], ["501.90", "501.42", "194.09"]),
        resolution_case("computed_values", ["1234.5678901234", "1233.1"], ["1234.5", "1234.6"]),
        resolution_case("zeros_and_one_value", ["0", "0", "0.2"], ["0", "0"]),
        resolution_case("iops_in_thousands", ["236000", "241000"], ["237000", "239000"]),
        # Equal means: no difference to call within resolution.
        resolution_case("equal_means", ["0.03", "0.02", "0.04"], ["0.03", "0.03", "0.03"]),
    ]


# ---------------------------------------------------------------------------------------------
# Blocked (paired) comparison (issue 16, part 5): scipy's ttest_rel on the log values of the
# rounds, its confidence interval of the mean log ratio back-transformed.


def sample_events(platform):
    """events/s of sample-data/<platform>/sysbench-cpu/repN.txt by round N, read from the raw text."""
    root = pathlib.Path(__file__).resolve().parents[2] / "sample-data" / platform / "sysbench-cpu"
    out = []
    for n in range(1, 6):
        line = next(l for l in (root / f"rep{n}.txt").read_text().splitlines() if "events per second:" in l)
        out.append(float(line.split(":")[1]))
    return out


def paired_case(name, platform, baseline, confidence=0.95):
    la, lb = np.log(np.asarray(platform, float)), np.log(np.asarray(baseline, float))
    r = stats.ttest_rel(la, lb)
    ci = r.confidence_interval(confidence)
    d = la - lb
    return {"name": name, "platform": [float(v) for v in platform], "baseline": [float(v) for v in baseline],
            "confidence": confidence, "n": len(d), "mean_log": float(np.mean(d)), "sd_log": float(np.std(d, ddof=1)),
            "ratio": float(np.exp(np.mean(d))), "low": float(np.exp(ci.low)), "high": float(np.exp(ci.high)),
            "p_value": float(r.pvalue)}


def paired_cases():
    return [
        paired_case("sample_sysbench_cpu_qemu_vs_native", sample_events("qemu"), sample_events("native")),
        paired_case("sample_sysbench_cpu_docker_vs_native", sample_events("docker"), sample_events("native")),
        paired_case("shared_drift", [98.0, 104.0, 90.0, 110.0, 101.0], [100.0, 106.5, 91.0, 113.0, 102.5], 0.9),
        paired_case("two_rounds", [5.0, 7.0], [4.0, 6.5]),
        paired_case("n20_seeded", seeded(71, 20, 50.0, 5.0, 3), seeded(72, 20, 55.0, 5.0, 3), 0.99),
    ]


# ---------------------------------------------------------------------------------------------
# Bootstrap interval of a ratio of medians (issue 16, part 6): scipy.stats.bootstrap, percentile
# method, each sample resampled independently, 10 000 resamples. Its random stream is not
# virtperf's, so the reference is the spread over 40 seeds: the test accepts virtperf's ends
# within 4 standard deviations of the seeds' mean (exactly the same when every seed agrees).

BOOT_RESAMPLES = 10_000
BOOT_SEEDS = 40


def sample_values(platform, workload, marker, unit_suffix=""):
    """The value after `marker` in sample-data/<platform>/<workload>/repN.txt, N = 1..5."""
    root = pathlib.Path(__file__).resolve().parents[2] / "sample-data" / platform / workload
    out = []
    for n in range(1, 6):
        line = next(l for l in (root / f"rep{n}.txt").read_text().splitlines() if marker in l)
        out.append(float(line.split(marker)[1].strip().removesuffix(unit_suffix)))
    return out


def median_ratio(a, b, axis=-1):
    return np.median(a, axis=axis) / np.median(b, axis=axis)


def bootstrap_case(name, platform, baseline, confidence=0.95):
    lows, highs = [], []
    for seed in range(BOOT_SEEDS):
        r = stats.bootstrap((np.asarray(platform, float), np.asarray(baseline, float)), median_ratio,
                            vectorized=True, paired=False, n_resamples=BOOT_RESAMPLES, method="percentile",
                            confidence_level=confidence, rng=np.random.default_rng(seed))
        lows.append(float(r.confidence_interval.low))
        highs.append(float(r.confidence_interval.high))
    return {"name": name, "platform": [float(v) for v in platform], "baseline": [float(v) for v in baseline],
            "confidence": confidence, "ratio": float(np.median(platform) / np.median(baseline)),
            "low_mean": float(np.mean(lows)), "low_sd": float(np.std(lows, ddof=1)),
            "high_mean": float(np.mean(highs)), "high_sd": float(np.std(highs, ddof=1)),
            "resamples": BOOT_RESAMPLES, "seeds": BOOT_SEEDS}


def bootstrap_cases():
    rng = np.random.default_rng(81)
    return [
        bootstrap_case("sample_sysbench_cpu_p95_qemu_vs_native",
                       sample_values("qemu", "sysbench-cpu", "95th percentile:"),
                       sample_values("native", "sysbench-cpu", "95th percentile:")),
        bootstrap_case("sample_wrk_p99_docker_vs_native",
                       sample_values("docker", "wrk", "99%", "ms"), sample_values("native", "wrk", "99%", "ms")),
        bootstrap_case("lognormal_n30_vs_n25", [round(float(v), 3) for v in rng.lognormal(1.0, 0.4, 30)],
                       [round(float(v), 3) for v in rng.lognormal(0.8, 0.3, 25)]),
        bootstrap_case("n12_at_90pct", [round(float(v), 2) for v in rng.normal(100, 8, 12)],
                       [round(float(v), 2) for v in rng.normal(90, 5, 12)], 0.9),
    ]


def main():
    out = {
        "generated_by": "tests/reference/stats_reference.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mpmath": mpmath.__version__,
        "statsmodels": statsmodels.__version__,
        "t_quantiles": t_quantiles(),
        "summaries": summaries(),
        "welch": welch_cases(),
        "fieller": fieller_cases(),
        "modified_z": modified_z_cases(),
        "mann_kendall": mann_kendall_cases(),
        "geometric_mean": gmean_cases(),
        "equivalence": equivalence_cases(),
        "adjust": adjust_cases(),
        "power": power_cases(),
        "drift_size": drift_cases(),
        "practical": practical_cases(),
        "resolution": resolution_cases(),
        "paired": paired_cases(),
        "bootstrap": bootstrap_cases(),
    }
    json.dump(out, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

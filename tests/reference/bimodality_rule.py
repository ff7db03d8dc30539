#!/usr/bin/env python3
"""Why stats::bimodality needs six runs, a gap of 6 scaled MADs and 5% of the median.

A seeded simulation, not a reference: how often the rule calls a normal sample bimodal (false
positives) and how often it finds two clusters 30% apart (each with CV 2%), for 4000 (2000)
samples per row. Run: python3 tests/reference/bimodality_rule.py (numpy only). Its output, with
numpy 2.4.6, is quoted in docs/statistics.md.
"""

import numpy as np

rng = np.random.default_rng(1)


def bimodal(x, min_n=6, k=6.0, floor_pct=5.0):
    xs = np.sort(x)
    n = len(xs)
    if n < min_n:
        return False
    gaps = np.diff(xs)
    cut = 1 + int(np.argmax(gaps[1:n - 2]))
    smad = lambda v: 1.4826 * np.median(np.abs(v - np.median(v)))
    spread = max(smad(xs[:cut + 1]), smad(xs[cut + 1:]))
    return gaps[cut] > k * spread and gaps[cut] > floor_pct / 100 * abs(np.median(xs))


print("min_n cv_pct n false_positive two_clusters_found")
for min_n in (5, 6):
    for cv in (1, 5, 20):
        for n in (5, 6, 10, 20):
            fp = np.mean([bimodal(rng.normal(100, cv, n), min_n) for _ in range(4000)])
            tp = np.mean([bimodal(np.r_[rng.normal(100, 2, n - n // 2), rng.normal(130, 2, n // 2)], min_n)
                          for _ in range(2000)])
            print(min_n, cv, n, round(float(fp), 4), round(float(tp), 4))

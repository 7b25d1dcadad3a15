#!/usr/bin/env python3
"""Times the `lifetimes` package's BetaGeoFitter on a frequency/recency/T summary CSV, for
benches/clv.rs.

Usage: lifetimes_time.py SUMMARY.csv
The CSV has a header and the columns frequency,recency,T. Prints one JSON line:
{"seconds": fit time, "r", "alpha", "a", "b", "log_likelihood", "lifetimes": version, ...}.
"""

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

import lifetimes  # noqa: E402
from lifetimes import BetaGeoFitter  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = pd.read_csv(sys.argv[1])
    start = time.perf_counter()
    bgf = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    seconds = time.perf_counter() - start
    p = bgf.params_
    print(json.dumps({
        "seconds": seconds,
        "r": float(p["r"]),
        "alpha": float(p["alpha"]),
        "a": float(p["a"]),
        "b": float(p["b"]),
        "log_likelihood": float(bgf._negative_log_likelihood_ * -len(data))
        if hasattr(bgf, "_negative_log_likelihood_") else None,
        "lifetimes": lifetimes.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()

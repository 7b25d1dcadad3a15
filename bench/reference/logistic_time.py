#!/usr/bin/env python3
"""Times scikit-learn LogisticRegression(C=1.0, solver="lbfgs", tol=TOL, max_iter=1000) on a
raw little-endian float64 matrix (rows × cols, row-major) and a uint8 label file, for
benches/churn.rs.

Usage: logistic_time.py X.f64 Y.u8 ROWS COLS TOL
Prints one JSON line: {"seconds", "n_iter", "intercept", "coef", "sklearn"}.
"""

import json
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    rows, cols = int(sys.argv[3]), int(sys.argv[4])
    tol = float(sys.argv[5])
    x = np.fromfile(sys.argv[1], dtype="<f8").reshape(rows, cols)
    y = np.fromfile(sys.argv[2], dtype="u1")
    start = time.perf_counter()
    model = LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=1000).fit(x, y)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "n_iter": int(model.n_iter_[0]),
        "intercept": float(model.intercept_[0]),
        "coef": [float(c) for c in model.coef_[0]],
        "sklearn": sklearn.__version__,
    }))


if __name__ == "__main__":
    main()

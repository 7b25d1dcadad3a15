#!/usr/bin/env python3
"""Times scikit-learn KMeans(n_clusters=K, init="k-means++", n_init=1, random_state=SEED) on a
raw little-endian float64 matrix file (rows × cols, row-major), for benches/segment.rs.

Usage: kmeans_time.py MATRIX.f64 ROWS COLS K SEED
Prints one JSON line: {"seconds": fit time, "inertia": ..., "n_iter": ..., "sklearn": version}.
"""

import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    path = sys.argv[1]
    rows, cols, k, seed = (int(v) for v in sys.argv[2:])
    x = np.fromfile(path, dtype="<f8").reshape(rows, cols)
    start = time.perf_counter()
    model = KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=seed).fit(x)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "sklearn": sklearn.__version__,
    }))


if __name__ == "__main__":
    main()

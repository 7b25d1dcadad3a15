#!/usr/bin/env python3
"""scikit-learn k-means reference for Tailor's k-means.

Reads a feature matrix dumped by
    tailor segment DB --method kmeans --k K --dump-features FILE
(a CSV: customer_id, then one column per standardized feature), runs
    KMeans(n_clusters=K, init="k-means++", n_init=1, random_state=s)  for s in 0..9
and adds an entry to a JSON file: the best inertia, all ten, and a fingerprint of the matrix
(shape, feature names, first rows, per-column sums, a position-weighted sum) so that the Rust
test can check it is looking at the same matrix before it compares inertias.

Usage: kmeans_reference.py FEATURES.csv K NAME OUT.json
An entry with the same NAME is replaced; other entries are kept.
"""

import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans

FIRST_ROWS = 3


def read_matrix(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        ids, rows = [], []
        for rec in reader:
            ids.append(rec[0])
            rows.append([float(v) for v in rec[1:]])
    return header[1:], ids, np.array(rows, dtype=np.float64)


def fingerprint(names, ids, x):
    n, p = x.shape
    # Weight of cell (i, j): ((31 i + j) mod 97) + 1. Detects reordered rows or columns.
    i = np.arange(n).reshape(-1, 1)
    j = np.arange(p).reshape(1, -1)
    weights = ((31 * i + j) % 97 + 1).astype(np.float64)
    return {
        "rows": n,
        "cols": p,
        "names": names,
        "first_ids": ids[:FIRST_ROWS],
        "first_rows": x[:FIRST_ROWS].tolist(),
        "column_sums": x.sum(axis=0).tolist(),
        "column_sums_of_squares": (x * x).sum(axis=0).tolist(),
        "weighted_sum": float((x * weights).sum()),
    }


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, k, name, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    names, ids, x = read_matrix(path)
    inertias = []
    for seed in range(10):
        model = KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=seed).fit(x)
        inertias.append(float(model.inertia_))
    doc = {"entries": []}
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
    doc["sklearn_version"] = sklearn.__version__
    doc["numpy_version"] = np.__version__
    entry = {
        "name": name,
        "k": k,
        "kmeans": 'KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=s), s = 0..9',
        "best_inertia": min(inertias),
        "inertias": inertias,
        "matrix": fingerprint(names, ids, x),
    }
    doc["entries"] = [e for e in doc["entries"] if e["name"] != name] + [entry]
    doc["entries"].sort(key=lambda e: e["name"])
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)
    print(f"{name}: {x.shape[0]} x {x.shape[1]}, k = {k}, best inertia {min(inertias):.4f}")
    print("  all: " + ", ".join(f"{v:.2f}" for v in inertias))


if __name__ == "__main__":
    main()

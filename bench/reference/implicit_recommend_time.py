#!/usr/bin/env python3
"""Times implicit's batch recommend for every user, top 10, with the factors Tailor fitted, for
the comparison in benches/recommend_all.rs.

Usage: implicit_recommend_time.py PURCHASES.csr USERS.f32 ITEMS.f32

PURCHASES.csr is the CSR file of benches/common (u64 rows, u64 cols, u64 nnz, i64 indptr,
i32 indices, f32 values); the users' own products are filtered out, as Tailor leaves them out.
USERS.f32 and ITEMS.f32 are row-major factor matrices (u64 rows, u64 cols, f32 values).
Prints one JSON line: {"seconds": ..., "users": ..., "threads": ..., "implicit": version, ...}
and, for a check that both rank alike, the first user's top 10 ("first_user_top").
"""

import os

# implicit parallelises itself; multi-threaded BLAS underneath only slows it down.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import implicit  # noqa: E402
import numpy as np  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402
from implicit_als_time import load as load_csr  # noqa: E402  (the script beside this one)


def load_matrix(path):
    with open(path, "rb") as fh:
        rows, cols = (int(v) for v in np.frombuffer(fh.read(16), dtype="<u8"))
        values = np.frombuffer(fh.read(4 * rows * cols), dtype="<f4").copy()
    return values.reshape(rows, cols)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    purchases = load_csr(sys.argv[1])
    users, items = load_matrix(sys.argv[2]), load_matrix(sys.argv[3])
    threads = os.cpu_count() or 1
    model = AlternatingLeastSquares(factors=users.shape[1], num_threads=threads)
    model.user_factors, model.item_factors = users, items
    everyone = np.arange(users.shape[0])
    start = time.perf_counter()
    ids, _ = model.recommend(
        everyone, purchases, N=10, filter_already_liked_items=True
    )
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "users": int(users.shape[0]),
                "items": int(items.shape[0]),
                "factors": int(users.shape[1]),
                "threads": threads,
                "first_user_top": [int(i) for i in ids[0]],
                "implicit": implicit.__version__,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()

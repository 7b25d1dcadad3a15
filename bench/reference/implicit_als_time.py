#!/usr/bin/env python3
"""Times implicit's CPU ALS (64 factors, 15 iterations, regularization 0.01, all cores) on the
matrix written by benches/als.rs, for the comparison with Tailor's `Als::fit`.

Usage: implicit_als_time.py MATRIX.csr [SEED]

The file is CSR, little-endian: u64 rows, u64 cols, u64 nnz, i64 indptr (rows + 1),
i32 column indices (nnz), f32 values (nnz); the values are the confidences (alpha = 1).
Prints one JSON line: {"seconds": fit time, "cpu_seconds": CPU time of all threads, "threads": ..., "implicit": version, ...}.
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
import scipy.sparse as sp  # noqa: E402
from implicit.als import AlternatingLeastSquares  # noqa: E402


def load(path):
    with open(path, "rb") as fh:
        rows, cols, nnz = (int(v) for v in np.frombuffer(fh.read(24), dtype="<u8"))
        indptr = np.frombuffer(fh.read(8 * (rows + 1)), dtype="<i8").copy()
        indices = np.frombuffer(fh.read(4 * nnz), dtype="<i4").copy()
        data = np.frombuffer(fh.read(4 * nnz), dtype="<f4").copy()
    return sp.csr_matrix((data, indices, indptr), shape=(rows, cols))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    x = load(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    threads = os.cpu_count() or 1
    model = AlternatingLeastSquares(
        factors=64,
        iterations=15,
        regularization=0.01,
        random_state=seed,
        use_gpu=False,
        num_threads=threads,
    )
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, show_progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "threads": threads,
                "shape": list(x.shape),
                "nnz": int(x.nnz),
                "implicit": implicit.__version__,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()

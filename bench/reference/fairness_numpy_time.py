"""Times the plain numpy bincount of a decision's per-group rates (and, for scale, fairlearn's
MetricFrame) on the file `benches/fairness.rs` writes: 1,000,000 rows of group,selected,label.

    python3 bench/reference/fairness_numpy_time.py target/bench-data/fairness_1m.csv
"""
import sys, time
import numpy as np

path = sys.argv[1]
data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
g, s, y = data[:, 0], data[:, 1], data[:, 2]


def numpy_rates():
    k = g.max() + 1
    n = np.bincount(g, minlength=k)
    sel = np.bincount(g, weights=s, minlength=k)
    pos = np.bincount(g, weights=y, minlength=k)
    tp = np.bincount(g, weights=s * y, minlength=k)
    fp = np.bincount(g, weights=s * (1 - y), minlength=k)
    rate = sel / n
    return rate, tp / pos, fp / (n - pos), rate.min() / rate.max()


times = []
for _ in range(5):
    t = time.perf_counter()
    numpy_rates()
    times.append(time.perf_counter() - t)
print(f"numpy bincount: median {sorted(times)[2]:.4f} s")
try:
    from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate, false_positive_rate
    t = time.perf_counter()
    MetricFrame(metrics={"sr": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
                y_true=y, y_pred=s, sensitive_features=g).by_group
    print(f"fairlearn MetricFrame: {time.perf_counter() - t:.3f} s")
except ImportError:
    print("fairlearn not installed")

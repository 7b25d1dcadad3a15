#!/usr/bin/env python3
"""scikit-learn's RandomForestClassifier(n_estimators=200) on Tailor's Telco churn inputs and
folds, for tests/churn_real.rs.

Usage: telco_forest_reference.py FEATURES.csv OUT.json
FEATURES.csv is `tailor churn telco.sqlite --model forest --dump-features FEATURES.csv`:
customer_id, fold, label, then the model columns (blanks already imputed). For each fold the
forest is fitted on the other folds and scores the fold; the figure is the mean fold ROC AUC,
averaged over random_state 0..4 (a single seed moves it by a few thousandths).
"""

import csv
import json
import sys

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    fold = np.array([int(r[1]) for r in body])
    y = np.array([int(r[2]) for r in body])
    x = np.array([[float(v) for v in r[3:]] for r in body])
    k = int(fold.max()) + 1
    per_seed = []
    for seed in range(5):
        aucs = []
        for f in range(k):
            train, test = fold != f, fold == f
            model = RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=-1)
            model.fit(x[train], y[train])
            aucs.append(roc_auc_score(y[test], model.predict_proba(x[test])[:, 1]))
        per_seed.append({"random_state": seed, "fold_auc": aucs, "auc": float(np.mean(aucs))})
    out = {
        "description": "RandomForestClassifier(n_estimators=200) on Tailor's Telco inputs and folds",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "rows": int(x.shape[0]),
        "columns": header[3:],
        "churned": int(y.sum()),
        "column_sums": [float(s) for s in x.sum(axis=0)],
        "fold_sizes": [int((fold == f).sum()) for f in range(k)],
        "per_seed": per_seed,
        "auc": float(np.mean([s["auc"] for s in per_seed])),
    }
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps({"auc": out["auc"], "per_seed": [s["auc"] for s in per_seed]}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Peer figures for Tailor's recommendations: the `implicit` library on Online Retail.

Builds the customer-product interactions exactly as Tailor does
(src/models/recommend/interactions.rs) and evaluates leave-last-out exactly as
src/models/recommend/evaluate.rs does, then runs implicit's ALS (seeds 0..4), implicit's cosine
item-kNN (K = 20) and most-popular, and writes every figure to a JSON file.

    python3 bench/reference/implicit_reference.py [out.json]

Reads $TAILOR_DATA_DIR/online_retail/online_retail.csv.gz (default /work/shared/data).
"""

import os

# implicit's CPU ALS wants single-threaded BLAS (it parallelises itself).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import csv  # noqa: E402
import datetime  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402

import implicit  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.als import AlternatingLeastSquares  # noqa: E402
from implicit.nearest_neighbours import CosineRecommender  # noqa: E402

K = 10
SEEDS = [0, 1, 2, 3, 4]


def parse_id(raw):
    """Tailor's id: trimmed; an integer written as a float (17850.0) loses its .0."""
    t = raw.strip()
    if not t:
        return None
    if "." in t:
        i, f = t.split(".", 1)
        digits = i[1:] if i.startswith("-") else i
        if digits and digits.isdigit() and f and set(f) == {"0"}:
            return i
    return t


def epoch(raw):
    """ISO date-time (YYYY-MM-DD HH:MM[:SS]) to seconds since 1970, UTC."""
    t = raw.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            d = datetime.datetime.strptime(t, fmt)
            return int(d.replace(tzinfo=datetime.timezone.utc).timestamp())
        except ValueError:
            pass
    return None


def interactions(path):
    """{customer: {product: [count, last_ts, last_row]}} as Tailor builds it."""
    pairs = {}
    customers, products = {}, {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh)):
            cust = parse_id(row["CustomerID"])
            if cust is None:
                continue
            ts = epoch(row["InvoiceDate"])
            if ts is None:
                continue
            prod = parse_id(row["StockCode"])
            c = customers.setdefault(cust, len(customers))
            if prod is None:
                continue
            p = products.setdefault(prod, len(products))
            if row["InvoiceNo"].strip().startswith("C"):
                continue
            if not float(row["Quantity"]) > 0:
                continue
            own = pairs.setdefault(c, {})
            cur = own.get(p)
            if cur is None:
                own[p] = [1, ts, row_no]
            else:
                cur[0] += 1
                if (ts, row_no) > (cur[1], cur[2]):
                    cur[1], cur[2] = ts, row_no
    return pairs, len(customers), len(products)


def split(pairs, n_users, n_items):
    """Leave-last-out: (train CSR with counts, [(user, held-out product)], in_train mask)."""
    rows, cols, vals, test = [], [], [], []
    for c in range(n_users):
        own = pairs.get(c, {})
        held = None
        if len(own) >= 2:
            held = max(own, key=lambda p: (own[p][1], own[p][2]))
            test.append((c, held))
        for p in sorted(own):
            if p != held:
                rows.append(c)
                cols.append(p)
                vals.append(own[p][0])
    train = sp.csr_matrix(
        (np.array(vals, dtype=np.float32), (np.array(rows), np.array(cols))),
        shape=(n_users, n_items),
    )
    train.sort_indices()
    in_train = np.zeros(n_items, dtype=bool)
    in_train[train.indices] = True
    return train, test, in_train


def metrics(test, tops, in_train):
    hits = ndcg = 0.0
    shown = set()
    for (c, held), top in zip(test, tops):
        top = [int(p) for p in top if p >= 0][:K]
        shown.update(top)
        if held in top:
            hits += 1
            ndcg += 1 / math.log2(top.index(held) + 2)
    n = len(test)
    return {
        "hit_rate": hits / n,
        "precision": hits / n / K,
        "recall": hits / n,
        "ndcg": ndcg / n,
        "coverage": len(shown) / int(in_train.sum()),
    }


def popular(train, test, in_train):
    users_per_item = np.asarray((train > 0).sum(axis=0)).ravel()
    ranked = sorted(np.flatnonzero(users_per_item), key=lambda p: (-users_per_item[p], p))
    tops = []
    for c, _ in test:
        own = set(train.indices[train.indptr[c] : train.indptr[c + 1]])
        tops.append([p for p in ranked if p not in own][:K])
    return metrics(test, tops, in_train)


def implicit_tops(model, train, test, in_train):
    users = np.array([c for c, _ in test])
    not_in_train = np.flatnonzero(~in_train)
    ids, _ = model.recommend(
        users,
        train[users],
        N=K,
        filter_already_liked_items=True,
        filter_items=not_in_train if len(not_in_train) else None,
    )
    return metrics(test, ids, in_train)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "implicit_reference.json"
    )
    data_dir = os.environ.get("TAILOR_DATA_DIR", "/work/shared/data")
    pairs, n_users, n_items = interactions(
        os.path.join(data_dir, "online_retail", "online_retail.csv.gz")
    )
    train, test, in_train = split(pairs, n_users, n_items)
    print(
        f"{n_users} customers, {n_items} products, {train.nnz} training pairs, "
        f"{len(test)} evaluated users",
        file=sys.stderr,
    )

    pop = popular(train, test, in_train)
    print("popular", pop, file=sys.stderr)

    cos = CosineRecommender(K=20)
    cos.fit(train, show_progress=False)
    cosine = implicit_tops(cos, train, test, in_train)
    print("cosine", cosine, file=sys.stderr)
    # implicit's K counts the item itself among its neighbours: K = 21 is 20 other items,
    # which is what Tailor's item-cf (top-20 neighbours, self excluded) does.
    cos21 = CosineRecommender(K=21)
    cos21.fit(train, show_progress=False)
    cosine21 = implicit_tops(cos21, train, test, in_train)
    print("cosine K=21", cosine21, file=sys.stderr)

    per_seed = {}
    for seed in SEEDS:
        als = AlternatingLeastSquares(
            factors=64,
            iterations=15,
            regularization=0.01,
            random_state=seed,
            use_gpu=False,
        )
        als.fit(train, show_progress=False)
        per_seed[str(seed)] = implicit_tops(als, train, test, in_train)
        print("als seed", seed, per_seed[str(seed)], file=sys.stderr)
    hr = [m["hit_rate"] for m in per_seed.values()]

    report = {
        "what": "implicit's ALS, cosine item-kNN and most-popular on Online Retail, "
        "leave-last-out, k = 10, interactions and protocol as Tailor's",
        "data": "online_retail/online_retail.csv.gz",
        "customers": n_users,
        "products": n_items,
        "training_pairs": int(train.nnz),
        "users": len(test),
        "k": K,
        "popular": pop,
        "cosine_knn": {"K": 20, **cosine},
        "cosine_knn_k21": {
            "K": 21,
            "note": "implicit counts the item itself among its K neighbours; K = 21 is 20 others",
            **cosine21,
        },
        "als": {
            "factors": 64,
            "iterations": 15,
            "regularization": 0.01,
            "confidence": "the pair's number of rows (alpha = 1)",
            "seeds": per_seed,
            "hit_rate_min": min(hr),
            "hit_rate_max": max(hr),
            "hit_rate_mean": sum(hr) / len(hr),
        },
        "versions": {
            "implicit": implicit.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": sys.version.split()[0],
        },
        "date": datetime.date.today().isoformat(),
    }
    with open(out + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
    os.replace(out + ".tmp", out)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

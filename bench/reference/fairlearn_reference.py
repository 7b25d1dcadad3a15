"""Reference figures for Tailor's fairness audit, from fairlearn's MetricFrame.

Makes fixed predictions once (scikit-learn logistic regression, 5-fold out-of-fold
probabilities, seeded; the decision is the top 20%: the ceil(0.2 n) highest scores, ties by id)
on IBM Telco churn (by gender and SeniorCitizen) and UCI bank-full (a response model without the
leaking `duration`, by marital status and age band), writes the predictions as fixtures under
tests/fixtures/fairness/, and fairlearn's per-group rates and differences on exactly those
predictions to bench/reference/fairlearn_reference.json. The Rust test reads both; no Python
at test time.

    TAILOR_DATA_DIR=../shared/data python3 bench/reference/fairlearn_reference.py
"""
import gzip, json, math, os, sys
import numpy as np, pandas as pd
import fairlearn, sklearn
from fairlearn.metrics import (MetricFrame, selection_rate, true_positive_rate,
    false_positive_rate, demographic_parity_difference, demographic_parity_ratio,
    equalized_odds_difference, count)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DATA = os.environ.get("TAILOR_DATA_DIR", "../shared/data")
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures", "fairness")


def top_fraction(ids, scores, f):
    n = len(scores)
    k = math.ceil(f * n)
    order = sorted(range(n), key=lambda i: (-scores[i], ids[i]))
    sel = np.zeros(n, dtype=int)
    sel[order[:k]] = 1
    return sel


def scores_of(X, y, seed=0):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]


def age_band(age):
    a = int(age)
    if a < 25: return "under 25"
    if a < 35: return "25–34"
    if a < 45: return "35–44"
    if a < 55: return "45–54"
    if a < 65: return "55–64"
    return "65 and over"


def audit(y_true, y_pred, groups):
    prec = lambda t, p: precision_score(t, p, zero_division=0)
    mf = MetricFrame(metrics={"n": count, "selection_rate": selection_rate,
                              "tpr": true_positive_rate, "fpr": false_positive_rate,
                              "precision": prec},
                     y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    by = mf.by_group
    return {
        "groups": [{"group": str(g), "n": int(by.loc[g, "n"]),
                    "selection_rate": float(by.loc[g, "selection_rate"]),
                    "tpr": float(by.loc[g, "tpr"]), "fpr": float(by.loc[g, "fpr"]),
                    "precision": float(by.loc[g, "precision"])} for g in by.index],
        "demographic_parity_difference": float(demographic_parity_difference(y_true, y_pred, sensitive_features=groups)),
        "demographic_parity_ratio": float(demographic_parity_ratio(y_true, y_pred, sensitive_features=groups)),
        "equalized_odds_difference": float(equalized_odds_difference(y_true, y_pred, sensitive_features=groups)),
    }


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    out = {"fairlearn": fairlearn.__version__, "sklearn": sklearn.__version__,
           "decision": "top 20% of 5-fold out-of-fold logistic regression scores", "cases": []}

    t = pd.read_csv(os.path.join(DATA, "telco_churn", "Telco-Customer-Churn.csv"))
    t["TotalCharges"] = pd.to_numeric(t["TotalCharges"], errors="coerce").fillna(0.0)
    y = (t["Churn"] == "Yes").astype(int).to_numpy()
    X = pd.get_dummies(t.drop(columns=["customerID", "Churn", "gender", "SeniorCitizen"]), dtype=float)
    s = scores_of(X.to_numpy(), y)
    sel = top_fraction(list(t["customerID"]), list(s), 0.2)
    fx = pd.DataFrame({"customer_id": t["customerID"], "y_true": y, "y_pred": sel,
                       "gender": t["gender"], "SeniorCitizen": t["SeniorCitizen"].astype(str)})
    fx.to_csv(os.path.join(FIXTURES, "telco_predictions.csv.gz"), index=False, compression="gzip")
    for col in ["gender", "SeniorCitizen"]:
        out["cases"].append({"data": "telco", "attribute": col, **audit(y, sel, fx[col])})

    b = pd.read_csv(os.path.join(DATA, "bank_marketing", "bank-full.csv"), sep=";")
    y = (b["y"] == "yes").astype(int).to_numpy()
    X = pd.get_dummies(b.drop(columns=["y", "duration", "marital", "age"]), dtype=float)
    s = scores_of(X.to_numpy(), y)
    ids = [f"{i + 1:06d}" for i in range(len(b))]
    sel = top_fraction(ids, list(s), 0.2)
    fx = pd.DataFrame({"customer_id": ids, "y_true": y, "y_pred": sel,
                       "marital": b["marital"], "age_band": b["age"].map(age_band)})
    fx.to_csv(os.path.join(FIXTURES, "bank_predictions.csv.gz"), index=False, compression="gzip")
    for col in ["marital", "age_band"]:
        out["cases"].append({"data": "bank", "attribute": col, **audit(y, sel, fx[col])})

    with open(os.path.join(HERE, "fairlearn_reference.json"), "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(json.dumps([(c["data"], c["attribute"], round(c["demographic_parity_difference"], 4),
                       round(c["equalized_odds_difference"], 4)) for c in out["cases"]]))


if __name__ == "__main__":
    main()

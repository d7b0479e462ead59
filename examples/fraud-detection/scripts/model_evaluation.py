#!/usr/bin/env python3
"""Model evaluation: score held-out rows with the trained model and compute real metrics.

After cursus' xgboost_model_eval step. It is the fan-in of the pipeline: it needs the model
from training AND the untouched test split from preprocessing (not the sampled one).

  input  model_input     model.json and hyperparameters.json from training
         processed_data  <dir>/test/test_processed_data.csv (job_type evaluation), or
                         <dir>/<job_type>/<job_type>_processed_data.csv for any other job type
  output eval_output     eval_predictions.csv (id, label, prob_class_1)
         metrics_output  metrics.json, metrics_summary.txt
  env    ID_FIELD, LABEL_FIELD (default: the names in hyperparameters.json), THRESHOLD (0.5)
  args   job_type
"""
import argparse
import csv
import json
import math
import os
import sys
from pathlib import Path

from fraud_features import predict_proba, transform


def auc_roc(labels, scores):
    """Area under the ROC curve: the chance a random fraud scores above a random legit row.

    Computed from ranks (Mann-Whitney U), with tied scores sharing their average rank.
    """
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError(f"AUC needs both classes; got {positives} fraud and {negatives} legit rows")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    positive_rank_sum = sum(rank for rank, label in zip(ranks, labels) if label == 1)
    return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def average_precision(labels, scores):
    """Mean precision at each fraud found, walking down the ranking (area under the PR curve)."""
    ranked = sorted(zip(scores, labels), key=lambda pair: -pair[0])
    hits, total = 0, 0.0
    for k, (_, label) in enumerate(ranked, start=1):
        if label == 1:
            hits += 1
            total += hits / k
    return total / max(hits, 1)


def threshold_metrics(labels, scores, threshold):
    tp = sum(1 for y, s in zip(labels, scores) if s >= threshold and y == 1)
    fp = sum(1 for y, s in zip(labels, scores) if s >= threshold and y == 0)
    fn = sum(1 for y, s in zip(labels, scores) if s < threshold and y == 1)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(1 for y, s in zip(labels, scores) if (s >= threshold) == (y == 1)) / len(labels)
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1_score": f1}


def main(input_paths, output_paths, environ_vars, job_args, logger=None):
    log = logger or print
    model_dir = Path(input_paths["model_input"])
    model = json.loads((model_dir / "model.json").read_text())
    hp = json.loads((model_dir / "hyperparameters.json").read_text())
    id_field = environ_vars.get("ID_FIELD") or hp["id_name"]
    label_field = environ_vars.get("LABEL_FIELD") or hp["label_name"]
    threshold = float(environ_vars.get("THRESHOLD", "0.5"))

    split = "test" if job_args.job_type == "evaluation" else job_args.job_type
    data_path = Path(input_paths["processed_data"]) / split / f"{split}_processed_data.csv"
    if not data_path.is_file():
        present = sorted(p.name for p in Path(input_paths["processed_data"]).iterdir())
        raise FileNotFoundError(f"No {split} split at {data_path}; found {present}")
    with data_path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if label_field not in rows[0]:
        raise ValueError(f"LABEL_FIELD {label_field!r} is not a column of {data_path.name}")

    labels = [int(row[label_field]) for row in rows]
    scores = [predict_proba(transform(row, model), model["weights"], model["bias"]) for row in rows]

    eval_dir = Path(output_paths["eval_output"])
    eval_dir.mkdir(parents=True, exist_ok=True)
    with (eval_dir / "eval_predictions.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([id_field, label_field, "prob_class_1"])
        for row, y, p in zip(rows, labels, scores):
            writer.writerow([row[id_field], y, f"{p:.6f}"])

    eps = 1e-12
    metrics = {
        "split": split,
        "rows": len(rows),
        "fraud_rows": sum(labels),
        "auc_roc": auc_roc(labels, scores),
        "average_precision": average_precision(labels, scores),
        "log_loss": -sum(
            y * math.log(max(p, eps)) + (1 - y) * math.log(max(1 - p, eps))
            for y, p in zip(labels, scores)
        )
        / len(rows),
        "threshold": threshold,
        **threshold_metrics(labels, scores, threshold),
    }
    metrics_dir = Path(output_paths["metrics_output"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    (metrics_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    summary = "\n".join(
        f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}"
        for name, value in metrics.items()
    )
    (metrics_dir / "metrics_summary.txt").write_text(summary + "\n")
    log(f"Evaluated {len(rows)} {split} rows: AUC {metrics['auc_roc']:.3f}, F1 {metrics['f1_score']:.3f}")
    return metrics


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
    try:
        main(
            input_paths={
                "model_input": "/opt/ml/processing/input/model",
                "processed_data": "/opt/ml/processing/input/eval_data",
            },
            output_paths={
                "eval_output": "/opt/ml/processing/output/eval",
                "metrics_output": "/opt/ml/processing/output/metrics",
            },
            environ_vars={
                name: os.environ[name]
                for name in ("ID_FIELD", "LABEL_FIELD", "THRESHOLD")
                if name in os.environ
            },
            job_args=args,
        )
    except Exception as error:
        print(f"Evaluation failed: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

#!/usr/bin/env python3
"""Model training: a logistic regression fitted by gradient descent, in plain Python.

It stands where cursus has xgboost_training and keeps its contract:

  input  input_path              <dir>/{train,val}/<split>_processed_data.csv
         hyperparameters_s3_uri  hyperparameters.json, or a directory holding it
  output model_output            model.json, feature_columns.txt, hyperparameters.json
         evaluation_output       val_predictions.csv, val_metrics.json
  env    none: everything comes from hyperparameters.json, as in cursus
  args   none

The DAG names this step ModelTraining_training and points at this file with "script", so the
step keeps its role-based name whatever algorithm implements it.
"""
import argparse
import csv
import json
import math
import sys
from pathlib import Path

from fraud_features import feature_names, fit_transformer, predict_proba, sigmoid, transform


def load_hyperparameters(path):
    path = Path(path)
    # SageMaker hands over a channel directory; a local run may point at the file itself.
    if path.is_dir():
        path = path / "hyperparameters.json"
    return json.loads(path.read_text())


def read_split(data_dir, split):
    path = Path(data_dir) / split / f"{split}_processed_data.csv"
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def fit(vectors, labels, learning_rate, epochs, l2_penalty):
    """Full-batch gradient descent from all-zero weights: no randomness, same model every run."""
    n, width = len(vectors), len(vectors[0])
    weights, bias = [0.0] * width, 0.0
    for _ in range(epochs):
        gradient, bias_gradient = [0.0] * width, 0.0
        for vector, label in zip(vectors, labels):
            error = sigmoid(sum(w * x for w, x in zip(weights, vector)) + bias) - label
            for j, x in enumerate(vector):
                gradient[j] += error * x
            bias_gradient += error
        weights = [w - learning_rate * (g / n + l2_penalty * w) for w, g in zip(weights, gradient)]
        bias -= learning_rate * bias_gradient / n
    return weights, bias


def log_loss(labels, probabilities):
    eps = 1e-12  # keeps log() finite for a prediction of exactly 0 or 1
    return -sum(
        y * math.log(max(p, eps)) + (1 - y) * math.log(max(1 - p, eps))
        for y, p in zip(labels, probabilities)
    ) / len(labels)


def main(input_paths, output_paths, environ_vars, job_args):
    hp = load_hyperparameters(input_paths["hyperparameters_s3_uri"])
    label, id_field = hp["label_name"], hp["id_name"]
    train = read_split(input_paths["input_path"], "train")
    val = read_split(input_paths["input_path"], "val")

    transformer = fit_transformer(
        train, hp["tab_field_list"], hp["cat_field_list"], label, hp["risk_smoothing"]
    )
    labels = [int(row[label]) for row in train]
    weights, bias = fit(
        [transform(row, transformer) for row in train],
        labels,
        hp["learning_rate"],
        hp["epochs"],
        hp["l2_penalty"],
    )
    model = {"model_type": "logistic_regression", "weights": weights, "bias": bias, **transformer}

    model_dir = Path(output_paths["model_output"])
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "model.json").write_text(json.dumps(model, indent=2) + "\n")
    (model_dir / "feature_columns.txt").write_text("\n".join(feature_names(transformer)) + "\n")
    # The hyperparameters travel with the model so evaluation knows the id and label columns.
    (model_dir / "hyperparameters.json").write_text(json.dumps(hp, indent=2) + "\n")

    # Score the validation split here so a bad model is visible right after training.
    val_labels = [int(row[label]) for row in val]
    val_probs = [predict_proba(transform(row, transformer), weights, bias) for row in val]
    eval_dir = Path(output_paths["evaluation_output"])
    eval_dir.mkdir(parents=True, exist_ok=True)
    with (eval_dir / "val_predictions.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([id_field, label, "prob_class_1"])
        for row, y, p in zip(val, val_labels, val_probs):
            writer.writerow([row[id_field], y, f"{p:.6f}"])
    train_probs = [predict_proba(transform(row, transformer), weights, bias) for row in train]
    metrics = {
        "train_rows": len(train),
        "train_log_loss": log_loss(labels, train_probs),
        "val_rows": len(val),
        "val_log_loss": log_loss(val_labels, val_probs),
    }
    (eval_dir / "val_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(
        f"Trained on {len(train)} rows: train log loss {metrics['train_log_loss']:.4f}, "
        f"val log loss {metrics['val_log_loss']:.4f}"
    )
    return metrics


if __name__ == "__main__":
    # SageMaker Training mounts channels under /opt/ml/input/data and saves /opt/ml/model.
    try:
        main(
            input_paths={
                "input_path": "/opt/ml/input/data",
                "hyperparameters_s3_uri": "/opt/ml/input/data/config/hyperparameters.json",
            },
            output_paths={"model_output": "/opt/ml/model", "evaluation_output": "/opt/ml/output/data"},
            environ_vars={},
            job_args=argparse.Namespace(),
        )
    except Exception as error:
        print(f"Training failed: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

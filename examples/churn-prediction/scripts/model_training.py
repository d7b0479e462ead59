"""Trains a logistic regression by gradient descent (standard library only).

input_paths["training_data"]        features: train/ and val/
output_paths["model_artifacts"]     model.json (weights, bias, the columns they apply to)
output_paths.get("training_metrics")  optional: loss per epoch
"""
import argparse
import json
import math
import os

from common.csv_io import read_rows


def predict(weights, bias, row):
    z = bias + sum(weights[name] * row[name] for name in weights)
    return 1.0 / (1.0 + math.exp(-z))


def main(input_paths, output_paths, environ_vars, job_args: argparse.Namespace):
    env = environ_vars or {}
    learning_rate = float(env.get("LEARNING_RATE", "0.5"))
    epochs = int(getattr(job_args, "epochs", 200))
    rows = [
        {name: float(value) for name, value in row.items()}
        for row in read_rows(os.path.join(input_paths["training_data"], "train"))
    ]
    columns = [name for name in rows[0] if name != "label"]
    weights = {name: 0.0 for name in columns}
    bias = 0.0
    losses = []
    for _ in range(epochs):
        loss = 0.0
        for row in rows:
            error = predict(weights, bias, row) - row["label"]
            for name in columns:
                weights[name] -= learning_rate * error * row[name] / len(rows)
            bias -= learning_rate * error / len(rows)
            loss += error * error
        losses.append(loss / len(rows))
    os.makedirs(output_paths["model_artifacts"], exist_ok=True)
    with open(os.path.join(output_paths["model_artifacts"], "model.json"), "w") as handle:
        json.dump({"weights": weights, "bias": bias, "job_type": job_args.job_type}, handle, indent=2)
    metrics_dir = output_paths.get("training_metrics")
    if metrics_dir:
        os.makedirs(metrics_dir, exist_ok=True)
        with open(os.path.join(metrics_dir, "loss.json"), "w") as handle:
            json.dump(losses, handle)

"""Scores the model on the test split: accuracy, precision, recall.

input_paths["model_input"]   model.json from training
input_paths["eval_data"]     features: test/
output_paths["metrics"]      metrics.json
"""
import json
import os

from common.csv_io import read_rows
from model_training import predict


def main(input_paths, output_paths, environ_vars, job_args):
    threshold = float(environ_vars.get("DECISION_THRESHOLD", "0.5"))
    with open(os.path.join(input_paths["model_input"], "model.json")) as handle:
        model = json.load(handle)
    rows = [
        {name: float(value) for name, value in row.items()}
        for row in read_rows(os.path.join(input_paths["eval_data"], "test"))
    ]
    predicted = [predict(model["weights"], model["bias"], row) >= threshold for row in rows]
    actual = [row["label"] == 1.0 for row in rows]
    true_positive = sum(p and a for p, a in zip(predicted, actual))
    metrics = {
        "rows": len(rows),
        "accuracy": sum(p == a for p, a in zip(predicted, actual)) / len(rows),
        "precision": true_positive / max(1, sum(predicted)),
        "recall": true_positive / max(1, sum(actual)),
    }
    os.makedirs(output_paths["metrics"], exist_ok=True)
    with open(os.path.join(output_paths["metrics"], "metrics.json"), "w") as handle:
        json.dump(metrics, handle, indent=2)

"""Turns cleaned records into numeric features, scaled to [0, 1] with the train split's range.

input_paths["processed_data"]   train/, val/, test/ from preprocessing
output_paths["features"]        the same splits, numeric columns only, plus "label"
"""
import json
import os
from typing import Dict

from common.csv_io import SPLITS, read_rows, write_rows

NUMERIC = ("tenure_months", "monthly_charges", "support_calls")


def scale(rows, ranges, label):
    return [
        {
            **{name: round((float(row[name]) - low) / ((high - low) or 1.0), 6) for name, (low, high) in ranges.items()},
            "label": int(row[label]),
        }
        for row in rows
    ]


def main(input_paths, output_paths, environ_vars, job_args):
    source = input_paths["processed_data"]
    label = environ_vars.get("LABEL_FIELD", "churned")
    columns = [c for c in environ_vars.get("FEATURE_COLUMNS", ",".join(NUMERIC)).split(",") if c]
    train = read_rows(os.path.join(source, "train"))
    ranges = {c: (min(float(r[c]) for r in train), max(float(r[c]) for r in train)) for c in columns}
    target = output_paths["features"]
    for split in SPLITS:
        rows = read_rows(os.path.join(source, split))
        write_rows(os.path.join(target, split, f"{split}.csv"), scale(rows, ranges, label))
    with open(os.path.join(target, "ranges.json"), "w") as handle:
        json.dump(ranges, handle, indent=2)

#!/usr/bin/env python3
"""Tabular preprocessing: combine raw CSV shards, clean the label, split the rows.

A standard-library version of cursus' tabular_preprocessing step, with the same contract:

  input  data_input      a directory of raw shards named part-*.csv
  output processed_data  training:  <dir>/{train,val,test}/<split>_processed_data.csv
                         otherwise: <dir>/<job_type>/<job_type>_processed_data.csv
  env    LABEL_FIELD (required), TRAIN_RATIO (default 0.7), TEST_VAL_RATIO (default 0.5)
  args   job_type: training | validation | testing | calibration
"""
import argparse
import csv
import os
import random
import sys
from pathlib import Path

# The split must be the same on every run: a test that fails only on some shuffles cannot
# be debugged. cursus uses random_state=42 for the same reason.
SPLIT_SEED = 42


def read_shards(input_dir):
    """Reads every part-*.csv shard in name order; column names are stripped and lower-cased."""
    shards = sorted(Path(input_dir).glob("part-*.csv"))
    if not shards:
        raise FileNotFoundError(f"No part-*.csv shards in {input_dir}")
    columns, rows = None, []
    for shard in shards:
        with shard.open(newline="") as f:
            reader = csv.reader(f)
            header = [name.strip().lower() for name in next(reader)]
            # Shards come from one export; differing headers mean a broken extract, and
            # silently mixing them would shift values into the wrong columns.
            if columns is not None and header != columns:
                raise ValueError(f"{shard.name} has columns {header}, expected {columns}")
            columns = header
            rows.extend(dict(zip(header, values)) for values in reader if values)
    return columns, rows


def clean_labels(rows, label_field, log):
    """Drops unlabelled rows (they cannot be trained or scored) and checks labels are 0/1."""
    labelled = []
    for row in rows:
        label = row[label_field].strip()
        if label == "":
            continue
        if label not in ("0", "1"):
            raise ValueError(f"{label_field} must be 0 or 1, got {label!r} in row {row}")
        row[label_field] = label
        labelled.append(row)
    log(f"Dropped {len(rows) - len(labelled)} unlabelled rows, kept {len(labelled)}")
    return labelled


def stratified_split(rows, label_field, train_ratio, test_val_ratio):
    """Splits each class separately so that the rare fraud class appears in every split."""
    rng = random.Random(SPLIT_SEED)
    splits = {"train": [], "val": [], "test": []}
    for label in sorted({row[label_field] for row in rows}):
        group = [row for row in rows if row[label_field] == label]
        rng.shuffle(group)
        n_train = round(len(group) * train_ratio)
        holdout = group[n_train:]
        n_test = round(len(holdout) * test_val_ratio)
        splits["train"] += group[:n_train]
        splits["test"] += holdout[:n_test]
        splits["val"] += holdout[n_test:]
    return splits


def write_split(output_dir, split, columns, rows):
    """Writes <output_dir>/<split>/<split>_processed_data.csv, the layout every step reads."""
    path = Path(output_dir) / split / f"{split}_processed_data.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(input_paths, output_paths, environ_vars, job_args, logger=None):
    log = logger or print
    label_field = environ_vars.get("LABEL_FIELD")
    if not label_field:
        raise ValueError("LABEL_FIELD environment variable must be set")
    train_ratio = float(environ_vars.get("TRAIN_RATIO", "0.7"))
    test_val_ratio = float(environ_vars.get("TEST_VAL_RATIO", "0.5"))

    columns, rows = read_shards(input_paths["data_input"])
    label_field = label_field.strip().lower()
    if label_field not in columns:
        raise ValueError(f"LABEL_FIELD {label_field!r} is not a column; columns are {columns}")
    rows = clean_labels(rows, label_field, log)

    # Only a training job needs all three splits; any other job processes one dataset,
    # written under its job type so the next step finds it by the same convention.
    if job_args.job_type == "training":
        splits = stratified_split(rows, label_field, train_ratio, test_val_ratio)
    else:
        splits = {job_args.job_type: rows}

    for split, split_rows in splits.items():
        path = write_split(output_paths["processed_data"], split, columns, split_rows)
        log(f"Wrote {len(split_rows)} rows to {path}")
    return {split: len(split_rows) for split, split_rows in splits.items()}


if __name__ == "__main__":
    # How the step runs in its SageMaker Processing container; pipetest never runs this
    # block, it imports the module and calls main() with the paths from the spec.
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--job_type", required=True, choices=["training", "validation", "testing", "calibration"]
    )
    args = parser.parse_args()
    try:
        main(
            input_paths={"data_input": "/opt/ml/processing/input/data"},
            output_paths={"processed_data": "/opt/ml/processing/output"},
            environ_vars={
                "LABEL_FIELD": os.environ.get("LABEL_FIELD", ""),
                "TRAIN_RATIO": os.environ.get("TRAIN_RATIO", "0.7"),
                "TEST_VAL_RATIO": os.environ.get("TEST_VAL_RATIO", "0.5"),
            },
            job_args=args,
        )
    except Exception as error:
        print(f"Preprocessing failed: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

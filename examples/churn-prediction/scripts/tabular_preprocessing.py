"""Cleans raw customer records and splits them into train/val/test.

input_paths["raw_data"]      a folder of CSV shards
output_paths["processed_data"]  train/, val/, test/ subfolders, one CSV each
"""
import argparse
import os
import random
from typing import Dict

from common.csv_io import SPLITS, read_rows, write_rows


def _float_env(env: Dict[str, str], name: str, default: float) -> float:
    value = env.get(name, default)
    return float(value) if value not in (None, "") else default


def main(
    input_paths: Dict[str, str],
    output_paths: Dict[str, str],
    environ_vars: Dict[str, str],
    job_args: argparse.Namespace,
) -> None:
    inputs = input_paths
    label = environ_vars.get("LABEL_FIELD", "churned")
    train_ratio = _float_env(environ_vars, "TRAIN_RATIO", 0.6)
    seed = int(environ_vars.get("RANDOM_SEED", 7))
    rows = [row for row in read_rows(inputs["raw_data"]) if row.get(label) in ("0", "1")]
    if not rows:
        raise ValueError(f"no rows with a 0/1 {label!r} column in {inputs['raw_data']}")
    random.Random(seed).shuffle(rows)
    if job_args.job_type != "training":
        splits = {job_args.job_type: rows}
    else:
        cut = int(len(rows) * train_ratio)
        middle = cut + (len(rows) - cut) // 2
        splits = dict(zip(SPLITS, (rows[:cut], rows[cut:middle], rows[middle:])))
    for split, split_rows in splits.items():
        write_rows(os.path.join(output_paths["processed_data"], split, f"{split}.csv"), split_rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    main(
        {"raw_data": "/opt/ml/processing/input/data"},
        {"processed_data": "/opt/ml/processing/output"},
        {"LABEL_FIELD": os.environ.get("LABEL_FIELD", "churned")},
        parser.parse_args(),
    )

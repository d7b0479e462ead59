#!/usr/bin/env python3
"""Stratified sampling: rebalance the training data so the rare fraud class is not drowned out.

After cursus' stratified_sampling step:

  input  processed_data  <dir>/<split>/<split>_processed_data.csv (from preprocessing)
  output processed_data  the same layout, with train and val sampled and test copied unchanged
  env    STRATA_COLUMN (required), SAMPLING_STRATEGY (balanced | proportional, default balanced),
         TARGET_SAMPLE_SIZE (default 1000), MIN_SAMPLES_PER_STRATUM (default 10),
         RANDOM_STATE (default 42)
  args   job_type: training samples train and val; any other job samples its own split

Unlike the other steps this one reads its settings from os.environ, as many real scripts do:
pipetest exports a spec's environ_vars to the process environment as well as passing them.
"""
import argparse
import csv
import os
import random
import sys
from pathlib import Path


def read_split(data_dir, split):
    path = Path(data_dir) / split / f"{split}_processed_data.csv"
    if not path.is_file():
        raise FileNotFoundError(f"Expected the {split} split at {path}")
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def write_split(data_dir, split, columns, rows):
    path = Path(data_dir) / split / f"{split}_processed_data.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def allocate(strata_sizes, strategy, target, minimum):
    """How many rows to draw from each stratum; never more than the stratum holds."""
    total = sum(strata_sizes.values())
    wanted = {}
    for stratum, size in strata_sizes.items():
        if strategy == "balanced":
            share = target // len(strata_sizes)
        elif strategy == "proportional":
            share = round(target * size / total)
        else:
            raise ValueError(f"Unknown SAMPLING_STRATEGY {strategy!r}; use balanced or proportional")
        wanted[stratum] = min(size, max(share, minimum))
    return wanted


def sample(rows, strata_column, strategy, target, minimum, rng):
    if rows and strata_column not in rows[0]:
        raise ValueError(f"STRATA_COLUMN {strata_column!r} is not a column of {list(rows[0])}")
    strata = {}
    for row in rows:
        strata.setdefault(row[strata_column], []).append(row)
    sizes = {stratum: len(group) for stratum, group in strata.items()}
    wanted = allocate(sizes, strategy, target, minimum)
    # Iterate strata in a fixed order: dict order follows the data, and the sample must not
    # change when the input rows are merely reordered upstream.
    sampled = []
    for stratum in sorted(strata):
        sampled += rng.sample(strata[stratum], wanted[stratum])
    return sampled, sizes, wanted


def main(input_paths, output_paths, environ_vars, job_args):
    strata_column = os.environ.get("STRATA_COLUMN")
    if not strata_column:
        raise ValueError("STRATA_COLUMN environment variable must be set")
    strategy = os.environ.get("SAMPLING_STRATEGY", "balanced")
    target = int(os.environ.get("TARGET_SAMPLE_SIZE", "1000"))
    minimum = int(os.environ.get("MIN_SAMPLES_PER_STRATUM", "10"))
    rng = random.Random(int(os.environ.get("RANDOM_STATE", "42")))

    source, destination = input_paths["processed_data"], output_paths["processed_data"]
    if job_args.job_type == "training":
        to_sample, to_copy = ["train", "val"], ["test"]
    else:
        to_sample, to_copy = [job_args.job_type], []

    counts = {}
    for split in to_sample:
        columns, rows = read_split(source, split)
        sampled, sizes, wanted = sample(rows, strata_column, strategy, target, minimum, rng)
        write_split(destination, split, columns, sampled)
        print(f"{split}: strata {sizes} -> sampled {wanted}")
        counts[split] = len(sampled)
    # The test split is passed through untouched: evaluating on a rebalanced test set would
    # report metrics for a fraud rate that production never sees.
    for split in to_copy:
        columns, rows = read_split(source, split)
        write_split(destination, split, columns, rows)
        counts[split] = len(rows)
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
    try:
        main(
            input_paths={"processed_data": "/opt/ml/processing/input/data"},
            output_paths={"processed_data": "/opt/ml/processing/output"},
            environ_vars=dict(os.environ),
            job_args=args,
        )
    except Exception as error:
        print(f"Stratified sampling failed: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

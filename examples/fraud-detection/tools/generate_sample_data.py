#!/usr/bin/env python3
"""Regenerate the committed sample data of the fraud-detection example.

The CSV shards under test/integration/runtime/tabular_preprocessing/input/raw_data are
committed, so the tests never depend on this script; it is here so the data can be
explained and rebuilt. Run it from anywhere:

    python3 examples/fraud-detection/tools/generate_sample_data.py

Rows are synthetic but not random noise: fraud is more likely for large amounts, night-time
transactions, card-not-present payments, long distances, young accounts and some merchant
categories, so a model trained downstream has a real signal to find and the evaluation step
reports meaningful metrics. A few rows have a blank label or a blank amount, the kind of mess
a preprocessing step exists to handle.
"""
import csv
import math
import random
from pathlib import Path

ROWS = 200
SHARDS = 2
# A fixed seed makes the file byte-for-byte reproducible.
SEED = 7

HEADER = [
    "Transaction_ID",  # mixed case on purpose: preprocessing normalises column names
    "amount",
    "hour",
    "merchant_category",
    "card_present",
    "distance_km",
    "account_age_days",
    "is_fraud",
]
# Fraud log-odds offset per merchant category (electronics and travel are riskier).
CATEGORY_RISK = {"grocery": -2.0, "fuel": -1.0, "restaurant": -1.0, "electronics": 2.4, "travel": 1.8}


def make_row(rng, index):
    category = rng.choice(sorted(CATEGORY_RISK))
    amount = round(rng.lognormvariate(3.6, 0.9), 2)
    hour = rng.randrange(24)
    card_present = 1 if rng.random() < 0.7 else 0
    distance_km = round(rng.expovariate(1 / 15), 1)
    account_age_days = rng.randrange(1, 3000)
    night = 1 if hour < 6 else 0
    log_odds = (
        -2.0
        + 0.024 * amount
        + 2.4 * night
        - 2.6 * card_present
        + 0.06 * distance_km
        - 0.0016 * account_age_days
        + CATEGORY_RISK[category]
    )
    is_fraud = 1 if rng.random() < 1 / (1 + math.exp(-log_odds)) else 0
    row = [f"T{index:05d}", amount, hour, category, card_present, distance_km, account_age_days, is_fraud]
    # Sprinkle in the defects real extracts have: ~2% unlabelled rows, ~3% missing amounts.
    if rng.random() < 0.02:
        row[-1] = ""
    if rng.random() < 0.03:
        row[1] = ""
    return row


def main():
    rng = random.Random(SEED)
    rows = [make_row(rng, i) for i in range(1, ROWS + 1)]
    out_dir = Path(__file__).resolve().parent.parent / "test/integration/runtime/tabular_preprocessing/input/raw_data"
    out_dir.mkdir(parents=True, exist_ok=True)
    per_shard = ROWS // SHARDS
    for shard in range(SHARDS):
        path = out_dir / f"part-{shard:05d}.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(rows[shard * per_shard : (shard + 1) * per_shard])
        print(f"wrote {path}")
    labelled = [r for r in rows if r[-1] != ""]
    print(f"{len(rows)} rows, {sum(r[-1] for r in labelled)} fraud among {len(labelled)} labelled")


if __name__ == "__main__":
    main()

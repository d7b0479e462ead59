"""Reading and writing the CSV splits the steps pass to each other (standard library only)."""
import csv
import os
from typing import Dict, List

SPLITS = ("train", "val", "test")


def read_rows(path: str) -> List[Dict[str, str]]:
    """Every row of every .csv file in a folder (or of one file), in file-name order."""
    files = [path]
    if os.path.isdir(path):
        files = [os.path.join(path, name) for name in sorted(os.listdir(path)) if name.endswith(".csv")]
    rows: List[Dict[str, str]] = []
    for file in files:
        with open(file, newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def write_rows(path: str, rows: List[Dict[str, object]]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

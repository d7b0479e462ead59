"""Feature code shared by training and evaluation, so both turn a row into numbers the same way.

Scoring with features computed differently from training ("train/serve skew") is a classic
silent bug; one module imported by both steps rules it out. This is not a pipeline step (it
has no main()); the steps import it as a sibling module, which works because pipetest puts a
script's folder on sys.path, just as a container with every script in /opt/ml/code does.
"""
import math


def _number(value):
    """Parses a CSV cell; blank means missing (None)."""
    value = value.strip()
    return float(value) if value else None


def fit_transformer(rows, numeric_fields, categorical_fields, label_field, smoothing):
    """Learns, from training rows only, everything transform() needs.

    - numeric fields: the mean, used to impute blanks;
    - categorical fields: a risk table (the smoothed fraud rate of each category), which
      turns a category into one informative number instead of many sparse columns;
    - every feature: mean and standard deviation, so gradient descent sees similar scales.
    """
    labels = [int(row[label_field]) for row in rows]
    prior = sum(labels) / len(labels)
    impute = {}
    for field in numeric_fields:
        present = [v for v in (_number(row[field]) for row in rows) if v is not None]
        impute[field] = sum(present) / len(present)
    risk_tables = {}
    for field in categorical_fields:
        counts = {}
        for row, label in zip(rows, labels):
            seen, fraud = counts.get(row[field], (0, 0))
            counts[row[field]] = (seen + 1, fraud + label)
        # Smoothing pulls rare categories towards the overall rate, so a category seen
        # twice with one fraud is not scored as 50% risky.
        risk_tables[field] = {
            category: (fraud + smoothing * prior) / (seen + smoothing)
            for category, (seen, fraud) in sorted(counts.items())
        }
    transformer = {
        "numeric_fields": list(numeric_fields),
        "categorical_fields": list(categorical_fields),
        "impute": impute,
        "risk_tables": risk_tables,
        "default_risk": prior,
        "mean": [],
        "std": [],
    }
    raw = [_raw_vector(row, transformer) for row in rows]
    for column in zip(*raw):
        mean = sum(column) / len(column)
        variance = sum((v - mean) ** 2 for v in column) / len(column)
        transformer["mean"].append(mean)
        # A constant column would divide by zero; leaving it unscaled is harmless.
        transformer["std"].append(math.sqrt(variance) or 1.0)
    return transformer


def feature_names(transformer):
    return transformer["numeric_fields"] + [f"{f}_risk" for f in transformer["categorical_fields"]]


def _raw_vector(row, transformer):
    values = []
    for field in transformer["numeric_fields"]:
        value = _number(row[field])
        values.append(transformer["impute"][field] if value is None else value)
    for field in transformer["categorical_fields"]:
        # A category never seen in training gets the overall fraud rate.
        values.append(transformer["risk_tables"][field].get(row[field], transformer["default_risk"]))
    return values


def transform(row, transformer):
    """One CSV row (a dict of strings) -> the standardised feature vector the model expects."""
    raw = _raw_vector(row, transformer)
    return [(v - m) / s for v, m, s in zip(raw, transformer["mean"], transformer["std"])]


def sigmoid(z):
    # Split by sign so math.exp never overflows for large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict_proba(vector, weights, bias):
    return sigmoid(sum(w * x for w, x in zip(weights, vector)) + bias)

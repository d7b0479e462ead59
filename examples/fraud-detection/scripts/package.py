#!/usr/bin/env python3
"""Package: bundle the model and its evaluation metrics into model.tar.gz, if the model is good enough.

After cursus' package step, plus a quality gate:

  input  model_input     the model folder written by training
         metrics_input   metrics.json written by evaluation
  output packaged_model  model.tar.gz (model files + metrics.json)
  env    MIN_AUC: refuse to package a model whose test AUC is lower (default 0.5)
  args   none
"""
import argparse
import gzip
import io
import json
import os
import sys
import tarfile
from pathlib import Path


def add_file(archive, path, name):
    """Adds a file with fixed metadata, so the same model always gives the same archive bytes."""
    data = Path(path).read_bytes()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = 0
    archive.addfile(info, io.BytesIO(data))


def main(input_paths, output_paths, environ_vars, job_args):
    model_dir = Path(input_paths["model_input"])
    metrics_file = Path(input_paths["metrics_input"]) / "metrics.json"
    metrics = json.loads(metrics_file.read_text())
    min_auc = float(environ_vars.get("MIN_AUC", "0.5"))
    # Failing here, not downstream, keeps a weak model from ever reaching deployment.
    if metrics["auc_roc"] < min_auc:
        raise ValueError(f"Test AUC {metrics['auc_roc']:.3f} is below MIN_AUC {min_auc}; not packaging")

    out_dir = Path(output_paths["packaged_model"])
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "model.tar.gz"
    files = sorted(p for p in model_dir.iterdir() if p.is_file())
    # gzip stores a timestamp in its header; mtime=0 keeps the archive reproducible.
    with gzip.GzipFile(target, "wb", mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w") as archive:
            for path in files:
                add_file(archive, path, path.name)
            add_file(archive, metrics_file, "metrics.json")
    print(f"Packaged {[p.name for p in files] + ['metrics.json']} into {target}")
    return str(target)


if __name__ == "__main__":
    args = argparse.ArgumentParser().parse_args()  # the step takes no flags; reject stray ones
    try:
        main(
            input_paths={
                "model_input": "/opt/ml/processing/input/model",
                "metrics_input": "/opt/ml/processing/input/metrics",
            },
            output_paths={"packaged_model": "/opt/ml/processing/output"},
            environ_vars={"MIN_AUC": os.environ.get("MIN_AUC", "0.5")},
            job_args=args,
        )
    except Exception as error:
        print(f"Packaging failed: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)

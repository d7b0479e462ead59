#!/usr/bin/env python3
"""Keep the log lines at or above a severity, with e-mail addresses redacted.

A command-line tool, not a cursus-style main(): pipetest's "command" runner calls it like a
shell would (but without a shell), filling the {input:…}, {output:…} and {arg:…} placeholders
of the spec's "command" list:

    python3 filter_logs.py --in <dir of *.log> --out <dir> --min-level WARNING

Each line looks like "<timestamp> <LEVEL> <service> <message>". REDACT_EMAILS (env, default
"true") replaces addresses, so the filtered log can be shared outside the team.
"""
import argparse
import os
import re
import sys
from pathlib import Path

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="input_dir", required=True)
    parser.add_argument("--out", dest="output_dir", required=True)
    parser.add_argument("--min-level", default="WARNING", choices=LEVELS)
    args = parser.parse_args()
    redact = os.environ.get("REDACT_EMAILS", "true").lower() == "true"
    threshold = LEVELS.index(args.min_level)

    logs = sorted(Path(args.input_dir).glob("*.log"))
    if not logs:
        # Exit codes are how a command reports failure; pipetest shows this message and code.
        print(f"no *.log files in {args.input_dir}", file=sys.stderr)
        return 2
    kept = []
    for log in logs:
        for line in log.read_text().splitlines():
            parts = line.split(" ", 3)
            if len(parts) == 4 and parts[1] in LEVELS and LEVELS.index(parts[1]) >= threshold:
                kept.append(EMAIL.sub("<redacted>", line) if redact else line)
    # Timestamps lead each line, so a plain sort merges the services into one timeline.
    kept.sort()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    # .txt, not .log: pipetest, like cursus, treats *.log files as run leftovers rather than
    # data, so an output folder holding only a .log would count as empty.
    (out / "filtered.txt").write_text("\n".join(kept) + "\n")
    print(f"kept {len(kept)} lines at {args.min_level} or above from {len(logs)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())

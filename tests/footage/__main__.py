"""`python -m footage OUT.mp4 [--minutes M]` (tests/ on the path): a synthetic game and its truth, for the demo."""

import argparse
from pathlib import Path

from footage.samples import make_sample, truth_path

parser = argparse.ArgumentParser(prog="scripts/sample", description=__doc__)
parser.add_argument("output", type=Path)
parser.add_argument("--minutes", type=float, default=3.0)
args = parser.parse_args()
truth = make_sample(args.output.expanduser().resolve(), minutes=args.minutes)
print(f"{args.output} ({len(truth.events)} true highlights in {truth_path(args.output).name})")

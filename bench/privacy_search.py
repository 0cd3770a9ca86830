"""Long run of the privacy property test: many random organisations, each attacked with every published cell.

tests/test_privacy.py runs 10 organisations per suite run; this runs as many as asked (default 2,000)
with the same generator and attacker, and reports how many organisations gave anything hidden away:
    .venv/bin/python bench/privacy_search.py [--examples N] [--start SEED] [--teams MOST]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_privacy import attack, seeded  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--start", type=int, default=10_000, help="first seed (the suite uses 0-9)")
    parser.add_argument("--teams", type=int, default=14, help="most teams per organisation")
    args = parser.parse_args()
    started, leaking = time.perf_counter(), 0
    for seed in range(args.start, args.start + args.examples):
        found = attack(seeded(seed, most_teams=args.teams))
        if found:
            leaking += 1
            print(f"seed {seed}: {len(found)} found, e.g. {found[0]}")
    took = time.perf_counter() - started
    print(f"{leaking} of {args.examples} organisations gave something hidden away ({took:.0f} s)")
    return 1 if leaking else 0


if __name__ == "__main__":
    raise SystemExit(main())

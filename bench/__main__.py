"""python -m bench soak … — benchmarks that need more than one process (the others are scripts: python bench/NAME.py)."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("soak",):
        print("usage: python -m bench soak [--users N] [--seconds S] [FILES…]", file=sys.stderr)
        return 2
    from bench.soak import main as soak

    return soak(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""python -m bench soak|scale|hnsw … — benchmarks that need more than one process or a big store (the others are scripts: python bench/NAME.py)."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("soak", "scale", "hnsw"):
        print("usage: python -m bench soak [--users N] [--seconds S] [FILES…] | scale [--sizes 1000,10000] | hnsw [--ef 50,100]",
              file=sys.stderr)
        return 2
    if argv[0] == "hnsw":
        from bench.hnsw import main as hnsw

        return hnsw(argv[1:])
    if argv[0] == "scale":
        from bench.scale import main as scale

        return scale(argv[1:])
    from bench.soak import main as soak

    return soak(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""python -m qa.heldout — leave one question set out: each collection set answered end to end by a ranker and refusal
model fitted without it, the honest counterpart of `python -m qa.eval`'s in-sample numbers.

The models are fitted as `python -m qa.calibrate` fits them (on every dev set but the held-out one, near misses
included), kept in a folder of their own under .cache/heldout/, and the held-out questions are asked of their own store
with QA_MODELS_DIR pointing there. The run is saved in qa.eval's format, so `python -m qa.eval diff` compares two."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from config import get_settings
from config.settings import ROOT, settings_error

FOLDER = ROOT / ".cache" / "heldout"


def fit_without(rows: list[dict], held: str, folder: Path, folds: int = 5) -> Path:
    """The ranker and refusal model fitted on every row but the held-out set's, written to folder/."""
    from qa.calibrate import calibrate_refusal, fit_ranker, near_miss_rows, refusal_rows

    train = [r for r in rows if r["set"] != held]
    ranker = fit_ranker(train)
    asked = [r for r in train if not r["ranker_only"]]
    weights, _ = calibrate_refusal(refusal_rows(asked, ranker) + near_miss_rows(asked, ranker), folds)
    folder.mkdir(parents=True, exist_ok=True)
    ranker.meta = {"fitted_on": sorted({r["set"] for r in train}), "held_out": held, "command": "python -m qa.heldout"}
    ranker.save(folder / "ranker.json")
    (folder / "refusal.json").write_text(json.dumps({"weights": weights, **ranker.meta}, indent=1) + "\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    from qa.calibrate import collect
    from qa.devsets import dev_sets, index_for
    from qa.eval import load_questions, run
    from qa.metrics import breakdown
    from qa.provenance import provenance
    from qa.report import markdown

    sets = [d for d in dev_sets() if not d.ranker_only]
    collection = [d.name for d in sets if d.name.startswith("collection-dev")]
    parser = argparse.ArgumentParser(prog="python -m qa.heldout", description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=collection, help="the sets to hold out, one at a time (default: "
                        f"the collection sets: {' '.join(collection) or 'none found'})")
    parser.add_argument("--folds", type=int, default=5, help="folds of the refusal threshold's own cross-validation")
    parser.add_argument("--save", type=Path, help="save the run (qa.eval's format: provenance and per-question results)")
    parser.add_argument("--json", action="store_true", help="print the saved run as JSON instead of the table")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sets) - {d.name for d in sets})
    if unknown or not args.sets:
        parser.error(f"no such dev set: {', '.join(unknown)}" if unknown else "no set to hold out (is ../shared/eval here?)")
    logging.basicConfig(level=logging.WARNING)
    try:
        base = get_settings()
    except ValueError as exc:  # a bad QA_* value: one line naming it, as the other commands say it
        print(f"error: {settings_error(exc)}", file=sys.stderr)
        return 2
    rows = []
    for dev in sets:
        print(f"collecting {dev.name} …", file=sys.stderr)
        rows += collect(dev, base)
    results, files, first = [], [], None
    for dev in (d for d in sets if d.name in args.sets):
        print(f"fitting without {dev.name}, then answering it …", file=sys.stderr)
        folder = fit_without(rows, dev.name, FOLDER / dev.name, args.folds)
        index = index_for(dev, base.model_copy(update={"models_dir": folder}))
        first = first or index
        files += dev.questions
        for r in run(load_questions(dev.questions), index):
            results.append({**r, "held_out": dev.name})
    table = breakdown(results)
    saved = {"provenance": {**provenance(first, files), "held_out": args.sets}, "checks": {}, "metrics": table,
             "results": results}
    saved["provenance"]["model"].update(ranker="fitted without each set", refusal="fitted without each set")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(saved, ensure_ascii=False, indent=1))
    else:
        print(markdown(table, results, saved["provenance"], {}).split("\n## Per statement")[0]
              .replace("# Evaluation:", "# Held out, one set at a time:", 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``bench reference check|update RUN_DIR``: the CI metric regression against kept references."""

from __future__ import annotations

from pathlib import Path

from bench.errors import DataError
from bench.runner.regression import DEFAULT_TOLERANCE, check_run, update_reference


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("reference", help="compare a run with reference metrics, or update them")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="exit 1 when a metric moved beyond the reference's tolerance")
    check.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    check.set_defaults(run=run_check)

    update = actions.add_parser("update", help="write RUN_DIR's metrics as the new reference")
    update.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    update.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="absolute tolerance per metric")
    update.set_defaults(run=run_update)


def _require_results(folder: Path) -> None:
    if not (folder / "results.json").is_file():
        raise DataError(f"{folder}: no results.json; point at a finished run folder")


def run_check(args) -> int:
    _require_results(args.run_dir)
    problems = check_run(args.run_dir)
    for problem in problems:
        print(f"regression: {problem}")
    if not problems:
        print("no regression: every metric is within the reference tolerance")
    return 1 if problems else 0


def run_update(args) -> int:
    _require_results(args.run_dir)
    path = update_reference(args.run_dir, args.tolerance)
    print(f"wrote reference values to {path}")
    return 0

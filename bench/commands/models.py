"""``bench models list``: the registered models."""

from __future__ import annotations

from tabulate import tabulate

from bench.registry import MODELS


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list the registered models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list every model with its family and source")
    listing.set_defaults(run=run_list)


def run_list(args) -> int:
    rows = [(spec.name, spec.family, spec.stability, spec.reference) for spec in MODELS.values()]
    print(tabulate(rows, headers=["model", "family", "stability", "reference"]))
    return 0

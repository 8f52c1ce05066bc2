"""``bench datasets list|stats|samples``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tabulate import tabulate

from bench.data import available_recipes, load_dataset, load_recipe
from bench.data.export import write_samples_jsonl
from bench.data.stats import dataset_stats
from bench.data.types import SPLITS
from bench.tokenizers import load_tokenizer


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("datasets", help="list datasets, print statistics, export samples")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the dataset recipes")
    listing.set_defaults(run=run_list)

    stats = actions.add_parser("stats", help="print Table 1 statistics of a dataset")
    add_dataset_arguments(stats)
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    stats.add_argument(
        "--tokenizer",
        help="count average title tokens with smollm2, llama-3.2 or a local tokenizer folder",
    )
    stats.set_defaults(run=run_stats)

    samples = actions.add_parser("samples", help="write the samples of a split as JSON lines")
    add_dataset_arguments(samples)
    samples.add_argument("--split", choices=SPLITS, required=True)
    samples.add_argument("--history", type=positive_int, default=100, metavar="K", help="history length K (default 100)")
    samples.add_argument("--out", type=Path, required=True, metavar="FILE.jsonl")
    samples.set_defaults(run=run_samples)


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="dataset name (see `bench datasets list`)")
    parser.add_argument(
        "--data-root",
        type=Path,
        metavar="DIR",
        help="read DIR/NAME/ instead of the bundled copy (raw, RecBole atomic or processed files)",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def run_list(args) -> int:
    rows = []
    for name in available_recipes():
        recipe = load_recipe(name)
        rows.append((name, "yes" if recipe.bundled else "no (--data-root)", recipe.description))
    print(tabulate(rows, headers=["dataset", "bundled", "description"]))
    return 0


def run_stats(args) -> int:
    dataset = load_dataset(args.name, args.data_root)
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else None
    stats = dataset_stats(dataset, tokenizer, args.tokenizer)

    if args.json:
        print(json.dumps(stats.as_dict(), indent=2))
        return 0
    print(tabulate([(key, value) for key, value in stats.as_dict().items()], headers=["statistic", "value"]))
    return 0


def run_samples(args) -> int:
    dataset = load_dataset(args.name, args.data_root)
    samples = dataset.samples(args.split, args.history)
    written = write_samples_jsonl(dataset, samples, args.out)
    print(f"wrote {written} {args.split} samples (K = {args.history}) to {args.out}")
    return 0

"""``bench compression NAME --history K``: every LLM method's compression ratio on the test samples."""

from __future__ import annotations

import json
import logging
import time

from tabulate import tabulate

from bench.commands.datasets import add_dataset_arguments, positive_int
from bench.compression import DEFAULT_ITEM_TEXT, compression_ratios
from bench.data import load_dataset, load_recipe
from bench.errors import ConfigError
from bench.tokenizers import load_tokenizer

log = logging.getLogger(__name__)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "compression",
        help="print each LLM method's history compression ratio on the test samples, without training",
    )
    add_dataset_arguments(parser)
    parser.add_argument("--history", type=positive_int, required=True, metavar="K", help="history length K in items")
    parser.add_argument(
        "--tokenizer", default="smollm2", metavar="NAME",
        help="count title tokens with smollm2 (default, the default backbone), llama-3.2 (the paper's) or a local tokenizer folder",
    )
    parser.add_argument(
        "--item-text", type=positive_int, default=DEFAULT_ITEM_TEXT, metavar="M",
        help=f"latest items PatchRec-I keeps as text (default {DEFAULT_ITEM_TEXT})",
    )
    parser.add_argument(
        "--session-size", type=positive_int, metavar="L",
        help="items per session patch for Pure-Session and PatchRec-S (default: the dataset recipe's)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    session_size = args.session_size or _recipe_session_size(args.name)
    dataset = load_dataset(args.name, args.data_root)
    samples = dataset.samples("test", args.history)
    tokenizer = load_tokenizer(args.tokenizer)
    rows = compression_ratios(dataset, samples, tokenizer, args.item_text, session_size)
    log.info("counted %d test samples in %.1f s", len(samples), time.perf_counter() - started)

    settings = {
        "dataset": args.name, "history": args.history, "tokenizer": args.tokenizer,
        "item_text": args.item_text, "session_size": session_size, "test_samples": len(samples),
    }
    if args.json:
        print(json.dumps({**settings, "methods": [row.as_dict() for row in rows]}, indent=2))
        return 0

    print(", ".join(f"{key}={value}" for key, value in settings.items()))
    table = [(row.method, row.text_tokens, row.method_tokens, f"{row.compression_ratio:.2f}") for row in rows]
    print(tabulate(table, headers=["method", "history tokens as text", "history tokens", "CR"]))
    return 0


def _recipe_session_size(name: str) -> int:
    session_size = load_recipe(name).paper.get("session_size")
    if session_size is None:
        raise ConfigError(f"dataset recipe {name!r} has no paper session_size; pass --session-size L")
    return int(session_size)

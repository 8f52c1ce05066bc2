"""Train one LLM method and write its ranking of the test samples; runs alone or under ``accelerate launch``.

    python -m models.llm.train ml-100k PatchRec-S --workdir runs/ml100k/PatchRec-S --set max_train_samples=256
    accelerate launch -m models.llm.train ml-100k PatchRec-S --workdir runs/ml100k/PatchRec-S

Every process trains on its share of each batch; only the main process writes checkpoints and
the ranking file (one JSON line per test sample: target title and ranked titles).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bench.errors import BenchError, ConfigError

log = logging.getLogger(__name__)


def parse_overrides(pairs: list[str]) -> dict:
    """Parse ``key=value`` pairs; values are read as JSON where possible (numbers, true, null)."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"invalid --set {pair!r}; expected key=value, for example learning_rate=1e-5")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models.llm.train", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="dataset name, for example ml-100k")
    parser.add_argument("method", help="TALLRec, Pure-Item, Pure-Session, PatchRec-I or PatchRec-S")
    parser.add_argument("--workdir", type=Path, required=True, help="this model's folder; stage checkpoints go beside it")
    parser.add_argument("--data-root", type=Path, help="read DIR/NAME/ instead of the bundled copy")
    parser.add_argument("--test-samples", type=int, help="rank only the first N test samples")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override an LLM option (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        return run(args)
    except BenchError as error:
        print(f"train: error: {error}", file=sys.stderr)
        return 2


def run(args) -> int:
    import numpy as np

    from bench.data import load_dataset
    from models.llm.recommender import build_llm_recommender

    model = build_llm_recommender(args.method, parse_overrides(args.set))
    dataset = load_dataset(args.dataset, args.data_root)
    config = model.resolved_config(dataset)
    train = dataset.samples("train", config.history_len)
    valid = dataset.samples("valid", config.history_len)
    test = dataset.samples("test", config.history_len)
    if args.test_samples:
        test = test.subset(np.arange(min(args.test_samples, len(test))))

    report = model.fit(dataset, train, valid, args.workdir)
    log.info("fit: %s", report)
    ranking = model.rank(dataset, test)

    from accelerate import PartialState

    if PartialState().is_main_process:
        args.workdir.mkdir(parents=True, exist_ok=True)
        with open(args.workdir / "ranking.jsonl", "w", encoding="utf-8") as out:
            for target, titles in zip(test.targets.tolist(), ranking.titles):
                out.write(json.dumps({"target": dataset.catalog.titles[target], "titles": titles}) + "\n")
        log.info("wrote %s", args.workdir / "ranking.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``bench run --suite NAME``: run a suite of models and write its run folder."""

from __future__ import annotations

from pathlib import Path

from bench.commands.datasets import positive_int
from bench.errors import ConfigError
from bench.profiles import PROFILES
from bench.runner.execute import RunRequest, run_suite


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help="run a suite of models on one dataset and write tables")
    parser.add_argument("--suite", required=True, help="suite name, e.g. table2 (a file in suites/)")
    parser.add_argument("--dataset", help="dataset name; defaults to the suite's (table2: ml-100k)")
    parser.add_argument("--data-root", type=Path, metavar="DIR", help="read the dataset from DIR/NAME/")
    parser.add_argument("--models", help="comma-separated subset of the suite's models, e.g. SASRec,TALLRec")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="paper (every sample, GPU), cpu (declared subsamples, the default without CUDA) or smoke (CI)",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="run folder; default: a dated folder in reports/runs/")
    parser.add_argument("--fresh", action="store_true", help="start a new run folder instead of resuming")
    parser.add_argument("--seed", type=int, default=2025, help="seed for subsamples, initialisation and ties (default 2025)")
    parser.add_argument("--history", type=positive_int, metavar="K", help="history length K; default: the suite's")
    parser.add_argument("--backbone", help="LLM backbone: smollm2 (default), a local folder or a hub id")
    parser.add_argument("--lora", action="store_true", help="fine-tune LLMs with LoRA instead of all parameters")
    parser.add_argument(
        "--exclude-history",
        action="store_true",
        help="never recommend items already in the history (every model family); default: they stay candidates",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FAMILY.KEY=VALUE",
        help="override a model setting, e.g. classic.max_epochs=5 or llm.learning_rate=2e-5 (repeatable)",
    )
    parser.set_defaults(run=run)


def parse_settings(pairs: list[str]) -> tuple[dict, dict]:
    """Split ``classic.key=value`` / ``llm.key=value`` flags into two override dicts."""
    classic, llm = {}, {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        family, dot, key = name.partition(".")
        if not separator or not dot or family not in ("classic", "llm") or not key:
            raise ConfigError(f"--set {pair!r} is not FAMILY.KEY=VALUE with FAMILY classic or llm")
        (classic if family == "classic" else llm)[key] = _parse_value(value)
    return classic, llm


def _parse_value(text: str):
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def run(args) -> int:
    classic, llm = parse_settings(args.set)
    if args.backbone:
        llm["backbone"] = args.backbone
    if args.lora:
        llm["lora"] = True
    models = [name.strip() for name in args.models.split(",") if name.strip()] if args.models else None

    request = RunRequest(
        suite=args.suite,
        dataset=args.dataset,
        data_root=args.data_root,
        models=models,
        profile=args.profile,
        out=args.out,
        fresh=args.fresh,
        seed=args.seed,
        history_len=args.history,
        exclude_history=args.exclude_history,
        llm_overrides=llm,
        classic_overrides=classic,
    )
    run_suite(request)
    return 0

"""``bench analyze SUITE``: run an analysis suite (same-items, same-tokens, tradeoff, ablation-ppt, dropout)."""

from __future__ import annotations

from pathlib import Path

from bench.analysis.run import AnalysisRequest, run_analysis
from bench.analysis.suites import analysis_suite_names
from bench.commands.datasets import positive_int
from bench.commands.run import parse_settings
from bench.errors import ConfigError
from bench.profiles import PROFILES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("analyze", help="run an analysis suite and write its table and figure")
    parser.add_argument("suite", help=f"analysis suite: {', '.join(analysis_suite_names())}, or all")
    parser.add_argument("--dataset", help="dataset name; defaults to the suite's (ml-100k)")
    parser.add_argument("--data-root", type=Path, metavar="DIR", help="read the dataset from DIR/NAME/")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="paper, cpu (the default without CUDA) or smoke")
    parser.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output folder shared by the suites, so they reuse each other's checkpoints "
        "(default reports/analysis/DATASET-PROFILE/)",
    )
    parser.add_argument("--seed", type=int, default=2025, help="seed for subsamples and training (default 2025)")
    parser.add_argument("--history", type=positive_int, metavar="K", help="base history length K; default: the profile's or suite's")
    parser.add_argument("--test-samples", type=positive_int, metavar="N", help="score on a seeded subsample of N test samples")
    parser.add_argument("--backbone", help="LLM backbone: smollm2 (default), a local folder or a hub id")
    parser.add_argument(
        "--set", action="append", default=[], metavar="llm.KEY=VALUE",
        help="override an LLM setting for every point, e.g. llm.max_train_samples=64 (repeatable)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    classic, llm = parse_settings(args.set)
    if classic:
        raise ConfigError("analysis suites hold LLM methods only; use --set llm.KEY=VALUE")
    if args.backbone:
        llm["backbone"] = args.backbone
    names = analysis_suite_names() if args.suite == "all" else [args.suite]
    for name in names:
        run_analysis(
            AnalysisRequest(
                suite=name, dataset=args.dataset, data_root=args.data_root, profile=args.profile, out=args.out,
                seed=args.seed, history_len=args.history, test_samples=args.test_samples, llm_overrides=llm,
            )
        )
    return 0

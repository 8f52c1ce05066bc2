"""``bench long-users --gpu-mem SIZE``: the longest history each LLM method decodes within a memory budget."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from tabulate import tabulate

from bench.commands.datasets import positive_int
from bench.commands.run import parse_settings
from bench.data import load_dataset
from bench.errors import ConfigError
from bench.longusers.plan import LongUserPlan, PlanSettings, estimate_plan
from bench.longusers.prompts import METHODS, PromptCounter, load_backbone_tokenizer, long_user_samples
from bench.memory import BUILTIN_ARCHITECTURES, DTYPE_BYTES, format_bytes, load_architecture, parse_memory_size
from bench.profiles import PROFILES, get_profile
from bench.runner.execute import subsample
from bench.runner.files import write_json_atomic

log = logging.getLogger(__name__)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "long-users", help="pick each LLM method's history length K under a GPU-memory budget, then score it"
    )
    parser.add_argument("--gpu-mem", required=True, metavar="SIZE", help="memory budget, e.g. 40GB (10**9 bytes) or 40GiB")
    parser.add_argument("--dataset", default="ml-1m", help="dataset name (default ml-1m)")
    parser.add_argument("--data-root", type=Path, metavar="DIR", help="read the dataset from DIR/NAME/")
    parser.add_argument("--min-interactions", type=positive_int, default=500, metavar="N", help="keep users with at least N interactions (default 500)")
    parser.add_argument(
        "--backbone", default="smollm2",
        help=f"{' or '.join(BUILTIN_ARCHITECTURES)} (built-in architectures) or a model folder (default smollm2)",
    )
    parser.add_argument("--dtype", choices=sorted(DTYPE_BYTES), default="bf16", help="weights and cache dtype on the GPU (default bf16)")
    parser.add_argument("--batch-size", type=positive_int, default=16, help="test batch size (default 16)")
    parser.add_argument("--beams", type=positive_int, default=20, help="beams of the constrained search (default 20)")
    parser.add_argument("--item-text", type=positive_int, default=20, metavar="M", help="PatchRec-I: latest items kept as text (default 20)")
    parser.add_argument("--session-size", type=positive_int, default=20, metavar="L", help="PatchRec-S: items per session (default 20)")
    parser.add_argument("--max-history", type=positive_int, metavar="K", help="search K only up to this many items (default: the longest sequence)")
    parser.add_argument("--estimate", action="store_true", help="use the memory model even where CUDA is available")
    parser.add_argument("--plan", action="store_true", help="print the K chosen for each method and stop")
    parser.add_argument("--json", action="store_true", help="print the plan (with --plan) or the plan and the scores as JSON")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="training and test subsample sizes for scoring (default: cpu without CUDA)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder; default: a dated folder in reports/long-users/")
    parser.add_argument("--seed", type=int, default=2025, help="seed for subsamples and training (default 2025)")
    parser.add_argument("--test-samples", type=positive_int, metavar="N", help="score on a seeded subsample of N test samples")
    parser.add_argument(
        "--set", action="append", default=[], metavar="llm.KEY=VALUE",
        help="override an LLM training setting when scoring, e.g. llm.max_train_samples=64 (repeatable)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    budget = parse_memory_size(args.gpu_mem)
    arch = load_architecture(args.backbone)
    if not args.plan and args.backbone in BUILTIN_ARCHITECTURES and args.backbone != "smollm2":
        raise ConfigError(
            f"--backbone {args.backbone} names an architecture without weights, so it only plans; "
            "add --plan, or pass a model folder with its weights to score the methods"
        )

    dataset = load_dataset(args.dataset, args.data_root)
    samples, longest = long_user_samples(dataset, args.min_interactions)
    if args.max_history:
        longest = min(longest, args.max_history)
    tokenizer = load_backbone_tokenizer(args.backbone)
    counter = PromptCounter.build(tokenizer, dataset)
    settings = PlanSettings(
        budget_bytes=budget, batch_size=args.batch_size, num_beams=args.beams, dtype=args.dtype,
        item_text=args.item_text, session_size=args.session_size, methods=METHODS,
    )
    plan = make_plan(args, arch, tokenizer, dataset, counter, samples, longest, settings)

    if args.plan:
        print(json.dumps(plan.as_dict(), indent=2) if args.json else describe_plan(plan, dataset.name, args.min_interactions))
        return 0

    if not args.json:
        print(describe_plan(plan, dataset.name, args.min_interactions))
    return score(args, plan, dataset, samples, counter)


def make_plan(args, arch, tokenizer, dataset, counter, samples, longest, settings) -> LongUserPlan:
    import torch

    if torch.cuda.is_available() and not args.estimate:
        from bench.longusers.measure import measured_plan

        return measured_plan(args.backbone, arch, tokenizer, dataset, counter, samples, longest, settings)
    return estimate_plan(arch, counter, samples, longest, settings)


def describe_plan(plan: LongUserPlan, dataset: str, min_interactions: int) -> str:
    settings = plan.settings
    source = (
        "ESTIMATE from the memory model (parameters + key/value cache + activations), not a measurement"
        if plan.mode == "estimate"
        else "MEASURED peak memory of constrained beam search on this GPU"
    )
    header = [
        f"{dataset}: {plan.samples} test samples of {plan.users} users with >= {min_interactions} interactions; "
        f"longest sequence {plan.longest_sequence} items (longest history before a test target: {plan.longest_history})",
        f"{source}: {plan.backbone} in {settings.dtype}, budget {format_bytes(settings.budget_bytes)}, "
        f"batch {settings.batch_size}, {settings.num_beams} beams, answers up to {plan.answer_tokens} tokens; "
        f"PatchRec-I keeps {settings.item_text} items as text, PatchRec-S uses L = {settings.session_size}",
    ]
    rows = [
        [m.method, m.history_len, "yes" if m.holds_all else "no", m.max_prompt_tokens, f"{m.mean_prompt_tokens:.0f}", format_bytes(m.peak_bytes)]
        for m in plan.methods
    ]
    columns = ["method", "K", "holds every history", "prompt tokens (max)", "prompt tokens (mean)", "peak memory at K"]
    return "\n".join(header) + "\n\n" + tabulate(rows, headers=columns)


def score(args, plan: LongUserPlan, dataset, samples, counter) -> int:
    from bench.longusers.score import score_methods, write_outputs

    profile = get_profile(args.profile)
    classic, llm = parse_settings(args.set)
    if classic:
        raise ConfigError("long-users scores LLM methods only; use --set llm.KEY=VALUE")
    out = args.out or Path("reports") / "long-users" / f"{datetime.now():%Y%m%d-%H%M%S}-{dataset.name}-{profile.name}"
    write_json_atomic(out / "plan.json", plan.as_dict())
    test = subsample(samples, args.test_samples, args.seed)
    rows = score_methods(plan, dataset, test, counter, profile, args.backbone, args.seed, out, llm)
    caption = (
        f"Long users of {dataset.name} (>= {args.min_interactions} interactions), K per method under "
        f"{format_bytes(plan.settings.budget_bytes)} ({plan.mode}); profile {profile.name}"
    )
    figure = write_outputs(out, rows, caption)
    if args.json:
        print(json.dumps({"plan": plan.as_dict(), "rows": rows, "folder": str(out)}, indent=2))
        return 0
    print(f"\n{tabulate([[r[c] for c in ('method', 'K', 'input_tokens', 'HR@20', 'seconds_per_sample')] for r in rows], headers=['method', 'K', 'input tokens', 'HR@20', 's/sample'], floatfmt='.4f')}")
    print(f"\nTable and figure: {out} ({figure.name})")
    return 0

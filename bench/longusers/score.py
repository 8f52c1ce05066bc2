"""Score each method of the long-history study at its planned K: HR@20, time per sample, input tokens."""

from __future__ import annotations

import logging
from pathlib import Path

from bench.analysis.plots import Panel, Series, save_figure
from bench.analysis.report import write_table
from bench.data.types import PreparedDataset, SampleSet
from bench.longusers.plan import LongUserPlan
from bench.longusers.prompts import PromptCounter, method_format
from bench.profiles import Profile
from bench.registry import ModelOptions, get_model
from bench.runner.evaluate import ModelRecord, evaluate_model, load_record
from bench.runner.execute import subsample

log = logging.getLogger(__name__)

COLUMNS = ["method", "K", "input_tokens", "HR@20", "NDCG@20", "seconds_per_sample", "compression_ratio", "test_samples"]


def score_methods(
    plan: LongUserPlan,
    dataset: PreparedDataset,
    test: SampleSet,
    counter: PromptCounter,
    profile: Profile,
    backbone: str,
    seed: int,
    out: Path,
    llm_overrides: dict | None = None,
) -> list[dict]:
    """Fit and score every method with a K of at least 1; return one table row per method."""
    test = subsample(test, profile.test_samples, seed)
    train_len = max(max(method.history_len for method in plan.methods), 1)
    train = dataset.samples("train", train_len)
    valid = dataset.samples("valid", train_len)

    rows = []
    for method in plan.methods:
        if method.history_len == 0:
            log.warning("%s: not even one history item fits the budget; not scored", method.method)
            continue
        record = score_one(method.method, method.history_len, plan, dataset, train, valid, test, profile, backbone, seed, out, llm_overrides or {})
        fmt = method_format(method.method, plan.settings.item_text, plan.settings.session_size)
        rows.append(
            {
                "method": method.method,
                "K": method.history_len,
                "input_tokens": float(counter.prompt_lengths(test, method.history_len, fmt).mean()),
                "HR@20": record.metrics["HR@20"],
                "NDCG@20": record.metrics["NDCG@20"],
                "seconds_per_sample": record.inference_seconds_per_sample,
                "compression_ratio": record.compression_ratio,
                "test_samples": record.test_samples,
            }
        )
    return rows


def score_one(method, history_len, plan, dataset, train, valid, test, profile, backbone, seed, out, llm_overrides) -> ModelRecord:
    """Fit one method at ``history_len`` (resuming a finished one) and rank the test samples."""
    workdir = Path(out) / "models" / f"{method}-K{history_len}"
    record = load_record(workdir)
    if record is not None and record.fingerprint == test.fingerprint():
        log.info("%s at K = %d: finished earlier in %s, skipped", method, history_len, workdir)
        return record

    overrides = {
        **profile.llm,
        **llm_overrides,
        "history_len": history_len,
        "item_text": plan.settings.item_text,
        "session_size": plan.settings.session_size,
        "backbone": backbone,
        "eval_batch_size": plan.settings.batch_size,
        "num_beams": plan.settings.num_beams,
    }
    spec = get_model(method)
    recommender = spec.build(ModelOptions(overrides=overrides, seed=seed))
    log.info("%s at K = %d: fitting, then ranking %d test samples of long users", method, history_len, len(test))
    return evaluate_model(spec, recommender, dataset, train, valid, test, workdir)


def write_outputs(out: Path, rows: list[dict], caption: str) -> Path:
    """Write the table and the two-panel figure (HR@20, inference time per sample)."""
    out = Path(out)
    write_table(out, "long-users", COLUMNS, rows, caption)
    categories = [f"{row['method']}\nK={row['K']}" for row in rows]
    accuracy = [Series(row["method"], [category], [row["HR@20"]]) for row, category in zip(rows, categories)]
    speed = [Series(row["method"], [category], [row["seconds_per_sample"]]) for row, category in zip(rows, categories)]
    save_figure(
        out / "long-users.png",
        [
            Panel("bars", "method and its history length K", "HR@20", accuracy, categories=categories),
            Panel("bars", "method and its history length K", "inference time per sample (s)", speed, categories=categories),
        ],
        title=caption,
    )
    return out / "long-users.png"

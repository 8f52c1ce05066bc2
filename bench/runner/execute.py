"""Run a suite: every model of it on the same samples, resumable, then tables and a summary."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench import progress
from bench.data import load_dataset
from bench.data.types import PreparedDataset, SampleSet
from bench.errors import ConfigError
from bench.profiles import Profile, get_profile
from bench.registry import CLASSIC, ModelOptions, get_model
from bench.runner.evaluate import ModelRecord, evaluate_model, load_record
from bench.runner.files import write_json_atomic
from bench.runner.folder import attach_log_file, describe_environment, mark_finished, open_run_folder
from bench.runner.significance import annotate_significance
from bench.runner.suites import Suite, load_suite
from bench.runner.tables import paper_values, summary_table, table_rows, write_tables

log = logging.getLogger(__name__)


@dataclass
class RunRequest:
    """A run as requested on the command line. ``None`` selects the suite's or the profile's value."""

    suite: str
    dataset: str | None = None
    data_root: Path | None = None
    models: list[str] | None = None
    profile: str | None = None
    out: Path | None = None
    fresh: bool = False
    seed: int = 2025
    history_len: int | None = None
    exclude_history: bool = False
    llm_overrides: dict = field(default_factory=dict)
    classic_overrides: dict = field(default_factory=dict)


@dataclass
class SharedSamples:
    train: SampleSet
    valid: SampleSet
    test: SampleSet


def run_suite(request: RunRequest) -> Path:
    suite = load_suite(request.suite)
    profile = get_profile(request.profile)
    config = resolve_config(request, suite, profile)

    folder = open_run_folder(config, request.out, request.fresh)
    log_handler = attach_log_file(folder)
    try:
        write_json_atomic(folder / "environment.json", describe_environment(request.seed))
        dataset = load_dataset(config["dataset"], request.data_root)
        samples = build_shared_samples(dataset, config["history_len"], profile, request.seed)
        write_json_atomic(folder / "samples.json", describe_samples(samples, profile))

        records = run_models(config, profile, dataset, samples, folder)
        write_report(folder, suite, config, records)
        mark_finished(folder)
    finally:
        logging.getLogger().removeHandler(log_handler)
        log_handler.close()
    return folder


def resolve_config(request: RunRequest, suite: Suite, profile: Profile) -> dict:
    models = [get_model(name).name for name in request.models] if request.models else list(suite.models)
    if not models:
        raise ConfigError("--models selected no model; name at least one (see `bench models list`)")
    return {
        "suite": suite.name,
        "dataset": request.dataset or suite.dataset,
        "data_root": str(request.data_root) if request.data_root else None,
        "history_len": request.history_len or profile.history_len or suite.history_len,
        "models": models,
        "profile": profile.as_dict(),
        "seed": request.seed,
        "exclude_history": request.exclude_history,
        "llm_overrides": request.llm_overrides,
        "classic_overrides": request.classic_overrides,
        "model_overrides": suite.model_overrides or {},
        "paper_table": suite.paper_table,
    }


def build_shared_samples(dataset: PreparedDataset, history_len: int, profile: Profile, seed: int) -> SharedSamples:
    """Build the splits once; the test subsample (if the profile sets one) is shared by every model."""
    train = dataset.samples("train", history_len)
    valid = dataset.samples("valid", history_len)
    test = subsample(dataset.samples("test", history_len), profile.test_samples, seed)
    if len(train) == 0 or len(test) == 0:
        raise ConfigError(
            f"{dataset.name} has {len(train)} training and {len(test)} test samples at K = {history_len}; "
            "both splits need samples (at least three earlier interactions each)"
        )
    log.info(
        "%s at K = %d: %d training, %d validation, %d test samples",
        dataset.name, history_len, len(train), len(valid), len(test),
    )
    return SharedSamples(train, valid, test)


def subsample(samples: SampleSet, size: int | None, seed: int) -> SampleSet:
    """Return a seeded subsample of ``size`` samples in their original order, or all of them."""
    if size is None or size >= len(samples):
        return samples
    chosen = np.sort(np.random.default_rng(seed).choice(len(samples), size=size, replace=False))
    return samples.subset(chosen)


def describe_samples(samples: SharedSamples, profile: Profile) -> dict:
    return {
        "profile": profile.name,
        "train": len(samples.train),
        "valid": len(samples.valid),
        "test": len(samples.test),
        "test_fingerprint": samples.test.fingerprint(),
        "classic_train_samples": profile.classic_train_samples,
        "classic_train_samples_by_model": profile.classic_train_samples_by_model,
        "llm_max_train_samples": profile.llm.get("max_train_samples"),
    }


def run_models(config: dict, profile: Profile, dataset: PreparedDataset, samples: SharedSamples, folder: Path) -> list[ModelRecord]:
    records = []
    fingerprint = samples.test.fingerprint()
    with progress.task(f"{config['suite']} on {dataset.name}", total=len(config["models"])) as advance:
        for position, name in enumerate(config["models"], start=1):
            workdir = folder / "models" / name
            record = load_record(workdir)
            if record is not None and record.fingerprint == fingerprint:
                log.info("%s: finished earlier in this run folder, skipped", name)
            else:
                log.info("model %d of %d: %s", position, len(config["models"]), name)
                record = run_one_model(name, config, profile, dataset, samples, workdir)
            records.append(record)
            advance()
    return records


def run_one_model(name: str, config: dict, profile: Profile, dataset: PreparedDataset, samples: SharedSamples, workdir: Path) -> ModelRecord:
    spec = get_model(name)
    overrides = model_overrides(spec.family, name, config, profile)
    options = ModelOptions(overrides=overrides, seed=config["seed"], exclude_history=config["exclude_history"])
    recommender = spec.build(options)

    train = samples.train
    if spec.family == CLASSIC:
        train = subsample(train, profile.classic_train_size(name), config["seed"])

    # The count is only what the runner hands over: LLM methods draw their own per-stage subsample
    # and log its size when their training starts.
    log.info("%s: given %d training samples; ranking %d test samples after training", name, len(train), len(samples.test))
    started = time.perf_counter()
    record = evaluate_model(spec, recommender, dataset, train, samples.valid, samples.test, workdir)
    log.info(
        "%s: HR@20 %.4f, NDCG@20 %.4f in %.0f s",
        name, record.metrics["HR@20"], record.metrics["NDCG@20"], time.perf_counter() - started,
    )
    return record


def model_overrides(family: str, name: str, config: dict, profile: Profile) -> dict:
    """Merge settings, later ones winning: profile, suite per-model, then the command line."""
    overrides = profile.classic_settings(name) if family == CLASSIC else dict(profile.llm)
    if family == CLASSIC:
        from models.classic.settings import default_settings

        # Histories hold at most K items; a model that reads fewer by default (Caser) keeps its own.
        overrides["max_seq_length"] = min(config["history_len"], default_settings(name)["max_seq_length"])
    else:
        overrides["history_len"] = config["history_len"]
    overrides.update(config["model_overrides"].get(name, {}))
    overrides.update(config["classic_overrides"] if family == CLASSIC else config["llm_overrides"])
    return overrides


def write_report(folder: Path, suite: Suite, config: dict, records: list[ModelRecord]) -> None:
    annotate_significance(records)
    rows = table_rows(records, paper_values(config["paper_table"], config["dataset"]))
    caption = (
        f"{suite.description}. Dataset {config['dataset']}, K = {config['history_len']}, "
        f"profile {config['profile']['name']} ({config['profile']['description']}), "
        f"{records[0].test_samples} test samples, seed {config['seed']}."
    )
    write_tables(folder / "tables", suite.name, rows, caption)
    write_json_atomic(
        folder / "results.json",
        {"suite": suite.name, "dataset": config["dataset"], "profile": config["profile"], "records": [r.as_dict() for r in records]},
    )
    print(f"\n{caption}\n\n{summary_table(rows)}\n\nRun folder: {folder}")

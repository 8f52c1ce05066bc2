"""Run an analysis suite: expand its series into model settings, fit and score each, tabulate and plot.

Every point's folder sits in ``OUT/models/``, so stage checkpoints (``OUT/models/_stages``) and
finished points are shared by all suites written to the same ``OUT``. Patch pre-training runs
once for PatchRec-I, PatchRec-S and patch pre-training alone. TALLRec at the suite's K runs once
for every suite that shows it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench import progress
from bench.analysis.figures import suite_panels
from bench.analysis.report import write_table
from bench.analysis.suites import OPTION_SYMBOLS, AnalysisSuite, SeriesSpec, load_analysis_suite
from bench.analysis.variants import analysis_model
from bench.analysis.plots import save_figure
from bench.compression import method_formats
from bench.data import load_dataset, load_recipe
from bench.data.types import PreparedDataset
from bench.errors import ConfigError
from bench.profiles import Profile, get_profile
from bench.registry import ModelOptions
from bench.runner.evaluate import ModelRecord, evaluate_model, load_record
from bench.runner.execute import SharedSamples, build_shared_samples, subsample
from bench.runner.files import write_json_atomic

log = logging.getLogger(__name__)

COLUMNS = [
    "series", "model", "K", "M", "L", "compression_ratio", "history_tokens", "HR@10", "NDCG@10", "HR@20", "NDCG@20",
    "train_seconds", "seconds_per_sample", "test_samples",
]


@dataclass
class AnalysisRequest:
    """The settings of one ``bench analyze`` call; ``None`` means the suite's or profile's value."""

    suite: str
    dataset: str | None = None
    data_root: Path | None = None
    profile: str | None = None
    out: Path | None = None
    seed: int = 2025
    history_len: int | None = None
    test_samples: int | None = None
    llm_overrides: dict = field(default_factory=dict)


@dataclass
class Point:
    """One model at one setting: a marker or bar of the figure and a row of the table."""

    series: str
    model: str
    overrides: dict
    label: str  # e.g. "M=3", shown next to the point

    def key(self) -> str:
        digest = hashlib.sha256(json.dumps([self.model, self.overrides], sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.model}-{digest}"


def default_out(dataset: str, profile: Profile) -> Path:
    return Path("reports") / "analysis" / f"{dataset}-{profile.name}"


def run_analysis(request: AnalysisRequest) -> Path:
    """Run every point of the suite (reusing finished ones) and write its table and figure."""
    suite = load_analysis_suite(request.suite)
    profile = get_profile(request.profile)
    dataset_name = request.dataset or suite.dataset
    history_len = request.history_len or profile.history_len or suite.history_len
    out = Path(request.out or default_out(dataset_name, profile))

    dataset = load_dataset(dataset_name, request.data_root)
    samples = build_shared_samples(dataset, history_len, profile, request.seed)
    if request.test_samples:
        samples.test = subsample(samples.test, request.test_samples, request.seed)

    base = {**profile.llm, **request.llm_overrides, "history_len": history_len}
    points = expand_points(suite, base, profile.name == "smoke", dataset, samples)
    records = run_points(points, dataset, samples, out / "models", request.seed, suite.name)

    folder = out / suite.name
    session_size = load_recipe(dataset.name).paper.get("session_size")
    rows = [table_row(point, record, session_size) for point, record in zip(points, records)]
    caption = (
        f"{suite.description}. Dataset {dataset.name}, base K = {history_len}, profile {profile.name}, "
        f"{len(samples.test)} test samples, seed {request.seed}." + (f" Paper: {suite.paper}." if suite.paper else "")
    )
    write_table(folder, suite.name, COLUMNS, rows, caption)
    write_json_atomic(folder / "results.json", {"suite": suite.name, "points": [p.__dict__ for p in points], "records": [r.as_dict() for r in records]})
    save_figure(folder / f"{suite.name}.png", suite_panels(suite, points, records), title=f"{suite.description} ({dataset.name})")
    print(f"\n{caption}\n\nTable and figure: {folder}")
    return folder


def expand_points(suite: AnalysisSuite, base: dict, smoke: bool, dataset: PreparedDataset, samples: SharedSamples) -> list[Point]:
    """Turn each series into points; a ``match_tokens`` series is expanded after the one it matches."""
    points: list[Point] = []
    for series in sorted(suite.series, key=lambda spec: spec.match_tokens is not None):
        if series.match_tokens:
            targets = [point for point in points if point.series == series.match_tokens]
            points += matched_points(series, targets, base, dataset, samples)
            continue
        for model in series.methods:
            values = suite.values_of(series, smoke) if series.vary else (None,)
            for value in values:
                overrides = {**base, **series.overrides}
                label = ""
                if series.vary:
                    overrides[series.vary] = value
                    label = f"{OPTION_SYMBOLS.get(series.vary, series.vary)}={value}"
                points.append(Point(series.label, model, overrides, label))
    order = {spec.label: index for index, spec in enumerate(suite.series)}
    return sorted(points, key=lambda point: order[point.series])


def matched_points(series: SeriesSpec, targets: list[Point], base: dict, dataset: PreparedDataset, samples: SharedSamples) -> list[Point]:
    """Give ``series`` (an all-text model) the K whose text tokens are closest to each target's history tokens."""
    from models.llm import layout
    from models.llm.stages import latest_items

    titles = title_lengths(dataset, base.get("backbone", "smollm2"))
    test = samples.test
    text_totals = []
    for history_len in range(1, base["history_len"] + 1):
        histories, lengths = latest_items(test, history_len)
        text_totals.append(layout.count_history_tokens(histories, lengths, titles, layout.tallrec_format())[0])
    text_totals = np.array(text_totals)

    points = []
    for target in targets:
        fmt = inference_format(target.model, target.overrides, dataset)
        histories, lengths = latest_items(test, target.overrides["history_len"])
        wanted = layout.count_history_tokens(histories, lengths, titles, fmt)[1]
        history_len = int(np.argmin(np.abs(text_totals - wanted))) + 1
        overrides = {**base, **series.overrides, "history_len": history_len}
        points.append(Point(series.label, series.methods[0], overrides, f"K={history_len}"))
        log.info("%s: K = %d matches %s %s (%d history tokens)", series.label, history_len, target.series, target.label, wanted)
    return points


def title_lengths(dataset: PreparedDataset, backbone: str) -> np.ndarray:
    from models.llm.backbone import load_tokenizer_for
    from models.llm.prompt import catalog_title_table

    return catalog_title_table(load_tokenizer_for(backbone), dataset.catalog).lengths


def inference_format(model: str, overrides: dict, dataset: PreparedDataset):
    session_size = overrides.get("session_size") or load_recipe(dataset.name).paper.get("session_size", 5)
    from models.llm.config import LLMConfig

    formats = method_formats(overrides.get("item_text", LLMConfig.item_text), session_size)
    if model not in formats:
        raise ConfigError(f"match_tokens needs an LLM method with a history format; {model!r} has none")
    return formats[model]


def run_points(points: list[Point], dataset: PreparedDataset, samples: SharedSamples, models_dir: Path, seed: int, suite: str) -> list[ModelRecord]:
    records = []
    fingerprint = samples.test.fingerprint()
    with progress.task(f"{suite} on {dataset.name}", total=len(points)) as advance:
        for point in points:
            workdir = models_dir / point.key()
            record = load_record(workdir)
            if record is not None and record.fingerprint == fingerprint:
                log.info("%s %s: finished earlier in %s, reused", point.model, point.label, workdir)
            else:
                spec = analysis_model(point.model)
                recommender = spec.build(ModelOptions(overrides=point.overrides, seed=seed))
                log.info("%s %s: given %d training samples", point.model, point.label, len(samples.train))
                record = evaluate_model(spec, recommender, dataset, samples.train, samples.valid, samples.test, workdir)
                write_json_atomic(workdir / "point.json", point.__dict__)
            records.append(record)
            advance()
    return records


def table_row(point: Point, record: ModelRecord, recipe_session_size: int | None) -> dict:
    from models.llm.config import LLMConfig

    tokens = record.history_tokens_model
    return {
        "series": point.series,
        "model": point.model,
        "K": point.overrides.get("history_len"),
        "M": point.overrides.get("item_text", LLMConfig.item_text) if point.model == "PatchRec-I" else None,
        "L": point.overrides.get("session_size") or recipe_session_size if point.model in ("PatchRec-S", "Pure-Session") else None,
        "compression_ratio": record.compression_ratio,
        "history_tokens": None if tokens is None else tokens / max(record.test_samples, 1),
        **{metric: record.metrics[metric] for metric in ("HR@10", "NDCG@10", "HR@20", "NDCG@20")},
        "train_seconds": record.train_seconds,
        "seconds_per_sample": record.inference_seconds_per_sample,
        "test_samples": record.test_samples,
    }

"""Fit one model, rank the shared test samples, and turn the ranking into a result record."""

from __future__ import annotations

import ctypes
import gc
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from bench.data.types import PreparedDataset, SampleSet
from bench.metrics import first_match_ranks, summarize, target_titles
from bench.recommender import Recommender
from bench.registry import ModelSpec
from bench.runner.files import write_json_atomic, write_text_atomic

log = logging.getLogger(__name__)

TOP_K = 20
RESULT_FILE = "result.json"
RANKINGS_FILE = "rankings.jsonl"


@dataclass
class ModelRecord:
    """One row of a results table, with everything needed to trust and compare it."""

    model: str
    family: str
    metrics: dict[str, float]
    test_samples: int
    fingerprint: str
    compression_ratio: float | None
    history_tokens_text: int | None
    history_tokens_model: int | None
    train_seconds: float
    stage_seconds: dict[str, float]
    inference_seconds_per_sample: float
    peak_memory_mb: float
    invalid_share: float | None
    ranks: list[int] = field(repr=False, default_factory=list)
    significance: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class PeakMemory:
    """Peak memory during a block: CUDA allocator peak on GPU, else sampled process RSS.

    The process's lifetime peak (``ru_maxrss``) would not do on a CPU: after the first large
    model, every later model in the run would report that model's peak. Sampled RSS alone would
    not do either, because the C allocator keeps freed memory resident and hands it out again,
    so a block's allocations need not raise RSS. Freed memory is therefore returned to the
    operating system when the block starts.

    NOTE: returning freed memory uses glibc's ``malloc_trim``. Where the C library has none
    (macOS, musl), a CPU peak may include memory that an earlier model freed.
    """

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        import torch

        self._cuda = torch.cuda.is_available()
        if self._cuda:
            torch.cuda.reset_peak_memory_stats()
        else:
            _release_freed_memory()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        import torch

        if self._cuda:
            self.peak_bytes = torch.cuda.max_memory_allocated()
            return
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        process = psutil.Process()
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, process.memory_info().rss)
            self._stop.wait(self.interval)


def _release_freed_memory() -> None:
    """Collect unreachable objects and return the C heap's free pages to the operating system."""
    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def evaluate_model(
    spec: ModelSpec,
    recommender: Recommender,
    dataset: PreparedDataset,
    train: SampleSet,
    valid: SampleSet,
    test: SampleSet,
    workdir: Path,
) -> ModelRecord:
    with PeakMemory() as memory:
        started = time.perf_counter()
        fit_report = recommender.fit(dataset, train, valid, workdir)
        train_seconds = time.perf_counter() - started

        started = time.perf_counter()
        ranking = recommender.rank(dataset, test, top_k=TOP_K)
        inference_seconds = time.perf_counter() - started

    ranks = first_match_ranks(ranking.titles, target_titles(dataset.catalog, test))
    tokens = recommender.history_tokens(dataset, test)
    returned = sum(len(titles) for titles in ranking.titles)

    record = ModelRecord(
        model=spec.name,
        family=spec.family,
        metrics=summarize(ranks),
        test_samples=len(test),
        fingerprint=test.fingerprint(),
        compression_ratio=None if tokens is None else tokens[0] / tokens[1],
        history_tokens_text=None if tokens is None else int(tokens[0]),
        history_tokens_model=None if tokens is None else int(tokens[1]),
        train_seconds=round(sum(fit_report.stage_seconds.values()) or train_seconds, 3),
        stage_seconds={stage: round(seconds, 3) for stage, seconds in fit_report.stage_seconds.items()},
        inference_seconds_per_sample=inference_seconds / max(len(test), 1),
        peak_memory_mb=memory.peak_bytes / 2**20,
        invalid_share=None if spec.family == "classic" else ranking.invalid / max(returned, 1),
        ranks=ranks.tolist(),
    )
    _write_rankings(workdir / RANKINGS_FILE, dataset, test, ranking.titles, ranking.items, ranks)
    write_json_atomic(workdir / RESULT_FILE, record.as_dict())
    return record


def load_record(workdir: Path) -> ModelRecord | None:
    path = workdir / RESULT_FILE
    if not path.is_file():
        return None
    content = json.loads(path.read_text(encoding="utf-8"))
    return ModelRecord(**content)


def _write_rankings(path: Path, dataset: PreparedDataset, test: SampleSet, titles, items, ranks: np.ndarray) -> None:
    lines = []
    for index in range(len(test)):
        row = {
            "user": dataset.sequences.user_ids[test.users[index]],
            "target": dataset.catalog.item_ids[test.targets[index]],
            "rank": int(ranks[index]),
            "titles": titles[index],
        }
        if items is not None:
            row["items"] = [dataset.catalog.item_ids[code] for code in items[index].tolist()]
        lines.append(json.dumps(row, ensure_ascii=False))
    write_text_atomic(path, "\n".join(lines) + "\n")

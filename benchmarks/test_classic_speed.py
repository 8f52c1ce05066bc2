"""Full train-and-score of each classic model on ML-100K at K = 100, with default settings.

Target on a 2-core CPU: under 10 minutes per model (fit with early stopping, then ranking of all
items for every test sample). SASRec must also reach HR@20 >= 0.08 on the test split (the
PatchRec paper reports 0.1069). Metrics, epochs and seconds per epoch are stored in the
benchmark's extra_info.

``BENCH_CLASSIC_MAX_EPOCHS`` caps the epochs to measure the cost of one epoch quickly; the time
and accuracy targets are checked only without it.
Run: pytest benchmarks/test_classic_speed.py --benchmark-only -o log_cli=true --log-cli-level=INFO
"""

from __future__ import annotations

import os

import pytest

from bench.data import load_dataset
from bench.metrics import evaluate_ranking
from models.classic import MODEL_NAMES, ClassicRecommender

HISTORY = 100
TIME_LIMIT_SECONDS = 600
MAX_EPOCHS = os.environ.get("BENCH_CLASSIC_MAX_EPOCHS")


@pytest.fixture(scope="module")
def ml100k():
    dataset = load_dataset("ml-100k")
    splits = {split: dataset.samples(split, HISTORY) for split in ("train", "valid", "test")}
    return dataset, splits


def train_and_score(model_name, dataset, splits, workdir):
    recommender = ClassicRecommender(model_name, {"max_epochs": MAX_EPOCHS} if MAX_EPOCHS else None)
    report = recommender.fit(dataset, splits["train"], splits["valid"], workdir)
    ranking = recommender.rank(dataset, splits["test"], top_k=20)
    return report, evaluate_ranking(ranking, dataset.catalog, splits["test"])


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_classic_train_and_score(benchmark, model_name, ml100k, tmp_path):
    dataset, splits = ml100k

    report, metrics = benchmark.pedantic(
        train_and_score, args=(model_name, dataset, splits, tmp_path), rounds=1, iterations=1
    )

    benchmark.extra_info.update(metrics)
    benchmark.extra_info.update(report.extra)
    benchmark.extra_info["seconds_per_epoch"] = report.stage_seconds["train"] / report.extra["epochs_run"]
    assert report.extra["resumed"] == 0.0
    if MAX_EPOCHS:
        return
    assert benchmark.stats["mean"] < TIME_LIMIT_SECONDS
    if model_name == "SASRec":
        assert metrics["HR@20"] >= 0.08

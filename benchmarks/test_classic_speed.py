"""Full train-and-score of each classic model on ML-100K at K = 100, as ``bench`` runs it on a CPU.

Without CUDA, ``bench`` uses the ``cpu`` profile: at most 3 epochs with patience 2 (Caser keeps
its default 30), and Mamba4Rec on a declared subsample of the training samples. This benchmark
applies exactly those settings, ranks all items for every test sample, and checks the target on
a 2-core CPU: under 10 minutes per model. SASRec must also reach HR@20 >= 0.08 on the test split
(the PatchRec paper reports 0.1069). Metrics, epochs and seconds per epoch are stored in the
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
from bench.profiles import get_profile
from bench.runner.execute import subsample
from models.classic import MODEL_NAMES, ClassicRecommender

HISTORY = 100
SEED = 2025  # the runner's default seed, so the subsample matches what `bench run` trains on
TIME_LIMIT_SECONDS = 600
PROFILE = get_profile("cpu")
MAX_EPOCHS = os.environ.get("BENCH_CLASSIC_MAX_EPOCHS")


@pytest.fixture(scope="module")
def ml100k():
    dataset = load_dataset("ml-100k")
    splits = {split: dataset.samples(split, HISTORY) for split in ("train", "valid", "test")}
    return dataset, splits


def train_and_score(model_name, dataset, splits, workdir):
    settings = PROFILE.classic_settings(model_name)
    if MAX_EPOCHS:
        settings["max_epochs"] = int(MAX_EPOCHS)
    train = subsample(splits["train"], PROFILE.classic_train_size(model_name), SEED)

    recommender = ClassicRecommender(model_name, settings, seed=SEED)
    report = recommender.fit(dataset, train, splits["valid"], workdir)
    ranking = recommender.rank(dataset, splits["test"], top_k=20)
    return report, evaluate_ranking(ranking, dataset.catalog, splits["test"]), len(train)


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_classic_train_and_score(benchmark, model_name, ml100k, tmp_path):
    dataset, splits = ml100k

    report, metrics, train_samples = benchmark.pedantic(
        train_and_score, args=(model_name, dataset, splits, tmp_path), rounds=1, iterations=1
    )

    benchmark.extra_info.update(metrics)
    benchmark.extra_info.update(report.extra)
    benchmark.extra_info["train_samples"] = train_samples
    benchmark.extra_info["seconds_per_epoch"] = report.stage_seconds["train"] / report.extra["epochs_run"]
    assert report.extra["resumed"] == 0.0
    if MAX_EPOCHS:
        return
    assert benchmark.stats["mean"] < TIME_LIMIT_SECONDS
    if model_name == "SASRec":
        assert metrics["HR@20"] >= 0.08

"""Full train-and-score of each classic model on ML-100K at K = 100, with default settings.

Target on a 2-core CPU: under 10 minutes per model (fit with early stopping, then ranking of all
items for every test sample). SASRec must also reach HR@20 >= 0.08 on the test split (the
PatchRec paper reports 0.1069). Metrics and epochs are stored in the benchmark's extra_info.
Run: pytest benchmarks/test_classic_speed.py --benchmark-only
"""

from __future__ import annotations

import pytest

from bench.data import load_dataset
from bench.metrics import evaluate_ranking
from models.classic import MODEL_NAMES, ClassicRecommender

HISTORY = 100
TIME_LIMIT_SECONDS = 600


@pytest.fixture(scope="module")
def ml100k():
    dataset = load_dataset("ml-100k")
    splits = {split: dataset.samples(split, HISTORY) for split in ("train", "valid", "test")}
    return dataset, splits


def train_and_score(model_name, dataset, splits, workdir):
    recommender = ClassicRecommender(model_name)
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
    assert report.extra["resumed"] == 0.0
    assert benchmark.stats["mean"] < TIME_LIMIT_SECONDS
    if model_name == "SASRec":
        assert metrics["HR@20"] >= 0.08

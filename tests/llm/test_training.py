"""A short CPU run of each LLM method on ML-100K with the real SmolLM2 backbone.

Each method trains on 24 samples with K = 5 (three optimizer steps per stage), which is enough to
lower the validation loss, and must then return 20 catalog titles for every test sample.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.llm.checkpoints import STATS_FILE
from models.llm.recommender import LLM_RECOMMENDERS
from tests.checkpoints import remove_weights

CONFIG = {
    "history_len": 5,
    "max_train_samples": 24,
    "max_valid_samples": 8,
    "batch_size": 8,
    "micro_batch_size": 8,
    "learning_rate": 5e-5,
    "item_text": 2,
    "session_size": 2,
    "eval_batch_size": 8,
}
METHODS = ["TALLRec", "Pure-Item", "Pure-Session", "PatchRec-I", "PatchRec-S"]
EXPECTED_STAGES = {
    "TALLRec": ["sft-text"],
    "Pure-Item": ["sft-item"],
    "Pure-Session": ["sft-session2"],
    "PatchRec-I": ["ppt", "pft-i2"],
    "PatchRec-S": ["ppt", "pft-s2"],
}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("llm-run")
    yield folder
    remove_weights(folder)


@pytest.fixture(scope="module")
def splits(ml100k):
    test = ml100k.samples("test", 5)
    return ml100k.samples("train", 5), ml100k.samples("valid", 5), test.subset(np.arange(3))


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_short_run_lowers_loss_and_ranks(method, ml100k, splits, run_folder):
    train, valid, test = splits
    model = LLM_RECOMMENDERS[method](CONFIG)

    report = model.fit(ml100k, train, valid, run_folder / method)

    assert list(report.stage_seconds) == EXPECTED_STAGES[method]
    for stage in report.stage_seconds:
        assert report.extra[f"{stage}.valid_loss_after"] < report.extra[f"{stage}.valid_loss_before"]

    ranking = model.rank(ml100k, test, top_k=20)
    catalog = set(ml100k.catalog.titles)
    assert len(ranking.titles) == len(test)
    assert ranking.invalid == 0
    for titles in ranking.titles:
        assert len(titles) == 20
        assert len(set(titles)) == 20
        assert set(titles) <= catalog


@pytest.mark.slow
def test_patchrec_models_share_one_pretraining_checkpoint(run_folder):
    # Relies on the five-method test above having trained both PatchRec models in this folder.
    stages = run_folder / "_stages"
    assert (run_folder / "_stages").is_dir()

    pretraining = sorted(path.name for path in stages.iterdir() if path.name.startswith("ppt-"))
    assert len(pretraining) == 1
    assert json.loads((stages / pretraining[0] / STATS_FILE).read_text())["steps"] == 3


@pytest.mark.slow
def test_second_fit_reuses_finished_stages(ml100k, splits, run_folder):
    train, valid, _ = splits
    before = sorted(path.name for path in (run_folder / "_stages").iterdir())

    report = LLM_RECOMMENDERS["TALLRec"](CONFIG).fit(ml100k, train, valid, run_folder / "TALLRec")

    assert sorted(path.name for path in (run_folder / "_stages").iterdir()) == before
    first = json.loads(next((run_folder / "_stages").glob("sft-text-*/" + STATS_FILE)).read_text())
    assert report.extra["sft-text.valid_loss_after"] == first["valid_loss_after"]

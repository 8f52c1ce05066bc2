"""Every classic model trains on the tiny dataset and returns a valid top-20."""

import json

import numpy as np
import pytest
import torch
from recbole.model.abstract_recommender import SequentialRecommender

from bench.errors import ConfigError, DataError
from models.classic import MODEL_NAMES, ClassicRecommender
from models.classic.recommender import CHECKPOINT_FILE, FINISHED_FILE

TINY_SETTINGS = {"max_epochs": 2, "max_seq_length": 8, "batch_size": 32, "patience": 2}


def fit_tiny(model_name, dataset, workdir, **kwargs):
    recommender = ClassicRecommender(model_name, dict(TINY_SETTINGS), **kwargs)
    report = recommender.fit(
        dataset, dataset.samples("train", history_len=8), dataset.samples("valid", history_len=8), workdir
    )
    return recommender, report


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_model_trains_and_ranks(model_name, tiny_dataset, tmp_path):
    torch.manual_seed(0)
    recommender, report = fit_tiny(model_name, tiny_dataset, tmp_path)
    initial = ClassicRecommender(model_name, dict(TINY_SETTINGS))
    initial._seed_everything()
    untrained = initial._build_model(tiny_dataset, tmp_path)
    test = tiny_dataset.samples("test", history_len=8)

    ranking = recommender.rank(tiny_dataset, test, top_k=20)

    assert isinstance(recommender.model, SequentialRecommender)
    assert ranking.items.shape == (len(test), 20)
    assert ranking.items.min() >= 0
    assert ranking.items.max() < len(tiny_dataset.catalog)
    for row in ranking.items:
        assert len(set(row.tolist())) == 20
    assert ranking.titles[0][0] == tiny_dataset.catalog.titles[ranking.items[0, 0]]
    assert report.extra["epochs_run"] == 2
    assert 0.0 <= report.extra["valid_NDCG@10"] <= 1.0
    assert report.stage_seconds["train"] > 0
    trained_state = recommender.model.state_dict()
    moved = [name for name, value in untrained.state_dict().items() if not torch.equal(value, trained_state[name])]
    assert moved, "training changed no parameter"


def test_fit_resumes_from_finished_checkpoint(tiny_dataset, tmp_path):
    first, _ = fit_tiny("SASRec", tiny_dataset, tmp_path)
    test = tiny_dataset.samples("test", history_len=8)
    expected = first.rank(tiny_dataset, test).items
    marker = json.loads((tmp_path / FINISHED_FILE).read_text())

    second, report = fit_tiny("SASRec", tiny_dataset, tmp_path)

    assert (tmp_path / CHECKPOINT_FILE).is_file()
    assert marker["epochs_run"] == 2
    assert report.extra["resumed"] == 1.0
    assert report.stage_seconds["train"] == 0.0
    np.testing.assert_array_equal(second.rank(tiny_dataset, test).items, expected)


def test_fit_retrains_for_other_settings(tiny_dataset, tmp_path):
    fit_tiny("SASRec", tiny_dataset, tmp_path)

    recommender = ClassicRecommender("SASRec", {**TINY_SETTINGS, "max_epochs": 1})
    report = recommender.fit(
        tiny_dataset, tiny_dataset.samples("train", 8), tiny_dataset.samples("valid", 8), tmp_path
    )

    assert report.extra["resumed"] == 0.0
    assert report.extra["epochs_run"] == 1


def test_training_repeats_under_seed(tiny_dataset, tmp_path):
    test = tiny_dataset.samples("test", history_len=8)

    first, _ = fit_tiny("LinRec", tiny_dataset, tmp_path / "a", seed=5)
    second, _ = fit_tiny("LinRec", tiny_dataset, tmp_path / "b", seed=5)

    np.testing.assert_array_equal(first.rank(tiny_dataset, test).items, second.rank(tiny_dataset, test).items)


def test_exclude_history_applies_to_ranking(tiny_dataset, tmp_path):
    recommender, _ = fit_tiny("SASRec", tiny_dataset, tmp_path, exclude_history=True)
    test = tiny_dataset.samples("test", history_len=8)

    ranking = recommender.rank(tiny_dataset, test)

    for index in range(len(test)):
        assert not set(test.history(index).tolist()) & set(ranking.items[index].tolist())


def test_rank_before_fit_rejected(tiny_dataset):
    with pytest.raises(ConfigError, match="call fit"):
        ClassicRecommender("SASRec").rank(tiny_dataset, tiny_dataset.samples("test", 8))


def test_fit_rejects_empty_validation(tiny_dataset, tmp_path):
    valid = tiny_dataset.samples("valid", history_len=8)
    empty = valid.subset(np.array([], dtype=np.int64))

    with pytest.raises(DataError, match="got .* and 0"):
        ClassicRecommender("SASRec", dict(TINY_SETTINGS)).fit(
            tiny_dataset, tiny_dataset.samples("train", 8), empty, tmp_path
        )


def test_morec_finetunes_encoder_end_to_end(tiny_dataset, tmp_path):
    torch.manual_seed(0)
    recommender = ClassicRecommender("MoRec", {**TINY_SETTINGS, "max_epochs": 1, "finetune_encoder": True})
    untrained = recommender._build_model(tiny_dataset, tmp_path / "untrained")
    encoder_before = {name: value.clone() for name, value in untrained.item_embedding.encoder.state_dict().items()}

    recommender.fit(tiny_dataset, tiny_dataset.samples("train", 8), tiny_dataset.samples("valid", 8), tmp_path / "run")
    ranking = recommender.rank(tiny_dataset, tiny_dataset.samples("test", 8), top_k=20)

    embedding = recommender.model.item_embedding
    encoder_after = embedding.encoder.state_dict()
    moved = [name for name, value in encoder_before.items() if not torch.equal(value, encoder_after[name])]
    assert embedding.features is None
    assert len(moved) > len(encoder_before) // 2, "fine-tuning left most encoder weights unchanged"
    assert torch.count_nonzero(embedding.weight[0]) == 0
    assert ranking.items.shape == (len(tiny_dataset.samples("test", 8)), 20)
    for row in ranking.items:
        assert len(set(row.tolist())) == 20

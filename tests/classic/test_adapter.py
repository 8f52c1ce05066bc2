import os
import sys

import numpy as np
import pytest
import torch
from recbole.model.sequential_recommender.sasrec import SASRec

from bench.data.types import SampleSet
from bench.errors import DataError
from models.classic import ClassicRecommender
from models.classic.adapter import (
    ITEM_FIELD,
    ITEM_SEQ_FIELD,
    LENGTH_FIELD,
    USER_FIELD,
    DatasetView,
    build_config,
    to_sample_tensors,
)
from models.classic.settings import load_settings


def make_samples() -> SampleSet:
    return SampleSet(
        split="train",
        history_len=4,
        users=np.array([0, 3], dtype=np.int32),
        targets=np.array([5, 0], dtype=np.int32),
        histories=np.array([[2, 7, -1, -1], [1, 2, 3, 4]], dtype=np.int32),
        history_lengths=np.array([2, 4], dtype=np.int32),
    )


def test_tensors_shift_ids_by_one():
    tensors = to_sample_tensors(make_samples(), max_seq_length=4)

    assert tensors.users.tolist() == [1, 4]
    assert tensors.targets.tolist() == [6, 1]
    assert tensors.item_seq.tolist() == [[3, 8, 0, 0], [2, 3, 4, 5]]
    assert tensors.item_seq_len.tolist() == [2, 4]


def test_tensors_keep_latest_items():
    tensors = to_sample_tensors(make_samples(), max_seq_length=3)

    assert tensors.item_seq.tolist() == [[3, 8, 0], [3, 4, 5]]
    assert tensors.item_seq_len.tolist() == [2, 3]


def test_tensors_pad_to_longer_length():
    tensors = to_sample_tensors(make_samples(), max_seq_length=6)

    assert tensors.item_seq.tolist() == [[3, 8, 0, 0, 0, 0], [2, 3, 4, 5, 0, 0]]


def test_tensors_reject_empty_history():
    samples = make_samples()
    samples.history_lengths[0] = 0

    with pytest.raises(DataError, match="empty history"):
        to_sample_tensors(samples, max_seq_length=4)


def test_interaction_fields_match_recbole_names():
    tensors = to_sample_tensors(make_samples(), max_seq_length=4)

    interaction = tensors.interaction(torch.tensor([1]), torch.device("cpu"))

    assert interaction[ITEM_SEQ_FIELD].tolist() == [[2, 3, 4, 5]]
    assert interaction[LENGTH_FIELD].tolist() == [4]
    assert interaction[ITEM_FIELD].tolist() == [1]
    assert interaction[USER_FIELD].tolist() == [4]


def test_config_ignores_command_line(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench", "--hidden_size=999", "--n_layers=7"])
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")

    config = build_config(SASRec, load_settings("SASRec"), torch.device("cpu"))

    assert config["hidden_size"] == 64
    assert config["n_layers"] == 2
    assert config["MAX_ITEM_LIST_LENGTH"] == 100
    assert config["device"] == torch.device("cpu")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "3"


def test_config_leaves_out_training_keys():
    config = build_config(SASRec, load_settings("SASRec"), torch.device("cpu"))

    assert "max_epochs" not in config
    assert "patience" not in config


def test_dataset_view_counts_padding():
    view = DatasetView(n_items=40, n_users=16)

    assert view.num(ITEM_FIELD) == 41
    assert view.num(USER_FIELD) == 17


def test_recbole_receives_pipeline_samples(tiny_dataset, tmp_path, monkeypatch):
    """Every training sample reaches SASRec.calculate_loss once per epoch, unchanged."""
    train = tiny_dataset.samples("train", history_len=8)
    valid = tiny_dataset.samples("valid", history_len=8)
    received = []
    original = SASRec.calculate_loss

    def recording_loss(model, interaction):
        received.append({key: interaction[key].cpu().numpy().copy() for key in (USER_FIELD, ITEM_SEQ_FIELD, LENGTH_FIELD, ITEM_FIELD)})
        return original(model, interaction)

    monkeypatch.setattr(SASRec, "calculate_loss", recording_loss)
    recommender = ClassicRecommender("SASRec", {"max_epochs": 1, "max_seq_length": 8, "batch_size": 16})
    recommender.fit(tiny_dataset, train, valid, tmp_path)

    got = sorted(
        (int(user), tuple(seq[:length].tolist()), int(length), int(target))
        for batch in received
        for user, seq, length, target in zip(batch[USER_FIELD], batch[ITEM_SEQ_FIELD], batch[LENGTH_FIELD], batch[ITEM_FIELD])
    )
    padding = [seq[length:] for batch in received for seq, length in zip(batch[ITEM_SEQ_FIELD], batch[LENGTH_FIELD])]
    expected = sorted(
        (int(user) + 1, tuple((row[:length] + 1).tolist()), int(length), int(target) + 1)
        for user, row, length, target in zip(train.users, train.histories, train.history_lengths, train.targets)
    )
    assert len(got) == len(train)
    assert got == expected
    assert all((rest == 0).all() for rest in padding)

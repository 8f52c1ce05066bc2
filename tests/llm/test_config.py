"""LLM options and the stage folders they lead to."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.data.types import Catalog, PreparedDataset, PromptTemplate, SampleSet
from bench.errors import ConfigError
from models.llm.config import LLMConfig
from models.llm.recommender import PatchRecI, PatchRecS, build_llm_recommender


def tiny_samples(split: str) -> SampleSet:
    import numpy as np

    return SampleSet(
        split=split,
        history_len=3,
        users=np.array([0], dtype=np.int32),
        targets=np.array([3], dtype=np.int32),
        histories=np.array([[0, 1, 2]], dtype=np.int32),
        history_lengths=np.array([3], dtype=np.int32),
    )


def tiny_dataset() -> PreparedDataset:
    catalog = Catalog(item_ids=["a", "b", "c", "d"], titles=["A", "B", "C", "D"])
    return PreparedDataset(name="tiny", catalog=catalog, sequences=None, prompt=PromptTemplate("s", "[HISTORY_SEQUENCE]"), cache_key="k")


def test_unknown_option_lists_valid_ones():
    with pytest.raises(ConfigError) as error:
        LLMConfig.from_dict({"learning_rat": 1e-5})

    assert "learning_rat" in str(error.value)
    assert "learning_rate" in str(error.value)


def test_invalid_values_reported_together():
    with pytest.raises(ConfigError) as error:
        LLMConfig.from_dict({"num_beams": 0, "warmup_ratio": 1.5})

    assert "num_beams=0" in str(error.value)
    assert "warmup_ratio=1.5" in str(error.value)


def test_unknown_method_rejected():
    with pytest.raises(ConfigError, match="PatchRec-S"):
        build_llm_recommender("PatchRec-X")


def test_recipe_fills_unset_values_only():
    config = LLMConfig(learning_rate=3e-4).with_recipe({"learning_rate": 1e-5, "batch_size": 64, "session_size": 20})

    assert config.learning_rate == 3e-4
    assert config.batch_size == 64
    assert config.session_size == 20


def test_patchrec_models_share_pretraining_folder():
    config = {"learning_rate": 1e-5, "batch_size": 8, "session_size": 5, "item_text": 5}
    dataset, train, valid = tiny_dataset(), tiny_samples("train"), tiny_samples("valid")
    run = Path("/runs/ml-100k")
    resolved = LLMConfig.from_dict(config)

    item = PatchRecI(config)._stage_folders(resolved, dataset, train, valid, run / "PatchRec-I")
    session = PatchRecS(config)._stage_folders(resolved, dataset, train, valid, run / "PatchRec-S")

    assert item[0][1] == session[0][1]
    assert item[0][1].parent == run / "_stages"
    assert item[1][1] != session[1][1]


def test_stage_folder_changes_with_training_settings():
    dataset, train, valid = tiny_dataset(), tiny_samples("train"), tiny_samples("valid")
    base = {"learning_rate": 1e-5, "batch_size": 8, "session_size": 5}
    folders = [
        PatchRecI(options)._stage_folders(LLMConfig.from_dict(options), dataset, train, valid, Path("/runs/x"))[0][1]
        for options in (base, {**base, "learning_rate": 2e-5}, {**base, "pretraining_dropout": True})
    ]

    assert len(set(folders)) == 3

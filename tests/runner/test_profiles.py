"""How a profile's settings reach each model, and what the command line overrides."""

from __future__ import annotations

import pytest

from bench.errors import ConfigError
from bench.profiles import get_profile
from bench.registry import CLASSIC
from bench.runner.execute import model_overrides


def run_config(classic_overrides: dict | None = None) -> dict:
    return {"history_len": 100, "model_overrides": {}, "classic_overrides": classic_overrides or {}, "llm_overrides": {}}


def test_cpu_profile_caps_epochs_but_caser():
    cpu = get_profile("cpu")

    sasrec = model_overrides(CLASSIC, "SASRec", run_config(), cpu)
    caser = model_overrides(CLASSIC, "Caser", run_config(), cpu)

    assert sasrec["max_epochs"] == 3
    assert sasrec["patience"] == 2
    assert sasrec["max_seq_length"] == 100
    assert caser["max_epochs"] == 30
    assert caser["patience"] == 5
    assert caser["max_seq_length"] == 5


def test_command_line_wins_over_profile():
    overrides = model_overrides(CLASSIC, "Caser", run_config({"max_epochs": 7}), get_profile("cpu"))

    assert overrides["max_epochs"] == 7


def test_training_subsample_per_model():
    assert get_profile("cpu").classic_train_size("Mamba4Rec") == 20000
    assert get_profile("cpu").classic_train_size("SASRec") is None
    assert get_profile("smoke").classic_train_size("SASRec") == 3000
    assert get_profile("paper").classic_train_size("Mamba4Rec") is None


def test_unknown_profile_lists_choices():
    with pytest.raises(ConfigError, match="unknown profile 'laptop'; choose from: paper, cpu, smoke"):
        get_profile("laptop")

"""Flag parsing of `bench run` and its one-line errors."""

from __future__ import annotations

import pytest

from bench.cli import main
from bench.commands.run import parse_settings
from bench.errors import ConfigError


def test_settings_split_by_family():
    classic, llm = parse_settings(["classic.max_epochs=3", "llm.learning_rate=2e-5", "llm.lora=true", "llm.backbone=/m"])

    assert classic == {"max_epochs": 3}
    assert llm == {"learning_rate": 2e-5, "lora": True, "backbone": "/m"}


def test_setting_without_family_rejected():
    with pytest.raises(ConfigError, match="'max_epochs=3' is not FAMILY.KEY=VALUE"):
        parse_settings(["max_epochs=3"])


def test_unknown_suite_is_one_line(capsys):
    assert main(["run", "--suite", "nosuch"]) == 2

    assert capsys.readouterr().err.strip().splitlines() == ["bench: error: unknown suite 'nosuch'; choose from: table2"]


def test_unknown_model_is_one_line(capsys, tmp_path):
    assert main(["run", "--suite", "table2", "--models", "SASRec,NoSuchRec", "--out", str(tmp_path)]) == 2

    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "unknown model 'NoSuchRec'; choose from: GRU4Rec, Caser, SASRec" in error[0]


def test_analysis_suite_points_to_analyze(capsys):
    assert main(["run", "--suite", "same-items"]) == 2

    assert "same-items is an analysis suite; run it with `bench analyze same-items`" in capsys.readouterr().err

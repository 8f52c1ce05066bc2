import pytest

from bench.errors import ConfigError
from models.classic.settings import MODEL_NAMES, canonical_model_name, default_settings, load_settings


@pytest.mark.parametrize("model_name", MODEL_NAMES)
def test_defaults_are_paper_like(model_name):
    settings = default_settings(model_name)

    size_key = "embedding_size" if "embedding_size" in settings else "hidden_size"
    assert settings[size_key] == 64
    assert settings["max_seq_length"] == (5 if model_name == "Caser" else 100)
    assert settings["loss_type"] == "CE"
    assert settings["patience"] >= 1


def test_config_files_cover_every_model():
    assert len(MODEL_NAMES) == 6
    for model_name in MODEL_NAMES:
        assert default_settings(model_name)


def test_model_name_matched_case_insensitively():
    assert canonical_model_name("sasrec") == "SASRec"
    assert canonical_model_name("MAMBA4REC") == "Mamba4Rec"


def test_unknown_model_lists_valid_names():
    with pytest.raises(ConfigError, match="GRU4Rec, Caser, SASRec, LinRec, Mamba4Rec, MoRec"):
        canonical_model_name("BERT4Rec")


def test_unknown_key_lists_valid_keys():
    with pytest.raises(ConfigError) as error:
        load_settings("SASRec", {"hidden_sise": 32, "epochs": 3})

    message = str(error.value)
    assert "'hidden_sise'" in message
    assert "'epochs'" in message
    assert "hidden_size" in message
    assert "max_epochs" in message


def test_string_overrides_converted():
    settings = load_settings("MoRec", {"max_epochs": "3", "learning_rate": "5e-4", "finetune_encoder": "true"})

    assert settings["max_epochs"] == 3
    assert settings["learning_rate"] == pytest.approx(5e-4)
    assert settings["finetune_encoder"] is True


def test_invalid_values_reported_together():
    with pytest.raises(ConfigError) as error:
        load_settings("GRU4Rec", {"max_epochs": 0, "dropout_prob": 1.5, "batch_size": "many"})

    message = str(error.value)
    assert "'max_epochs'=0 must be positive" in message
    assert "'dropout_prob'=1.5 must be in [0, 1)" in message
    assert "'batch_size'='many' must be of type int" in message


def test_fractional_integer_rejected():
    with pytest.raises(ConfigError, match="'patience'=2.5"):
        load_settings("SASRec", {"patience": 2.5})

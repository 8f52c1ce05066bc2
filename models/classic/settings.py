"""Hyper-parameters of the classic models: YAML defaults per model, checked overrides on top.

``configs/training.yaml`` contains the training-loop settings shared by all models and
``configs/<model>.yaml`` the model's own (RecBole key names). Overrides come from the command
line or a run profile, so string values are converted to the type of the default they replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bench.errors import ConfigError

CONFIG_FOLDER = Path(__file__).parent / "configs"
MODEL_NAMES = ("GRU4Rec", "Caser", "SASRec", "LinRec", "Mamba4Rec", "MoRec")

POSITIVE_INTEGER_KEYS = frozenset(
    {"max_epochs", "patience", "batch_size", "eval_batch_size", "max_seq_length", "text_batch_size"}
)
POSITIVE_FLOAT_KEYS = frozenset({"learning_rate"})
PROBABILITY_KEYS = frozenset({"dropout_prob", "hidden_dropout_prob", "attn_dropout_prob"})
NON_NEGATIVE_KEYS = frozenset({"weight_decay", "reg_weight"})


def canonical_model_name(name: str) -> str:
    """Return the registered spelling of a classic model name, matched case-insensitively."""
    by_lower = {model.lower(): model for model in MODEL_NAMES}
    if name.lower() not in by_lower:
        raise ConfigError(f"unknown classic model {name!r}; valid models: {', '.join(MODEL_NAMES)}")
    return by_lower[name.lower()]


def training_keys() -> frozenset[str]:
    """Return the keys read by the training loop rather than by the RecBole model."""
    return frozenset(_read_yaml(CONFIG_FOLDER / "training.yaml"))


def default_settings(model_name: str) -> dict[str, Any]:
    """Return the model's defaults: the shared training settings, then the model's own file."""
    model_name = canonical_model_name(model_name)
    settings = _read_yaml(CONFIG_FOLDER / "training.yaml")
    settings.update(_read_yaml(CONFIG_FOLDER / f"{model_name.lower()}.yaml"))
    return settings


def load_settings(model_name: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the model's defaults with ``overrides`` applied, after checking names, types and ranges.

    Raises:
        ConfigError: listing every unknown key and every invalid value at once.
    """
    settings = default_settings(model_name)
    problems: list[str] = []

    for key, value in (overrides or {}).items():
        if key not in settings:
            problems.append(f"unknown setting {key!r} (valid: {', '.join(sorted(settings))})")
            continue
        try:
            settings[key] = _convert(value, settings[key])
        except ValueError:
            problems.append(f"setting {key!r}={value!r} must be of type {type(settings[key]).__name__}")

    problems.extend(_range_problems(settings))
    if problems:
        raise ConfigError(f"invalid {canonical_model_name(model_name)} settings: " + "; ".join(problems))
    return settings


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle) or {})


def _convert(value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of ``default``; strings from the command line are parsed."""
    if isinstance(default, bool):
        return _convert_bool(value)
    if isinstance(default, int):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        if isinstance(value, bool):
            raise ValueError(value)
        return int(value)
    if isinstance(default, float):
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    return str(value)


def _convert_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise ValueError(value)


def _range_problems(settings: dict[str, Any]) -> list[str]:
    problems = []
    for key, value in settings.items():
        if key in POSITIVE_INTEGER_KEYS | POSITIVE_FLOAT_KEYS and value <= 0:
            problems.append(f"setting {key!r}={value} must be positive")
        elif key in PROBABILITY_KEYS and not 0 <= value < 1:
            problems.append(f"setting {key!r}={value} must be in [0, 1)")
        elif key in NON_NEGATIVE_KEYS and value < 0:
            problems.append(f"setting {key!r}={value} must not be negative")
    return problems

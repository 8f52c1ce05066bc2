"""Configuration of the LLM recommenders: one typed dataclass, overridable by a dict."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, fields

from bench.errors import ConfigError

DEFAULT_BACKBONE = "smollm2"


@dataclass
class LLMConfig:
    """Settings shared by TALLRec, Pure-Item, Pure-Session, PatchRec-I and PatchRec-S.

    ``None`` means "take the dataset recipe's value" for learning_rate, batch_size and
    session_size. ``backbone`` is ``smollm2`` (the bundled SmolLM2-135M-Instruct), a local folder
    or a hub id.
    """

    backbone: str = DEFAULT_BACKBONE
    lora: bool = False
    lora_rank: int = 16
    lora_alpha: int = 32
    learning_rate: float | None = None
    batch_size: int | None = None
    micro_batch_size: int = 4  # samples per forward pass; gradients accumulate up to batch_size
    epochs: int = 1
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    max_train_samples: int | None = None  # seeded subsample of the training samples
    max_valid_samples: int = 64  # samples for the validation loss logged per stage
    history_len: int = 100  # K
    item_text: int = 5  # M, PatchRec-I's latest items kept as text
    session_size: int | None = None  # L
    patch_pretraining: bool = True  # PatchRec only; False is the ablation without it
    pretraining_dropout: bool = False  # pre-train by removing chosen items instead of compressing them
    num_beams: int = 20
    length_penalty: float = 1.0
    eval_batch_size: int = 16
    exclude_history: bool = False  # never recommend a title whose items are all in the history
    seed: int = 0

    @classmethod
    def from_dict(cls, overrides: dict | None = None) -> LLMConfig:
        """Build a config from ``overrides``; every problem is reported in one ConfigError."""
        overrides = dict(overrides or {})
        valid = [f.name for f in fields(cls)]
        unknown = sorted(set(overrides) - set(valid))
        if unknown:
            raise ConfigError(f"unknown LLM option(s) {', '.join(unknown)}; valid options: {', '.join(valid)}")
        config = cls(**overrides)
        config.validate()
        return config

    def validate(self) -> None:
        problems = []
        positive = ["micro_batch_size", "epochs", "max_valid_samples", "history_len", "num_beams", "eval_batch_size", "lora_rank"]
        for name in positive:
            if getattr(self, name) < 1:
                problems.append(f"{name}={getattr(self, name)} must be >= 1")
        for name in ("batch_size", "session_size", "max_train_samples"):
            value = getattr(self, name)
            if value is not None and value < 1:
                problems.append(f"{name}={value} must be >= 1")
        if self.item_text < 0:
            problems.append(f"item_text={self.item_text} must be >= 0")
        if self.learning_rate is not None and not self.learning_rate > 0:
            problems.append(f"learning_rate={self.learning_rate} must be > 0")
        if not 0 <= self.warmup_ratio < 1:
            problems.append(f"warmup_ratio={self.warmup_ratio} must be in [0, 1)")
        if problems:
            raise ConfigError("invalid LLM options: " + "; ".join(problems))

    def with_recipe(self, paper: dict) -> LLMConfig:
        """Fill the ``None`` fields from a recipe's paper settings."""
        filled = dataclasses.replace(self)
        for name in ("learning_rate", "batch_size", "session_size"):
            if getattr(filled, name) is None:
                if name not in paper:
                    raise ConfigError(f"{name} is not set and the dataset recipe has no {name!r}; pass it in the model config")
                setattr(filled, name, paper[name])
        return filled

    def stage_key(self, stage: str, extra: dict) -> str:
        """Hash the settings that shape one training stage's checkpoint."""
        training = {
            name: getattr(self, name)
            for name in (
                "backbone", "lora", "lora_rank", "lora_alpha", "learning_rate", "batch_size", "epochs",
                "warmup_ratio", "weight_decay", "max_train_samples", "history_len", "seed",
            )
        }
        payload = json.dumps({"stage": stage, **training, **extra}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

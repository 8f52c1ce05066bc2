"""Run profiles: how much of the data each model family sees, declared up front and reported.

``paper`` uses the settings of PatchRec (SIGIR 2025): every sample, meant for GPUs. ``cpu``
subsamples what the LLM methods train and are tested on, so that Table 2 on ML-100K finishes on
a 2-core CPU. ``smoke`` is the minutes-long run that CI compares with reference metrics.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bench.errors import ConfigError


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    test_samples: int | None = None  # seeded subsample of test samples, shared by every model
    history_len: int | None = None  # replaces the suite's K when set
    classic_train_samples: int | None = None  # seeded subsample of training samples for classic models
    classic_train_samples_by_model: dict = field(default_factory=dict)  # per-model exceptions to the above
    classic: dict = field(default_factory=dict)  # overrides of models/classic settings
    classic_by_model: dict = field(default_factory=dict)  # per-model overrides applied after ``classic``
    llm: dict = field(default_factory=dict)  # overrides of models/llm settings

    def as_dict(self) -> dict:
        return asdict(self)

    def classic_train_size(self, model: str) -> int | None:
        """Return the number of training samples the classic model MODEL gets, or ``None`` for all."""
        return self.classic_train_samples_by_model.get(model, self.classic_train_samples)

    def classic_settings(self, model: str) -> dict:
        """Return the profile's overrides of the classic model MODEL's settings."""
        return {**self.classic, **self.classic_by_model.get(model, {})}


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "paper",
            "the paper's settings: every training and test sample, one epoch per LLM stage (GPU)",
        ),
        Profile(
            "cpu",
            "2-core CPU: classic models on all training samples for at most 3 epochs, patience 2 "
            "(Caser at its default 30 and patience 5; Mamba4Rec on 20,000 samples, because mambapy "
            "is slow on a CPU); LLM methods on 48 training samples per stage; every model on the "
            "same 100 test samples",
            test_samples=100,
            # Three epochs keep each classic model under 5 minutes on two cores
            # (benchmarks/test_classic_speed.py) and all of Table 2 within an hour. Caser's epoch
            # takes 6 s, so it keeps its default.
            classic={"max_epochs": 3, "patience": 2},
            classic_by_model={"Caser": {"max_epochs": 30, "patience": 5}},
            classic_train_samples_by_model={"Mamba4Rec": 20000},
            llm={"max_train_samples": 48, "max_valid_samples": 16, "batch_size": 16},
        ),
        Profile(
            "smoke",
            "minutes-long CI run: K = 20, small training subsamples, one classic epoch",
            test_samples=64,
            history_len=20,
            classic_train_samples=3000,
            classic={"max_epochs": 1, "patience": 1},
            llm={"max_train_samples": 16, "max_valid_samples": 8, "batch_size": 8, "eval_batch_size": 16},
        ),
    )
}


def default_profile_name() -> str:
    import torch

    return "paper" if torch.cuda.is_available() else "cpu"


def get_profile(name: str | None) -> Profile:
    name = name or default_profile_name()
    if name not in PROFILES:
        raise ConfigError(f"unknown profile {name!r}; choose from: {', '.join(PROFILES)}")
    return PROFILES[name]

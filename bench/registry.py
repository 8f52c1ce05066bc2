"""The explicit table of every model the runner can build: name, family, factory and stability."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bench.errors import ConfigError
from bench.recommender import Recommender

CLASSIC = "classic"
LLM = "llm"


@dataclass(frozen=True)
class ModelOptions:
    """Options passed to a model factory: setting overrides, the seed and the history policy."""

    overrides: dict = field(default_factory=dict)
    seed: int = 2025
    exclude_history: bool = False


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str
    reference: str
    build: Callable[[ModelOptions], Recommender]
    stability: str = "stable"
    needs_titles: bool = False


def _classic(name: str) -> Callable[[ModelOptions], Recommender]:
    def build(options: ModelOptions) -> Recommender:
        from models.classic.recommender import ClassicRecommender

        return ClassicRecommender(
            name, overrides=options.overrides, seed=options.seed, exclude_history=options.exclude_history
        )

    return build


def _llm(method: str) -> Callable[[ModelOptions], Recommender]:
    def build(options: ModelOptions) -> Recommender:
        from models.llm.recommender import build_llm_recommender

        overrides = {"seed": options.seed, "exclude_history": options.exclude_history, **options.overrides}
        return build_llm_recommender(method, overrides)

    return build


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("GRU4Rec", CLASSIC, "Hidasi et al., ICLR 2016 (RecBole 1.2.1)", _classic("GRU4Rec")),
        ModelSpec("Caser", CLASSIC, "Tang and Wang, WSDM 2018 (RecBole 1.2.1)", _classic("Caser")),
        ModelSpec("SASRec", CLASSIC, "Kang and McAuley, ICDM 2018 (RecBole 1.2.1)", _classic("SASRec")),
        ModelSpec("LinRec", CLASSIC, "Liu et al., SIGIR 2023 (models/classic)", _classic("LinRec")),
        ModelSpec("Mamba4Rec", CLASSIC, "Liu et al., 2024 (models/classic)", _classic("Mamba4Rec")),
        ModelSpec("MoRec", CLASSIC, "Yuan et al., SIGIR 2023 (models/classic)", _classic("MoRec"), needs_titles=True),
        ModelSpec("TALLRec", LLM, "Bao et al., RecSys 2023", _llm("TALLRec"), needs_titles=True),
        ModelSpec("Pure-Item", LLM, "Liao et al., SIGIR 2025", _llm("Pure-Item"), needs_titles=True),
        ModelSpec("Pure-Session", LLM, "Liao et al., SIGIR 2025", _llm("Pure-Session"), needs_titles=True),
        ModelSpec("PatchRec-I", LLM, "Liao et al., SIGIR 2025", _llm("PatchRec-I"), needs_titles=True),
        ModelSpec("PatchRec-S", LLM, "Liao et al., SIGIR 2025", _llm("PatchRec-S"), needs_titles=True),
    )
}


def get_model(name: str) -> ModelSpec:
    spec = MODELS.get(name)
    if spec is None:
        by_lower = {key.lower(): key for key in MODELS}
        if name.lower() in by_lower:
            return MODELS[by_lower[name.lower()]]
        raise ConfigError(f"unknown model {name!r}; choose from: {', '.join(MODELS)}")
    return spec

"""Models that exist only in the analyses: patch pre-training on its own, decoding from text.

The dropout comparison sets three models side by side: TALLRec, patch pre-training whose
chosen items are removed instead of compressed ("dropout"), and patch pre-training itself. The
last two have no fine-tuning stage and decode from all-text histories, as TALLRec does. Their
stage is the same ``ppt`` stage PatchRec-I/S start from, so a finished one is reused.
"""

from __future__ import annotations

from bench.errors import ConfigError
from bench.registry import LLM, ModelOptions, ModelSpec, get_model

PATCH_PRETRAINING = "Patch-Pretraining"


def _build_pretraining_only(options: ModelOptions):
    from models.llm import layout
    from models.llm.recommender import LLMRecommender
    from models.llm.stages import Stage

    class PatchPretrainingOnly(LLMRecommender):
        name = PATCH_PRETRAINING

        def stages(self, config):
            if not config.patch_pretraining:
                raise ConfigError(f"{PATCH_PRETRAINING} is the patch pre-training stage; patch_pretraining=false leaves nothing to train")
            name = "ppt-dropout" if config.pretraining_dropout else "ppt"
            return [Stage(name, None, dropout=config.pretraining_dropout)]

        def inference_format(self, config):
            return layout.tallrec_format()

    return PatchPretrainingOnly({"seed": options.seed, "exclude_history": options.exclude_history, **options.overrides})


ANALYSIS_MODELS = {
    PATCH_PRETRAINING: ModelSpec(
        PATCH_PRETRAINING, LLM, "Liao et al., SIGIR 2025 (patch pre-training alone)", _build_pretraining_only, needs_titles=True
    ),
}


def analysis_model(name: str) -> ModelSpec:
    """Return a registered model or one of the analysis-only models."""
    if name in ANALYSIS_MODELS:
        return ANALYSIS_MODELS[name]
    return get_model(name)

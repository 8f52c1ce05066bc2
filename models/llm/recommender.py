"""The five LLM recommenders: TALLRec, Pure-Item, Pure-Session, PatchRec-I and PatchRec-S.

They share everything but their stages and the history format used at inference:

| model        | stages                                  | inference format            |
|--------------|-----------------------------------------|-----------------------------|
| TALLRec      | SFT on text                             | all text                    |
| Pure-Item    | SFT on item patches                     | all item patches            |
| Pure-Session | SFT on session patches                  | all session patches (L)     |
| PatchRec-I   | patch pre-training, then PFT-I          | latest M text, item patches |
| PatchRec-S   | patch pre-training, then PFT-S          | text, items, sessions (L)   |
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import torch

from bench.data.types import PreparedDataset, SampleSet
from bench.errors import ConfigError
from bench.recommender import FitReport, Ranking, Recommender
from models.llm import layout
from models.llm.backbone import load_tokenizer_for
from models.llm.beam import constrained_beam_search, excluded_titles
from models.llm.checkpoints import is_finished, load_stage, read_stage_stats, save_stage, stage_folder, start_model
from models.llm.config import LLMConfig
from models.llm.layout import HistoryFormat
from models.llm.patches import PatchEmbedder, TensorBatch
from models.llm.prompt import build_prompt_parts, catalog_title_table
from models.llm.stages import Stage, StageBatches, latest_items
from models.llm.batch import compose_prompts
from models.llm.training import train_stage
from models.llm.trie import TitleTrie

log = logging.getLogger(__name__)


class LLMRecommender(Recommender):
    """Fine-tunes a causal LM on prompts built from histories and decodes titles with beam search."""

    name = "llm"

    def __init__(self, config: dict | LLMConfig | None = None) -> None:
        self.config = config if isinstance(config, LLMConfig) else LLMConfig.from_dict(config)
        self.model = None
        self.tokenizer = None
        self.report: FitReport | None = None
        self.last_rank_seconds = 0.0
        self._dataset_key: str | None = None

    # The two hooks each method defines.
    def stages(self, config: LLMConfig) -> list[Stage]:
        raise NotImplementedError

    def inference_format(self, config: LLMConfig) -> HistoryFormat:
        raise NotImplementedError

    def resolved_config(self, dataset: PreparedDataset) -> LLMConfig:
        """Fill learning rate, batch size and session size from the dataset recipe where unset."""
        from bench.data.recipes import load_recipe

        try:
            paper = load_recipe(dataset.name).paper
        except ConfigError:
            paper = {}
        return self.config.with_recipe(paper)

    def fit(self, dataset: PreparedDataset, train: SampleSet, valid: SampleSet, workdir: Path) -> FitReport:
        config = self.resolved_config(dataset)
        torch.manual_seed(config.seed)
        accelerator = _accelerator()
        train = _subsample(train, config.max_train_samples, config.seed)
        valid = _subsample(valid, config.max_valid_samples, config.seed)
        log.info("%s on %s: %d training and %d validation samples, K=%d", self.name, dataset.name, len(train), len(valid), config.history_len)

        report = FitReport()
        folders = self._stage_folders(config, dataset, train, valid, workdir)
        finished = [index for index, (_, folder) in enumerate(folders) if is_finished(folder)]
        resume_from = max(finished, default=-1)  # load only the latest finished stage
        model = tokenizer = None
        for index, (stage, folder) in enumerate(folders):
            if index < resume_from:
                stats = read_stage_stats(folder)
            elif index == resume_from:
                model, tokenizer, stats = load_stage(folder, config.backbone, config.lora, _dtype(accelerator))
            else:
                if model is None:
                    model, tokenizer = start_model(config.backbone, config.lora, config.lora_rank, config.lora_alpha, _dtype(accelerator))
                started = time.perf_counter()
                stats = self._train(stage, model, tokenizer, dataset, train, valid, config, accelerator)
                stats.wall_seconds = time.perf_counter() - started
                if accelerator.is_main_process:
                    save_stage(folder, accelerator.unwrap_model(model), tokenizer, stats)
                accelerator.wait_for_everyone()
            # A reused stage reports the time it took when it was trained.
            report.stage_seconds[stage.name] = stats.wall_seconds
            report.extra[f"{stage.name}.reused"] = float(index <= resume_from)
            report.extra[f"{stage.name}.valid_loss_before"] = stats.valid_loss_before
            report.extra[f"{stage.name}.valid_loss_after"] = stats.valid_loss_after
            report.extra[f"{stage.name}.batch_preparation_share"] = stats.prepare_seconds / max(stats.seconds, 1e-9)

        self.model, self.tokenizer = accelerator.unwrap_model(model).eval(), tokenizer
        self._dataset_key = None
        self.report = report
        return report

    def _stage_folders(self, config, dataset, train, valid, workdir) -> list[tuple[Stage, Path]]:
        """Return each stage with its checkpoint folder, keyed by its settings and its parent stage."""
        parent = f"{dataset.name}:{dataset.cache_key}:{train.fingerprint()}:{valid.fingerprint()}"
        folders = []
        for stage in self.stages(config):
            parent = config.stage_key(stage.name, {"parent": parent, **stage.identity()})
            folders.append((stage, stage_folder(workdir, stage.name, parent)))
        return folders

    def _train(self, stage, model, tokenizer, dataset, train, valid, config, accelerator):
        parts = build_prompt_parts(tokenizer, dataset.prompt)
        titles = catalog_title_table(tokenizer, dataset.catalog)
        embedder = PatchEmbedder(titles)
        train_batches = StageBatches(stage, parts, titles, train, config.history_len)
        valid_batches = StageBatches(stage, parts, titles, valid, config.history_len)
        return train_stage(model, embedder, train_batches, valid_batches, config, accelerator)

    def rank(self, dataset: PreparedDataset, samples: SampleSet, top_k: int = 20) -> Ranking:
        """Decode ``max(top_k, num_beams)`` beams per sample and return the top ``top_k`` titles."""
        config = self.resolved_config(dataset)
        self._prepare_inference(dataset, config)
        histories, lengths = latest_items(samples, config.history_len)
        excluded = excluded_titles(self._trie, histories, lengths) if config.exclude_history else None
        fmt = self.inference_format(config)
        num_beams = max(top_k, config.num_beams)

        titles: list[list[str]] = []
        started = time.perf_counter()
        for start in range(0, len(samples), config.eval_batch_size):
            rows = np.arange(start, min(start + config.eval_batch_size, len(samples)))
            embeds, mask = self.prompt_embeddings(histories[rows], lengths[rows], fmt)
            result = constrained_beam_search(
                self.model, embeds, mask, self._trie, num_beams=num_beams, length_penalty=config.length_penalty,
                excluded=None if excluded is None else excluded[rows],
            )
            titles.extend([self._trie.titles[index] for index in row[:top_k]] for row in result.title_indices)
            log.info("%s: ranked %d/%d test samples", self.name, len(titles), len(samples))

        self.last_rank_seconds = time.perf_counter() - started
        catalog_titles = set(dataset.catalog.titles)
        invalid = sum(title not in catalog_titles for row in titles for title in row)
        return Ranking(titles=titles, invalid=invalid)

    @torch.no_grad()
    def prompt_embeddings(self, histories: np.ndarray, lengths: np.ndarray, fmt: HistoryFormat) -> tuple[torch.Tensor, torch.Tensor]:
        """Return left-padded ``inputs_embeds`` and attention mask for histories shown in ``fmt``."""
        device = next(self.model.parameters()).device
        batch = compose_prompts(self._parts, self._titles, histories, lengths, fmt=fmt, padding_side="left")
        tensors = TensorBatch.from_numpy(batch, device)
        embeds = self._embedder.to(device).inputs_embeds(self.model.get_input_embeddings(), tensors)
        return embeds, tensors.attention_mask

    def _prepare_inference(self, dataset: PreparedDataset, config: LLMConfig) -> None:
        if self.model is None:
            log.info("%s: rank() before fit(); decoding with the untrained backbone", self.name)
            self.model, self.tokenizer = start_model(config.backbone, False, 1, 1, torch.float32)
            if torch.cuda.is_available():
                self.model = self.model.to(dtype=torch.bfloat16, device="cuda")  # NOTE: GPU path untested here
            self.model.eval()
        if self._dataset_key == dataset.cache_key + dataset.name:
            return
        self._parts = build_prompt_parts(self.tokenizer, dataset.prompt)
        self._titles = catalog_title_table(self.tokenizer, dataset.catalog)
        self._embedder = PatchEmbedder(self._titles)
        self._trie = TitleTrie.build(self._titles, dataset.catalog.titles, self._parts.answer_end, self.model.config.vocab_size)
        self._dataset_key = dataset.cache_key + dataset.name

    def history_tokens(self, dataset: PreparedDataset, samples: SampleSet) -> tuple[int, int]:
        """Return (history tokens as text, history tokens in this method's inference format)."""
        config = self.resolved_config(dataset)
        tokenizer = self.tokenizer if self.tokenizer is not None else load_tokenizer_for(config.backbone)
        lengths_table = catalog_title_table(tokenizer, dataset.catalog).lengths
        histories, lengths = latest_items(samples, config.history_len)
        return layout.count_history_tokens(histories, lengths, lengths_table, self.inference_format(config))


class TALLRec(LLMRecommender):
    name = "TALLRec"

    def stages(self, config):
        return [Stage("sft-text", layout.tallrec_format())]

    def inference_format(self, config):
        return layout.tallrec_format()


class PureItem(LLMRecommender):
    name = "Pure-Item"

    def stages(self, config):
        return [Stage("sft-item", layout.pure_item_format())]

    def inference_format(self, config):
        return layout.pure_item_format()


class PureSession(LLMRecommender):
    name = "Pure-Session"

    def stages(self, config):
        return [Stage(f"sft-session{config.session_size}", layout.pure_session_format(config.session_size))]

    def inference_format(self, config):
        return layout.pure_session_format(config.session_size)


class PatchRecI(LLMRecommender):
    name = "PatchRec-I"

    def stages(self, config):
        return _pretraining(config) + [Stage(f"pft-i{config.item_text}", layout.pft_i_format(config.item_text))]

    def inference_format(self, config):
        return layout.pft_i_format(config.item_text)


class PatchRecS(LLMRecommender):
    name = "PatchRec-S"

    def stages(self, config):
        return _pretraining(config) + [Stage(f"pft-s{config.session_size}", layout.pft_s_format(config.session_size))]

    def inference_format(self, config):
        return layout.pft_s_format(config.session_size)


LLM_RECOMMENDERS = {cls.name: cls for cls in (TALLRec, PureItem, PureSession, PatchRecI, PatchRecS)}


def _pretraining(config: LLMConfig) -> list[Stage]:
    if not config.patch_pretraining:
        return []
    return [Stage("ppt-dropout" if config.pretraining_dropout else "ppt", None, dropout=config.pretraining_dropout)]


def _subsample(samples: SampleSet, limit: int | None, seed: int) -> SampleSet:
    if limit is None or len(samples) <= limit:
        return samples
    chosen = np.sort(np.random.default_rng(seed).choice(len(samples), size=limit, replace=False))
    log.info("using %d of %d %s samples (seeded subsample)", limit, len(samples), samples.split)
    return samples.subset(chosen)


def _accelerator():
    from accelerate import Accelerator

    # bf16 autocast on GPUs; full precision on CPU, where bf16 training is slower here.
    # NOTE: the CUDA path (bf16, several processes) has not been run on a GPU yet.
    return Accelerator(mixed_precision="bf16" if torch.cuda.is_available() else "no")


def _dtype(accelerator) -> torch.dtype:
    return torch.float32  # accelerate's autocast handles bf16; master weights stay float32


def build_llm_recommender(method: str, overrides: dict | None = None) -> LLMRecommender:
    """Build the LLM recommender ``method`` with config ``overrides`` (unknown keys raise ConfigError)."""
    cls = LLM_RECOMMENDERS.get(method)
    if cls is None:
        raise ConfigError(f"unknown LLM method {method!r}; choose one of {', '.join(LLM_RECOMMENDERS)}")
    return cls(overrides)

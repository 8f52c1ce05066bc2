"""Prompt sizes of the long-history study: the test samples of long users and their prompt lengths.

Prompt lengths come from the real tokenizer and the real history layouts
(``models.llm.batch.compose_prompts``), so a planned K is the K that decoding would see.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import numpy as np

from bench.compression import method_formats
from bench.data.types import PreparedDataset, SampleSet
from bench.errors import ConfigError, DataError
from bench.memory import BUILTIN_ARCHITECTURES, BUILTIN_TOKENIZERS
from models.llm.batch import compose_prompts
from models.llm.layout import HistoryFormat
from models.llm.prompt import PromptParts, TitleTable, add_special_tokens, build_prompt_parts, catalog_title_table
from models.llm.stages import latest_items

log = logging.getLogger(__name__)

METHODS = ("TALLRec", "PatchRec-I", "PatchRec-S")

# The layout of Meta's Llama 3.x instruct chat template, with its default dates. The tokenizer
# bundled for token counts has no chat template, and without one the prompt would be shorter
# than Llama-3.2-1B-Instruct's input by its header tokens.
LLAMA3_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
    "{% if message['role'] == 'system' %}Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n{% endif %}"
    "{{ message['content'] }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)


def method_format(method: str, item_text: int, session_size: int) -> HistoryFormat:
    """Return the inference history format of a method of the long-history study."""
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r} for the long-history study; choose from: {', '.join(METHODS)}")
    return method_formats(item_text, session_size)[method]


def load_backbone_tokenizer(backbone: str):
    """Load the tokenizer of ``backbone`` with the three history markers added.

    A built-in architecture name uses the tokenizer that ``bench.tokenizers`` bundles for it. Any
    other backbone (``smollm2``, a model folder) uses the tokenizer the LLM methods train with.
    """
    if backbone in BUILTIN_ARCHITECTURES and backbone != "smollm2":
        from bench.tokenizers import load_tokenizer

        tokenizer = copy.deepcopy(load_tokenizer(BUILTIN_TOKENIZERS[backbone]))  # the cached one stays unchanged
        if not getattr(tokenizer, "chat_template", None) and backbone.startswith("llama-3"):
            tokenizer.chat_template = LLAMA3_CHAT_TEMPLATE
        add_special_tokens(tokenizer)
        return tokenizer

    from models.llm.backbone import load_tokenizer_for

    return load_tokenizer_for(backbone)


def long_user_samples(dataset: PreparedDataset, min_interactions: int, split: str = "test") -> tuple[SampleSet, int]:
    """Return the ``split`` samples of users with at least ``min_interactions`` interactions.

    The histories are as long as the longest sequence of those users, which is also returned: it
    is the largest K worth searching.
    """
    user_lengths = dataset.sequences.lengths()
    long_users = np.flatnonzero(user_lengths >= min_interactions)
    if long_users.size == 0:
        raise DataError(
            f"{dataset.name} has no user with at least {min_interactions} interactions "
            f"(the longest has {int(user_lengths.max())}); lower --min-interactions"
        )
    longest = int(user_lengths[long_users].max())

    samples = dataset.samples(split, longest)
    chosen = np.flatnonzero(np.isin(samples.users, long_users))
    if chosen.size == 0:
        raise DataError(
            f"{dataset.name}: none of the {long_users.size} users with at least {min_interactions} interactions "
            f"has a {split} sample; lower --min-interactions"
        )
    log.info(
        "%s: %d %s samples of %d users with >= %d interactions; longest sequence %d items",
        dataset.name, chosen.size, split, np.unique(samples.users[chosen]).size, min_interactions, longest,
    )
    return samples.subset(chosen), longest


@dataclass
class PromptCounter:
    """Counts prompt positions of samples shown in a history format, for one tokenizer and dataset."""

    parts: PromptParts
    titles: TitleTable

    @classmethod
    def build(cls, tokenizer, dataset: PreparedDataset) -> PromptCounter:
        return cls(parts=build_prompt_parts(tokenizer, dataset.prompt), titles=catalog_title_table(tokenizer, dataset.catalog))

    @property
    def answer_tokens(self) -> int:
        """Decoding steps of the longest generated title: its tokens and the end token."""
        return int(self.titles.lengths.max()) + 1

    def prompt_lengths(self, samples: SampleSet, history_len: int, fmt: HistoryFormat) -> np.ndarray:
        """Return each sample's prompt positions (template, markers, history units, separators)."""
        histories, lengths = latest_items(samples, history_len)
        return compose_prompts(self.parts, self.titles, histories, lengths, fmt=fmt).lengths

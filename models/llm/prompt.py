"""The prompt around a history: special tokens, the dataset template and the backbone's chat template.

The chat template is rendered once with a marker in place of the history, and the text on either
side of the marker is tokenised once. Titles are tokenised once per catalog into a padded table, so
building a batch later only indexes integer arrays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from bench.data.types import Catalog, PromptTemplate
from bench.errors import ConfigError

log = logging.getLogger(__name__)

HISTORY_START = "<|history_start|>"
ITEM_SEPARATOR = "<|item_sep|>"
HISTORY_END = "<|history_end|>"
SPECIAL_TOKENS = (HISTORY_START, ITEM_SEPARATOR, HISTORY_END)

_MARKER = "\x00HISTORY\x00"


def add_special_tokens(tokenizer, model=None) -> int:
    """Add the three history markers to ``tokenizer`` (and grow ``model``'s embeddings); return how many were new."""
    missing = [token for token in SPECIAL_TOKENS if token not in tokenizer.get_vocab()]
    if missing:
        tokenizer.add_tokens(missing, special_tokens=True)
    if model is not None and model.get_input_embeddings().weight.shape[0] < len(tokenizer):
        model.resize_token_embeddings(len(tokenizer))
    return len(missing)


@dataclass
class TitleTable:
    """Every catalog title as token ids: ``ids[code, :lengths[code]]``, padded with 0."""

    ids: np.ndarray  # int64, (n_items, max_title_tokens)
    lengths: np.ndarray  # int64, (n_items,)

    @classmethod
    def build(cls, tokenizer, titles: list[str]) -> TitleTable:
        encoded = tokenizer(list(titles), add_special_tokens=False)["input_ids"]
        lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
        empty = np.flatnonzero(lengths == 0)
        if empty.size:
            raise ConfigError(f"{empty.size} titles tokenise to nothing (first: item code {empty[0]}); give every item a title")

        table = np.zeros((len(encoded), int(lengths.max())), dtype=np.int64)
        for code, ids in enumerate(encoded):
            table[code, : len(ids)] = ids
        return cls(ids=table, lengths=lengths)


@dataclass
class PromptParts:
    """Token ids of everything in a prompt that does not depend on the sample."""

    prefix: np.ndarray  # chat template and instruction up to the history
    suffix: np.ndarray  # instruction after the history, then the assistant turn opening
    history_start: int
    item_separator: int
    history_end: int
    answer_end: int  # closes the answer: the chat template's end-of-turn token
    pad: int


def build_prompt_parts(tokenizer, template: PromptTemplate) -> PromptParts:
    """Render ``template`` through the backbone's chat template and tokenise the fixed parts."""
    before, after = template.split_instruction()
    messages = [
        {"role": "system", "content": template.system},
        {"role": "user", "content": before + _MARKER + after},
    ]
    if getattr(tokenizer, "chat_template", None):
        rendered = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        log.info("tokenizer has no chat template; using plain 'system / user / assistant' lines")
        rendered = f"{template.system}\n{before}{_MARKER}{after}\n"
    prefix_text, _, suffix_text = rendered.partition(_MARKER)

    vocab = tokenizer.get_vocab()
    missing = [token for token in SPECIAL_TOKENS if token not in vocab]
    if missing:
        raise ConfigError(f"tokenizer lacks {missing}; call add_special_tokens(tokenizer, model) first")
    if tokenizer.eos_token_id is None:
        raise ConfigError("the backbone's tokenizer has no end-of-sequence token; pick a backbone that defines one")

    def encode(text: str) -> np.ndarray:
        return np.asarray(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=np.int64)

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return PromptParts(
        prefix=encode(prefix_text),
        suffix=encode(suffix_text),
        history_start=vocab[HISTORY_START],
        item_separator=vocab[ITEM_SEPARATOR],
        history_end=vocab[HISTORY_END],
        answer_end=int(tokenizer.eos_token_id),
        pad=int(pad),
    )


def catalog_title_table(tokenizer, catalog: Catalog) -> TitleTable:
    table = TitleTable.build(tokenizer, catalog.titles)
    log.info(
        "tokenised %d titles: %.2f tokens on average, %d at most",
        len(catalog), float(table.lengths.mean()), int(table.lengths.max()),
    )
    return table

"""Lay out a batch of prompts as integer arrays, with no Python loop over samples or items.

Each row is: prefix, history start, units separated by the item separator, history end, suffix,
and (for training) the answer: the target title's tokens and the end-of-turn token. A position
holds either a vocabulary token or a patch; ``patch_at`` names the patch row for the latter, and
the model's forward replaces those positions with patch embeddings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.llm.layout import HistoryFormat, HistoryUnits, assign_kinds, build_units, unit_token_counts
from models.llm.prompt import PromptParts, TitleTable

IGNORE_INDEX = -100


@dataclass
class PromptBatch:
    """Integer arrays for one batch, all ``(B, T)`` except the patch membership."""

    token_ids: np.ndarray  # int64, vocabulary ids; pad at patch and padding positions
    patch_at: np.ndarray  # int64, patch row or -1
    attention_mask: np.ndarray  # int64, 1 on real positions
    labels: np.ndarray  # int64, answer tokens, IGNORE_INDEX elsewhere
    member_item: np.ndarray  # int64, (Q,) items whose item patches make up the patches
    member_patch: np.ndarray  # int64, (Q,)
    n_patches: int

    @property
    def lengths(self) -> np.ndarray:
        return self.attention_mask.sum(axis=1)


def ragged_arange(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (owner, offset) for ``counts[i]`` consecutive elements per owner ``i``."""
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(int(counts.sum())) - starts[owner]


def assemble_batch(
    parts: PromptParts,
    titles: TitleTable,
    units: HistoryUnits,
    targets: np.ndarray | None = None,
    padding_side: str = "right",
) -> PromptBatch:
    """Return the batch's arrays; with ``targets`` the answer is appended and labelled."""
    n = units.n_samples
    unit_len = unit_token_counts(units, titles.lengths)

    # Where each unit starts inside its sample's history (after the history-start token).
    per_sample_units = np.bincount(units.unit_sample, minlength=n)
    unit_span = unit_len + 1  # the unit and the separator after it
    first_unit = np.cumsum(per_sample_units) - per_sample_units
    span_cumsum = np.cumsum(unit_span) - unit_span
    unit_local = span_cumsum - span_cumsum[first_unit[units.unit_sample]]
    history_len = np.bincount(units.unit_sample, weights=unit_span, minlength=n).astype(np.int64)
    history_len = np.maximum(history_len - 1, 0)  # no separator after the last unit

    answer_len = np.zeros(n, dtype=np.int64)
    if targets is not None:
        answer_len = titles.lengths[targets] + 1
    history_offset = len(parts.prefix) + 1
    end_at = history_offset + history_len
    lengths = end_at + 1 + len(parts.suffix) + answer_len
    width = int(lengths.max())
    shift = width - lengths if padding_side == "left" else np.zeros(n, dtype=np.int64)

    token_ids = np.full((n, width), parts.pad, dtype=np.int64)
    patch_at = np.full((n, width), -1, dtype=np.int64)
    labels = np.full((n, width), IGNORE_INDEX, dtype=np.int64)
    rows = np.arange(n)

    # Fixed parts: prefix, history start, history end, suffix.
    prefix_cols = shift[:, None] + np.arange(len(parts.prefix))[None, :]
    token_ids[rows[:, None], prefix_cols] = parts.prefix[None, :]
    token_ids[rows, shift + history_offset - 1] = parts.history_start
    token_ids[rows, shift + end_at] = parts.history_end
    suffix_cols = (shift + end_at + 1)[:, None] + np.arange(len(parts.suffix))[None, :]
    token_ids[rows[:, None], suffix_cols] = parts.suffix[None, :]

    # Units: text units spread their title tokens, patch units take one position.
    unit_start = shift[units.unit_sample] + history_offset + unit_local
    is_text = units.unit_item >= 0
    text_units = np.flatnonzero(is_text)
    owner, offset = ragged_arange(unit_len[text_units])
    text_unit = text_units[owner]
    token_ids[units.unit_sample[text_unit], unit_start[text_unit] + offset] = titles.ids[units.unit_item[text_unit], offset]
    patch_units = np.flatnonzero(~is_text)
    patch_at[units.unit_sample[patch_units], unit_start[patch_units]] = units.unit_patch[patch_units]

    # Separators after every unit except the last of its sample.
    last_unit = first_unit + per_sample_units - 1
    not_last = np.ones(units.unit_sample.size, dtype=bool)
    not_last[last_unit[per_sample_units > 0]] = False
    sep_units = np.flatnonzero(not_last)
    token_ids[units.unit_sample[sep_units], unit_start[sep_units] + unit_len[sep_units]] = parts.item_separator

    if targets is not None:
        answer_start = shift + end_at + 1 + len(parts.suffix)
        owner, offset = ragged_arange(answer_len)
        answer_tokens = np.where(
            offset < titles.lengths[targets[owner]],
            titles.ids[targets[owner], np.minimum(offset, titles.ids.shape[1] - 1)],
            parts.answer_end,
        )
        token_ids[owner, answer_start[owner] + offset] = answer_tokens
        labels[owner, answer_start[owner] + offset] = answer_tokens

    columns = np.arange(width)[None, :]
    attention_mask = ((columns >= shift[:, None]) & (columns < (shift + lengths)[:, None])).astype(np.int64)
    return PromptBatch(
        token_ids=token_ids,
        patch_at=patch_at,
        attention_mask=attention_mask,
        labels=labels,
        member_item=units.member_item,
        member_patch=units.member_patch,
        n_patches=units.n_patches,
    )


def compose_prompts(
    parts: PromptParts,
    titles: TitleTable,
    histories: np.ndarray,
    history_lengths: np.ndarray,
    fmt: HistoryFormat | None = None,
    kinds: np.ndarray | None = None,
    targets: np.ndarray | None = None,
    padding_side: str = "right",
) -> PromptBatch:
    """Lay out prompts for histories shown in ``fmt``, or with per-position ``kinds`` given directly.

    This one function serves every method: TALLRec, Pure-Item, Pure-Session, PFT-I and PFT-S pass
    their format, and patch pre-training passes the random kinds of its compressed copy.
    """
    groups = None
    if kinds is None:
        if fmt is None:
            raise ValueError("compose_prompts needs a history format or explicit kinds")
        kinds, groups = assign_kinds(history_lengths, histories.shape[1], fmt)
    units = build_units(histories, kinds, groups)
    return assemble_batch(parts, titles, units, targets=targets, padding_side=padding_side)

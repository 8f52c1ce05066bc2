"""History formats: which history items appear as title text, item patches or session patches.

Everything here works on integer arrays (numpy) so that the compression ratio can be counted
without torch, and so that a training batch is laid out without a Python loop over samples.

A history is stored oldest first (``SampleSet.histories``); the *age* of an item is its distance
from the latest item (the latest item has age 0). A ``HistoryFormat`` assigns each age a kind:

- the latest ``text_items`` items stay title text,
- the next ``item_patches`` items become one item patch each,
- all earlier items become session patches, groups of ``session_size`` items counted from the
  newest of them, so the oldest group may hold fewer items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEXT = 0
ITEM_PATCH = 1
SESSION_PATCH = 2
DROPPED = 3
PADDING = -1

# Stands for "every remaining item" in a HistoryFormat field.
ALL = 1 << 30


@dataclass(frozen=True)
class HistoryFormat:
    """How a history is shown to the model; see the module docstring for the age rule."""

    text_items: int = ALL
    item_patches: int = ALL
    session_size: int = 1

    def __post_init__(self) -> None:
        if self.text_items < 0 or self.item_patches < 0 or self.session_size < 1:
            raise ValueError(f"invalid history format {self}; counts must be >= 0 and session_size >= 1")


def tallrec_format() -> HistoryFormat:
    return HistoryFormat(text_items=ALL)


def pure_item_format() -> HistoryFormat:
    return HistoryFormat(text_items=0, item_patches=ALL)


def pure_session_format(session_size: int) -> HistoryFormat:
    return HistoryFormat(text_items=0, item_patches=0, session_size=session_size)


def pft_i_format(item_text: int) -> HistoryFormat:
    """PFT-I: the latest ``item_text`` items as text, every earlier item as an item patch."""
    return HistoryFormat(text_items=item_text, item_patches=ALL)


def pft_s_format(session_size: int) -> HistoryFormat:
    """PFT-S: latest group as text, second-latest group as item patches, earlier groups as sessions."""
    return HistoryFormat(text_items=session_size, item_patches=session_size, session_size=session_size)


def history_ages(lengths: np.ndarray, history_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each position's age and a mask of real (non-padding) positions, both ``(B, K)``."""
    positions = np.arange(history_len)[None, :]
    lengths = np.asarray(lengths)[:, None]
    return lengths - 1 - positions, positions < lengths


def assign_kinds(lengths: np.ndarray, history_len: int, fmt: HistoryFormat) -> tuple[np.ndarray, np.ndarray]:
    """Return the kind and session group of every history position, both ``(B, K)``.

    Padding positions get kind ``PADDING``; positions that are not session patches get group -1.
    """
    ages, real = history_ages(lengths, history_len)
    item_limit = min(fmt.text_items + fmt.item_patches, ALL)

    kinds = np.full(ages.shape, SESSION_PATCH, dtype=np.int8)
    kinds[ages < item_limit] = ITEM_PATCH
    kinds[ages < fmt.text_items] = TEXT
    kinds[~real] = PADDING

    groups = np.where(kinds == SESSION_PATCH, (ages - item_limit) // fmt.session_size, -1)
    return kinds, groups.astype(np.int64)


def random_kinds(
    lengths: np.ndarray, history_len: int, probability: float, rng: np.random.Generator, dropped: bool = False
) -> np.ndarray:
    """Return kinds where each real item independently becomes a patch (or is dropped) with ``probability``."""
    _, real = history_ages(lengths, history_len)
    chosen = rng.random(real.shape) < probability
    kinds = np.where(chosen, DROPPED if dropped else ITEM_PATCH, TEXT).astype(np.int8)
    kinds[~real] = PADDING
    return kinds


@dataclass
class HistoryUnits:
    """The positions a batch of histories takes after compression, oldest first within a sample.

    A unit is one text item (its title tokens), one item patch or one session patch. Patches are
    numbered 0..n_patches-1; each patch is the mean of the item patches of its member items.
    """

    unit_sample: np.ndarray  # int64, (U,) sample row of each unit
    unit_item: np.ndarray  # int64, (U,) item code of text units, -1 for patches
    unit_patch: np.ndarray  # int64, (U,) patch row of patch units, -1 for text
    member_item: np.ndarray  # int64, (Q,) item codes that make up the patches
    member_patch: np.ndarray  # int64, (Q,) patch row each member belongs to
    n_samples: int

    @property
    def n_patches(self) -> int:
        return int(self.member_patch.max()) + 1 if self.member_patch.size else 0


def build_units(histories: np.ndarray, kinds: np.ndarray, groups: np.ndarray | None = None) -> HistoryUnits:
    """Group history positions into units; consecutive positions of one session form one unit."""
    if groups is None:
        groups = np.full(kinds.shape, -1, dtype=np.int64)
    kept = (kinds != PADDING) & (kinds != DROPPED)
    sample, position = np.nonzero(kept)  # row-major, so oldest first within each sample
    kind = kinds[sample, position]
    group = groups[sample, position]
    item = histories[sample, position].astype(np.int64)

    continues_session = np.zeros(sample.shape, dtype=bool)
    if sample.size > 1:
        same_session = (sample[1:] == sample[:-1]) & (group[1:] == group[:-1]) & (kind[1:] == SESSION_PATCH)
        continues_session[1:] = same_session & (kind[:-1] == SESSION_PATCH)
    starts = ~continues_session
    unit_of_position = np.cumsum(starts) - 1

    is_patch_unit = kind[starts] != TEXT
    patch_of_unit = np.where(is_patch_unit, np.cumsum(is_patch_unit) - 1, -1)
    is_member = kind != TEXT
    return HistoryUnits(
        unit_sample=sample[starts].astype(np.int64),
        unit_item=np.where(is_patch_unit, -1, item[starts]),
        unit_patch=patch_of_unit,
        member_item=item[is_member],
        member_patch=patch_of_unit[unit_of_position[is_member]],
        n_samples=histories.shape[0],
    )


def unit_token_counts(units: HistoryUnits, title_lengths: np.ndarray) -> np.ndarray:
    """Return the positions each unit takes: its title tokens for text, one for a patch."""
    counts = np.ones(units.unit_item.shape, dtype=np.int64)
    text = units.unit_item >= 0
    counts[text] = title_lengths[units.unit_item[text]]
    return counts


def count_history_tokens(
    histories: np.ndarray, lengths: np.ndarray, title_lengths: np.ndarray, fmt: HistoryFormat
) -> tuple[int, int]:
    """Return (history tokens as text, history tokens in ``fmt``) summed over all samples.

    Text items count their title tokens and each patch counts one; separators and the template are
    not counted, so the compression ratio is the first value divided by the second.
    """
    kinds, groups = assign_kinds(lengths, histories.shape[1], fmt)
    real = kinds != PADDING
    text_tokens = int(title_lengths[histories[real]].sum())

    units = build_units(histories, kinds, groups)
    return text_tokens, int(unit_token_counts(units, title_lengths).sum())

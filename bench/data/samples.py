"""Samples of a split: each interaction with at least three earlier items, and its history."""

from __future__ import annotations

import numpy as np

from bench.data.types import PAD, SPLITS, SampleSet, SequenceTable
from bench.errors import ConfigError

MIN_HISTORY = 3


def build_samples(sequences: SequenceTable, split: str, history_len: int) -> SampleSet:
    """Build one sample per interaction of ``split`` at position >= 3 of its user's sequence.

    The history is the up to ``history_len`` items right before the target, from any split, so a
    test sample's history includes training interactions.
    """
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if history_len < MIN_HISTORY:
        raise ConfigError(f"history length {history_len} is below {MIN_HISTORY}, the minimum a sample has")

    lengths = sequences.lengths()
    user_of = np.repeat(np.arange(sequences.n_users, dtype=np.int32), lengths)
    position = np.arange(sequences.n_interactions, dtype=np.int64) - np.repeat(sequences.offsets[:-1], lengths)
    chosen = np.flatnonzero((sequences.splits == SPLITS.index(split)) & (position >= MIN_HISTORY))

    history_lengths = np.minimum(position[chosen], history_len).astype(np.int32)
    histories = _gather_histories(sequences.items, chosen, history_lengths, history_len)
    return SampleSet(
        split=split,
        history_len=history_len,
        users=user_of[chosen],
        targets=sequences.items[chosen],
        histories=histories,
        history_lengths=history_lengths,
    )


def _gather_histories(items: np.ndarray, targets: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    # Row i contains items[targets[i] - lengths[i] : targets[i]], oldest first, then PAD.
    columns = np.arange(width, dtype=np.int64)
    source = (targets - lengths)[:, None] + columns[None, :]
    valid = columns[None, :] < lengths[:, None]
    histories = np.where(valid, items[np.where(valid, source, 0)], PAD)
    return histories.astype(np.int32)

"""Dataset statistics in the columns of the PatchRec paper's Table 1."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from bench.data.types import PreparedDataset
from bench.tokenizers import count_title_tokens


@dataclass
class DatasetStats:
    dataset: str
    users: int
    items: int
    interactions: int
    max_sequence_length: int
    avg_sequence_length: float
    avg_title_tokens: float | None
    tokenizer: str | None
    train_interactions: int
    valid_interactions: int
    test_interactions: int

    def as_dict(self) -> dict:
        return asdict(self)


def dataset_stats(dataset: PreparedDataset, tokenizer=None, tokenizer_name: str | None = None) -> DatasetStats:
    """Count users, items (every item of the item file), interactions and sequence lengths.

    Average title tokens are counted over every item, title alone, without special tokens.
    """
    lengths = dataset.sequences.lengths()
    split_counts = np.bincount(dataset.sequences.splits, minlength=3)

    avg_tokens = None
    if tokenizer is not None:
        avg_tokens = float(np.mean(count_title_tokens(tokenizer, dataset.catalog.titles)))

    return DatasetStats(
        dataset=dataset.name,
        users=dataset.sequences.n_users,
        items=len(dataset.catalog),
        interactions=dataset.sequences.n_interactions,
        max_sequence_length=int(lengths.max()),
        avg_sequence_length=round(float(lengths.mean()), 2),
        avg_title_tokens=None if avg_tokens is None else round(avg_tokens, 2),
        tokenizer=tokenizer_name,
        train_interactions=int(split_counts[0]),
        valid_interactions=int(split_counts[1]),
        test_interactions=int(split_counts[2]),
    )

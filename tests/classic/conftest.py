"""A tiny prepared dataset that every classic-model test trains on in seconds."""

from __future__ import annotations

import numpy as np
import pytest

from bench.data.types import SPLITS, Catalog, PreparedDataset, PromptTemplate, SequenceTable

N_ITEMS = 40
N_USERS = 16


def build_tiny_dataset() -> PreparedDataset:
    """Users walk the catalog in steps of one from a random start, so the next item is learnable.

    Each sequence ends with one validation and one test interaction; items 0 and 1 share a title.
    """
    rng = np.random.default_rng(7)
    lengths = rng.integers(9, 16, N_USERS)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    items = np.concatenate([(start + np.arange(length)) % N_ITEMS for start, length in zip(rng.integers(0, N_ITEMS, N_USERS), lengths)])
    splits = np.zeros(offsets[-1], dtype=np.int8)
    splits[offsets[1:] - 2] = SPLITS.index("valid")
    splits[offsets[1:] - 1] = SPLITS.index("test")

    titles = [f"Movie {code}" for code in range(N_ITEMS)]
    titles[1] = titles[0]
    return PreparedDataset(
        name="tiny",
        catalog=Catalog(item_ids=[str(code + 100) for code in range(N_ITEMS)], titles=titles),
        sequences=SequenceTable(
            user_ids=[f"u{user}" for user in range(N_USERS)],
            offsets=offsets,
            items=items.astype(np.int32),
            splits=splits,
        ),
        prompt=PromptTemplate(system="system", instruction="history: [HISTORY_SEQUENCE]"),
    )


@pytest.fixture(scope="module")
def tiny_dataset() -> PreparedDataset:
    return build_tiny_dataset()

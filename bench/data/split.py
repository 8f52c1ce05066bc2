"""The global temporal split and the per-user sequences it is recorded on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bench.data.recipes import SplitFractions
from bench.data.types import SequenceTable

TRAIN, VALID, TEST = 0, 1, 2


def split_cut_timestamps(timestamps: np.ndarray, fractions: SplitFractions) -> tuple[float, float]:
    """Return the last training and the last validation timestamp of a global temporal split.

    The cut is the timestamp of interaction number ``floor(train * n)`` (then
    ``floor((train + valid) * n)``) of all ``n`` interactions sorted by time. Interactions that share the cut timestamp stay in the
    earlier split, so no two interactions with equal timestamps are ever separated.
    """
    ordered = np.sort(timestamps, kind="stable")
    total = len(ordered)
    train_end = max(1, math.floor(round(fractions.train * total, 9)))
    valid_end = max(train_end, math.floor(round((fractions.train + fractions.valid) * total, 9)))
    return float(ordered[train_end - 1]), float(ordered[min(valid_end, total) - 1])


def temporal_split(interactions: pd.DataFrame, fractions: SplitFractions) -> SequenceTable:
    """Order each user's interactions by time and label each with its split.

    Timestamp ties within a user keep the order of the source file (the ``line`` column): a
    stable rule that never looks at item ids, which would fake a sequential pattern.
    """
    train_cut, valid_cut = split_cut_timestamps(interactions["timestamp"].to_numpy(), fractions)

    user_ids = _ordered_user_ids(interactions["user"])
    user_code = interactions["user"].map({user: code for code, user in enumerate(user_ids)}).to_numpy()
    ordered = interactions.assign(user_code=user_code).sort_values(
        ["user_code", "timestamp", "line"], kind="stable"
    )

    timestamps = ordered["timestamp"].to_numpy()
    splits = np.full(len(ordered), TEST, dtype=np.int8)
    splits[timestamps <= valid_cut] = VALID
    splits[timestamps <= train_cut] = TRAIN

    counts = np.bincount(ordered["user_code"].to_numpy(), minlength=len(user_ids))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return SequenceTable(
        user_ids=user_ids,
        offsets=offsets,
        items=ordered["code"].to_numpy(dtype=np.int32),
        splits=splits,
    )


def _ordered_user_ids(users: pd.Series) -> list[str]:
    unique = users.unique().tolist()
    if all(user.isdigit() for user in unique):
        return sorted(unique, key=int)
    return sorted(unique)

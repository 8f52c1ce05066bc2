"""The only place where RecBole meets the pipeline: its ``Config``, its dataset view and its batches.

RecBole models are built here from an explicit settings dict (never from the command line, see
``recbole_compat.IsolatedConfig``) and fed the pipeline's own samples instead of RecBole's own
splitting. Item codes are shifted by one, because RecBole reserves id 0 for padding. Histories
keep the pipeline's order (oldest first, right-padded) and are cut to the latest
``max_seq_length`` items, which is the layout RecBole's sequential models expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from recbole.data.interaction import Interaction

from bench.data.types import PAD, SampleSet
from bench.errors import DataError
from models.classic.recbole_compat import IsolatedConfig
from models.classic.settings import training_keys

USER_FIELD = "user_id"
ITEM_FIELD = "item_id"
LIST_SUFFIX = "_list"
LENGTH_FIELD = "item_length"
ITEM_SEQ_FIELD = ITEM_FIELD + LIST_SUFFIX

# Read by the recommender to build ``ItemText``; kept out of RecBole's config, which evaluates
# string values as Python expressions.
TEXT_KEYS = frozenset({"text_encoder", "text_batch_size"})

# RecBole looks up properties/dataset/<name>.yaml; a name without such a file keeps its
# dataset defaults (for example the ml-100k data path) out of the config.
RECBOLE_DATASET_NAME = "bench-samples"


@dataclass
class ItemText:
    """Item titles (indexed by item code) and the encoder settings MoRec reads at construction."""

    titles: list[str]
    embeddings: torch.Tensor | None  # (n_items, text_dim) float32, None when the encoder is trained
    encoder_path: str
    text_batch_size: int


class DatasetView:
    """The part of a RecBole ``Dataset`` that sequential models read in ``__init__``.

    Counts include the padding id 0, as RecBole's do.
    """

    def __init__(self, n_items: int, n_users: int, item_text: ItemText | None = None):
        self.item_num = n_items + 1
        self.user_num = n_users + 1
        self.item_text = item_text

    def num(self, field: str) -> int:
        if field == ITEM_FIELD:
            return self.item_num
        if field == USER_FIELD:
            return self.user_num
        raise KeyError(f"field {field!r} is not part of the sample adapter; expected {ITEM_FIELD!r} or {USER_FIELD!r}")


def build_config(model_class: type, settings: dict[str, Any], device: torch.device) -> IsolatedConfig:
    """Build RecBole's config for ``model_class`` from our settings, leaving out training-loop keys."""
    excluded = training_keys() | TEXT_KEYS
    config_dict = {key: value for key, value in settings.items() if key not in excluded}
    config_dict.update(
        USER_ID_FIELD=USER_FIELD,
        ITEM_ID_FIELD=ITEM_FIELD,
        LIST_SUFFIX=LIST_SUFFIX,
        ITEM_LIST_LENGTH_FIELD=LENGTH_FIELD,
        MAX_ITEM_LIST_LENGTH=settings["max_seq_length"],
        train_neg_sample_args=None,
        device=device,
        # The keys below only silence RecBole's own checks; its data and trainer code is unused.
        metrics=["NDCG"],
        valid_metric="NDCG@10",
        topk=[10],
    )
    return IsolatedConfig(model=model_class, dataset=RECBOLE_DATASET_NAME, config_dict=config_dict)


@dataclass
class SampleTensors:
    """A ``SampleSet`` in RecBole's id space: ids shifted by one, histories cut to ``max_seq_length``."""

    users: torch.Tensor  # int64 (n_samples,), user code + 1
    item_seq: torch.Tensor  # int64 (n_samples, max_seq_length), item code + 1, right-padded with 0
    item_seq_len: torch.Tensor  # int64 (n_samples,)
    targets: torch.Tensor  # int64 (n_samples,), item code + 1
    trim_padding: bool = True

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def interaction(self, indices: torch.Tensor, device: torch.device) -> Interaction:
        """Return RecBole's batch for the samples at ``indices``.

        With ``trim_padding`` the batch drops the padding columns after its longest history. That
        leaves the output unchanged for models that mask padding or read positions causally, and
        saves most of the compute on short histories; Caser's fixed-height convolution needs them.
        """
        item_seq = self.item_seq[indices]
        if self.trim_padding and len(indices):
            item_seq = item_seq[:, : int(self.item_seq_len[indices].max())]
        batch = {
            USER_FIELD: self.users[indices],
            ITEM_SEQ_FIELD: item_seq,
            LENGTH_FIELD: self.item_seq_len[indices],
            ITEM_FIELD: self.targets[indices],
        }
        return Interaction(batch).to(device)


def to_sample_tensors(samples: SampleSet, max_seq_length: int, trim_padding: bool = True) -> SampleTensors:
    """Convert samples to RecBole ids, keeping each history's latest ``max_seq_length`` items."""
    lengths = samples.history_lengths.astype(np.int64)
    if len(samples) and lengths.min() < 1:
        empty = int(np.flatnonzero(lengths < 1)[0])
        raise DataError(f"{samples.split} sample {empty} has an empty history; classic models need at least one item")

    kept = np.minimum(lengths, max_seq_length)
    # Row i keeps history positions lengths[i] - kept[i] .. lengths[i] - 1, so the latest items.
    starts = lengths - kept
    positions = starts[:, None] + np.arange(max_seq_length)[None, :]  # (n_samples, max_seq_length)
    valid = np.arange(max_seq_length)[None, :] < kept[:, None]
    width = samples.histories.shape[1]
    gathered = np.take_along_axis(samples.histories, np.minimum(positions, max(width - 1, 0)), axis=1)
    item_seq = np.where(valid, gathered.astype(np.int64) + 1, 0)

    if np.any(item_seq[valid] == PAD + 1):
        raise DataError(f"{samples.split} samples contain padding inside a history; histories must be right-padded")
    return SampleTensors(
        users=torch.as_tensor(samples.users.astype(np.int64) + 1),
        item_seq=torch.as_tensor(item_seq),
        item_seq_len=torch.as_tensor(kept),
        targets=torch.as_tensor(samples.targets.astype(np.int64) + 1),
        trim_padding=trim_padding,
    )

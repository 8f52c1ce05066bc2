"""Training stages and the batches each one feeds the model.

A supervised stage (TALLRec, Pure-Item, Pure-Session, PFT-I, PFT-S) shows every history in one
fixed ``HistoryFormat``. Patch pre-training shows every sample twice in its batch, once as text
and once compressed. In the compressed copy each item independently becomes an item patch (or,
in the dropout variant, is removed) with probability ``p = step / (total_steps - 1)``, which is 0
at the first step and 1 at the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.data.types import PAD, SampleSet
from models.llm.batch import PromptBatch, compose_prompts
from models.llm.layout import HistoryFormat, assign_kinds, pure_item_format, random_kinds, tallrec_format
from models.llm.prompt import PromptParts, TitleTable


@dataclass(frozen=True)
class Stage:
    """One training stage; ``fmt`` is None for patch pre-training."""

    name: str
    fmt: HistoryFormat | None = None
    dropout: bool = False  # patch pre-training only: remove chosen items instead of compressing them

    @property
    def is_pretraining(self) -> bool:
        return self.fmt is None

    def identity(self) -> dict:
        """Return the settings that make this stage's checkpoint differ from another stage's."""
        return {"format": repr(self.fmt), "dropout": self.dropout}


def compression_probability(step: int, total_steps: int) -> float:
    """Return the patch pre-training compression probability at ``step`` (0-based)."""
    if total_steps <= 1:
        return 1.0
    return min(step / (total_steps - 1), 1.0)


def latest_items(samples: SampleSet, history_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the histories cut to their latest ``history_len`` items, oldest first, right-padded."""
    lengths = np.minimum(samples.history_lengths.astype(np.int64), history_len)
    start = samples.history_lengths.astype(np.int64) - lengths
    width = min(history_len, samples.histories.shape[1])
    columns = start[:, None] + np.arange(width)[None, :]
    real = np.arange(width)[None, :] < lengths[:, None]
    histories = np.take_along_axis(samples.histories, np.minimum(columns, samples.histories.shape[1] - 1), axis=1)
    return np.where(real, histories, PAD).astype(np.int64), lengths


class StageBatches:
    """Builds the prompt batches of one stage from a sample set."""

    def __init__(self, stage: Stage, parts: PromptParts, titles: TitleTable, samples: SampleSet, history_len: int) -> None:
        self.stage = stage
        self.parts = parts
        self.titles = titles
        self.histories, self.lengths = latest_items(samples, history_len)
        self.targets = samples.targets.astype(np.int64)

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def training_batch(self, indices: np.ndarray, step: int, total_steps: int, rng: np.random.Generator) -> PromptBatch:
        """Return the batch for ``indices`` at ``step``; pre-training doubles it (text, then compressed)."""
        histories, lengths, targets = self.histories[indices], self.lengths[indices], self.targets[indices]
        if not self.stage.is_pretraining:
            return compose_prompts(self.parts, self.titles, histories, lengths, fmt=self.stage.fmt, targets=targets, padding_side="left")

        probability = compression_probability(step, total_steps)
        text_kinds, _ = assign_kinds(lengths, histories.shape[1], tallrec_format())
        compressed_kinds = random_kinds(lengths, histories.shape[1], probability, rng, dropped=self.stage.dropout)
        return compose_prompts(
            self.parts,
            self.titles,
            np.concatenate([histories, histories]),
            np.concatenate([lengths, lengths]),
            kinds=np.concatenate([text_kinds, compressed_kinds]),
            targets=np.concatenate([targets, targets]),
            padding_side="left",
        )

    def validation_batch(self, indices: np.ndarray) -> PromptBatch:
        """Return the batch the validation loss is measured on.

        Pre-training is measured on its two end points, all text and all item patches.
        """
        histories, lengths, targets = self.histories[indices], self.lengths[indices], self.targets[indices]
        if not self.stage.is_pretraining:
            return compose_prompts(self.parts, self.titles, histories, lengths, fmt=self.stage.fmt, targets=targets, padding_side="left")

        width = histories.shape[1]
        text_kinds, _ = assign_kinds(lengths, width, tallrec_format())
        patch_kinds, _ = assign_kinds(lengths, width, pure_item_format())
        return compose_prompts(
            self.parts,
            self.titles,
            np.concatenate([histories, histories]),
            np.concatenate([lengths, lengths]),
            kinds=np.concatenate([text_kinds, patch_kinds]),
            targets=np.concatenate([targets, targets]),
            padding_side="left",
        )

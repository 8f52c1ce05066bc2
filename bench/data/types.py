"""The prepared form of a dataset that every model family reads.

Items and users are stored as integer codes (positions in ``Catalog.item_ids`` and
``SequenceTable.user_ids``); the original ids stay available as strings for reports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

SPLITS = ("train", "valid", "test")
PAD = -1


@dataclass(frozen=True)
class PromptTemplate:
    """The dataset's prompt: a system message and an instruction with ``[HISTORY_SEQUENCE]``."""

    system: str
    instruction: str

    PLACEHOLDER = "[HISTORY_SEQUENCE]"

    def split_instruction(self) -> tuple[str, str]:
        """Return the instruction text before and after the history placeholder."""
        before, _, after = self.instruction.partition(self.PLACEHOLDER)
        return before, after


@dataclass
class Catalog:
    """Every item of the item file: original id and normalised title, indexed by item code."""

    item_ids: list[str]
    titles: list[str]

    def __len__(self) -> int:
        return len(self.item_ids)

    def code_of(self) -> dict[str, int]:
        return {item_id: code for code, item_id in enumerate(self.item_ids)}

    def codes_by_title(self) -> dict[str, list[int]]:
        """Map each title to every item code that carries it (titles are not unique)."""
        by_title: dict[str, list[int]] = {}
        for code, title in enumerate(self.titles):
            by_title.setdefault(title, []).append(code)
        return by_title


@dataclass
class SequenceTable:
    """Each user's interactions in time order, concatenated into flat arrays.

    User ``u`` owns ``items[offsets[u]:offsets[u + 1]]``; ``splits`` holds, per interaction, the
    index into ``SPLITS`` of the temporal split it falls in.
    """

    user_ids: list[str]
    offsets: np.ndarray  # int64, (n_users + 1,)
    items: np.ndarray  # int32 item codes, (n_interactions,)
    splits: np.ndarray  # int8, (n_interactions,)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_interactions(self) -> int:
        return int(self.items.shape[0])

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def sequence(self, user: int) -> np.ndarray:
        return self.items[self.offsets[user] : self.offsets[user + 1]]


@dataclass
class SampleSet:
    """The samples of one split: a target interaction and up to K items before it.

    ``histories`` is ``(n_samples, K)``, oldest item first, right-padded with ``PAD``; row ``i``
    holds ``history_lengths[i]`` real items.
    """

    split: str
    history_len: int
    users: np.ndarray  # int32 user codes, (n_samples,)
    targets: np.ndarray  # int32 item codes, (n_samples,)
    histories: np.ndarray  # int32 item codes, (n_samples, K)
    history_lengths: np.ndarray  # int32, (n_samples,)

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def history(self, index: int) -> np.ndarray:
        return self.histories[index, : self.history_lengths[index]]

    def subset(self, indices: np.ndarray) -> SampleSet:
        return SampleSet(
            split=self.split,
            history_len=self.history_len,
            users=self.users[indices],
            targets=self.targets[indices],
            histories=self.histories[indices],
            history_lengths=self.history_lengths[indices],
        )

    def fingerprint(self) -> str:
        """Hash of the samples' users, targets and histories; equal sets give equal hashes."""
        digest = hashlib.sha256()
        digest.update(f"{self.split}:{self.history_len}".encode())
        for array in (self.users, self.targets, self.histories, self.history_lengths):
            digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
        return digest.hexdigest()[:16]


@dataclass
class PreparedDataset:
    """A dataset after filtering, title normalisation and the temporal split."""

    name: str
    catalog: Catalog
    sequences: SequenceTable
    prompt: PromptTemplate
    source: str = ""
    cache_key: str = ""
    notes: dict[str, int] = field(default_factory=dict)

    def samples(self, split: str, history_len: int) -> SampleSet:
        from bench.data.samples import build_samples

        return build_samples(self.sequences, split, history_len)

"""Patch embeddings, computed inside the forward pass from the model's current embedding table.

An item patch is the mean of the input embeddings of the item's title tokens; a session patch is
the mean of its items' patches. Both are built for the whole batch at once with gathers and
``index_add``, so gradients reach the embedding rows of every title token involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.llm.batch import PromptBatch
from models.llm.prompt import TitleTable


@dataclass
class TensorBatch:
    """A ``PromptBatch`` moved to the model's device."""

    token_ids: torch.Tensor  # (B, T)
    patch_at: torch.Tensor  # (B, T)
    attention_mask: torch.Tensor  # (B, T)
    labels: torch.Tensor  # (B, T)
    member_item: torch.Tensor  # (Q,)
    member_patch: torch.Tensor  # (Q,)
    n_patches: int

    @classmethod
    def from_numpy(cls, batch: PromptBatch, device: torch.device | str = "cpu") -> TensorBatch:
        def move(array: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(array)).to(device)

        return cls(
            token_ids=move(batch.token_ids),
            patch_at=move(batch.patch_at),
            attention_mask=move(batch.attention_mask),
            labels=move(batch.labels),
            member_item=move(batch.member_item),
            member_patch=move(batch.member_patch),
            n_patches=batch.n_patches,
        )

    def position_ids(self) -> torch.Tensor:
        """Positions that skip left padding, so a prompt's first real token is at position 0."""
        return (self.attention_mask.cumsum(dim=1) - 1).clamp(min=0)


class PatchEmbedder:
    """Turns token ids and patch references into ``inputs_embeds`` for the backbone."""

    def __init__(self, titles: TitleTable, device: torch.device | str = "cpu") -> None:
        self.title_ids = torch.from_numpy(titles.ids).to(device)  # (n_items, max_title_tokens)
        self.title_lengths = torch.from_numpy(titles.lengths).to(device)  # (n_items,)

    def to(self, device: torch.device | str) -> PatchEmbedder:
        self.title_ids = self.title_ids.to(device)
        self.title_lengths = self.title_lengths.to(device)
        return self

    def item_patches(self, embedding: torch.nn.Module, items: torch.Tensor) -> torch.Tensor:
        """Return the item patch of each item in ``items``: ``(n, d)``."""
        ids = self.title_ids[items]  # (n, max_title_tokens)
        lengths = self.title_lengths[items]
        real = torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None]
        vectors = embedding(ids)  # (n, max_title_tokens, d)
        vectors = vectors * real[:, :, None].to(vectors.dtype)
        return vectors.sum(dim=1) / lengths[:, None].to(vectors.dtype)

    def patches(self, embedding: torch.nn.Module, member_item: torch.Tensor, member_patch: torch.Tensor, n_patches: int) -> torch.Tensor:
        """Return every patch of the batch, ``(n_patches, d)``: the mean of its members' item patches."""
        unique_items, member_row = torch.unique(member_item, return_inverse=True)
        item_vectors = self.item_patches(embedding, unique_items)[member_row]  # (Q, d)

        sums = item_vectors.new_zeros((n_patches, item_vectors.shape[1]))
        sums = sums.index_add(0, member_patch, item_vectors)
        counts = torch.bincount(member_patch, minlength=n_patches).to(sums.dtype)
        return sums / counts[:, None]

    def inputs_embeds(self, embedding: torch.nn.Module, batch: TensorBatch) -> torch.Tensor:
        """Return ``(B, T, d)`` embeddings with patch positions replaced by their patches."""
        embeds = embedding(batch.token_ids)
        if batch.n_patches == 0:
            return embeds

        patches = self.patches(embedding, batch.member_item, batch.member_patch, batch.n_patches)
        rows, cols = torch.nonzero(batch.patch_at >= 0, as_tuple=True)
        return embeds.index_put((rows, cols), patches[batch.patch_at[rows, cols]].to(embeds.dtype))

"""Full ranking of every item for classic models, with a tie rule that cannot favour the target.

Tie rule: items with exactly equal scores are ordered by a fixed random permutation of the item
codes, drawn once from the recommender's seed. The order among ties is therefore independent of
the target and of the item codes, and the same for every sample and every run with that seed. A
model that gives every item the same score returns the permutation itself, so its hit ratio at 1
is about 1 / n_items, not 1.

History policy: by default items already in the history stay candidates. With
``exclude_history=True`` they get a score of minus infinity and so fall behind every other item.
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from models.classic.adapter import SampleTensors

logger = logging.getLogger(__name__)


def tie_order(n_items: int, seed: int) -> torch.Tensor:
    """Return the fixed permutation of item codes that orders tied scores (first wins)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randperm(n_items, generator=generator)


def rank_scores(
    scores: torch.Tensor, top_k: int, order: torch.Tensor, history: torch.Tensor | None = None
) -> torch.Tensor:
    """Return the ``top_k`` item codes per row of ``scores``, best first, ties broken by ``order``.

    Args:
        scores: (batch, n_items + 1) RecBole scores; column 0 is the padding id and never ranked.
        top_k: length of each returned list.
        order: permutation of the ``n_items`` item codes from ``tie_order``.
        history: (batch, max_seq_length) RecBole ids to exclude, 0 for padding; None keeps them.
    """
    scores = scores.detach().float().clone()
    if history is not None:
        scores.scatter_(1, history, float("-inf"))
    scores = torch.nan_to_num(scores[:, 1:], nan=float("-inf"))

    # Column j of the permuted scores belongs to item order[j], so a stable sort puts tied items
    # in permutation order.
    permuted = scores[:, order.to(scores.device)]
    positions = torch.sort(permuted, dim=1, descending=True, stable=True).indices[:, :top_k]
    return order.to(scores.device)[positions]


@torch.no_grad()
def top_items(
    model: torch.nn.Module,
    tensors: SampleTensors,
    top_k: int,
    order: torch.Tensor,
    exclude_history: bool,
    batch_size: int,
    device: torch.device,
) -> np.ndarray:
    """Rank all items for every sample with ``model.full_sort_predict``; returns (n_samples, top_k) codes."""
    n_items = int(order.shape[0])
    if top_k > n_items:
        raise ValueError(f"top_k={top_k} exceeds the {n_items} items of the catalog")

    model.eval()
    rows = []
    for start in range(0, len(tensors), batch_size):
        indices = torch.arange(start, min(start + batch_size, len(tensors)))
        interaction = tensors.interaction(indices, device)
        scores = model.full_sort_predict(interaction)  # (batch, n_items + 1)
        _warn_non_finite(scores)
        history = tensors.item_seq[indices].to(device) if exclude_history else None
        rows.append(rank_scores(scores, top_k, order, history).cpu())

    # NOTE: with exclude_history=True a history that covers nearly every item leaves fewer than
    # top_k candidates, and the list then ends in excluded items.
    return torch.cat(rows).numpy().astype(np.int32) if rows else np.zeros((0, top_k), dtype=np.int32)


def _warn_non_finite(scores: torch.Tensor) -> None:
    nan_count = int(torch.isnan(scores).sum())
    if nan_count:
        logger.warning("model returned %d NaN scores in a batch; they rank last", nan_count)

"""The training loop for RecBole sequential models on the pipeline's samples.

This loop replaces RecBole's ``Trainer``, which needs RecBole's own data loaders and evaluator.
Each epoch runs Adam on ``model.calculate_loss`` over the shuffled training samples (in batches
of similar history length unless ``length_buckets`` is off). After every epoch the validation
samples are ranked over all items and scored with ``bench.metrics``. The state with the best validation
NDCG@10 is kept, and training stops after ``patience`` epochs without improvement.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from models.classic.adapter import SampleTensors

logger = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    """The outcome of ``train_with_early_stopping``: the best epoch (1-based), its validation NDCG@10 and the curve."""

    best_epoch: int
    best_valid_ndcg: float
    epochs_run: int
    seconds: float
    losses: list[float] = field(default_factory=list)
    valid_ndcgs: list[float] = field(default_factory=list)


def train_with_early_stopping(
    model: torch.nn.Module,
    train_tensors: SampleTensors,
    validate: Callable[[torch.nn.Module], float],
    settings: dict,
    seed: int,
    device: torch.device,
) -> TrainingResult:
    """Train ``model`` in place and leave it holding the weights of its best validation epoch.

    ``validate`` returns the validation NDCG@10 of the model as it is.
    """
    optimizer = torch.optim.Adam(
        [parameter for parameter in model.parameters() if parameter.requires_grad],
        lr=settings["learning_rate"],
        weight_decay=settings["weight_decay"],
    )
    shuffler = np.random.default_rng(seed)
    result = TrainingResult(best_epoch=0, best_valid_ndcg=float("-inf"), epochs_run=0, seconds=0.0)
    best_state = copy.deepcopy(model.state_dict())
    started = time.perf_counter()

    for epoch in range(1, settings["max_epochs"] + 1):
        loss = _train_epoch(
            model, optimizer, train_tensors, settings["batch_size"], shuffler, device, settings["length_buckets"]
        )
        valid_ndcg = validate(model)
        result.losses.append(loss)
        result.valid_ndcgs.append(valid_ndcg)
        result.epochs_run = epoch

        if valid_ndcg > result.best_valid_ndcg:
            result.best_epoch, result.best_valid_ndcg = epoch, valid_ndcg
            best_state = copy.deepcopy(model.state_dict())
        elapsed = time.perf_counter() - started
        logger.info(
            "%s epoch %d: loss %.4f, valid NDCG@10 %.4f (best %.4f at epoch %d), %.1f s elapsed",
            type(model).__name__, epoch, loss, valid_ndcg, result.best_valid_ndcg, result.best_epoch, elapsed,
        )

        if epoch - result.best_epoch >= settings["patience"]:
            logger.info("%s stopped early: no better validation NDCG@10 for %d epochs", type(model).__name__, settings["patience"])
            break

    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - started
    return result


def _train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    tensors: SampleTensors,
    batch_size: int,
    shuffler: np.random.Generator,
    device: torch.device,
    length_buckets: bool,
) -> float:
    """Run one pass over the shuffled training samples; returns the mean batch loss."""
    model.train()
    total, batches = 0.0, 0

    for indices in _batches(tensors, batch_size, shuffler, length_buckets):
        interaction = tensors.interaction(indices, device)
        optimizer.zero_grad(set_to_none=True)
        loss = model.calculate_loss(interaction)
        loss.backward()
        optimizer.step()
        total += float(loss.detach())
        batches += 1

    return total / max(batches, 1)


def _batches(
    tensors: SampleTensors, batch_size: int, shuffler: np.random.Generator, length_buckets: bool
) -> list[torch.Tensor]:
    """Split a shuffled epoch into batches, optionally of samples with similar history lengths.

    Length buckets sort the shuffled samples by history length (ties keep the shuffled order),
    cut them into batches and shuffle the batch order, so trimmed batches carry little padding.
    """
    order = shuffler.permutation(len(tensors))
    if length_buckets:
        order = order[np.argsort(tensors.item_seq_len.numpy()[order], kind="stable")]
    batches = [torch.as_tensor(order[start : start + batch_size]) for start in range(0, len(order), batch_size)]
    shuffler.shuffle(batches)
    return batches

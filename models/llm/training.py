"""One training stage: AdamW, cosine schedule with warm-up, loss on the answer tokens only.

Works on one CPU or GPU and under ``accelerate launch``: each process takes every
``num_processes``-th sample of each batch, and gradients of the micro-batches accumulate until
the configured batch size is reached.

NOTE: only the single-process CPU path has been run. With several processes each one divides
its loss by its own answer-token count, so the averaged gradient weights processes equally
rather than tokens.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from models.llm.config import LLMConfig
from models.llm.patches import PatchEmbedder, TensorBatch
from models.llm.stages import StageBatches

log = logging.getLogger(__name__)


@dataclass
class StageStats:
    """Statistics of one stage: losses, steps and where its time went."""

    steps: int = 0
    samples: int = 0
    seconds: float = 0.0  # the training loop
    wall_seconds: float = 0.0  # the whole stage, validation and data preparation included
    prepare_seconds: float = 0.0  # laying out batches and assembling patch embeddings
    train_losses: list[float] = field(default_factory=list)
    valid_loss_before: float = float("nan")
    valid_loss_after: float = float("nan")


def answer_loss(model, embedder: PatchEmbedder, batch: TensorBatch, n_answer_tokens: int, embedding) -> tuple[torch.Tensor, float]:
    """Return (summed answer cross-entropy divided by ``n_answer_tokens``, seconds spent on patches).

    Batches are left-padded, so every answer ends at the last column and only the last columns'
    logits are computed.
    """
    started = time.perf_counter()
    embeds = embedder.inputs_embeds(embedding, batch)
    patch_seconds = time.perf_counter() - started

    answer_width = int((batch.labels != -100).sum(dim=1).max()) + 1
    output = model(
        inputs_embeds=embeds,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids(),
        logits_to_keep=answer_width,
        use_cache=False,
    )
    logits = output.logits[:, :-1, :].float()  # (B, answer_width - 1, V) predicting the next token
    labels = batch.labels[:, -(answer_width - 1):]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100, reduction="sum")
    return loss / n_answer_tokens, patch_seconds


@torch.no_grad()
def validation_loss(model, embedder: PatchEmbedder, batches: StageBatches, config: LLMConfig, device, embedding) -> float:
    """Return the mean answer-token loss over every sample of ``batches``."""
    model.eval()
    total, tokens = 0.0, 0
    for start in range(0, len(batches), config.micro_batch_size):
        indices = np.arange(start, min(start + config.micro_batch_size, len(batches)))
        batch = TensorBatch.from_numpy(batches.validation_batch(indices), device)
        n = int((batch.labels != -100).sum())
        loss, _ = answer_loss(model, embedder, batch, n, embedding)
        total += float(loss) * n
        tokens += n
    return total / max(tokens, 1)


def train_stage(model, embedder: PatchEmbedder, train: StageBatches, valid: StageBatches, config: LLMConfig, accelerator) -> StageStats:
    """Train ``model`` for ``config.epochs`` passes over ``train``; return the stage's stats."""
    from transformers import get_cosine_schedule_with_warmup

    stats = StageStats()
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = get_cosine_schedule_with_warmup(optimizer, math.ceil(config.warmup_ratio * total_steps), total_steps)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    embedding = accelerator.unwrap_model(model).get_input_embeddings()
    embedder.to(accelerator.device)

    stats.valid_loss_before = validation_loss(model, embedder, valid, config, accelerator.device, embedding)
    log.info(
        "stage %s: %d training samples, %d steps of %d, validation loss %.4f",
        train.stage.name, len(train), total_steps, config.batch_size, stats.valid_loss_before,
    )

    rng = np.random.default_rng(config.seed)
    started = time.perf_counter()
    for step in range(total_steps):
        if step % steps_per_epoch == 0:
            order = rng.permutation(len(train))
        batch_indices = order[(step % steps_per_epoch) * config.batch_size :][: config.batch_size]
        loss = _optimizer_step(model, embedder, train, batch_indices, step, total_steps, rng, config, accelerator, optimizer, scheduler, stats, embedding)
        stats.train_losses.append(loss)
        stats.steps, stats.samples = step + 1, stats.samples + len(batch_indices)
        _log_progress(train.stage.name, step, total_steps, loss, started)

    stats.seconds = time.perf_counter() - started
    stats.valid_loss_after = validation_loss(model, embedder, valid, config, accelerator.device, embedding)
    log.info(
        "stage %s done in %.0f s: validation loss %.4f -> %.4f, batch preparation %.1f%% of the time",
        train.stage.name, stats.seconds, stats.valid_loss_before, stats.valid_loss_after,
        100 * stats.prepare_seconds / max(stats.seconds, 1e-9),
    )
    return stats


def _optimizer_step(model, embedder, train, batch_indices, step, total_steps, rng, config, accelerator, optimizer, scheduler, stats, embedding) -> float:
    """Accumulate gradients over this process's micro-batches, then take one optimizer step."""
    model.train()
    own = batch_indices[accelerator.process_index :: accelerator.num_processes]
    chunks = [own[i : i + config.micro_batch_size] for i in range(0, len(own), config.micro_batch_size)]

    prepared = time.perf_counter()
    batches = [TensorBatch.from_numpy(train.training_batch(chunk, step, total_steps, rng), accelerator.device) for chunk in chunks]
    stats.prepare_seconds += time.perf_counter() - prepared
    n_answer_tokens = max(sum(int((b.labels != -100).sum()) for b in batches), 1)

    total = 0.0
    for index, batch in enumerate(batches):
        is_last = index == len(batches) - 1
        sync = nullcontext() if is_last or accelerator.num_processes == 1 else accelerator.no_sync(model)
        with sync:
            loss, patch_seconds = answer_loss(model, embedder, batch, n_answer_tokens, embedding)
            accelerator.backward(loss)
        stats.prepare_seconds += patch_seconds
        total += loss.item()

    accelerator.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return total


def _log_progress(stage: str, step: int, total_steps: int, loss: float, started: float) -> None:
    done = step + 1
    every = max(total_steps // 20, 1)
    if done % every and done != total_steps:
        return
    elapsed = time.perf_counter() - started
    log.info(
        "stage %s step %d/%d: loss %.4f, %.0f s elapsed, about %.0f s left",
        stage, done, total_steps, loss, elapsed, elapsed / done * (total_steps - done),
    )

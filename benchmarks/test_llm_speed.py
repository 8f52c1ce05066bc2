"""Speed of the LLM methods on ML-100K test samples with a full K = 100 history, default backbone.

- TALLRec inference per sample against its compute bound: 2 x parameters x tokens processed
  (the prompt once, plus every beam's answer tokens), divided by this machine's fp32 matmul
  FLOP/s measured in the same run. Target: within 3 times the bound. The same prompts also go
  through stock ``generate`` with the cache on and off, whose top-20 lists must be identical.
- PatchRec-S against TALLRec per sample: at least 1.5 times faster.
- The share of a patch pre-training step spent preparing the batch: under 10%.

The backbone is untrained here: decoding cost depends on prompt length and beam count, not on
what the model learned. ``BENCH_LLM_SAMPLES`` (default 2) sets how many test samples are timed
and ``BENCH_LLM_UNCACHED`` (default 1) how many go through the slow uncached path.
Run: pytest benchmarks/test_llm_speed.py --benchmark-only
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import torch

from bench.data import load_dataset
from models.llm import layout
from models.llm.beam import constrained_beam_search, stock_generate
from models.llm.recommender import PatchRecS, TALLRec
from models.llm.stages import latest_items

HISTORY = 100
SAMPLES = int(os.environ.get("BENCH_LLM_SAMPLES", "2"))
UNCACHED = int(os.environ.get("BENCH_LLM_UNCACHED", "1"))


def matmul_flops(size: int = 2048, repeats: int = 5) -> float:
    """Return the best fp32 FLOP/s of a square matmul over a few tries."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best


@pytest.fixture(scope="module")
def full_history_samples():
    dataset = load_dataset("ml-100k")
    test = dataset.samples("test", HISTORY)
    rows = np.flatnonzero(test.history_lengths == HISTORY)[:SAMPLES]
    return dataset, test.subset(rows)


def decode_each(model, dataset, samples, fmt):
    """Decode every sample alone; return per-sample seconds, title lists and processed-token counts."""
    config = model.resolved_config(dataset)
    model._prepare_inference(dataset, config)
    histories, lengths = latest_items(samples, HISTORY)

    # One untimed search first: the first forward passes also allocate buffers and pick kernels.
    embeds, mask = model.prompt_embeddings(histories[:1], lengths[:1], fmt)
    constrained_beam_search(model.model, embeds, mask, model._trie, num_beams=20)

    seconds, titles, tokens = [], [], []
    for row in range(len(samples)):
        embeds, mask = model.prompt_embeddings(histories[row : row + 1], lengths[row : row + 1], fmt)
        started = time.perf_counter()
        result = constrained_beam_search(model.model, embeds, mask, model._trie, num_beams=20)
        seconds.append(time.perf_counter() - started)
        titles.append(result.title_indices[0])
        tokens.append(int(mask.sum()) + result.beam_tokens)
    return seconds, titles, tokens


def stock_each(model, dataset, samples, fmt, use_cache):
    histories, lengths = latest_items(samples, HISTORY)
    seconds, titles = [], []
    for row in range(len(samples)):
        embeds, mask = model.prompt_embeddings(histories[row : row + 1], lengths[row : row + 1], fmt)
        started = time.perf_counter()
        titles.append(stock_generate(model.model, embeds, mask, model._trie, num_beams=20, use_cache=use_cache)[0])
        seconds.append(time.perf_counter() - started)
    return seconds, titles


def test_tallrec_inference_near_compute_bound(benchmark, full_history_samples):
    dataset, samples = full_history_samples
    tallrec = TALLRec({"history_len": HISTORY})
    fmt = layout.tallrec_format()

    seconds, titles, tokens = benchmark.pedantic(decode_each, args=(tallrec, dataset, samples, fmt), rounds=1, iterations=1)
    flops = matmul_flops()
    parameters = sum(p.numel() for p in tallrec.model.parameters())
    bound = [2 * parameters * count / flops for count in tokens]
    cached_seconds, cached_titles = stock_each(tallrec, dataset, samples, fmt, use_cache=True)
    uncached_seconds, uncached_titles = stock_each(tallrec, dataset, samples.subset(np.arange(UNCACHED)), fmt, use_cache=False)

    ratio = float(np.mean(seconds) / np.mean(bound))
    benchmark.extra_info.update(
        matmul_gflops=flops / 1e9,
        tokens_per_sample=float(np.mean(tokens)),
        bound_seconds=float(np.mean(bound)),
        cached_search_seconds=float(np.mean(seconds)),
        ratio_to_bound=ratio,
        stock_cached_seconds=float(np.mean(cached_seconds)),
        stock_uncached_seconds=float(np.mean(uncached_seconds)),
    )
    print(benchmark.extra_info)
    assert uncached_titles == cached_titles[:UNCACHED]
    assert titles == cached_titles
    assert ratio < 3


def test_patchrec_s_faster_than_tallrec(benchmark, full_history_samples):
    dataset, samples = full_history_samples
    tallrec = TALLRec({"history_len": HISTORY})
    tallrec_seconds, _, tallrec_tokens = decode_each(tallrec, dataset, samples, layout.tallrec_format())
    patchrec = PatchRecS({"history_len": HISTORY})
    patchrec.model, patchrec.tokenizer = tallrec.model, tallrec.tokenizer  # same untrained backbone
    config = patchrec.resolved_config(dataset)

    seconds, _, tokens = benchmark.pedantic(
        decode_each, args=(patchrec, dataset, samples, patchrec.inference_format(config)), rounds=1, iterations=1
    )

    speedup = float(np.mean(tallrec_seconds) / np.mean(seconds))
    benchmark.extra_info.update(
        tallrec_seconds=float(np.mean(tallrec_seconds)), patchrec_s_seconds=float(np.mean(seconds)),
        tallrec_tokens=float(np.mean(tallrec_tokens)), patchrec_s_tokens=float(np.mean(tokens)), speedup=speedup,
    )
    print(benchmark.extra_info)
    assert speedup >= 1.5


def test_batch_preparation_share_of_training_step(benchmark, full_history_samples):
    from accelerate import Accelerator

    from models.llm.checkpoints import start_model
    from models.llm.patches import PatchEmbedder
    from models.llm.prompt import build_prompt_parts, catalog_title_table
    from models.llm.stages import Stage, StageBatches
    from models.llm.training import StageStats, _optimizer_step
    from models.llm.config import LLMConfig

    dataset, _ = full_history_samples
    train = dataset.samples("train", HISTORY)
    train = train.subset(np.flatnonzero(train.history_lengths == HISTORY)[:8])
    config = LLMConfig(batch_size=2, micro_batch_size=2, learning_rate=1e-5)
    model, tokenizer = start_model("smollm2", False, 1, 1, torch.float32)
    titles = catalog_title_table(tokenizer, dataset.catalog)
    batches = StageBatches(Stage("ppt"), build_prompt_parts(tokenizer, dataset.prompt), titles, train, HISTORY)
    accelerator = Accelerator()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    embedding = model.get_input_embeddings()
    rng = np.random.default_rng(0)

    def step(index):
        stats = StageStats()
        started = time.perf_counter()
        # Mid-schedule (p = 0.5): a pre-training batch with both text and patches, doubled to four rows.
        _optimizer_step(model, PatchEmbedder(titles), batches, np.arange(2 * index, 2 * index + 2), 1, 3, rng, config, accelerator, optimizer, _NoSchedule(), stats, embedding)
        return stats.prepare_seconds, time.perf_counter() - started

    step(0)
    prepare, total = benchmark.pedantic(step, args=(1,), rounds=1, iterations=1)

    share = prepare / total
    benchmark.extra_info.update(prepare_seconds=prepare, step_seconds=total, share=share)
    print(benchmark.extra_info)
    assert share < 0.10


class _NoSchedule:
    def step(self) -> None:
        pass

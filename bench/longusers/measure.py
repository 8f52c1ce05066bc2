"""The CUDA path of the long-history plan: K chosen by measured peak memory of real decoding.

For each candidate K the batch of the ``batch_size`` samples with the longest prompts is decoded
with ``constrained_beam_search``. The K fits when decoding finishes without running out of memory
and the allocator's peak stays within the budget. Weights do not change memory, so a built-in
architecture without weights (``llama-3.2-1b``) is measured with randomly initialised weights.

NOTE: no GPU was available while this was written; this path has not been run.
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from bench.data.types import PreparedDataset, SampleSet
from bench.errors import ResourceError
from bench.memory import BUILTIN_ARCHITECTURES, BackboneArchitecture, estimate_decoding_memory
from bench.longusers.plan import LongUserPlan, MethodPlan, PlanSettings, largest_fitting
from bench.longusers.prompts import PromptCounter, method_format
from models.llm.layout import HistoryFormat
from models.llm.patches import PatchEmbedder, TensorBatch
from models.llm.stages import latest_items
from models.llm.trie import TitleTrie

log = logging.getLogger(__name__)

TORCH_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def load_measurement_model(backbone: str, arch: BackboneArchitecture, tokenizer, dtype: str):
    """Load the backbone onto the GPU in ``dtype``; a built-in name gets random weights of its shape."""
    if backbone in BUILTIN_ARCHITECTURES and backbone != "smollm2":
        from transformers import LlamaConfig, LlamaForCausalLM

        config = LlamaConfig(
            hidden_size=arch.hidden_size, num_hidden_layers=arch.num_layers, num_attention_heads=arch.num_heads,
            num_key_value_heads=arch.num_kv_heads, head_dim=arch.head_dim, intermediate_size=arch.intermediate_size,
            vocab_size=len(tokenizer), tie_word_embeddings=arch.tied_embeddings,
        )
        with torch.device("cuda"):
            model = LlamaForCausalLM(config).to(TORCH_DTYPES[dtype])
    else:
        from models.llm.backbone import load_backbone

        model, _ = load_backbone(backbone, dtype=TORCH_DTYPES[dtype])
        model = model.to("cuda")
    return model.eval()


def widest_batch(counter: PromptCounter, samples: SampleSet, history_len: int, fmt: HistoryFormat, batch_size: int) -> SampleSet:
    """Return the ``batch_size`` samples with the longest prompts at ``history_len``."""
    lengths = counter.prompt_lengths(samples, history_len, fmt)
    return samples.subset(np.sort(np.argsort(-lengths, kind="stable")[:batch_size]))


def measure_peak(model, embedder: PatchEmbedder, counter: PromptCounter, trie: TitleTrie, batch: SampleSet,
                 history_len: int, fmt: HistoryFormat, num_beams: int) -> int | None:
    """Decode one batch and return the allocator's peak in bytes, or None when it runs out of memory."""
    from models.llm.batch import compose_prompts
    from models.llm.beam import constrained_beam_search

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    try:
        with torch.no_grad():
            histories, lengths = latest_items(batch, history_len)
            prompts = compose_prompts(counter.parts, counter.titles, histories, lengths, fmt=fmt, padding_side="left")
            tensors = TensorBatch.from_numpy(prompts, "cuda")
            embeds = embedder.inputs_embeds(model.get_input_embeddings(), tensors)
            constrained_beam_search(model, embeds, tensors.attention_mask, trie, num_beams=num_beams)
    except torch.cuda.OutOfMemoryError:
        return None
    finally:
        torch.cuda.synchronize()
    return int(torch.cuda.max_memory_allocated())


def measured_plan(
    backbone: str,
    arch: BackboneArchitecture,
    tokenizer,
    dataset: PreparedDataset,
    counter: PromptCounter,
    samples: SampleSet,
    longest_sequence: int,
    settings: PlanSettings,
) -> LongUserPlan:
    """Pick each method's K by decoding on the GPU; the estimate at that K is kept for comparison."""
    if not torch.cuda.is_available():
        raise ResourceError("measuring peak memory needs CUDA; without it `bench long-users` uses the memory model")
    model = load_measurement_model(backbone, arch, tokenizer, settings.dtype)
    embedder = PatchEmbedder(counter.titles, "cuda")
    trie = TitleTrie.build(counter.titles, dataset.catalog.titles, counter.parts.answer_end, model.get_input_embeddings().weight.shape[0])
    batch_size = min(settings.batch_size, len(samples))

    plans = []
    for method in settings.methods:
        fmt = method_format(method, settings.item_text, settings.session_size)
        peaks: dict[int, int | None] = {}

        def fits(history_len: int) -> bool:
            batch = widest_batch(counter, samples, history_len, fmt, batch_size)
            peaks[history_len] = measure_peak(model, embedder, counter, trie, batch, history_len, fmt, settings.num_beams)
            log.info("%s at K = %d: peak %s", method, history_len, peaks[history_len])
            return peaks[history_len] is not None and peaks[history_len] <= settings.budget_bytes

        chosen = largest_fitting(longest_sequence, fits)
        lengths = counter.prompt_lengths(samples, max(chosen, 1), fmt)
        estimate = estimate_decoding_memory(arch, int(lengths.max()), counter.answer_tokens, batch_size, settings.num_beams, settings.dtype)
        plans.append(
            MethodPlan(
                method=method, history_len=chosen, holds_all=chosen == longest_sequence,
                max_prompt_tokens=int(lengths.max()), mean_prompt_tokens=float(lengths.mean()),
                peak_bytes=int(peaks.get(chosen) or 0), memory=estimate.as_dict(),
            )
        )

    return LongUserPlan(
        mode="measured", backbone=backbone, settings=settings, samples=len(samples),
        users=int(np.unique(samples.users).size), longest_sequence=longest_sequence,
        longest_history=int(samples.history_lengths.max()), answer_tokens=counter.answer_tokens, methods=plans,
    )

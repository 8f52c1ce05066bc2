"""Load the backbone causal LM and its tokenizer, with the history markers added.

The bundled SmolLM2-135M-Instruct ships as a quantised GGUF file, and transformers de-quantises
it to float on every load (about 20 s on two CPU cores). So the first load writes a safetensors
copy under the cache folder (``$BENCH_CACHE`` or ``~/.cache/llmrec-bench``), and later loads
read that copy in about a second.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import torch

from bench import resources
from bench.errors import ResourceError
from models.llm.prompt import add_special_tokens

log = logging.getLogger(__name__)

CONVERTED_MARKER = "converted.ok"


def cache_root() -> Path:
    return Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "llmrec-bench"))


def resolve_backbone(backbone: str) -> str:
    """Return a folder or hub id that ``from_pretrained`` loads quickly, converting the bundled GGUF once."""
    if backbone != "smollm2":
        return backbone

    folder, gguf_file = resources.smollm2_gguf()
    stat = (folder / gguf_file).stat()
    target = cache_root() / f"smollm2-135m-instruct-{stat.st_size}-{int(stat.st_mtime)}"
    if (target / CONVERTED_MARKER).is_file():
        return str(target)

    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to safetensors under %s (once)", gguf_file, target)
    model = _dequantised_copy(AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file, dtype=torch.float32))
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / CONVERTED_MARKER).write_text(gguf_file + "\n")
    try:
        staging.rename(target)
    except OSError:
        # Another process finished the same conversion first; its copy is identical.
        shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def _dequantised_copy(model):
    """Rebuild a GGUF-loaded model as a plain float model, which ``save_pretrained`` accepts."""
    from transformers import AutoModelForCausalLM

    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(model.state_dict())
    plain.generation_config = model.generation_config
    return plain


def load_tokenizer_for(backbone: str):
    """Load the backbone's tokenizer with the three history markers added."""
    from transformers import AutoTokenizer

    source = resolve_backbone(backbone)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ResourceError(f"cannot load a tokenizer from backbone {backbone!r}: {error}") from error
    add_special_tokens(tokenizer)
    return tokenizer


def load_backbone(source: str, dtype: torch.dtype = torch.float32):
    """Load a causal LM and tokenizer from ``source`` (a backbone name, folder or stage checkpoint)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    resolved = resolve_backbone(source)
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved)
        model = AutoModelForCausalLM.from_pretrained(resolved, dtype=dtype)
    except (OSError, ValueError) as error:
        raise ResourceError(f"cannot load backbone {source!r}: {error}; pass a local model folder or a hub id") from error

    added = add_special_tokens(tokenizer, model)
    if added:
        log.info("added %d history tokens; vocabulary now %d", added, len(tokenizer))
    log.info(
        "backbone %s: %s, %.1fM parameters",
        source, type(model).__name__, sum(p.numel() for p in model.parameters()) / 1e6,
    )
    return model, tokenizer


def add_lora(model, rank: int, alpha: int, new_token_ids: list[int]):
    """Wrap ``model`` with LoRA adapters on the attention and MLP projections.

    The rows of the added history tokens stay trainable too, since they start untrained.
    """
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        trainable_token_indices={"embed_tokens": new_token_ids},
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)

"""A memory model of constrained beam-search decoding with a decoder-only backbone.

The model follows what ``models.llm.beam.constrained_beam_search`` allocates for one batch of
``B`` left-padded prompts of ``T`` positions, ``N`` beams and answers of up to ``A`` tokens:

1. The prompt pass (once per sample) builds a key/value cache of ``B x T`` positions and returns
   logits for every prompt position, ``B x T x V`` in the model's dtype, because the forward
   keeps all positions' logits.
2. The cache is then copied to the beams (``batch_repeat_interleave``), so decoding holds
   ``B x N x (T + A)`` cached positions. The prompt pass's logits stay referenced until the
   first decoding step returns.
3. Every decoding step adds float32 scores over the vocabulary for ``B x N`` beams
   (logits, log-softmax, the masked copy and the candidate matrix).

The peak is the larger of the prompt pass and the decoding phase. Activations inside one layer
assume a memory-efficient attention kernel (no ``T x T`` score matrix per head), which is what
PyTorch's SDPA selects on CUDA for a padding mask. Sizes are in bytes.

NOTE: these figures are an estimate. The CUDA path of ``bench long-users`` measures peak memory
instead; the two have not been compared on a GPU yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import ConfigError

DTYPE_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}
SCORE_BYTES = 4  # beam scores are computed in float32 whatever the model dtype
SCORE_COPIES = 4  # logits.float(), log_softmax, the masked scores, the (B, N x V) candidates
LAYER_COPIES_HIDDEN = 4  # residual stream, normed input, attention output, query states
LAYER_COPIES_INTERMEDIATE = 3  # gate, up, and their product in the MLP


@dataclass(frozen=True)
class BackboneArchitecture:
    """The shape of a Llama-style decoder, as a Hugging Face ``config.json`` describes it."""

    name: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    tied_embeddings: bool

    def parameter_count(self, added_tokens: int = 0) -> int:
        """Count the parameters, with ``added_tokens`` extra embedding rows (the history markers)."""
        vocab = self.vocab_size + added_tokens
        embeddings = vocab * self.hidden_size * (1 if self.tied_embeddings else 2)
        attention = self.hidden_size * self.head_dim * (2 * self.num_heads + 2 * self.num_kv_heads)
        mlp = 3 * self.hidden_size * self.intermediate_size
        norms = 2 * self.hidden_size
        return embeddings + self.num_layers * (attention + mlp + norms) + self.hidden_size

    def kv_bytes_per_position(self, dtype_bytes: int) -> int:
        """Bytes of keys and values that one cached position takes across all layers."""
        return 2 * self.num_layers * self.num_kv_heads * self.head_dim * dtype_bytes

    def as_dict(self) -> dict:
        return asdict(self)


# Published architectures, so the memory model works where the weights are absent.
# Llama-3.2-1B(-Instruct): config.json of meta-llama/Llama-3.2-1B-Instruct.
LLAMA_32_1B = BackboneArchitecture(
    name="llama-3.2-1b", hidden_size=2048, num_layers=16, num_heads=32, num_kv_heads=8, head_dim=64,
    intermediate_size=8192, vocab_size=128256, tied_embeddings=True,
)
# SmolLM2-135M-Instruct: config.json of HuggingFaceTB/SmolLM2-135M-Instruct.
SMOLLM2_135M = BackboneArchitecture(
    name="smollm2", hidden_size=576, num_layers=30, num_heads=9, num_kv_heads=3, head_dim=64,
    intermediate_size=1536, vocab_size=49152, tied_embeddings=True,
)
BUILTIN_ARCHITECTURES = {arch.name: arch for arch in (LLAMA_32_1B, SMOLLM2_135M)}
# The tokenizer that each built-in architecture uses, as ``bench.tokenizers.load_tokenizer`` names it.
BUILTIN_TOKENIZERS = {"llama-3.2-1b": "llama-3.2", "smollm2": "smollm2"}


def architecture_from_config(config: dict, name: str) -> BackboneArchitecture:
    """Read a Hugging Face decoder config (a ``config.json`` as a dict)."""
    required = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size")
    missing = [key for key in required if key not in config]
    if missing:
        raise ConfigError(f"{name}: config lacks {', '.join(missing)}; pass a decoder-only (Llama-style) model config")

    heads = int(config["num_attention_heads"])
    return BackboneArchitecture(
        name=name,
        hidden_size=int(config["hidden_size"]),
        num_layers=int(config["num_hidden_layers"]),
        num_heads=heads,
        num_kv_heads=int(config.get("num_key_value_heads") or heads),
        head_dim=int(config.get("head_dim") or config["hidden_size"] // heads),
        intermediate_size=int(config["intermediate_size"]),
        vocab_size=int(config["vocab_size"]),
        tied_embeddings=bool(config.get("tie_word_embeddings", False)),
    )


def load_architecture(backbone: str) -> BackboneArchitecture:
    """Return a built-in architecture by name, or read ``config.json`` from a model folder."""
    if backbone in BUILTIN_ARCHITECTURES:
        return BUILTIN_ARCHITECTURES[backbone]

    path = Path(backbone)
    config_file = path / "config.json" if path.is_dir() else path
    if not config_file.is_file():
        raise ConfigError(
            f"unknown backbone {backbone!r}; use {' or '.join(BUILTIN_ARCHITECTURES)} "
            "or a model folder with a config.json"
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{config_file}: invalid JSON ({error})") from error
    return architecture_from_config(config.get("text_config", config), str(path))


def parse_memory_size(text: str) -> int:
    """Parse ``40GB``, ``40GiB``, ``512MB`` or a plain byte count; GB means 10**9 bytes, GiB 2**30."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?i?B?)\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ConfigError(f"invalid memory size {text!r}; write it like 40GB, 40GiB or 512MB")
    number, unit = float(match.group(1)), match.group(2).upper()
    prefix = unit.rstrip("B").rstrip("I")
    base = 1024 if "I" in unit else 1000
    power = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}[prefix]
    size = int(number * base**power)
    if size <= 0:
        raise ConfigError(f"memory size {text!r} must be positive")
    return size


@dataclass(frozen=True)
class DecodingMemory:
    """The estimated peak of one decoding batch, split into its parts (bytes)."""

    parameters: int
    kv_cache: int
    prompt_logits: int
    activations: int
    phase: str  # "prompt" or "decoding": where the peak falls

    @property
    def total(self) -> int:
        return self.parameters + self.kv_cache + self.prompt_logits + self.activations

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total}


def estimate_decoding_memory(
    arch: BackboneArchitecture,
    prompt_tokens: int,
    answer_tokens: int,
    batch_size: int = 16,
    num_beams: int = 20,
    dtype: str = "bf16",
    added_tokens: int = 3,
) -> DecodingMemory:
    """Estimate the peak memory of decoding one batch whose prompts are ``prompt_tokens`` wide."""
    if dtype not in DTYPE_BYTES:
        raise ConfigError(f"unknown dtype {dtype!r}; choose from: {', '.join(DTYPE_BYTES)}")
    size = DTYPE_BYTES[dtype]
    vocab = arch.vocab_size + added_tokens
    parameters = arch.parameter_count(added_tokens) * size
    kv_position = arch.kv_bytes_per_position(size)
    prompt_positions = batch_size * prompt_tokens
    beams = batch_size * num_beams
    prompt_logits = prompt_positions * vocab * size

    # The prompt pass: its own cache, all-position logits, one layer's activations and the padding mask.
    layer = prompt_positions * (LAYER_COPIES_HIDDEN * arch.hidden_size + LAYER_COPIES_INTERMEDIATE * arch.intermediate_size) * size
    mask = batch_size * prompt_tokens * prompt_tokens
    prompt = DecodingMemory(parameters, prompt_positions * kv_position, prompt_logits, layer + mask, "prompt")

    # Decoding: the cache copied to every beam and grown by the generated title, plus float32 beam scores.
    decoded_positions = beams * (prompt_tokens + answer_tokens)
    step = beams * (LAYER_COPIES_HIDDEN * arch.hidden_size + LAYER_COPIES_INTERMEDIATE * arch.intermediate_size) * size
    scores = beams * vocab * SCORE_BYTES * SCORE_COPIES
    decoding = DecodingMemory(parameters, decoded_positions * kv_position, prompt_logits, step + scores, "decoding")

    return max(prompt, decoding, key=lambda memory: memory.total)


def format_bytes(size: float) -> str:
    """Format a byte count in GB (10**9 bytes) with two decimals, or MB below 1 GB."""
    if size >= 1e9:
        return f"{size / 1e9:.2f} GB"
    return f"{size / 1e6:.1f} MB"

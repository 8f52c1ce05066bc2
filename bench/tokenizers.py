"""Tokenizers by name: ``smollm2`` (the default backbone), ``llama-3.2`` (the backbone tokenizer of PatchRec, SIGIR 2025), or a path."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from bench import resources
from bench.errors import ResourceError

log = logging.getLogger(__name__)

TOKENIZER_NAMES = ("smollm2", "llama-3.2")


@functools.lru_cache(maxsize=4)
def load_tokenizer(name: str):
    """Load a tokenizer by name or from a local folder holding a Hugging Face tokenizer."""
    from transformers import AutoTokenizer

    if name == "smollm2":
        folder, gguf_file = resources.smollm2_gguf()
        return AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    if name == "llama-3.2":
        return AutoTokenizer.from_pretrained(resources.llama32_tokenizer_folder())

    path = Path(name)
    if not path.exists():
        raise ResourceError(
            f"unknown tokenizer {name!r}; use one of {', '.join(TOKENIZER_NAMES)} or a local tokenizer folder"
        )
    try:
        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise ResourceError(f"cannot load a tokenizer from {path}: {error}") from error


def count_title_tokens(tokenizer, titles: list[str]) -> list[int]:
    """Count each title's tokens, title alone, without special tokens."""
    encoded = tokenizer(titles, add_special_tokens=False)["input_ids"]
    return [len(ids) for ids in encoded]

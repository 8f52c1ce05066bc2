"""Item title embeddings from a Hugging Face text encoder, computed once and cached on disk.

A title's embedding is the mean of the encoder's last hidden states over the title's tokens
(attention mask applied), the pooling all-MiniLM-L6-v2 was trained with. Embeddings are not
normalised, so the trainable projection receives their scale.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import numpy as np
import torch

from bench.errors import ResourceError
from bench.resources import minilm_folder
from models.classic.recbole_compat import _atomic_write

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "minilm"
POOLING_VERSION = "mean-last-hidden-v1"


def resolve_encoder_path(encoder: str) -> Path:
    """Return the encoder folder: the offline all-MiniLM-L6-v2 for ``"minilm"``, else ``encoder``."""
    if encoder == DEFAULT_ENCODER:
        return minilm_folder()
    path = Path(encoder).expanduser()
    if not (path / "config.json").is_file():
        raise ResourceError(f"text encoder folder {path} has no config.json; pass a local Hugging Face model folder or 'minilm'")
    return path


def load_encoder(encoder_path: Path):
    """Load a Hugging Face encoder and its tokenizer from a local folder."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(encoder_path)
    model = AutoModel.from_pretrained(encoder_path)
    return tokenizer, model


def mean_pool_titles(tokenizer, encoder: torch.nn.Module, titles: list[str], device: torch.device) -> torch.Tensor:
    """Encode one batch of titles; returns (len(titles), hidden) mean-pooled embeddings."""
    batch = tokenizer(titles, padding=True, truncation=True, max_length=64, return_tensors="pt").to(device)
    hidden = encoder(**batch).last_hidden_state  # (titles, tokens, hidden)
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp_min(1.0)


@torch.no_grad()
def encode_titles(titles: list[str], encoder_path: Path, batch_size: int, device: torch.device) -> torch.Tensor:
    """Return (len(titles), hidden) float32 embeddings of ``titles`` from a frozen encoder."""
    tokenizer, encoder = load_encoder(encoder_path)
    encoder.to(device).eval()
    parts = [
        mean_pool_titles(tokenizer, encoder, titles[start : start + batch_size], device).float().cpu()
        for start in range(0, len(titles), batch_size)
    ]
    return torch.cat(parts)


def cached_title_embeddings(
    titles: list[str], encoder_path: Path, cache_dir: Path, batch_size: int, device: torch.device
) -> torch.Tensor:
    """Return the title embeddings, reading them from ``cache_dir`` when computed before.

    The cache file name is a hash of the encoder folder, its weights' size and time stamp, the
    pooling and the titles, so a changed catalog or encoder gets a new file.
    """
    path = cache_dir / f"title-embeddings-{_cache_key(titles, encoder_path)}.npy"
    if path.is_file():
        logger.info("reading cached title embeddings from %s", path)
        return torch.from_numpy(np.load(path))

    started = time.perf_counter()
    embeddings = encode_titles(titles, encoder_path, batch_size, device)
    _atomic_write(path, lambda handle: np.save(handle, embeddings.numpy()))
    logger.info("encoded %d titles with %s in %.1f s; cached in %s", len(titles), encoder_path.name, time.perf_counter() - started, path)
    return embeddings


def _cache_key(titles: list[str], encoder_path: Path) -> str:
    digest = hashlib.sha256()
    digest.update(str(encoder_path.resolve()).encode())
    for weights in sorted(encoder_path.glob("*.safetensors")) + sorted(encoder_path.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(POOLING_VERSION.encode())
    digest.update("\n".join(titles).encode())
    return digest.hexdigest()[:16]

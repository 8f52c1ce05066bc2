"""On-disk cache of prepared datasets, keyed by source files and recipe, written atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from bench.data.types import Catalog, PreparedDataset, PromptTemplate, SequenceTable

log = logging.getLogger(__name__)

# Bump when the prepared form changes, so stale caches are never read.
CACHE_VERSION = 1


def cache_root() -> Path:
    """Return ``$BENCH_CACHE`` or ``~/.cache/llmrec-bench``."""
    return Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "llmrec-bench"))


def dataset_cache_dir(name: str, key: str) -> Path:
    return cache_root() / "datasets" / f"{name}-{key}"


def load_cached(folder: Path) -> PreparedDataset | None:
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("cache_version") != CACHE_VERSION:
        return None
    arrays = np.load(folder / "sequences.npz")
    return PreparedDataset(
        name=meta["name"],
        catalog=Catalog(item_ids=meta["item_ids"], titles=meta["titles"]),
        sequences=SequenceTable(
            user_ids=meta["user_ids"],
            offsets=arrays["offsets"],
            items=arrays["items"],
            splits=arrays["splits"],
        ),
        prompt=PromptTemplate(**meta["prompt"]),
        source=meta["source"],
        cache_key=meta["cache_key"],
    )


def save_cached(folder: Path, dataset: PreparedDataset) -> None:
    """Write the dataset into a temporary sibling folder, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        np.savez(
            staging / "sequences.npz",
            offsets=dataset.sequences.offsets,
            items=dataset.sequences.items,
            splits=dataset.sequences.splits,
        )
        meta = {
            "cache_version": CACHE_VERSION,
            "name": dataset.name,
            "source": dataset.source,
            "cache_key": dataset.cache_key,
            "item_ids": dataset.catalog.item_ids,
            "titles": dataset.catalog.titles,
            "user_ids": dataset.sequences.user_ids,
            "prompt": {"system": dataset.prompt.system, "instruction": dataset.prompt.instruction},
        }
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(staging, folder)
    except OSError:
        # Another process may have written the same key first; its copy is equally valid.
        shutil.rmtree(staging, ignore_errors=True)
        if not (folder / "meta.json").is_file():
            raise
    log.debug("cached %s at %s", dataset.name, folder)

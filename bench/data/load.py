"""Load a dataset by name: find its files, detect their format, prepare and cache it."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench import resources
from bench.data import readers
from bench.data.cache import CACHE_VERSION, dataset_cache_dir, load_cached, save_cached
from bench.data.prepare import prepare
from bench.data.processed import read_processed
from bench.data.recipes import Recipe, load_recipe
from bench.data.types import PreparedDataset
from bench.errors import DataError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceFormat:
    name: str
    patterns: tuple[str, str]
    reader: Callable | None  # None for the processed format, which skips filtering and splitting


FORMATS = (
    SourceFormat("patchrec-processed", ("seq.df", "id2title.txt"), None),
    SourceFormat("recbole-atomic", ("*.inter", "*.item"), readers.read_recbole_atomic),
    SourceFormat("movielens-100k", ("u.data", "u.item"), readers.read_movielens_100k),
    SourceFormat("movielens-1m", ("ratings.dat", "movies.dat"), readers.read_movielens_1m),
    SourceFormat(
        "goodreads",
        ("goodreads_interactions*.json*", "goodreads_books*.json*"),
        readers.read_goodreads,
    ),
)


def load_dataset(name: str, data_root: Path | None = None, use_cache: bool = True) -> PreparedDataset:
    """Return the prepared dataset ``name`` from ``data_root/name/`` or its bundled copy."""
    recipe = load_recipe(name)
    folder = _source_folder(recipe, data_root)
    source_format, files = detect_format(folder)

    key = _cache_key(recipe, source_format, files)
    cache_dir = dataset_cache_dir(recipe.name, key)
    if use_cache:
        cached = load_cached(cache_dir)
        if cached is not None:
            log.info("%s: loaded from cache %s", name, cache_dir)
            return cached

    log.info("%s: reading %s files from %s", name, source_format.name, folder)
    if source_format.reader is None:
        dataset = read_processed(folder, recipe)
    else:
        dataset = prepare(source_format.reader(*files), recipe)
    dataset.source = f"{source_format.name}:{folder}"
    dataset.cache_key = key

    if use_cache:
        save_cached(cache_dir, dataset)
    return dataset


def detect_format(folder: Path) -> tuple[SourceFormat, list[Path]]:
    """Return the first format whose two files are both present in ``folder``."""
    if not folder.is_dir():
        raise DataError(f"{folder}: folder not found; put the dataset files there or fix --data-root")
    for source_format in FORMATS:
        files = [_single_match(folder, pattern) for pattern in source_format.patterns]
        if all(files):
            return source_format, files

    expected = "; ".join(" + ".join(fmt.patterns) for fmt in FORMATS)
    present = ", ".join(sorted(path.name for path in folder.iterdir())[:10]) or "nothing"
    raise DataError(f"{folder}: no supported dataset files (found {present}); expected one of: {expected}")


def _single_match(folder: Path, pattern: str) -> Path | None:
    matches = sorted(folder.glob(pattern))
    if len(matches) > 1:
        names = ", ".join(path.name for path in matches)
        raise DataError(f"{folder}: several files match {pattern} ({names}); keep one")
    return matches[0] if matches else None


def _source_folder(recipe: Recipe, data_root: Path | None) -> Path:
    if data_root is not None:
        return Path(data_root) / recipe.name
    if recipe.bundled == "recbole-ml-100k":
        return resources.package_folder("recbole") / "dataset_example" / "ml-100k"
    raise DataError(
        f"dataset {recipe.name!r} has no bundled copy; pass --data-root DIR with its files in DIR/{recipe.name}/"
    )


def _cache_key(recipe: Recipe, source_format: SourceFormat, files: list[Path]) -> str:
    prompt_file = files[0].parent / "prompt.txt"
    extra = [prompt_file] if source_format.reader is None and prompt_file.is_file() else []
    fingerprint = {
        "version": CACHE_VERSION,
        "recipe": recipe.key(),
        "format": source_format.name,
        "files": [(str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns) for path in files + extra],
    }
    return hashlib.sha256(json.dumps(fingerprint).encode()).hexdigest()[:16]

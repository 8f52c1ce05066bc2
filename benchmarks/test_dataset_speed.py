"""Preparing ML-1M and building all its training samples at K = 100 (about 534k samples).

Targets on a 2-core CPU: under 30 s from files, under 3 s from the cache.
Run: pytest benchmarks/test_dataset_speed.py --benchmark-only
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.data import load_dataset

HISTORY = 100


def write_raw_ml1m(processed_root, folder):
    """Write ML-1M's processed sequences back as ratings.dat/movies.dat (timestamps = order)."""
    reference = load_dataset("ml-1m", data_root=processed_root, use_cache=False)
    folder.mkdir(parents=True)
    table = reference.sequences
    user_of = np.repeat(np.arange(table.n_users), table.lengths())
    item_ids = np.asarray(reference.catalog.item_ids)[table.items]
    lines = [f"{user + 1}::{item}::5::{time}" for time, (user, item) in enumerate(zip(user_of, item_ids))]
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    movies = [f"{item}::{title}::Drama" for item, title in zip(reference.catalog.item_ids, reference.catalog.titles)]
    (folder / "movies.dat").write_text("\n".join(movies) + "\n", encoding="latin-1")


def prepare_and_sample(data_root, use_cache):
    dataset = load_dataset("ml-1m", data_root=data_root, use_cache=use_cache)
    return dataset.samples("train", HISTORY)


def test_ml1m_processed_uncached(benchmark, processed_root):
    samples = benchmark.pedantic(prepare_and_sample, args=(processed_root, False), rounds=1, iterations=1)

    assert len(samples) > 500_000
    assert benchmark.stats["mean"] < 30


def test_ml1m_raw_uncached(benchmark, tmp_path_factory, processed_root):
    data_root = tmp_path_factory.mktemp("raw")
    write_raw_ml1m(processed_root, data_root / "ml-1m")

    samples = benchmark.pedantic(prepare_and_sample, args=(data_root, False), rounds=1, iterations=1)

    assert len(samples) > 500_000
    assert benchmark.stats["mean"] < 30


def test_ml1m_cached_reload(benchmark, processed_root, tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path))
    prepare_and_sample(processed_root, True)

    samples = benchmark.pedantic(prepare_and_sample, args=(processed_root, True), rounds=3, iterations=1)

    assert len(samples) > 500_000
    assert benchmark.stats["mean"] < 3

"""The bundled ML-100K, prepared from raw ratings, against the authors' processed file."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench.data import load_dataset
from bench.data.stats import dataset_stats
from bench.tokenizers import load_tokenizer


@pytest.fixture(scope="module")
def raw():
    return load_dataset("ml-100k")


@pytest.fixture(scope="module")
def reference(processed_root):
    return load_dataset("ml-100k", data_root=processed_root)


@pytest.fixture(scope="module")
def user_match(raw, reference):
    """Map each reference user to the raw user with the same item multiset (ids are id - 1)."""
    def key(dataset, user, shift):
        ids = [int(dataset.catalog.item_ids[code]) - shift for code in dataset.sequences.sequence(user)]
        return tuple(sorted(ids))

    raw_by_key = {key(raw, user, 1): user for user in range(raw.sequences.n_users)}
    return {user: raw_by_key.get(key(reference, user, 0)) for user in range(reference.sequences.n_users)}


def test_table1_statistics(raw):
    stats = dataset_stats(raw, load_tokenizer("llama-3.2"), "llama-3.2")

    assert (stats.users, stats.items, stats.interactions) == (682, 1682, 51824)
    assert stats.max_sequence_length == 378
    assert stats.avg_sequence_length == pytest.approx(75.99, abs=0.005)
    assert stats.avg_title_tokens == pytest.approx(3.86, abs=0.005)


def test_same_item_multisets(user_match):
    assert None not in user_match.values()
    assert len(set(user_match.values())) == 682


def test_split_counts_per_user(raw, reference, user_match):
    def counts(dataset, user):
        start, end = dataset.sequences.offsets[user], dataset.sequences.offsets[user + 1]
        return np.bincount(dataset.sequences.splits[start:end], minlength=3).tolist()

    equal = sum(counts(reference, ref) == counts(raw, mine) for ref, mine in user_match.items())

    assert equal / len(user_match) >= 0.99


def test_titles_match_reference(raw, reference):
    reference_titles = dict(zip(reference.catalog.item_ids, reference.catalog.titles))
    same = sum(
        reference_titles[str(int(item_id) - 1)] == title
        for item_id, title in zip(raw.catalog.item_ids, raw.catalog.titles)
    )

    assert same / len(raw.catalog) >= 0.99


def test_test_sample_pairs_match(raw, reference, user_match):
    def pairs(dataset, user_map, shift):
        samples = dataset.samples("test", 100)
        return Counter(
            (user_map(int(user)), int(dataset.catalog.item_ids[target]) - shift)
            for user, target in zip(samples.users, samples.targets)
        )

    raw_to_reference = {mine: ref for ref, mine in user_match.items()}
    mine = pairs(raw, raw_to_reference.get, 1)
    theirs = pairs(reference, lambda user: user, 0)
    shared = sum((mine & theirs).values())

    assert shared / max(sum(theirs.values()), sum(mine.values())) >= 0.99

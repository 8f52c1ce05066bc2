"""Every supported format, written as tiny files, prepares to the same sequences and titles."""

from __future__ import annotations

import numpy as np
import pytest

from bench.data import load_dataset
from bench.data.types import PAD

from .fixtures import (
    write_goodreads,
    write_movielens_100k,
    write_movielens_1m,
    write_recbole_atomic,
    write_recipe,
)

TOY_RECIPE = """
name = "{name}"
titles = "{titles}"
[filter]
min_rating = 4
[split]
train = 0.5
valid = 0.25
[prompt]
system = "You recommend."
instruction = "History: [HISTORY_SEQUENCE]. Next?"
"""

EXPECTED_SEQUENCES = {"1": ["1", "2", "4", "3", "5"], "2": ["1", "3", "2", "6", "4"]}
EXPECTED_SPLITS = {"1": [0, 0, 0, 1, 1], "2": [0, 0, 1, 2, 2]}


@pytest.fixture()
def recipes(tmp_path, monkeypatch):
    folder = tmp_path / "recipes"
    write_recipe(folder, "toy", TOY_RECIPE.format(name="toy", titles="movielens"))
    write_recipe(folder, "toybooks", TOY_RECIPE.format(name="toybooks", titles="verbatim"))
    monkeypatch.setenv("BENCH_RECIPE_DIR", str(folder))
    return folder


def sequences_by_user(dataset):
    table = dataset.sequences
    return {
        user_id: [dataset.catalog.item_ids[code] for code in table.sequence(user)]
        for user, user_id in enumerate(table.user_ids)
    }


def splits_by_user(dataset):
    table = dataset.sequences
    return {
        user_id: table.splits[table.offsets[user] : table.offsets[user + 1]].tolist()
        for user, user_id in enumerate(table.user_ids)
    }


@pytest.mark.parametrize("writer", [write_movielens_100k, write_movielens_1m, write_recbole_atomic])
def test_movielens_formats_agree(tmp_path, recipes, writer):
    writer(tmp_path / "data" / "toy")

    dataset = load_dataset("toy", data_root=tmp_path / "data")

    assert sequences_by_user(dataset) == EXPECTED_SEQUENCES
    assert splits_by_user(dataset) == EXPECTED_SPLITS
    assert dataset.catalog.titles == [
        "Toy Story",
        "An Affair to Remember",
        "Amélie",
        "Star Wars: Episode IV - A New Hope",
        "unknown",
        "Toy Story",
    ]


def test_goodreads_titles_load_verbatim(tmp_path, recipes):
    books = {1: "Dune", 2: "dune", 3: "“Quoted” Title", 4: "Dune", 5: "Sequel, The", 6: "Six"}
    write_goodreads(tmp_path / "data" / "toybooks", books=books)

    dataset = load_dataset("toybooks", data_root=tmp_path / "data")

    assert dict(zip(dataset.catalog.item_ids, dataset.catalog.titles)) == {str(k): v for k, v in books.items()}
    assert sequences_by_user(dataset) == {"u" + user: items for user, items in EXPECTED_SEQUENCES.items()}


def test_duplicate_titles_map_to_every_item(tmp_path, recipes):
    write_movielens_100k(tmp_path / "data" / "toy")

    dataset = load_dataset("toy", data_root=tmp_path / "data")

    assert dataset.catalog.codes_by_title()["Toy Story"] == [0, 5]


def test_samples_need_three_earlier_items(tmp_path, recipes):
    write_movielens_100k(tmp_path / "data" / "toy")
    dataset = load_dataset("toy", data_root=tmp_path / "data")

    valid = dataset.samples("valid", history_len=3)
    test = dataset.samples("test", history_len=3)

    assert len(dataset.samples("train", history_len=3)) == 0
    assert [dataset.catalog.item_ids[code] for code in valid.targets] == ["3", "5"]
    assert [dataset.catalog.item_ids[code] for code in test.targets] == ["6", "4"]
    assert [[dataset.catalog.item_ids[c] for c in test.history(i)] for i in range(2)] == [["1", "3", "2"], ["3", "2", "6"]]
    assert test.histories.shape == (2, 3)


def test_histories_are_right_padded(tmp_path, recipes):
    write_movielens_100k(tmp_path / "data" / "toy")
    dataset = load_dataset("toy", data_root=tmp_path / "data")

    valid = dataset.samples("valid", history_len=6)

    assert valid.history_lengths.tolist() == [3, 4]
    assert valid.histories[0, 3:].tolist() == [PAD, PAD, PAD]
    assert np.all(valid.histories[1, :4] >= 0)


def test_cached_reload_is_identical(tmp_path, recipes):
    write_movielens_100k(tmp_path / "data" / "toy")

    first = load_dataset("toy", data_root=tmp_path / "data")
    second = load_dataset("toy", data_root=tmp_path / "data")

    assert second.cache_key == first.cache_key
    assert np.array_equal(second.sequences.items, first.sequences.items)
    assert second.catalog.titles == first.catalog.titles
    assert second.samples("test", 3).fingerprint() == first.samples("test", 3).fingerprint()


def test_processed_format_reads_splits(tmp_path, recipes):
    import pandas as pd

    folder = tmp_path / "data" / "toy"
    folder.mkdir(parents=True)
    table = pd.DataFrame(
        {
            "seq": [[0, 2, 4, 6, 2], [4, 0, 2, 6]],
            "len_seq": [5, 4],
            "train_idx": [[0, 2], [0, 2]],
            "val_idx": [[3, 3], [None, None]],
            "test_idx": [[4, 4], [3, 3]],
        }
    )
    table.to_pickle(folder / "seq.df")
    (folder / "id2title.txt").write_text("0||Alpha\n2||Beta\n4||Gamma\n6||Delta\n", encoding="utf-8")
    (folder / "prompt.txt").write_text("System line\nUser has seen [HISTORY_SEQUENCE].\n", encoding="utf-8")

    dataset = load_dataset("toy", data_root=tmp_path / "data")
    test = dataset.samples("test", 10)

    assert dataset.catalog.item_ids == ["0", "2", "4", "6"]
    assert splits_by_user(dataset) == {"0": [0, 0, 0, 1, 2], "1": [0, 0, 0, 2]}
    assert [dataset.catalog.titles[code] for code in test.targets] == ["Beta", "Delta"]
    assert dataset.prompt.system == "System line"

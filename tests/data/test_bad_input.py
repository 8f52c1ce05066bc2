"""Bad input ends in one DataError or ConfigError naming the file, line or value, and no cache."""

from __future__ import annotations

import pytest

from bench.data import load_dataset
from bench.data.cache import cache_root
from bench.errors import ConfigError, DataError

from .fixtures import MOVIES, RATINGS, write_movielens_100k, write_movielens_1m, write_recipe
from .test_formats import TOY_RECIPE


@pytest.fixture(autouse=True)
def recipes(tmp_path, monkeypatch):
    folder = tmp_path / "recipes"
    write_recipe(folder, "toy", TOY_RECIPE.format(name="toy", titles="movielens"))
    monkeypatch.setenv("BENCH_RECIPE_DIR", str(folder))
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "cache"))
    return folder


def cached_datasets():
    folder = cache_root() / "datasets"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def load_toy(tmp_path):
    return load_dataset("toy", data_root=tmp_path / "data")


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match=r"data/toy: folder not found"):
        load_toy(tmp_path)


def test_folder_without_dataset_files(tmp_path):
    (tmp_path / "data" / "toy").mkdir(parents=True)
    (tmp_path / "data" / "toy" / "notes.txt").write_text("hello")

    with pytest.raises(DataError, match=r"no supported dataset files \(found notes.txt\)"):
        load_toy(tmp_path)


def test_missing_item_file(tmp_path):
    folder = write_movielens_100k(tmp_path / "data" / "toy")
    (folder / "u.item").unlink()

    with pytest.raises(DataError, match="no supported dataset files"):
        load_toy(tmp_path)


def test_wrong_separator(tmp_path):
    folder = write_movielens_100k(tmp_path / "data" / "toy")
    (folder / "u.data").write_text("1,1,5,10\n1,2,4,20\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"u.data: found 1 column\(s\) per line, expected at least 4"):
        load_toy(tmp_path)


def test_non_numeric_rating_names_line(tmp_path):
    ratings = list(RATINGS)
    ratings[2] = (1, 3, "five", 40)
    write_movielens_100k(tmp_path / "data" / "toy", ratings=ratings)

    with pytest.raises(DataError, match=r"u.data:3: rating 'five' is not a number"):
        load_toy(tmp_path)
    assert cached_datasets() == []


def test_non_numeric_timestamp_names_line(tmp_path):
    ratings = list(RATINGS)
    ratings[4] = (1, 5, 5, "yesterday")
    write_movielens_1m(tmp_path / "data" / "toy", ratings=ratings)

    with pytest.raises(DataError, match=r"ratings.dat:5: timestamp 'yesterday' is not a number"):
        load_toy(tmp_path)


def test_unknown_item_names_line(tmp_path):
    ratings = list(RATINGS) + [(2, 99, 5, 50)]
    write_movielens_100k(tmp_path / "data" / "toy", ratings=ratings)

    with pytest.raises(DataError, match=r"u.data:13: item '99' is not in u.item"):
        load_toy(tmp_path)
    assert cached_datasets() == []


def test_item_without_title_names_line(tmp_path):
    movies = dict(MOVIES)
    movies[4] = " "
    write_movielens_100k(tmp_path / "data" / "toy", movies=movies)

    with pytest.raises(DataError, match=r"u.item:4: item '4' has no title"):
        load_toy(tmp_path)


def test_dataset_that_filters_to_nothing(tmp_path):
    ratings = [(u, i, 2, t) for u, i, _, t in RATINGS]
    write_movielens_100k(tmp_path / "data" / "toy", ratings=ratings)

    with pytest.raises(DataError, match=r"no interactions left after the toy filters \(interactions read: 12, rating >= 4: 0\)"):
        load_toy(tmp_path)
    assert cached_datasets() == []


def test_unknown_dataset_name():
    with pytest.raises(ConfigError, match=r"unknown dataset 'nosuch'; choose one of: .*ml-100k"):
        load_dataset("nosuch")


def test_malformed_processed_titles(tmp_path):
    import pandas as pd

    folder = tmp_path / "data" / "toy"
    folder.mkdir(parents=True)
    pd.DataFrame({"seq": [[0]], "train_idx": [[0, 0]], "val_idx": [[None, None]], "test_idx": [[None, None]]}).to_pickle(
        folder / "seq.df"
    )
    (folder / "id2title.txt").write_text("0||Alpha\n1 Beta\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"id2title.txt:2: expected 'id\|\|title', got '1 Beta'"):
        load_toy(tmp_path)


def test_bundled_copy_only_for_ml100k():
    with pytest.raises(DataError, match=r"'ml-1m' has no bundled copy; pass --data-root DIR"):
        load_dataset("ml-1m")

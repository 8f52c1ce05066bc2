"""Writers of tiny datasets in every supported format, for the data tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd

# (user, item, rating, timestamp): user 1 has a timestamp tie at 40 (items 5 then 3 in file order).
RATINGS = [
    (1, 1, 5, 10), (1, 2, 4, 20), (1, 3, 5, 40), (1, 4, 4, 30), (1, 5, 5, 40), (1, 6, 2, 50),
    (2, 1, 4, 11), (2, 3, 4, 21), (2, 2, 5, 31), (2, 6, 5, 41), (2, 4, 4, 99),
    (3, 2, 1, 12),
]
MOVIES = {
    1: "Toy Story (1995)",
    2: "Affair to Remember, An (1957)",
    3: "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    4: "Star Wars: Episode IV - A New Hope (1977)",
    5: "unknown",
    6: "Toy Story (1995)",
}


def write_movielens_100k(folder: Path, ratings=RATINGS, movies=MOVIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{u}\t{i}\t{r}\t{t}" for u, i, r, t in ratings]
    (folder / "u.data").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = [f"{i}|{title}|01-Jan-1995||http://example.invalid|0|0" for i, title in movies.items()]
    (folder / "u.item").write_bytes(("\n".join(items) + "\n").encode("latin-1"))
    return folder


def write_movielens_1m(folder: Path, ratings=RATINGS, movies=MOVIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{u}::{i}::{r}::{t}" for u, i, r, t in ratings]
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    items = [f"{i}::{title}::Comedy|Drama" for i, title in movies.items()]
    (folder / "movies.dat").write_bytes(("\n".join(items) + "\n").encode("latin-1"))
    return folder


def write_recbole_atomic(folder: Path, ratings=RATINGS, movies=MOVIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    lines += [f"{u}\t{i}\t{r}\t{t}" for u, i, r, t in ratings]
    (folder / "toy.inter").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = ["item_id:token\tmovie_title:token_seq\trelease_year:token"]
    items += [f"{i}\t{title}\t1995" for i, title in movies.items()]
    (folder / "toy.item").write_text("\n".join(items) + "\n", encoding="utf-8")
    return folder


def write_goodreads(folder: Path, ratings=RATINGS, books=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    books = books or {i: f"Book “{i}”" for i in {item for _, item, _, _ in ratings}}
    with gzip.open(folder / "goodreads_interactions_toy.json.gz", "wt", encoding="utf-8") as out:
        for u, i, r, t in ratings:
            date = pd.Timestamp(t, unit="D").strftime("%a %b %d %H:%M:%S +0000 %Y")
            out.write(json.dumps({"user_id": f"u{u}", "book_id": str(i), "rating": r, "date_added": date}) + "\n")
    with open(folder / "goodreads_books_toy.json", "w", encoding="utf-8") as out:
        for i, title in books.items():
            out.write(json.dumps({"book_id": str(i), "title": title}) + "\n")
    return folder


def write_recipe(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path

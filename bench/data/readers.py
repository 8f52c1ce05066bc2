"""Readers for raw interaction and item files, each returning the same two tables.

Every reader returns ``interactions`` (columns user, item, rating, timestamp, line) in file order
and ``items`` (columns item, title, line). ``line`` is the 1-based line in the source file, so a
later check can name the exact line of a bad row.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bench.errors import DataError


@dataclass
class RawSource:
    interactions: pd.DataFrame
    items: pd.DataFrame
    interaction_file: Path
    item_file: Path
    files: list[Path] = field(default_factory=list)


def read_recbole_atomic(inter_file: Path, item_file: Path) -> RawSource:
    """Read RecBole atomic files: tab-separated, typed header such as ``item_id:token``."""
    inter = _read_table(inter_file, sep="\t", header=True, encoding="utf-8")
    wanted = {"user_id": "user", "item_id": "item", "rating": "rating", "timestamp": "timestamp"}
    inter = _rename_typed_columns(inter, inter_file, wanted)

    items = _read_table(item_file, sep="\t", header=True, encoding="utf-8")
    title_column = next((name for name in items.columns if "title" in name.split(":")[0]), None)
    if title_column is None or "item_id:token" not in items.columns:
        raise DataError(
            f"{item_file}: header must have item_id:token and a title column (e.g. movie_title:token_seq); "
            f"found {', '.join(items.columns)}"
        )
    items = items.rename(columns={"item_id:token": "item", title_column: "title"})

    return _finish(inter, items, inter_file, item_file, header_lines=1)


def read_movielens_100k(data_file: Path, item_file: Path) -> RawSource:
    """Read the original ``u.data`` (tab-separated) and ``u.item`` (``|``-separated, latin-1)."""
    inter = _read_table(data_file, sep="\t", header=False, encoding="utf-8", min_columns=4)
    inter = inter.iloc[:, :4].set_axis(["user", "item", "rating", "timestamp"], axis=1)

    items = _read_table(item_file, sep="|", header=False, encoding="latin-1", min_columns=2)
    items = items.iloc[:, :2].set_axis(["item", "title"], axis=1)

    return _finish(inter, items, data_file, item_file, header_lines=0)


def read_movielens_1m(ratings_file: Path, movies_file: Path) -> RawSource:
    """Read ``ratings.dat`` and ``movies.dat``: ``::``-separated, titles in latin-1."""
    inter = _read_table(ratings_file, sep=":", header=False, encoding="latin-1", min_columns=7)
    inter = inter.iloc[:, [0, 2, 4, 6]].set_axis(["user", "item", "rating", "timestamp"], axis=1)

    rows = []
    for line_number, line in enumerate(_open_text(movies_file, "latin-1"), start=1):
        line = line.rstrip("\r\n")
        if not line:
            continue
        # A title may contain ':' or even '::', so the id and the genres are cut from the two ends.
        item, sep_left, rest = line.partition("::")
        title, sep_right, _genres = rest.rpartition("::")
        if not sep_left or not sep_right:
            raise DataError(f"{movies_file}:{line_number}: expected MovieID::Title::Genres, got {line[:60]!r}")
        rows.append((item, title))
    items = pd.DataFrame(rows, columns=["item", "title"])

    return _finish(inter, items, ratings_file, movies_file, header_lines=0)


def read_goodreads(interaction_file: Path, book_file: Path) -> RawSource:
    """Read UCSD Book Graph JSON lines: interactions (user_id, book_id, rating, date_added), books.

    NOTE: the reader parses one JSON object a line in Python. A full Book Graph dump has over 200M
    lines and would take hours, so point it at a genre subset or a pre-filtered file.
    """
    records = []
    for line_number, record in _json_lines(interaction_file):
        try:
            records.append(
                (str(record["user_id"]), str(record["book_id"]), record["rating"], record["date_added"])
            )
        except KeyError as error:
            raise DataError(f"{interaction_file}:{line_number}: missing field {error}") from error
    inter = pd.DataFrame(records, columns=["user", "item", "rating", "timestamp"])
    inter["timestamp"] = _parse_goodreads_dates(inter["timestamp"], interaction_file)

    books = []
    for line_number, record in _json_lines(book_file):
        if "book_id" not in record or "title" not in record:
            raise DataError(f"{book_file}:{line_number}: a book needs book_id and title")
        books.append((str(record["book_id"]), str(record["title"])))
    items = pd.DataFrame(books, columns=["item", "title"])

    return _finish(inter, items, interaction_file, book_file, header_lines=0)


def _read_table(path: Path, sep: str, header: bool, encoding: str, min_columns: int = 2) -> pd.DataFrame:
    try:
        table = pd.read_csv(
            path,
            sep=sep,
            header=0 if header else None,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
    except FileNotFoundError as error:
        raise DataError(f"{path}: file not found") from error
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot parse as {sep!r}-separated text ({_first_line(str(error))})") from error
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{path}: file is empty") from error

    if table.shape[1] < min_columns:
        raise DataError(
            f"{path}: found {table.shape[1]} column(s) per line, expected at least {min_columns} "
            f"separated by {sep!r}; check the separator"
        )
    return table


def _rename_typed_columns(table: pd.DataFrame, path: Path, wanted: dict[str, str]) -> pd.DataFrame:
    by_field = {name.split(":")[0]: name for name in table.columns}
    missing = [name for name in wanted if name not in by_field]
    if missing:
        raise DataError(
            f"{path}: header lacks {', '.join(missing)}; found {', '.join(table.columns)} "
            "(RecBole atomic files are tab-separated with typed headers such as user_id:token)"
        )
    return table[[by_field[name] for name in wanted]].set_axis(list(wanted.values()), axis=1)


def _finish(inter: pd.DataFrame, items: pd.DataFrame, inter_file: Path, item_file: Path, header_lines: int) -> RawSource:
    inter = inter.copy()
    inter["line"] = np.arange(len(inter), dtype=np.int64) + 1 + header_lines
    for column in ("rating", "timestamp"):
        inter[column] = _to_numeric(inter[column], inter["line"], inter_file, column)
    inter["user"] = inter["user"].astype(str).str.strip()
    inter["item"] = inter["item"].astype(str).str.strip()

    items = items.copy()
    if "line" not in items.columns:
        items["line"] = np.arange(len(items), dtype=np.int64) + 1 + header_lines
    items["item"] = items["item"].astype(str).str.strip()
    items["title"] = items["title"].astype(str)
    return RawSource(inter, items, inter_file, item_file, files=[inter_file, item_file])


def _to_numeric(values: pd.Series, lines: pd.Series, path: Path, column: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(np.float64)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{path}:{int(lines.iloc[first])}: {column} {values.iloc[first]!r} is not a number; "
            "fix or remove that line"
        )
    return numbers.astype(np.float64)


def _parse_goodreads_dates(values: pd.Series, path: Path) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(np.float64)
    parsed = pd.to_datetime(values, format="%a %b %d %H:%M:%S %z %Y", errors="coerce", utc=True)
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{path}:{first + 1}: date_added {values.iloc[first]!r} is not a date like 'Tue Oct 17 03:45:08 -0700 2017'"
        )
    return pd.Series(parsed.astype("int64").to_numpy() / 1e9, index=values.index)


def _json_lines(path: Path):
    for line_number, line in enumerate(_open_text(path, "utf-8"), start=1):
        if not line.strip():
            continue
        try:
            yield line_number, json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}:{line_number}: invalid JSON ({error.msg})") from error


def _open_text(path: Path, encoding: str):
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding)
    return open(path, encoding=encoding)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text

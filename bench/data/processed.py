"""The PatchRec authors' processed format: ``seq.df``, ``id2title.txt`` and ``prompt.txt``.

``seq.df`` is a pickled DataFrame with one row per user: ``seq`` (item ids in time order) and
``train_idx`` / ``val_idx`` / ``test_idx``, each an inclusive ``[first, last]`` pair of positions
or ``[None, None]``. Filters and titles are already applied, so only the splits are read.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from bench.data.recipes import Recipe
from bench.data.split import TEST, TRAIN, VALID
from bench.data.types import Catalog, PreparedDataset, PromptTemplate, SequenceTable
from bench.errors import DataError

FILES = ("seq.df", "id2title.txt")


def read_processed(folder: Path, recipe: Recipe) -> PreparedDataset:
    catalog = read_id2title(folder / "id2title.txt")
    table = _read_seq_frame(folder / "seq.df")
    sequences = _sequences_from_frame(table, folder / "seq.df", catalog)
    return PreparedDataset(
        name=recipe.name,
        catalog=catalog,
        sequences=sequences,
        prompt=_read_prompt(folder / "prompt.txt", recipe),
    )


def read_id2title(path: Path) -> Catalog:
    """Read ``id||title`` lines; ids are unique integers, not always consecutive (ML-1M has gaps)."""
    item_ids, titles = [], []
    seen: set[str] = set()
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        item_id, separator, title = line.partition("||")
        if not separator or not item_id.strip().isdigit():
            raise DataError(f"{path}:{line_number}: expected 'id||title', got {line[:60]!r}")
        if item_id in seen:
            raise DataError(f"{path}:{line_number}: item id {item_id} appears twice; keep one line per item")
        seen.add(item_id)
        if not title.strip():
            raise DataError(f"{path}:{line_number}: item {item_id} has no title; give it one")
        item_ids.append(item_id.strip())
        titles.append(title)
    if not item_ids:
        raise DataError(f"{path}: file is empty")
    return Catalog(item_ids=item_ids, titles=titles)


def _read_seq_frame(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_pickle(path)
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ModuleNotFoundError) as error:
        raise DataError(f"{path}: not a pickled pandas DataFrame ({error})") from error
    required = ("seq", "train_idx", "val_idx", "test_idx")
    if not isinstance(table, pd.DataFrame) or any(column not in table.columns for column in required):
        raise DataError(f"{path}: expected a DataFrame with columns {', '.join(required)}")
    return table


def _sequences_from_frame(table: pd.DataFrame, path: Path, catalog: Catalog) -> SequenceTable:
    lengths = table["seq"].map(len).to_numpy()
    raw_ids = np.concatenate([np.asarray(seq, dtype=np.int64) for seq in table["seq"]])
    if raw_ids.size and raw_ids.min() < 0:
        raise DataError(f"{path}: negative item id {int(raw_ids.min())} in column seq")
    id_values = np.asarray([int(item_id) for item_id in catalog.item_ids], dtype=np.int64)
    code_of_id = np.full(max(int(id_values.max()), int(raw_ids.max())) + 1, -1, dtype=np.int64)
    code_of_id[id_values] = np.arange(len(id_values))
    items = code_of_id[raw_ids]
    if (items < 0).any():
        unknown = int(raw_ids[items < 0][0])
        raise DataError(f"{path}: item id {unknown} is not in id2title.txt; the two files do not belong together")

    splits = np.full(items.shape[0], -1, dtype=np.int8)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    for row, start in enumerate(offsets[:-1]):
        for column, label in (("train_idx", TRAIN), ("val_idx", VALID), ("test_idx", TEST)):
            first, last = table[column].iloc[row]
            if first is not None:
                splits[start + first : start + last + 1] = label
    if (splits < 0).any():
        row = int(np.searchsorted(offsets, np.flatnonzero(splits < 0)[0], side="right") - 1)
        raise DataError(f"{path}: row {row} has positions outside train_idx, val_idx and test_idx")

    return SequenceTable(
        user_ids=[str(index) for index in range(len(table))],
        offsets=offsets,
        items=items.astype(np.int32),
        splits=splits,
    )


def _read_prompt(path: Path, recipe: Recipe) -> PromptTemplate:
    if not path.is_file():
        return PromptTemplate(recipe.system, recipe.instruction)
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) < 2 or PromptTemplate.PLACEHOLDER not in lines[1]:
        raise DataError(f"{path}: expected the system message on line 1 and an instruction with [HISTORY_SEQUENCE] on line 2")
    return PromptTemplate(lines[0], lines[1])

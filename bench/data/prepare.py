"""From raw tables to a PreparedDataset: checks, filters, titles and the global temporal split."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from bench.data.readers import RawSource
from bench.data.recipes import Recipe
from bench.data.split import temporal_split
from bench.data.titles import normalise_titles
from bench.data.types import Catalog, PreparedDataset, PromptTemplate, SequenceTable
from bench.errors import DataError

log = logging.getLogger(__name__)


def prepare(source: RawSource, recipe: Recipe) -> PreparedDataset:
    catalog = build_catalog(source, recipe)
    interactions = attach_item_codes(source, catalog)

    kept = apply_filters(interactions, recipe, source)
    sequences = temporal_split(kept, recipe.split)
    log.info(
        "%s: %d users, %d items, %d interactions after filters",
        recipe.name, sequences.n_users, len(catalog), sequences.n_interactions,
    )
    return PreparedDataset(
        name=recipe.name,
        catalog=catalog,
        sequences=sequences,
        prompt=PromptTemplate(recipe.system, recipe.instruction),
    )


def build_catalog(source: RawSource, recipe: Recipe) -> Catalog:
    """Keep every item of the item file, in file order, with its normalised title."""
    items = source.items
    duplicated = items["item"].duplicated().to_numpy()
    if duplicated.any():
        first = int(np.flatnonzero(duplicated)[0])
        row = items.iloc[first]
        raise DataError(f"{source.item_file}:{row['line']}: item id {row['item']!r} appears twice; keep one line per item")

    titles = normalise_titles(items["title"].tolist(), recipe.titles)
    for position, title in enumerate(titles):
        if not title.strip():
            row = items.iloc[position]
            raise DataError(
                f"{source.item_file}:{row['line']}: item {row['item']!r} has no title; "
                "give it one or remove it and its interactions"
            )
    return Catalog(item_ids=items["item"].tolist(), titles=titles)


def attach_item_codes(source: RawSource, catalog: Catalog) -> pd.DataFrame:
    interactions = source.interactions
    codes = interactions["item"].map(catalog.code_of())
    unknown = codes.isna().to_numpy()
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        row = interactions.iloc[first]
        raise DataError(
            f"{source.interaction_file}:{row['line']}: item {row['item']!r} is not in {source.item_file.name} "
            f"({int(unknown.sum())} such interaction(s)); add the item or drop those lines"
        )
    return interactions.assign(code=codes.astype(np.int32))


def apply_filters(interactions: pd.DataFrame, recipe: Recipe, source: RawSource) -> pd.DataFrame:
    """Apply the rating threshold, then the item filter, then the user filter, each once."""
    filters = recipe.filters
    steps = [("interactions read", len(interactions))]

    kept = interactions[interactions["rating"] >= filters.min_rating]
    steps.append((f"rating >= {filters.min_rating:g}", len(kept)))

    if filters.min_item_users > 0:
        item_users = kept.groupby("code")["user"].nunique()
        popular = item_users.index[item_users >= filters.min_item_users]
        kept = kept[kept["code"].isin(popular)]
        steps.append((f"items with >= {filters.min_item_users} users", len(kept)))

    if filters.min_user_interactions > 0:
        user_counts = kept.groupby("user").size()
        active = user_counts.index[user_counts >= filters.min_user_interactions]
        kept = kept[kept["user"].isin(active)]
        steps.append((f"users with >= {filters.min_user_interactions} interactions", len(kept)))

    trail = ", ".join(f"{label}: {count}" for label, count in steps)
    if kept.empty:
        raise DataError(
            f"{source.interaction_file}: no interactions left after the {recipe.name} filters ({trail}); "
            "check the rating scale and the file, or use a recipe with looser filters"
        )
    log.info("filters: %s", trail)
    return kept

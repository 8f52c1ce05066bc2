"""Ranking metrics shared by every model family, computed over item titles.

A ranked list is compared with the target by title, so classic models (which return item codes)
and LLM methods (which return generated titles) are scored by the same code:

- the rank of a sample is the 0-based position of the first title in its list that equals the
  target's title. An item that shares the target's title counts as a match, and a title repeated
  in a list counts once (positions are counted over the list with repeats removed);
- ``HR@k`` is 1 when ``rank < k``, else 0;
- ``NDCG@k`` is ``1 / log2(rank + 2)`` when ``rank < k``, else 0 (one relevant title, so the ideal
  DCG is 1);
- a sample whose list does not contain the target's title has rank ``NO_MATCH`` (-1) and scores 0.

``summarize`` averages the per-sample values over all samples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.data.types import Catalog, SampleSet
from bench.recommender import Ranking

NO_MATCH = -1
DEFAULT_KS = (10, 20)


def first_match_rank(ranked_titles: Sequence[str], target_title: str) -> int:
    """Return the 0-based rank of ``target_title`` in ``ranked_titles``, repeats counted once."""
    seen: set[str] = set()
    for title in ranked_titles:
        if title in seen:
            continue
        if title == target_title:
            return len(seen)
        seen.add(title)
    return NO_MATCH


def first_match_ranks(ranked_titles: Sequence[Sequence[str]], target_titles: Sequence[str]) -> np.ndarray:
    """Return the first-match rank of every sample as an int64 array, ``NO_MATCH`` where absent."""
    if len(ranked_titles) != len(target_titles):
        raise ValueError(f"{len(ranked_titles)} ranked lists but {len(target_titles)} targets; expected one list per target")
    ranks = [first_match_rank(titles, target) for titles, target in zip(ranked_titles, target_titles)]
    return np.asarray(ranks, dtype=np.int64)


def hit_at(ranks: np.ndarray, k: int) -> np.ndarray:
    """Return the per-sample hit ratio at ``k`` (1.0 or 0.0)."""
    ranks = np.asarray(ranks)
    return ((ranks >= 0) & (ranks < k)).astype(np.float64)


def ndcg_at(ranks: np.ndarray, k: int) -> np.ndarray:
    """Return the per-sample NDCG at ``k`` for a single relevant title."""
    ranks = np.asarray(ranks)
    hits = (ranks >= 0) & (ranks < k)
    gains = np.zeros(ranks.shape, dtype=np.float64)
    gains[hits] = 1.0 / np.log2(ranks[hits] + 2.0)
    return gains


def summarize(ranks: np.ndarray, ks: Sequence[int] = DEFAULT_KS) -> dict[str, float]:
    """Average HR@k and NDCG@k over the samples, keyed ``"HR@10"``, ``"NDCG@10"`` and so on."""
    ranks = np.asarray(ranks)
    if ranks.size == 0:
        raise ValueError("no ranks to summarize; expected at least one sample")

    summary: dict[str, float] = {}
    for k in ks:
        summary[f"HR@{k}"] = float(hit_at(ranks, k).mean())
        summary[f"NDCG@{k}"] = float(ndcg_at(ranks, k).mean())
    return summary


def target_titles(catalog: Catalog, samples: SampleSet) -> list[str]:
    """Return the title of every sample's target item."""
    return [catalog.titles[code] for code in samples.targets.tolist()]


def ranking_ranks(ranking: Ranking, catalog: Catalog, samples: SampleSet) -> np.ndarray:
    """Return the first-match rank of every sample of a model's ranking."""
    return first_match_ranks(ranking.titles, target_titles(catalog, samples))


def evaluate_ranking(
    ranking: Ranking, catalog: Catalog, samples: SampleSet, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, float]:
    """Score a model's ranking of ``samples`` against their targets: HR@k and NDCG@k for each k."""
    return summarize(ranking_ranks(ranking, catalog, samples), ks)

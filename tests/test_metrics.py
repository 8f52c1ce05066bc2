import math

import numpy as np
import pytest

from bench.data.types import Catalog, SampleSet
from bench.metrics import (
    NO_MATCH,
    evaluate_ranking,
    first_match_rank,
    first_match_ranks,
    hit_at,
    ndcg_at,
    summarize,
)
from bench.recommender import Ranking


def test_ndcg_hand_computed_ranks():
    # 1-based ranks 1, 2, 10, 11 are 0-based 0, 1, 9, 10.
    ranks = np.array([0, 1, 9, 10])

    ndcg = ndcg_at(ranks, 10)

    assert ndcg[0] == pytest.approx(1.0)
    assert ndcg[1] == pytest.approx(0.6309, abs=1e-4)
    assert ndcg[2] == pytest.approx(0.2891, abs=1e-4)
    assert ndcg[3] == 0.0


def test_hit_ratio_hand_computed_ranks():
    ranks = np.array([0, 1, 9, 10])

    assert hit_at(ranks, 10).tolist() == [1.0, 1.0, 1.0, 0.0]
    assert hit_at(ranks, 20).tolist() == [1.0, 1.0, 1.0, 1.0]


def test_no_match_scores_zero():
    ranks = np.array([NO_MATCH])

    assert hit_at(ranks, 20).tolist() == [0.0]
    assert ndcg_at(ranks, 20).tolist() == [0.0]


def test_summarize_averages_samples():
    ranks = np.array([0, 1, 9, 10, NO_MATCH])

    summary = summarize(ranks)

    assert list(summary) == ["HR@10", "NDCG@10", "HR@20", "NDCG@20"]
    assert summary["HR@10"] == pytest.approx(3 / 5)
    assert summary["HR@20"] == pytest.approx(4 / 5)
    expected_ndcg10 = (1 + 1 / math.log2(3) + 1 / math.log2(11)) / 5
    assert summary["NDCG@10"] == pytest.approx(expected_ndcg10)
    expected_ndcg20 = expected_ndcg10 + 1 / math.log2(12) / 5
    assert summary["NDCG@20"] == pytest.approx(expected_ndcg20)


def test_summarize_rejects_empty():
    with pytest.raises(ValueError, match="no ranks"):
        summarize(np.array([], dtype=np.int64))


def test_first_match_counts_repeated_title_once():
    ranked = ["Heat", "Heat", "Jaws", "Alien"]

    assert first_match_rank(ranked, "Jaws") == 1
    assert first_match_rank(ranked, "Alien") == 2
    assert first_match_rank(ranked, "Heat") == 0


def test_first_match_missing_title():
    assert first_match_rank(["Heat", "Jaws"], "Alien") == NO_MATCH
    assert first_match_rank([], "Alien") == NO_MATCH


def test_first_match_ranks_checks_lengths():
    with pytest.raises(ValueError, match="one list per target"):
        first_match_ranks([["Heat"]], ["Heat", "Jaws"])


def test_evaluate_ranking_matches_shared_title():
    # Items 1 and 2 share a title, so recommending item 2 is a hit for target item 1.
    catalog = Catalog(item_ids=["a", "b", "c", "d"], titles=["Heat", "Hamlet", "Hamlet", "Jaws"])
    samples = SampleSet(
        split="test",
        history_len=2,
        users=np.array([0, 1], dtype=np.int32),
        targets=np.array([1, 3], dtype=np.int32),
        histories=np.array([[0, -1], [0, 1]], dtype=np.int32),
        history_lengths=np.array([1, 2], dtype=np.int32),
    )
    ranking = Ranking.from_items(catalog, np.array([[2, 0], [0, 1]], dtype=np.int32))

    summary = evaluate_ranking(ranking, catalog, samples, ks=(1, 2))

    assert summary["HR@1"] == pytest.approx(0.5)
    assert summary["HR@2"] == pytest.approx(0.5)
    assert summary["NDCG@1"] == pytest.approx(0.5)

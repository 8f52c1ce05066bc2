import numpy as np
import torch

from bench.metrics import first_match_ranks, hit_at
from models.classic.adapter import to_sample_tensors
from models.classic.ranking import rank_scores, tie_order, top_items


def test_tie_order_is_seeded_permutation():
    first = tie_order(50, seed=3)

    assert sorted(first.tolist()) == list(range(50))
    assert first.tolist() == tie_order(50, seed=3).tolist()
    assert first.tolist() != tie_order(50, seed=4).tolist()


def test_higher_scores_rank_first():
    # Column 0 is RecBole's padding id; columns 1..4 are item codes 0..3.
    scores = torch.tensor([[9.0, 0.1, 0.4, 0.3, 0.2]])

    ranked = rank_scores(scores, top_k=4, order=tie_order(4, seed=0))

    assert ranked.tolist() == [[1, 2, 3, 0]]


def test_constant_scores_follow_tie_order():
    order = tie_order(6, seed=11)
    scores = torch.zeros(3, 7)

    ranked = rank_scores(scores, top_k=6, order=order)

    for row in ranked.tolist():
        assert row == order.tolist()


def test_ties_broken_within_equal_scores_only():
    order = torch.tensor([3, 2, 1, 0])
    scores = torch.tensor([[0.0, 1.0, 5.0, 1.0, 1.0]])

    ranked = rank_scores(scores, top_k=4, order=order)

    # Item 1 wins outright; items 0, 2 and 3 tie and follow the order 3, 2, 0.
    assert ranked.tolist() == [[1, 3, 2, 0]]


def test_constant_model_gets_chance_hit_ratio():
    """A model scoring every item the same must not put each sample's target first."""
    n_items = 200
    targets = np.arange(n_items)
    order = tie_order(n_items, seed=2025)
    ranked = rank_scores(torch.zeros(n_items, n_items + 1), top_k=1, order=order).numpy()

    titles = [[f"item {code}" for code in row] for row in ranked.tolist()]
    ranks = first_match_ranks(titles, [f"item {code}" for code in targets])

    assert hit_at(ranks, 1).sum() == 1


def test_excluded_history_ranks_last():
    scores = torch.tensor([[0.0, 0.9, 0.8, 0.7, 0.6]])
    history = torch.tensor([[1, 2, 0]])

    ranked = rank_scores(scores, top_k=4, order=tie_order(4, seed=0), history=history)

    assert ranked.tolist()[0][:2] == [2, 3]
    assert sorted(ranked.tolist()[0][2:]) == [0, 1]


def test_nan_scores_rank_last():
    scores = torch.tensor([[0.0, float("nan"), 0.2, 0.1]])

    ranked = rank_scores(scores, top_k=3, order=tie_order(3, seed=0))

    assert ranked.tolist() == [[1, 2, 0]]


class ConstantModel(torch.nn.Module):
    def __init__(self, n_items: int):
        super().__init__()
        self.n_items = n_items

    def full_sort_predict(self, interaction):
        return torch.ones(interaction["item_id"].shape[0], self.n_items + 1)


def test_top_items_masks_history(tiny_dataset):
    samples = tiny_dataset.samples("test", history_len=8)
    tensors = to_sample_tensors(samples, max_seq_length=8)
    n_items = len(tiny_dataset.catalog)

    kept = top_items(ConstantModel(n_items), tensors, 20, tie_order(n_items, 1), False, 4, torch.device("cpu"))
    excluded = top_items(ConstantModel(n_items), tensors, 20, tie_order(n_items, 1), True, 4, torch.device("cpu"))

    assert kept.shape == (len(samples), 20)
    for index in range(len(samples)):
        history = set(samples.history(index).tolist())
        assert not history & set(excluded[index].tolist())
        assert len(set(kept[index].tolist())) == 20

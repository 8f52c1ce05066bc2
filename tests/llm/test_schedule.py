"""The patch pre-training schedule and its doubled batches."""

from __future__ import annotations

import numpy as np
import pytest

from models.llm import layout
from models.llm.stages import compression_probability


def test_probability_rises_linearly_from_zero_to_one():
    values = [compression_probability(step, 5) for step in range(5)]

    assert values == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_single_step_stage_compresses_everything():
    assert compression_probability(0, 1) == 1.0


@pytest.mark.parametrize(("probability", "dropped"), [(0.0, False), (1.0, False), (1.0, True)])
def test_random_kinds_at_the_end_points(probability, dropped):
    lengths = np.array([4, 2])
    kinds = layout.random_kinds(lengths, 4, probability, np.random.default_rng(0), dropped=dropped)

    chosen = layout.DROPPED if dropped else layout.ITEM_PATCH
    expected = layout.TEXT if probability == 0.0 else chosen
    assert (kinds[0] == expected).all()
    assert (kinds[1, :2] == expected).all()
    assert (kinds[1, 2:] == layout.PADDING).all()


def test_random_kinds_compress_about_p_of_items():
    lengths = np.full(200, 50)
    kinds = layout.random_kinds(lengths, 50, 0.3, np.random.default_rng(1))

    share = float((kinds == layout.ITEM_PATCH).mean())
    assert abs(share - 0.3) < 0.02

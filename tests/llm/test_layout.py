"""History formats, unit grouping and compression-ratio arithmetic on hand-made histories."""

from __future__ import annotations

import numpy as np

from models.llm import layout
from models.llm.layout import ITEM_PATCH, PADDING, SESSION_PATCH, TEXT

# Two samples, oldest item first, right-padded: seven items, and three items.
HISTORIES = np.array([[10, 11, 12, 13, 14, 15, 16], [20, 21, 22, -1, -1, -1, -1]])
LENGTHS = np.array([7, 3])


def test_pft_s_groups_counted_from_latest_item():
    kinds, groups = layout.assign_kinds(LENGTHS, 7, layout.pft_s_format(2))

    # Ages 6..0: the latest two are text, the next two item patches, then sessions of two.
    assert kinds[0].tolist() == [SESSION_PATCH, SESSION_PATCH, SESSION_PATCH, ITEM_PATCH, ITEM_PATCH, TEXT, TEXT]
    # The oldest group contains the single left-over item.
    assert groups[0].tolist() == [1, 0, 0, -1, -1, -1, -1]
    assert kinds[1].tolist() == [ITEM_PATCH, TEXT, TEXT] + [PADDING] * 4


def test_pure_session_groups_from_latest_item():
    kinds, groups = layout.assign_kinds(LENGTHS, 7, layout.pure_session_format(3))

    assert (kinds[0] == SESSION_PATCH).all()
    assert groups[0].tolist() == [2, 1, 1, 1, 0, 0, 0]
    assert groups[1, :3].tolist() == [0, 0, 0]


def test_pft_i_keeps_latest_items_as_text():
    kinds, _ = layout.assign_kinds(LENGTHS, 7, layout.pft_i_format(5))

    assert kinds[0].tolist() == [ITEM_PATCH, ITEM_PATCH, TEXT, TEXT, TEXT, TEXT, TEXT]
    assert kinds[1, :3].tolist() == [TEXT, TEXT, TEXT]


def test_units_merge_one_session_into_one_patch():
    kinds, groups = layout.assign_kinds(LENGTHS, 7, layout.pft_s_format(2))
    units = layout.build_units(HISTORIES, kinds, groups)

    assert units.unit_sample.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert units.unit_item.tolist() == [-1, -1, -1, -1, 15, 16, -1, 21, 22]
    assert units.unit_patch.tolist() == [0, 1, 2, 3, -1, -1, 4, -1, -1]
    assert units.member_item.tolist() == [10, 11, 12, 13, 14, 20]
    assert units.member_patch.tolist() == [0, 1, 1, 2, 3, 4]


def test_dropped_items_leave_no_unit():
    kinds = np.array([[layout.DROPPED, TEXT, layout.DROPPED, PADDING]])
    units = layout.build_units(np.array([[1, 2, 3, -1]]), kinds)

    assert units.unit_item.tolist() == [2]
    assert units.n_patches == 0


def test_compression_ratio_by_hand():
    # Title tokens per item code: items 10..16 have 3, 1, 4, 1, 5, 9, 2 tokens; 20..22 have 6, 5, 3.
    title_lengths = np.zeros(30, dtype=np.int64)
    title_lengths[10:17] = [3, 1, 4, 1, 5, 9, 2]
    title_lengths[20:23] = [6, 5, 3]
    text_total = 25 + 14

    assert layout.count_history_tokens(HISTORIES, LENGTHS, title_lengths, layout.tallrec_format()) == (text_total, text_total)
    # Pure-Item: one token per item.
    assert layout.count_history_tokens(HISTORIES, LENGTHS, title_lengths, layout.pure_item_format()) == (text_total, 10)
    # PFT-I with M = 2: sample 0 keeps 9 + 2 text tokens and 5 patches; sample 1 keeps 5 + 3 and 1 patch.
    assert layout.count_history_tokens(HISTORIES, LENGTHS, title_lengths, layout.pft_i_format(2)) == (text_total, 16 + 9)
    # PFT-S with L = 2: sample 0 is 11 text tokens, 2 item patches, 2 sessions; sample 1 is 8 text, 1 patch.
    assert layout.count_history_tokens(HISTORIES, LENGTHS, title_lengths, layout.pft_s_format(2)) == (text_total, 15 + 9)
    # Pure-Session with L = 3: 3 sessions and 1 session.
    assert layout.count_history_tokens(HISTORIES, LENGTHS, title_lengths, layout.pure_session_format(3)) == (text_total, 4)

"""Analysis suite files: all five load, bad files are rejected, series expand into shared points."""

from __future__ import annotations

import pytest

from bench.analysis import suites
from bench.analysis.run import Point, expand_points
from bench.analysis.suites import analysis_suite_names, load_analysis_suite
from bench.errors import ConfigError

ANALYSIS_SUITES = ["ablation-ppt", "dropout", "same-items", "same-tokens", "tradeoff"]


def test_five_analysis_suites():
    assert analysis_suite_names() == ANALYSIS_SUITES
    for name in ANALYSIS_SUITES:
        suite = load_analysis_suite(name)
        assert suite.series, name
        assert suite.dataset == "ml-100k"


def test_table2_is_not_an_analysis_suite():
    with pytest.raises(ConfigError, match="unknown analysis suite 'table2'"):
        load_analysis_suite("table2")


def test_suite_problems_reported_together(tmp_path, monkeypatch):
    (tmp_path / "broken.toml").write_text(
        'dataset = "ml-100k"\nhistory_len = 10\nplot = "pie"\nx = "history_len"\ncolour = "red"\n'
        '[[series]]\nmethod = "TALLRec"\nvalues = [1, 2]\n'
    )
    monkeypatch.setattr(suites, "SUITE_DIR", tmp_path)
    with pytest.raises(ConfigError) as error:
        load_analysis_suite("broken")
    message = str(error.value)
    assert "unknown key 'colour'" in message
    assert "plot must be one of line, scatter, bars" in message
    assert "vary and values go together" in message


def test_same_items_smoke_points():
    suite = load_analysis_suite("same-items")
    points = expand_points(suite, {"history_len": 8}, smoke=True, dataset=None, samples=None)
    assert [(p.series, p.overrides["history_len"]) for p in points] == [
        ("TALLRec", 4), ("TALLRec", 8), ("PatchRec-I", 4), ("PatchRec-I", 8),
    ]
    assert points[0].label == "K=4"


def test_paper_values_without_smoke():
    suite = load_analysis_suite("same-tokens")
    patchrec = next(series for series in suite.series if series.label == "PatchRec-I")
    assert suite.values_of(patchrec, smoke=False) == (3, 5, 10, 20, 30, 50, 100)


def test_ablation_points_per_method():
    suite = load_analysis_suite("ablation-ppt")
    points = expand_points(suite, {"history_len": 8}, smoke=False, dataset=None, samples=None)
    assert [(p.series, p.model, p.overrides.get("patch_pretraining", True)) for p in points] == [
        ("w/o patch pre-training", "PatchRec-I", False),
        ("w/o patch pre-training", "PatchRec-S", False),
        ("w/ patch pre-training", "PatchRec-I", True),
        ("w/ patch pre-training", "PatchRec-S", True),
    ]


def test_equal_settings_share_a_point_folder():
    # TALLRec at the base K appears in same-items, tradeoff and dropout; one folder serves all three.
    base = {"history_len": 8, "max_train_samples": 2}
    same_items = expand_points(load_analysis_suite("same-items"), base, smoke=True, dataset=None, samples=None)
    dropout = expand_points(load_analysis_suite("dropout"), base, smoke=True, dataset=None, samples=None)
    assert same_items[1].key() == dropout[0].key()
    assert same_items[0].key() != dropout[0].key()
    assert Point("a", "TALLRec", {"history_len": 8}, "").key() != Point("a", "Pure-Item", {"history_len": 8}, "").key()

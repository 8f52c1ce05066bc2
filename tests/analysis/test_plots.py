"""Figures: a real PNG, labelled axes and one series per method, read back from the figure's artists."""

from __future__ import annotations

import json

import pytest

from bench.analysis.plots import Panel, Series, save_figure, sidecar_path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_line_panel_data(tmp_path):
    path = tmp_path / "same-items.png"
    series = [
        Series("TALLRec", [20, 40, 60], [0.10, 0.12, 0.11]),
        Series("PatchRec-I", [20, 40, 60], [0.11, 0.13, 0.14], ["M=5", "M=5", "M=5"]),
    ]
    figure = save_figure(path, [Panel("line", "items in the history (K)", "HR@20", series)], title="same items")

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    axes = figure.axes[0]
    assert axes.get_xlabel() == "items in the history (K)"
    assert axes.get_ylabel() == "HR@20"
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == ["TALLRec", "PatchRec-I"]
    assert list(lines[1].get_xdata()) == [20, 40, 60]
    assert list(lines[1].get_ydata()) == pytest.approx([0.11, 0.13, 0.14])
    assert lines[0].get_linestyle() == "-"


def test_scatter_panel_has_no_lines(tmp_path):
    series = [Series("TALLRec", [1.0], [0.1]), Series("PatchRec-S", [3.5, 7.0], [0.12, 0.09])]
    figure = save_figure(tmp_path / "tradeoff.png", [Panel("scatter", "compression ratio (CR)", "HR@20", series)])
    lines = figure.axes[0].get_lines()
    assert [line.get_linestyle() for line in lines] == ["None", "None"]
    assert list(lines[1].get_xdata()) == [3.5, 7.0]


def test_grouped_bars(tmp_path):
    series = [
        Series("w/o patch pre-training", ["PatchRec-I", "PatchRec-S"], [0.155, 0.144]),
        Series("w/ patch pre-training", ["PatchRec-I", "PatchRec-S"], [0.162, 0.153]),
    ]
    panel = Panel("bars", "method", "HR@20", series, categories=["PatchRec-I", "PatchRec-S"])
    figure = save_figure(tmp_path / "ablation.png", [panel])

    axes = figure.axes[0]
    heights = [patch.get_height() for patch in axes.patches]
    assert heights == pytest.approx([0.155, 0.144, 0.162, 0.153])
    # Two bars share each category: each is 0.4 wide, the first left of the tick, the second right.
    assert axes.patches[0].get_width() == pytest.approx(0.4)
    assert axes.patches[0].get_x() == pytest.approx(-0.4)
    assert axes.patches[2].get_x() == pytest.approx(0.0)
    assert [text.get_text() for text in axes.get_xticklabels()] == ["PatchRec-I", "PatchRec-S"]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["w/o patch pre-training", "w/ patch pre-training"]


def test_one_bar_per_series_is_full_width(tmp_path):
    series = [Series("TALLRec", ["TALLRec"], [0.2]), Series("PatchRec-S", ["PatchRec-S"], [0.25])]
    figure = save_figure(tmp_path / "long.png", [Panel("bars", "method", "HR@20", series, categories=["TALLRec", "PatchRec-S"])])
    assert [patch.get_width() for patch in figure.axes[0].patches] == pytest.approx([0.8, 0.8])


def test_sidecar_matches_plotted_arrays(tmp_path):
    path = tmp_path / "figure.png"
    panels = [
        Panel("bars", "method", "HR@20", [Series("TALLRec", ["TALLRec"], [0.2])], categories=["TALLRec"]),
        Panel("bars", "method", "seconds per sample", [Series("TALLRec", ["TALLRec"], [1.5])], categories=["TALLRec"]),
    ]
    figure = save_figure(path, panels, title="two panels")

    sidecar = json.loads(sidecar_path(path).read_text())
    assert sidecar["png"] == "figure.png"
    assert [panel["ylabel"] for panel in sidecar["panels"]] == ["HR@20", "seconds per sample"]
    assert sidecar["panels"][1]["series"][0]["y"] == [1.5]
    assert len(figure.axes) == 2
    assert figure.axes[1].patches[0].get_height() == pytest.approx(1.5)

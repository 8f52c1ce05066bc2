"""Figures in the style of the PatchRec paper's: grouped bars, lines over K and trade-off scatters.

Every function draws on a bare ``matplotlib.figure.Figure`` (no pyplot state), saves a PNG and
writes a JSON sidecar (``NAME.plot.json``) from the same arrays it plotted, so that tests and
reports can read the figure's data without decoding pixels. Each returns the figure.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

from matplotlib.figure import Figure

# One colour per method across all figures, so a method looks the same everywhere.
METHOD_COLOURS = {
    "TALLRec": "#7f7f7f",
    "Pure-Item": "#bcbd22",
    "Pure-Session": "#17becf",
    "PatchRec-I": "#1f77b4",
    "PatchRec-S": "#d62728",
}
FALLBACK_COLOURS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#ff7f0e")
MARKERS = ("o", "s", "^", "D", "v", "P")


@dataclass
class Series:
    """One method's (or setting's) points: ``x`` numbers or category labels, ``y`` values."""

    label: str
    x: list
    y: list[float]
    notes: list[str] = field(default_factory=list)  # per-point annotations, e.g. "cr 3.1"


@dataclass
class Panel:
    """One set of axes: its kind (line, scatter or bars), axis labels and series."""

    kind: str
    xlabel: str
    ylabel: str
    series: list[Series]
    categories: list[str] = field(default_factory=list)  # bars only: the x groups, in order


def colour_of(label: str, index: int) -> str:
    for method, colour in METHOD_COLOURS.items():
        if label == method or label.startswith(method + " "):
            return colour
    return FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]


def draw_line(axes, panel: Panel, scatter: bool = False) -> None:
    xs = sorted({x for series in panel.series for x in series.x})
    if not scatter and 0 < len(xs) <= 12:
        axes.set_xticks(xs)
    for index, series in enumerate(panel.series):
        style = {"linestyle": "none"} if scatter else {"linestyle": "-"}
        axes.plot(
            series.x, series.y, marker=MARKERS[index % len(MARKERS)], markersize=7, linewidth=1.8,
            color=colour_of(series.label, index), label=series.label, **style,
        )
        for x, y, note in zip(series.x, series.y, series.notes):
            if note:
                axes.annotate(note, (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)


def draw_bars(axes, panel: Panel) -> None:
    # Bars of one category sit side by side, so a series with one bar per category (one method
    # per series) gets full-width bars.
    positions = {category: index for index, category in enumerate(panel.categories)}
    sharing = {category: [s.label for s in panel.series if category in s.x] for category in panel.categories}
    for index, series in enumerate(panel.series):
        xs, widths = [], []
        for category in series.x:
            width = 0.8 / len(sharing[category])
            xs.append(positions[category] - 0.4 + width * (sharing[category].index(series.label) + 0.5))
            widths.append(width)
        bars = axes.bar(xs, series.y, width=widths, color=colour_of(series.label, index), label=series.label, edgecolor="black", linewidth=0.6)
        notes = series.notes or [""] * len(series.y)
        labels = [f"{value:.3g}\n{note}" if note else f"{value:.3g}" for value, note in zip(series.y, notes)]
        axes.bar_label(bars, labels=labels, fontsize=7, padding=2)
    axes.set_xticks(range(len(panel.categories)), panel.categories)
    axes.margins(y=0.15)
    axes.set_ylim(bottom=0)


def save_figure(path: Path, panels: list[Panel], title: str = "") -> Figure:
    """Draw ``panels`` side by side, save ``path`` (PNG) and its ``.plot.json`` sidecar."""
    figure = Figure(figsize=(5.2 * len(panels), 3.8), layout="constrained")
    axes_list = figure.subplots(1, len(panels), squeeze=False)[0]
    for axes, panel in zip(axes_list, panels):
        if panel.kind == "bars":
            draw_bars(axes, panel)
        else:
            draw_line(axes, panel, scatter=panel.kind == "scatter")
        if all(y >= 0 for series in panel.series for y in series.y):
            axes.set_ylim(bottom=0)
        axes.set_xlabel(panel.xlabel)
        axes.set_ylabel(panel.ylabel)
        axes.grid(True, axis="y", linestyle=":", linewidth=0.8)
        axes.set_axisbelow(True)
        axes.legend(fontsize=8, frameon=False)
    if title:
        figure.suptitle(textwrap.fill(title, 45 * len(panels)), fontsize=9)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=150)
    sidecar = {"title": title, "png": path.name, "panels": [asdict(panel) for panel in panels]}
    sidecar_path(path).write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    return figure


def sidecar_path(png: Path) -> Path:
    return Path(png).with_suffix(".plot.json")

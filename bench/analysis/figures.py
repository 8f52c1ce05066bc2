"""Turn an analysis suite's points and records into figure panels, one series per suite series."""

from __future__ import annotations

from bench.analysis.plots import Panel, Series
from bench.analysis.suites import AnalysisSuite
from bench.runner.evaluate import ModelRecord


def suite_panels(suite: AnalysisSuite, points: list, records: list[ModelRecord]) -> list[Panel]:
    """Return the panel of ``suite``'s figure; its x axis is chosen by ``suite.x``."""
    by_series: dict[str, list[tuple]] = {spec.label: [] for spec in suite.series}
    for point, record in zip(points, records):
        by_series[point.series].append((point, record))

    if suite.x == "metric":
        series = [
            Series(label, list(suite.metrics), [pairs[0][1].metrics[m] for m in suite.metrics])
            for label, pairs in by_series.items() if pairs
        ]
        return [Panel("bars", suite.xlabel, suite.ylabel, series, categories=list(suite.metrics))]

    if suite.x == "method":
        categories = list(dict.fromkeys(point.model for point in points))
        series = [
            Series(label, [p.model for p, _ in pairs], [r.metrics[suite.metric] for _, r in pairs])
            for label, pairs in by_series.items() if pairs
        ]
        return [Panel("bars", suite.xlabel, suite.ylabel, series, categories=categories)]

    if suite.x == "point":
        # Points pair up by position; the first series names each pair and the notes give tokens.
        first = next(pairs for pairs in by_series.values() if pairs)
        categories = [point.label for point, _ in first]
        series = []
        for label, pairs in by_series.items():
            notes = [f"{tokens_per_sample(r):.0f} tok" for _, r in pairs]
            series.append(Series(label, categories[: len(pairs)], [r.metrics[suite.metric] for _, r in pairs], notes))
        return [Panel("bars", suite.xlabel, suite.ylabel, series, categories=categories)]

    series = []
    for label, pairs in by_series.items():
        if suite.x == "history_len":
            # K is the x value already, so the note gives the compression ratio.
            xs = [point.overrides["history_len"] for point, _ in pairs]
            notes = [f"cr {r.compression_ratio:.2f}" if (r.compression_ratio or 1) > 1 else "" for _, r in pairs]
        else:
            xs = [record.compression_ratio for _, record in pairs]
            notes = [point.label for point, _ in pairs]
        series.append(Series(label, xs, [record.metrics[suite.metric] for _, record in pairs], notes))
    return [Panel(suite.plot, suite.xlabel, suite.ylabel, series)]


def tokens_per_sample(record: ModelRecord) -> float:
    return (record.history_tokens_model or 0) / max(record.test_samples, 1)

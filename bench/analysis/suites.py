"""Analysis suites: TOML files in ``suites/`` that declare series of model settings and a figure.

An analysis suite differs from a table suite (``bench run``) in that one model appears several
times with different settings. Each ``[[series]]`` is one line, point set or bar colour of the
figure. It names a model (or several, for a figure with one group per model), fixed overrides and
optionally one LLM option to vary over ``values``. ``smoke_values`` replace ``values`` under the
smoke profile, whose K is short. ``match_tokens = "SERIES"`` gives a series one point per point of
SERIES, with the history length whose text tokens come closest to that point's history tokens.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bench.errors import ConfigError

SUITE_DIR = Path(__file__).resolve().parents[2] / "suites"
PLOTS = ("line", "scatter", "bars")
X_AXES = ("history_len", "compression_ratio", "method", "metric", "point")
SUITE_KEYS = {"description", "dataset", "history_len", "plot", "x", "xlabel", "ylabel", "metric", "metrics", "series", "paper"}
SERIES_KEYS = {"label", "method", "methods", "vary", "values", "smoke_values", "overrides", "match_tokens"}
METRICS = ("HR@10", "NDCG@10", "HR@20", "NDCG@20")
# Short names of varied options in figure labels: K items, M text items, sessions of L items.
OPTION_SYMBOLS = {"history_len": "K", "item_text": "M", "session_size": "L"}


@dataclass(frozen=True)
class SeriesSpec:
    label: str
    methods: tuple[str, ...]
    vary: str | None = None
    values: tuple[int, ...] = ()
    smoke_values: tuple[int, ...] = ()
    overrides: dict = field(default_factory=dict)
    match_tokens: str | None = None


@dataclass(frozen=True)
class AnalysisSuite:
    name: str
    description: str
    dataset: str
    history_len: int
    plot: str
    x: str
    xlabel: str
    ylabel: str
    metric: str
    metrics: tuple[str, ...]
    series: tuple[SeriesSpec, ...]
    paper: str = ""  # the figure or table of the PatchRec paper (Liao et al., SIGIR 2025) with the same comparison

    def values_of(self, series: SeriesSpec, smoke: bool) -> tuple[int, ...]:
        return series.smoke_values if smoke and series.smoke_values else series.values


def analysis_suite_names() -> list[str]:
    """Return the names of the suites in ``suites/`` that are analysis suites (they declare ``plot``)."""
    names = []
    for path in sorted(SUITE_DIR.glob("*.toml")):
        if "plot" in tomllib.loads(path.read_text(encoding="utf-8")):
            names.append(path.stem)
    return names


def load_analysis_suite(name: str) -> AnalysisSuite:
    path = SUITE_DIR / f"{name}.toml"
    if not path.is_file() or name not in analysis_suite_names():
        raise ConfigError(f"unknown analysis suite {name!r}; choose from: {', '.join(analysis_suite_names())}")
    content = tomllib.loads(path.read_text(encoding="utf-8"))

    problems = [f"unknown key {key!r}" for key in content if key not in SUITE_KEYS]
    problems += [f"missing key {key!r}" for key in ("dataset", "history_len", "plot", "x", "series") if key not in content]
    if content.get("plot") not in PLOTS:
        problems.append(f"plot must be one of {', '.join(PLOTS)}")
    if content.get("x") not in X_AXES:
        problems.append(f"x must be one of {', '.join(X_AXES)}")
    series = [_series(entry, index, problems) for index, entry in enumerate(content.get("series", []))]
    labels = [spec.label for spec in series]
    for spec in series:
        if spec.match_tokens and spec.match_tokens not in labels:
            problems.append(f"series {spec.label!r}: match_tokens names no series ({spec.match_tokens!r})")
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))

    metric = content.get("metric", "HR@20")
    return AnalysisSuite(
        name=name,
        description=content.get("description", ""),
        dataset=content["dataset"],
        history_len=int(content["history_len"]),
        plot=content["plot"],
        x=content["x"],
        xlabel=content.get("xlabel", content["x"]),
        ylabel=content.get("ylabel", metric),
        metric=metric,
        metrics=tuple(content.get("metrics", METRICS)),
        series=tuple(series),
        paper=content.get("paper", ""),
    )


def _series(entry: dict, index: int, problems: list[str]) -> SeriesSpec:
    where = f"series {index + 1}"
    problems += [f"{where}: unknown key {key!r}" for key in entry if key not in SERIES_KEYS]
    methods = tuple(entry.get("methods", [entry["method"]] if "method" in entry else []))
    if not methods:
        problems.append(f"{where}: set method or methods")
    if ("values" in entry) != ("vary" in entry) and "match_tokens" not in entry:
        problems.append(f"{where}: vary and values go together")
    return SeriesSpec(
        label=entry.get("label", methods[0] if methods else where),
        methods=methods,
        vary=entry.get("vary"),
        values=tuple(entry.get("values", ())),
        smoke_values=tuple(entry.get("smoke_values", ())),
        overrides=dict(entry.get("overrides", {})),
        match_tokens=entry.get("match_tokens"),
    )

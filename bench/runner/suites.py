"""Suites: TOML files in ``suites/`` naming a dataset, a history length and the models to run."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bench.errors import ConfigError
from bench.registry import get_model

SUITE_DIR = Path(__file__).resolve().parents[2] / "suites"
SUITE_KEYS = {"description", "dataset", "history_len", "models", "paper_table", "model_overrides"}


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    dataset: str
    history_len: int
    models: tuple[str, ...]
    paper_table: str = ""
    model_overrides: dict | None = None


def available_suites() -> list[str]:
    """Return the suites `bench run` takes; files with a ``plot`` key belong to `bench analyze`."""
    return sorted(path.stem for path in SUITE_DIR.glob("*.toml") if "plot" not in _read(path))


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from error


def load_suite(name: str) -> Suite:
    path = SUITE_DIR / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"unknown suite {name!r}; choose from: {', '.join(available_suites())}")
    content = _read(path)
    if "plot" in content:
        raise ConfigError(f"{name} is an analysis suite; run it with `bench analyze {name}`")

    problems = [f"unknown key {key!r}" for key in content if key not in SUITE_KEYS]
    for required in ("dataset", "history_len", "models"):
        if required not in content:
            problems.append(f"missing key {required!r}")
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))

    models = tuple(get_model(model).name for model in content["models"])
    return Suite(
        name=name,
        description=content.get("description", ""),
        dataset=content["dataset"],
        history_len=int(content["history_len"]),
        models=models,
        paper_table=content.get("paper_table", ""),
        model_overrides=content.get("model_overrides", {}),
    )

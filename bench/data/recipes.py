"""Dataset recipes: the TOML files in ``datasets/`` that declare filters, split and prompt."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.errors import ConfigError

RECIPE_DIR = Path(__file__).resolve().parents[2] / "datasets"
TITLE_RULES = ("movielens", "verbatim")


@dataclass(frozen=True)
class Filters:
    """Interaction filters: a minimum rating, then item and user activity thresholds."""

    min_rating: float = 0.0
    min_user_interactions: int = 0
    min_item_users: int = 0


@dataclass(frozen=True)
class SplitFractions:
    """The global temporal split: the first ``train`` share of interactions, then ``valid``."""

    train: float = 0.96
    valid: float = 0.02


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    titles: str
    filters: Filters
    split: SplitFractions
    system: str
    instruction: str
    bundled: str = ""
    paper: dict = field(default_factory=dict)

    def key(self) -> str:
        """Hash of everything that changes the prepared data (the description does not)."""
        content = asdict(self)
        content.pop("description")
        content.pop("paper")
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]


def recipe_dirs() -> list[Path]:
    """Return the folders searched for recipes: ``$BENCH_RECIPE_DIR`` first, then ``datasets/``."""
    extra = os.environ.get("BENCH_RECIPE_DIR")
    return ([Path(extra)] if extra else []) + [RECIPE_DIR]


def available_recipes() -> list[str]:
    return sorted({path.stem for folder in recipe_dirs() for path in folder.glob("*.toml")})


def load_recipe(name: str) -> Recipe:
    """Load ``NAME.toml`` from the recipe folders, rejecting unknown keys and out-of-range values."""
    path = next((folder / f"{name}.toml" for folder in recipe_dirs() if (folder / f"{name}.toml").is_file()), None)
    if path is None:
        raise ConfigError(f"unknown dataset {name!r}; choose one of: {', '.join(available_recipes())}")

    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from error

    return _recipe_from_dict(path, content)


def _recipe_from_dict(path: Path, content: dict) -> Recipe:
    problems: list[str] = []
    known = {"name", "description", "titles", "bundled", "filter", "split", "prompt", "paper"}
    problems += [f"unknown key {key!r}" for key in content if key not in known]

    filters = _section(content, "filter", Filters, problems)
    split = _section(content, "split", SplitFractions, problems)
    prompt = content.get("prompt", {})
    if "[HISTORY_SEQUENCE]" not in prompt.get("instruction", ""):
        problems.append("prompt.instruction must contain [HISTORY_SEQUENCE]")
    if content.get("titles") not in TITLE_RULES:
        problems.append(f"titles must be one of {', '.join(TITLE_RULES)}")
    if not 0 < split.train < 1 or not 0 < split.valid < 1 or split.train + split.valid >= 1:
        problems.append("split.train and split.valid must be fractions that leave room for a test split")

    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return Recipe(
        name=content.get("name", path.stem),
        description=content.get("description", ""),
        titles=content["titles"],
        filters=filters,
        split=split,
        system=prompt.get("system", ""),
        instruction=prompt["instruction"],
        bundled=content.get("bundled", ""),
        paper=dict(content.get("paper", {})),
    )


def _section(content: dict, name: str, cls, problems: list[str]):
    values = content.get(name, {})
    valid_keys = cls.__dataclass_fields__.keys()
    unknown = [key for key in values if key not in valid_keys]
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)} in [{name}]; valid: {', '.join(valid_keys)}")
        values = {key: value for key, value in values.items() if key in valid_keys}
    return cls(**values)

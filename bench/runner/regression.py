"""Metric regression: compare a run's results with reference values kept in ``reports/reference``.

A metric regresses when it moves more than the reference's absolute tolerance in either
direction: a large gain is as suspicious as a loss when nothing was meant to change.
"""

from __future__ import annotations

from pathlib import Path

from bench.errors import ConfigError
from bench.runner.files import read_json, write_json_atomic
from bench.runner.tables import METRICS

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reports" / "reference"
DEFAULT_TOLERANCE = 0.02


def reference_path(suite: str, dataset: str, profile: str) -> Path:
    return REFERENCE_DIR / f"{suite}-{dataset}-{profile}.json"


def build_reference(results: dict, environment: dict, tolerance: float = DEFAULT_TOLERANCE) -> dict:
    records = results["records"]
    return {
        "suite": results["suite"],
        "dataset": results["dataset"],
        "profile": results["profile"]["name"],
        "test_samples": records[0]["test_samples"],
        "fingerprint": records[0]["fingerprint"],
        "tolerance": {
            "absolute": tolerance,
            "applies_to": list(METRICS),
            "why": "fixed seeds on the CPU build of torch reproduce these values; the tolerance absorbs "
            f"one of the {records[0]['test_samples']} test samples changing rank after a library update",
        },
        "environment": {key: environment.get(key) for key in ("packages", "device", "git_commit", "seed")},
        "models": {record["model"]: {metric: record["metrics"][metric] for metric in METRICS} for record in records},
    }


def compare(results: dict, reference: dict) -> list[str]:
    """Return one line per regressed metric or missing model; an empty list means no regression."""
    records = {record["model"]: record for record in results["records"]}
    if any(record["fingerprint"] != reference["fingerprint"] for record in records.values()):
        raise ConfigError(
            "the run was scored on different test samples than the reference "
            f"(fingerprint {reference['fingerprint']}); rerun with the reference's suite, dataset and profile"
        )

    tolerance = reference["tolerance"]["absolute"]
    problems = []
    for model, expected in reference["models"].items():
        if model not in records:
            problems.append(f"{model}: missing from the run")
            continue
        for metric, value in expected.items():
            measured = records[model]["metrics"][metric]
            if abs(measured - value) > tolerance:
                problems.append(f"{model} {metric}: {measured:.4f}, reference {value:.4f} (tolerance ±{tolerance})")
    return problems


def check_run(folder: Path) -> list[str]:
    results = read_json(folder / "results.json")
    path = reference_path(results["suite"], results["dataset"], results["profile"]["name"])
    if not path.is_file():
        raise ConfigError(f"no reference values at {path}; create them with `bench reference update {folder}`")
    return compare(results, read_json(path))


def update_reference(folder: Path, tolerance: float = DEFAULT_TOLERANCE) -> Path:
    results = read_json(folder / "results.json")
    reference = build_reference(results, read_json(folder / "environment.json"), tolerance)
    path = reference_path(results["suite"], results["dataset"], results["profile"]["name"])
    write_json_atomic(path, reference)
    return path

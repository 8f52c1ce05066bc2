"""CI metric regression: the smoke profile of Table 2 on ML-100K against reports/reference."""

from __future__ import annotations

import copy

import pytest

from bench.cli import main
from bench.registry import MODELS
from bench.runner.files import read_json
from bench.runner.regression import check_run, compare, reference_path
from tests.checkpoints import remove_weights

SMOKE = ["run", "--suite", "table2", "--profile", "smoke"]
DEGRADED_MODEL = "SASRec"


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke") / "table2"
    assert main([*SMOKE, "--out", str(out)]) == 0
    yield out
    remove_weights(out)


@pytest.fixture(scope="session")
def reference():
    return read_json(reference_path("table2", "ml-100k", "smoke"))


def test_smoke_run_has_all_models(smoke_run):
    records = read_json(smoke_run / "results.json")["records"]

    assert [record["model"] for record in records] == list(MODELS)
    assert {record["test_samples"] for record in records} == {64}
    assert len({record["fingerprint"] for record in records}) == 1


def test_llm_rows_return_only_titles(smoke_run):
    records = read_json(smoke_run / "results.json")["records"]

    for record in records:
        if record["family"] == "llm":
            assert record["invalid_share"] == 0.0, record["model"]
            assert record["compression_ratio"] >= 1.0, record["model"]


def test_smoke_metrics_match_reference(smoke_run):
    assert check_run(smoke_run) == []


def test_degraded_model_fails_regression(smoke_run, reference, tmp_path):
    degraded_out = tmp_path / "degraded"
    # A learning rate of 1e-9 leaves the model at its random initialisation.
    command = [*SMOKE, "--models", DEGRADED_MODEL, "--set", "classic.learning_rate=1e-9", "--out", str(degraded_out)]
    assert main(command) == 0
    results = copy.deepcopy(read_json(smoke_run / "results.json"))
    degraded = read_json(degraded_out / "results.json")["records"][0]
    results["records"] = [degraded if record["model"] == DEGRADED_MODEL else record for record in results["records"]]

    problems = compare(results, reference)

    assert problems
    assert all(problem.startswith(f"{DEGRADED_MODEL} ") for problem in problems)

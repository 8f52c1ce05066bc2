"""Killing `bench run` part-way and running it again keeps the models that had finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

COMMAND = ["-m", "bench.cli", "run", "--suite", "table2", "--profile", "smoke", "--models", "GRU4Rec,Caser"]


def wait_for(path: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "the run ended before the first model finished"
        assert time.monotonic() < deadline, f"{path} did not appear within {timeout} s"
        time.sleep(0.5)


def test_killed_run_resumes_without_redoing_models(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first_result = out / "models" / "GRU4Rec" / "result.json"

    process = subprocess.Popen([sys.executable, *COMMAND, "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(first_result, process, timeout=600)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished_at = first_result.stat().st_mtime_ns

    assert not (out / "results.json").exists()
    assert not (out / "models" / "Caser" / "result.json").exists()

    rerun = subprocess.run([sys.executable, *COMMAND, "--out", str(out)], env=env, capture_output=True, text=True, timeout=900)

    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert first_result.stat().st_mtime_ns == finished_at
    log = (out / "run.log").read_text()
    assert "GRU4Rec: finished earlier in this run folder, skipped" in log
    results = json.loads((out / "results.json").read_text())
    assert [record["model"] for record in results["records"]] == ["GRU4Rec", "Caser"]

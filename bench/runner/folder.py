"""Run folders: where a run's config, environment, logs, per-model results and tables live.

A run folder is named ``<date>-<suite>-<dataset>-<profile>`` under ``reports/runs/`` unless
``--out`` names one. Running the same command again resumes the newest unfinished folder whose
configuration hash matches, so a crash or Ctrl-C costs only the model that was running.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import platform
import subprocess
import time
from pathlib import Path

from bench.runner.files import read_json, write_json_atomic

log = logging.getLogger(__name__)

RUNS_DIR = Path(__file__).resolve().parents[2] / "reports" / "runs"
PACKAGES = ("torch", "transformers", "accelerate", "peft", "recbole", "numpy", "pandas", "mambapy", "llmrec-bench")
FINISHED_MARKER = "finished"


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:12]


def open_run_folder(config: dict, out: Path | None, fresh: bool) -> Path:
    """Return the folder for this run: ``out``, a matching unfinished run, or a new dated one."""
    digest = config_hash(config)
    if out is not None:
        folder = Path(out)
        _check_matching(folder, digest)
    else:
        folder = None if fresh else _latest_unfinished(digest)
        if folder is not None:
            log.info("resuming the unfinished run in %s", folder)
        else:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            folder = RUNS_DIR / f"{stamp}-{config['suite']}-{config['dataset']}-{config['profile']['name']}"

    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / "config.json", {"config_hash": digest, **config})
    return folder


def _check_matching(folder: Path, digest: str) -> None:
    config_file = folder / "config.json"
    if config_file.is_file() and read_json(config_file).get("config_hash") != digest:
        from bench.errors import ConfigError

        raise ConfigError(
            f"{folder} contains a run with a different configuration; choose another --out or delete that folder"
        )


def _latest_unfinished(digest: str) -> Path | None:
    if not RUNS_DIR.is_dir():
        return None
    for folder in sorted(RUNS_DIR.iterdir(), reverse=True):
        config_file = folder / "config.json"
        if (folder / FINISHED_MARKER).exists() or not config_file.is_file():
            continue
        if read_json(config_file).get("config_hash") == digest:
            return folder
    return None


def mark_finished(folder: Path) -> None:
    (folder / FINISHED_MARKER).write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"), encoding="utf-8")


def describe_environment(seed: int) -> dict:
    """Return package versions, device, git commit and seed, for the run folder."""
    import torch

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None

    device = "cpu"
    if torch.cuda.is_available():
        device = f"cuda ({torch.cuda.get_device_name(0)} x{torch.cuda.device_count()})"
    return {
        "seed": seed,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_threads": torch.get_num_threads(),
        "device": device,
        "packages": versions,
        "git_commit": _git_commit(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def attach_log_file(folder: Path) -> logging.Handler:
    handler = logging.FileHandler(folder / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    return handler

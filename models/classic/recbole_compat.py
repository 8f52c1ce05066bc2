"""Shims that let RecBole 1.2.1 models run on the current stack, and safe checkpoint files.

Each shim names the RecBole behaviour it works around. All were checked against RecBole 1.2.1
(the version pinned in ``constraints.txt``), and each can go when an upstream release changes it:

- ``Config._load_cmd_line`` reads every ``--key=value`` argument of ``sys.argv`` and lets it
  override the explicit config dict, so ``bench`` flags would leak into a model. ``IsolatedConfig``
  ignores the command line.
- ``Config._init_device`` writes ``CUDA_VISIBLE_DEVICES`` into the process environment, which would
  hide GPUs from the LLM methods running in the same process. ``IsolatedConfig`` takes the device
  from the config dict and leaves the environment alone.
- ``Config.compatibility_settings`` re-adds aliases removed from numpy (``np.float`` and others) by
  assigning module attributes, and fails on numpy 2 because ``np.float_`` is gone. The model code
  used here does not need the aliases, so ``IsolatedConfig`` skips the monkeypatching.
- RecBole's trainer reloads its checkpoints with a bare ``torch.load``, which fails on torch >= 2.6
  where ``weights_only=True`` became the default. This package never uses that trainer; checkpoints
  here hold tensors only and are read back with ``weights_only=True``.
- ``recbole.quick_start`` imports ray; nothing here imports it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from recbole.config import Config


class IsolatedConfig(Config):
    """RecBole's ``Config`` built only from the given dict and RecBole's own YAML defaults.

    The dict must contain ``device`` (a ``torch.device``).
    """

    def compatibility_settings(self) -> None:
        pass

    def _load_cmd_line(self) -> dict[str, Any]:
        return {}

    def _init_device(self) -> None:
        self.final_config_dict["single_spec"] = True
        self.final_config_dict["local_rank"] = 0
        self.final_config_dict["device"] = torch.device(self.final_config_dict["device"])


def save_state(state: dict[str, torch.Tensor], path: Path) -> None:
    """Write a state dict atomically, so a killed run never leaves a truncated checkpoint."""
    _atomic_write(path, lambda handle: torch.save(state, handle))


def load_state(path: Path, device: torch.device) -> dict[str, torch.Tensor]:
    """Read a state dict written by ``save_state``; only tensors are accepted."""
    return torch.load(path, map_location=device, weights_only=True)


def save_json(data: dict[str, Any], path: Path) -> None:
    _atomic_write(path, lambda handle: handle.write(json.dumps(data, indent=2, sort_keys=True).encode()))


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

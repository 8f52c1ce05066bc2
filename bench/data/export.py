"""Write samples as JSON lines with the dataset's original ids."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench.data.types import PreparedDataset, SampleSet


def write_samples_jsonl(dataset: PreparedDataset, samples: SampleSet, path: Path) -> int:
    """Write one ``{"user", "history", "target"}`` object a line; return the number written.

    The file appears only when complete: it is written to a temporary sibling and renamed.
    """
    item_ids = dataset.catalog.item_ids
    user_ids = dataset.sequences.user_ids
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for index in range(len(samples)):
                record = {
                    "user": user_ids[samples.users[index]],
                    "history": [item_ids[code] for code in samples.history(index).tolist()],
                    "target": item_ids[samples.targets[index]],
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return len(samples)

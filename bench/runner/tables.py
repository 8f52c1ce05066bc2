"""Results tables in Markdown, CSV, LaTeX and JSON, next to the values PatchRec (SIGIR 2025) published."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tabulate import tabulate

from bench.errors import ConfigError
from bench.runner.files import write_text_atomic

METRICS = ("HR@10", "NDCG@10", "HR@20", "NDCG@20")
PAPER_DIR = Path(__file__).resolve().parents[2] / "reports" / "paper"
MARKS_NOTE = (
    "* significant against TALLRec, † against the best classic model (paired t-test, p < 0.05). "
    "Peak memory: the CUDA allocator's peak on a GPU; on a CPU, the process's resident memory sampled "
    "while the model trained and ranked, which includes the Python runtime and the loaded dataset."
)


def check_same_samples(records: list) -> None:
    """Reject records scored on different test samples: their metrics are not comparable."""
    fingerprints = {(record.fingerprint, record.test_samples) for record in records}
    if len(fingerprints) > 1:
        detail = ", ".join(f"{record.model}={record.fingerprint}/{record.test_samples}" for record in records)
        raise ConfigError(f"records were scored on different test samples ({detail}); rerun them in one run folder")


def paper_values(table: str, dataset: str) -> dict:
    path = PAPER_DIR / f"{table}.json"
    if not table or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["datasets"].get(dataset, {})


def table_rows(records: list, paper: dict) -> list[dict]:
    check_same_samples(records)
    rows = []
    for record in records:
        row = {"Model": record.model, "Sig.": _marks(record)}
        row.update({metric: record.metrics[metric] for metric in METRICS})
        row["CR"] = record.compression_ratio
        row["Train (s)"] = record.train_seconds
        row["Inference (s/sample)"] = record.inference_seconds_per_sample
        row["Peak memory (MB)"] = record.peak_memory_mb
        row["Test samples"] = record.test_samples
        reference = paper.get(record.model, {})
        for metric in (*METRICS, "CR"):
            row[f"Paper {metric}"] = reference.get(metric)
        rows.append(row)
    return rows


def _marks(record) -> str:
    marks = ""
    if record.significance.get("vs_tallrec", {}).get("significant"):
        marks += "*"
    if record.significance.get("vs_best_classic", {}).get("significant"):
        marks += "†"
    return marks


def _formatted(rows: list[dict]) -> list[list[str]]:
    def cell(key: str, value) -> str:
        if value is None:
            return "-"
        if key in METRICS or key.startswith("Paper HR") or key.startswith("Paper NDCG"):
            return f"{value:.4f}"
        if key in ("CR", "Paper CR"):
            return f"{value:.2f}"
        if key == "Inference (s/sample)":
            return f"{value:.3f}"
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)

    return [[cell(key, value) for key, value in row.items()] for row in rows]


def write_tables(folder: Path, name: str, rows: list[dict], caption: str) -> dict[str, Path]:
    """Write ``name.md``, ``name.csv``, ``name.tex`` and ``name.json`` into ``folder``."""
    headers = list(rows[0].keys())
    cells = _formatted(rows)
    paths = {fmt: folder / f"{name}.{fmt}" for fmt in ("md", "csv", "tex", "json")}

    markdown = f"{caption}\n\n" + tabulate(cells, headers=headers, tablefmt="github", disable_numparse=True) + f"\n\n{MARKS_NOTE}\n"
    write_text_atomic(paths["md"], markdown)

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([[("" if value is None else value) for value in row.values()] for row in rows])
    write_text_atomic(paths["csv"], buffer.getvalue())

    latex = tabulate(cells, headers=headers, tablefmt="latex_booktabs", disable_numparse=True).replace("†", r"\dag{}")
    write_text_atomic(paths["tex"], f"% {caption}\n% {MARKS_NOTE}\n{latex}\n")

    write_text_atomic(paths["json"], json.dumps({"caption": caption, "rows": rows}, indent=2, ensure_ascii=False) + "\n")
    return paths


def summary_table(rows: list[dict]) -> str:
    """Return the one-screen summary: accuracy, CR and cost columns only."""
    keys = ["Model", "Sig.", *METRICS, "CR", "Train (s)", "Inference (s/sample)", "Test samples"]
    trimmed = [{key: row[key] for key in keys} for row in rows]
    return tabulate(_formatted(trimmed), headers=keys, tablefmt="simple", disable_numparse=True)

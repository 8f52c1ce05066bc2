"""Tables of the analysis suites and the long-history study: Markdown, CSV and JSON, written atomically."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bench.runner.files import write_json_atomic, write_text_atomic


def format_cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def markdown_table(columns: list[str], rows: list[dict]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(format_cell(row.get(column)) for column in columns) + " |")
    return "\n".join(lines)


def write_table(folder: Path, name: str, columns: list[str], rows: list[dict], caption: str) -> None:
    """Write ``NAME.md`` (caption and table), ``NAME.csv`` and ``NAME.json`` into ``folder``."""
    folder = Path(folder)
    write_text_atomic(folder / f"{name}.md", f"{caption}\n\n{markdown_table(columns, rows)}\n")

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(folder / f"{name}.csv", buffer.getvalue())

    write_json_atomic(folder / f"{name}.json", {"caption": caption, "columns": columns, "rows": rows})

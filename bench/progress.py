"""One progress display for the whole process, so nested loops add bars instead of clashing.

rich allows a single live display at a time; ``track`` adds a task to the active display, or
opens one when none is active. Bars show the elapsed time and the estimated time left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from bench.console import console

_active: Progress | None = None


def _new_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@contextlib.contextmanager
def display() -> Iterator[Progress]:
    """Open the process-wide display, or reuse the one already open."""
    global _active
    if _active is not None:
        yield _active
        return
    _active = _new_progress()
    try:
        with _active:
            yield _active
    finally:
        _active = None


@contextlib.contextmanager
def task(description: str, total: int | None) -> Iterator[callable]:
    """Show a bar for one loop; yields ``advance(steps=1)``. The bar is removed when done."""
    with display() as progress:
        task_id = progress.add_task(description, total=total)
        try:
            yield lambda steps=1: progress.advance(task_id, steps)
        finally:
            progress.remove_task(task_id)

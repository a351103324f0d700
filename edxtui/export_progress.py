"""The export's progress bar on stderr: rich.progress, drawn by the CLI only.

The core reports progress through a callback (`progress(done, total)` of
edxtui.api.export); this turns those calls into a bar with the count, the percentage, the
rate and the time left, then the time taken once finished. Rich is imported only when a bar
is drawn, so the other commands never pay for it, and the headless core never imports it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ExportProgress:
    """A progress bar for `edxtui export`; call update(done, total), then close().

    Nothing is drawn before the first update (an error before the first page leaves no empty
    bar), nor for an empty catalog (nothing to measure). Only for a terminal: the caller checks
    stderr.isatty().
    """

    def __init__(self, label: str) -> None:
        self.label = label  # plain text: drawn without markup
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def update(self, done: int, total: int) -> None:
        if self._progress is None:
            if total == 0:
                return
            self._progress, self._task = _start(self.label, done, total)
        assert self._task is not None
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        """Draw the last state and end the line (a finished bar shows the time it took)."""
        if self._progress is not None:
            self._progress.stop()


def _start(label: str, done: int, total: int) -> tuple[Progress, TaskID]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Courses per second; once finished, the average over the whole export."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None and task.finished and task.elapsed:
                speed = task.completed / task.elapsed
            return Text("" if speed is None else f"{speed:,.0f} courses/s", "progress.data.speed")

    progress = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("courses"),
        TaskProgressColumn(),
        RateColumn(),
        TimeRemainingColumn(elapsed_when_finished=True),
        # soft_wrap: a long `-v` line is left to the terminal to wrap, not cut with newlines.
        console=Console(file=sys.stderr, soft_wrap=True),
        # stdout carries the export itself (exact bytes): rich must never touch it. stderr is
        # redirected so `-v` lines print above the bar instead of through it.
        redirect_stdout=False,
        redirect_stderr=True,
    )
    task = progress.add_task(label, total=total, completed=done)
    progress.start()
    return progress, task

"""A text progress bar for management commands: redrawn in place on a terminal, a line per change
in a log file."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    def __init__(self, stream: TextIO, *, total: int, width: int = 30) -> None:
        self._stream = stream
        self._total = max(total, 1)
        self._width = width
        self._interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""

    def update(self, done: int, label: str = "") -> None:
        done = max(0, min(done, self._total))
        filled = round(self._width * done / self._total)
        percent = int(100 * done / self._total)
        line = f"[{'#' * filled}{'.' * (self._width - filled)}] {done:>{len(str(self._total))}}/{self._total} {percent:3d}%"
        if label:
            line = f"{line}  {label}"
        if line == self._last:
            return
        if self._interactive:
            padding = " " * max(0, len(self._last) - len(line))
            self._stream.write(f"\r{line}{padding}")
        else:
            self._stream.write(f"{line}\n")
        self._stream.flush()
        self._last = line

    def close(self) -> None:
        if self._interactive and self._last:
            self._stream.write("\n")
            self._stream.flush()

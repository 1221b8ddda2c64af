"""Waiting for something another thread or process does: a worker, a server, the browser."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], *, timeout: float, every: float = 0.1,
               meanwhile: Callable[[], object] | None = None, failure: str | Callable[[], str] = "") -> T:
    """Call ``condition`` every ``every`` seconds until it answers something true, and answer that.

    Past ``timeout`` it answers the last (false) result, or fails the test with ``failure`` when one
    is given. ``meanwhile`` runs between tries (to nudge what is being waited for).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            break
        if meanwhile is not None:
            meanwhile()
        time.sleep(every)
    if not result and failure:
        raise AssertionError(failure() if callable(failure) else failure)
    return result

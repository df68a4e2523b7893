"""Retry conditions for Prefect tasks, decided by the error a failed task run raised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def retry_when(is_retryable: Callable[[BaseException], bool]) -> Callable[[Any, Any, Any], bool]:
    """A `retry_condition_fn` that retries only when `is_retryable(error)` holds.

    Prefect calls it with (task, task_run, state); a state whose result cannot be read is not
    worth a retry. Typed loosely so this module needs no Prefect import.
    """

    def condition(_task: Any, _task_run: Any, state: Any) -> bool:
        try:
            exc = state.result(raise_on_failure=False)
        except Exception:  # noqa: BLE001 - an unreadable state is not worth a retry
            return False
        return isinstance(exc, BaseException) and is_retryable(exc)

    return condition

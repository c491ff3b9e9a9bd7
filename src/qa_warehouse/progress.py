"""Progress of a long step, reported to whoever listens: the CLI draws it, nothing else needs to.

The pipeline's steps call `report(kind, **fields)`; the command that runs them in this process (DAGs
run in process through dag.test) registers a listener with `listening(...)`. Kept free of any
drawing library so build and load code never import one. A listener that fails is dropped, never
raised: progress must not break a run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def report(kind: str, **fields: Any) -> None:
    """Tell every listener that `kind` happened (e.g. "dbt_node" with done, total, node, status)."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(kind, fields)
        except Exception:  # a broken display must not fail the load or the build
            with _lock:
                if listener in _listeners:
                    _listeners.remove(listener)


def listened() -> bool:
    """Whether anyone listens (so a step can skip the cost of collecting progress when nobody does)."""
    with _lock:
        return bool(_listeners)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

"""The services, one call at a time, from any thread (no Textual here: the CLI starts the first
query through it before Textual is imported)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from assistant.services import Services

T = TypeVar("T")


class ServiceGate:
    """Serialises calls on the one SQLite connection: writes are transactions that must not interleave."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = threading.Lock()

    def call(self, fn: Callable[[Services], T]) -> T:
        with self._lock:
            return fn(self.services)

    def submit(self, fn: Callable[[Services], T]) -> Future[T]:
        """Start a call on a thread of its own now; the result (or error) waits in the future."""
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(self.call(fn))
            except BaseException as exc:  # handed to whoever reads the future
                future.set_exception(exc)

        threading.Thread(target=run, name="ar-first-page", daemon=True).start()
        return future

"""How screens use the services off the UI loop.

Every database or file call runs in a thread worker (`@work(thread=True, exit_on_error=False)`)
and goes through the app's `ServiceGate`. A failed worker becomes a notification through
`ReportsWorkerErrors`, never a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from textual.app import App


def report_error(app: App[Any], error: BaseException) -> None:
    """One line the user can act on; an unexpected error shows only its kind (it may quote PHI)."""
    if isinstance(error, AssistantError):
        app.notify(error.message, title=error.title, severity="error", timeout=8)
        return
    app.log.error(f"worker failed: {type(error).__name__}")
    app.notify(f"internal error ({type(error).__name__})", title="Error", severity="error", timeout=8)


class ReportsWorkerErrors:
    """Mixin for screens and widgets whose workers run with exit_on_error=False."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            report_error(event.worker.node.app, event.worker.error)

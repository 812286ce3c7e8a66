"""One error family for everything the user can cause.

Messages name files, segment numbers, lines and ids, never patient names, dates of
birth or member ids: errors end up on screens, in terminals' scrollback and in logs.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """Line breaks and other control characters that a file, a key or an argument carried into
    a message, shown escaped: an error stays one line on any screen."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class AssistantError(Exception):
    """An error the user can act on; shown as one line, never a traceback."""

    title = "Error"

    def __init__(self, message: str) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DatabaseMissing(AssistantError):
    title = "No database"


class NotFound(AssistantError):
    title = "Not found"


class ClaimNotFound(NotFound):
    """No claim with the id given (the command line adds where to look them up)."""

    def __init__(self, claim_id: str) -> None:
        self.claim_id = claim_id
        super().__init__(f"no claim {claim_id!r}")


class InvalidInput(AssistantError):
    title = "Invalid input"


class ConfigError(AssistantError):
    """A worklist, playbook, payer or template file the user edited is broken."""

    title = "Configuration error"


class ImportFailed(AssistantError):
    """A source file cannot be imported; the database was left as it was.

    `where` locates the problem: "segment 14 (CLM)", "line 7", "front matter".
    """

    title = "Import failed"

    def __init__(self, file: str, where: str | None, reason: str) -> None:
        self.file = file
        self.where = where
        self.reason = reason
        located = f"{file}: {where}: {reason}" if where else f"{file}: {reason}"
        super().__init__(located)


class StaleWrite(AssistantError):
    """Someone else changed the claim since it was read; nothing was written."""

    title = "Claim changed meanwhile"


class ConfirmationRequired(AssistantError):
    title = "Confirmation needed"

"""Implementation-guide validation of an 835 by pyx12 (the optional `validate` extra), as advice.

The importer reads many files pyx12 rejects (envelope counts, 4010 codes, IG examples with
"not used" elements): a finding here is something to tell the payer or clearinghouse, not a
reason to refuse the money. pyx12 reports through its logger; the findings are collected
from it, and a crash of the validator itself is reported as one more finding.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

INSTALL_HINT = "pip install 'ar-assistant[validate]'"
_LOCATED = re.compile(r"Line:\s*(\d+)\s+(?:(?:ELE|SEG):\s*\S+\s+)?-\s*(.*)")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validate_835(path: Path) -> dict[str, Any]:
    """pyx12's verdict and findings for one file; raises `AssistantError` when pyx12 is missing."""
    try:
        import pyx12
        import pyx12.params
        import pyx12.x12n_document
    except ImportError:
        raise AssistantError(f"validating needs pyx12, an optional extra: {INSTALL_HINT}") from None
    if not path.is_file():
        raise AssistantError(f"{path}: no such file")
    logger = logging.getLogger("pyx12")
    collector = _Collector()
    saved = (logger.level, logger.propagate, list(logger.handlers))
    logger.handlers = [collector]
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    crashed = None
    try:
        valid = bool(pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=str(path), fd_997=None, fd_html=None))
    except Exception as exc:  # pyx12 crashes on some broken envelopes; that is a finding too
        valid, crashed = False, f"the validator stopped: {type(exc).__name__}: {exc}"
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers = saved[2]
    findings = [_finding(message) for message in collector.messages]
    if crashed:
        findings.append({"line": None, "message": crashed})
    return {
        "file": path.name,
        "validator": f"pyx12 {getattr(pyx12, '__version__', '?')}",
        "valid": valid and not findings,
        "findings": findings,
    }


def _finding(message: str) -> dict[str, Any]:
    match = _LOCATED.match(message)
    if match:
        return {"line": int(match.group(1)), "message": match.group(2).strip()}
    return {"line": None, "message": message.strip()}

"""Importing source files: parse (never write), then write each file in one transaction.

A file already imported (same bytes) is reported as `duplicate` and changes nothing; a file
that fails to parse or to write is `rejected` with a located reason, and the database is
left exactly as it was. Parsers register here by kind.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.domain import (
    AuthorizationRecord,
    ClaimRecord,
    DocumentRecord,
    PatientPaymentRecord,
    PayerSettingsRecord,
    PlanOfCareRecord,
    PracticeRecord,
    ProviderRecord,
)
from assistant.errors import AssistantError, ImportFailed
from assistant.storage import transaction
from assistant.storage.writer import WriteCounts, Writer


@dataclass
class ParsedBatch:
    """Everything one source file holds, in the order it must be written."""

    practice: PracticeRecord | None = None
    providers: list[ProviderRecord] = field(default_factory=list)
    payer_settings: list[PayerSettingsRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)
    plans_of_care: list[PlanOfCareRecord] = field(default_factory=list)
    authorizations: list[AuthorizationRecord] = field(default_factory=list)
    patient_payments: list[PatientPaymentRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Our field -> the file's own column header, for errors found while writing (a payment's
    # claim id that is not on file is reported at its line and column).
    columns: dict[str, str] = field(default_factory=dict)
    # A settings file says what is true: its practice and providers replace what claim
    # files suggested. Claim files only fill gaps.
    authoritative: bool = False

    @property
    def records(self) -> int:
        return (len(self.claims) + len(self.documents) + len(self.plans_of_care)
                + len(self.authorizations) + len(self.payer_settings) + len(self.patient_payments))

    @property
    def is_empty(self) -> bool:
        return self.records == 0 and self.practice is None and not self.providers

    def counts(self) -> dict[str, int]:
        """What the file held, by kind of record, for reports (`import --json`)."""
        return {
            "claims": len(self.claims),
            "lines": sum(len(claim.lines) for claim in self.claims),
            "documents": len(self.documents),
            "plans_of_care": len(self.plans_of_care) + sum(
                1 for document in self.documents if document.plan_of_care is not None),
            "authorizations": len(self.authorizations),
            "payers": len(self.payer_settings),
            "providers": len(self.providers),
            "payments": len(self.patient_payments),
        }


Parser = Callable[[Path], ParsedBatch]

# kind -> "module:function" of its parser, imported when used.
PARSERS: dict[str, str] = {
    "837": "assistant.importers.x837:parse_837",
    "csv": "assistant.importers.csv_claims:parse_claims_csv",
    "notes": "assistant.importers.notes:parse_notes",
    "settings": "assistant.importers.settings:parse_settings",
    "auths": "assistant.importers.authorizations:parse_authorizations",
    "payments": "assistant.importers.patient_payments:parse_payments_csv",
}

# The counts `import --json` reports for each kind (zero when a file was not imported).
QUEUED = "queued_payments_posted"  # unmatched 835 payments the file's claims now take
KIND_COUNTS: dict[str, tuple[str, ...]] = {
    "837": ("claims", "lines", QUEUED),
    "csv": ("claims", "lines", QUEUED),
    "notes": ("documents", "plans_of_care"),
    "settings": ("payers", "providers"),
    "auths": ("authorizations",),
    "payments": ("payments",),
}


# Files a folder contributes to an import of this kind; kinds not listed take every file.
FOLDER_SUFFIXES: dict[str, tuple[str, ...]] = {
    "notes": (".txt", ".md", ".markdown", ".docx"),
    "835": (".835", ".era", ".edi", ".x12", ".txt", ".dat", ".rmt"),
    "payments": (".csv", ".tsv", ".txt"),
}


def expand_paths(kind: str, paths: Sequence[Path]) -> list[Path]:
    """Files stay as given; a folder becomes the files inside it, recursively and sorted.

    Hidden files and Word's "~$" lock files are skipped; a path that does not exist stays
    in the list so its import is reported as rejected rather than silently dropped.
    """
    suffixes = FOLDER_SUFFIXES.get(kind)
    result: list[Path] = []
    for path in paths:
        if not path.is_dir():
            result.append(path)
            continue
        for child in sorted(path.rglob("*")):
            parts = child.relative_to(path).parts
            if not child.is_file() or any(p.startswith((".", "~$")) for p in parts):
                continue
            if suffixes is None or child.suffix.lower() in suffixes:
                result.append(child)
    return result


def parser_for(kind: str) -> Parser:
    """The registered parser of a kind of source file."""
    import importlib

    target = PARSERS.get(kind)
    if target is None:
        from assistant.errors import InvalidInput

        raise InvalidInput(f"unknown import kind {kind!r}; one of {', '.join(sorted(PARSERS))}")
    module, attr = target.split(":")
    parser: Parser = getattr(importlib.import_module(module), attr)
    return parser


@dataclass
class ImportResult:
    file: str
    kind: str
    status: Literal["imported", "duplicate", "rejected"]
    error: str | None = None
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    claim_pks: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # claims, lines, documents ... in the file

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file, "kind": self.kind, "status": self.status, "error": self.error,
            "records": self.records, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "warnings": self.warnings,
        }
        for key in KIND_COUNTS.get(self.kind, ()):
            data[key] = self.counts.get(key, 0)
        return data


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_digest(path: Path) -> str:
    """Bytes of a file, or of every file in a folder (notes), as one fingerprint."""
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(child.relative_to(path)).encode() + b"\0")
            digest.update(child.read_bytes())
        return digest.hexdigest()
    return file_digest(path.read_bytes())


def already_imported(conn: sqlite3.Connection, kind: str, digest: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM import_files WHERE kind = ? AND sha256 = ?", (kind, digest)
    ).fetchone() is not None


def record_import(conn: sqlite3.Connection, kind: str, digest: str, name: str, records: int,
                  summary: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO import_files (sha256, kind, name, records, summary) VALUES (?, ?, ?, ?, ?)",
        (digest, kind, name, records, json.dumps(summary, default=str)),
    )
    return int(cur.lastrowid or 0)


def write_batch(conn: sqlite3.Connection, batch: ParsedBatch, user: str, source: str) -> WriteCounts:
    """Write one parsed file; the caller holds the transaction."""
    writer = Writer(conn, user, source)
    if batch.practice is not None:
        writer.practice(batch.practice, replace=batch.authoritative)
    for provider in batch.providers:
        writer.provider(provider, replace=batch.authoritative)
    for settings in batch.payer_settings:
        writer.payer_settings(settings)
    counts = writer.claims(batch.claims)
    if counts.claim_pks:
        from assistant.settlement import settle_work_status

        # A claim voided (frequency 8) or exported paid in full has nothing left to work.
        settle_work_status(conn, counts.claim_pks, user=user, details={"source": source})
    for document in batch.documents:
        if writer.document(document):
            counts.created += 1
        else:
            counts.unchanged += 1
    for plan in batch.plans_of_care:
        writer.plan_of_care(plan)
    for auth in batch.authorizations:
        writer.authorization(auth)
    if batch.patient_payments:
        from assistant.patient_payments import import_payments

        applied = import_payments(conn, batch.patient_payments, user=user, source=source,
                                  columns=batch.columns)
        counts.created += applied.recorded
        counts.unchanged += applied.duplicates
        counts.claim_pks.extend(applied.claim_pks)
        batch.warnings.extend(applied.warnings)
    return counts


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Parsing and writing a big file allocates millions of small acyclic objects; the cyclic
    collector would rescan them over and over (more than half the time of a 20,000-claim
    837). Reference counting still frees everything."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def import_file(conn: sqlite3.Connection, path: Path, kind: str, parser: Parser, user: str) -> ImportResult:
    """Parse and write one file, all or nothing."""
    with cyclic_gc_paused():
        return _import_file(conn, path, kind, parser, user)


def _import_file(conn: sqlite3.Connection, path: Path, kind: str, parser: Parser, user: str) -> ImportResult:
    name = path.name
    try:
        digest = source_digest(path)
    except OSError as exc:
        return ImportResult(name, kind, "rejected", error=f"{name}: cannot read ({exc.strerror})")
    if already_imported(conn, kind, digest):
        return ImportResult(name, kind, "duplicate")
    try:
        batch = _parse(parser, path)
        if batch.is_empty:
            raise ImportFailed(name, None, "holds nothing to import")
        with transaction(conn):
            if already_imported(conn, kind, digest):  # imported meanwhile by another process
                return ImportResult(name, kind, "duplicate")
            counts = write_batch(conn, batch, user, name)
            queued = _post_queued_payments(conn, batch, counts.claim_pks, user, name)
            record_import(conn, kind, digest, name, batch.records,
                          {"created": counts.created, "updated": counts.updated,
                           "unchanged": counts.unchanged, "queued_payments_posted": queued})
    except AssistantError as exc:
        message = exc.message if isinstance(exc, ImportFailed) else f"{name}: {exc.message}"
        return ImportResult(name, kind, "rejected", error=message)
    except sqlite3.IntegrityError as exc:
        return ImportResult(name, kind, "rejected", error=f"{name}: conflicts with the database ({exc})")
    return ImportResult(
        name, kind, "imported", records=batch.records, created=counts.created,
        updated=counts.updated, unchanged=counts.unchanged, warnings=batch.warnings,
        claim_pks=counts.claim_pks, counts={**batch.counts(), QUEUED: queued},
    )


def _post_queued_payments(conn: sqlite3.Connection, batch: ParsedBatch, claim_pks: list[int], user: str,
                          name: str) -> int:
    """Payments from 835s that came before these claims, waiting in the unmatched queue, are
    posted to them now, in the import's transaction (`remit.requeue`). Returns how many."""
    if not batch.claims or not claim_pks:
        return 0
    if conn.execute("SELECT 1 FROM claim_payments WHERE claim_pk IS NULL LIMIT 1").fetchone() is None:
        return 0
    from assistant.remit.requeue import post_matching_queue

    return len(post_matching_queue(conn, user=user, claim_pks=claim_pks, source=name).posted)


def _parse(parser: Parser, path: Path) -> ParsedBatch:
    """Any bytes end as a batch or a located `ImportFailed`, never a traceback: a parser's
    unexpected exception is reported by its type only (its message may quote the file)."""
    try:
        return parser(path)
    except AssistantError:
        raise
    except RecursionError:
        raise ImportFailed(path.name, None, "is nested too deeply to read") from None
    except Exception as exc:
        raise ImportFailed(path.name, None, f"cannot be read ({type(exc).__name__})") from exc


def import_files(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    kind: str,
    parser: Parser,
    user: str,
    progress: Callable[[int, int], None] = lambda _d, _t: None,
) -> list[ImportResult]:
    """Each file in its own transaction: one bad file does not undo the good ones."""
    results = []
    for done, path in enumerate(paths, 1):
        results.append(import_file(conn, path, kind, parser, user))
        progress(done, len(paths))
    return results

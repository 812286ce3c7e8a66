"""Writing imported records: upserts that are idempotent and audit every change to a claim.

All functions run inside a caller's transaction (`storage.transaction`), so one source
file is written all together or not at all. Lookups of payers, providers and patients
are cached per `Writer`, and claims are written in chunks, so a million-claim build
stays fast.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.dates import day_number
from assistant.domain import (
    AuthorizationRecord,
    ClaimRecord,
    DocumentRecord,
    OtherPayerRecord,
    PatientRecord,
    PayerKind,
    PayerRecord,
    PayerSettingsRecord,
    PlanOfCareRecord,
    PracticeRecord,
    ProviderRecord,
)
from assistant.errors import InvalidInput
from assistant.names import proper_case
from assistant.storage import audit, prior_payers

CHUNK = 500


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def record_hash(record: object) -> str:
    """A stable fingerprint of an imported record, to tell an unchanged one from a changed one.

    The repr of a frozen record (strings, numbers, Decimals, dates, enums, tuples and nested
    records) is deterministic and about ten times cheaper than `asdict` + JSON, which was
    the largest cost of importing a big 837.
    """
    return hashlib.sha256(repr(record).encode()).hexdigest()[:32]


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    claim_pks: list[int] = field(default_factory=list)  # created or updated claims

    def add(self, other: WriteCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.claim_pks.extend(other.claim_pks)


# Claim columns that come from the source file; everything else belongs to postings or people.
_SOURCE_COLUMNS = (
    "patient_pk", "payer_pk", "coverage_priority", "member_id", "billing_provider_pk",
    "rendering_provider_pk", "referring_provider_pk", "place_of_service", "frequency_code",
    "prior_auth", "dos_from", "dos_to", "dos_from_day", "dos_to_day", "submitted_date",
    "submitted_day", "billed_cents", "payer_claim_number", "accident_date", "accident_causes",
    "accident_state",
)
# Source columns a later file without the value must not clear: the payer claim number
# also arrives from remittances (CLP07), and a re-sent original carries no REF*F8. A CSV
# export carries no related causes (CLM11) and seldom the injury date, which the adjuster
# of a workers' comp or auto claim still needs.
_KEEP_WHEN_ABSENT = frozenset({"payer_claim_number", "submitted_date", "submitted_day",
                               "accident_date", "accident_causes", "accident_state"})
# The first filing date stays: it is the proof of timely filing, and a replacement or void
# (or a re-sent original) filed later must not make the claim look late.
_KEEP_EARLIEST = frozenset({"submitted_date", "submitted_day"})


class Writer:
    """Upserts for one transaction; keeps the small reference tables in memory."""

    def __init__(self, conn: sqlite3.Connection, user: str, source: str | None = None) -> None:
        self.conn = conn
        self.user = user
        self.source = source
        self._payers: dict[str, int] = {}  # lower-case name or alias -> pk (names win)
        for pk, aliases in conn.execute("SELECT pk, aliases FROM payers"):
            for alias in json.loads(aliases or "[]"):
                self._payers.setdefault(str(alias).lower(), pk)
        self._payers.update(
            (name.lower(), pk) for pk, name in conn.execute("SELECT pk, name FROM payers"))
        self._payer_ids: dict[str, int] = {
            pid: pk for pk, pid in conn.execute("SELECT pk, payer_id FROM payers") if pid
        }
        self._providers: dict[str, int] = {
            npi: pk for pk, npi in conn.execute("SELECT pk, npi FROM providers")
        }
        self._patients: dict[str, int] = {}
        self._coverages: set[tuple[Any, ...]] = set()  # upserted in this transaction already

    # ------------------------------------------------------------------ reference data

    def practice(self, record: PracticeRecord, *, replace: bool = False) -> None:
        """The first billing provider seen names the practice; later claim files do not rename it.

        With `replace` (the practice's own settings file) the record's values win, and only
        the fields it leaves out keep what the database has.
        """
        exists = self.conn.execute("SELECT 1 FROM practice WHERE pk = 1").fetchone()
        values = (record.name, record.npi, record.tax_id, record.address1, record.city,
                  record.state, record.zip, record.phone)
        if exists and replace:
            self.conn.execute(
                "UPDATE practice SET name = ?, npi = coalesce(?, npi), tax_id = coalesce(?, tax_id), "
                "address1 = coalesce(?, address1), city = coalesce(?, city), "
                "state = coalesce(?, state), zip = coalesce(?, zip), phone = coalesce(?, phone) "
                "WHERE pk = 1",
                values,
            )
        elif exists:
            self.conn.execute(
                "UPDATE practice SET npi = coalesce(npi, ?), tax_id = coalesce(tax_id, ?), "
                "address1 = coalesce(address1, ?), city = coalesce(city, ?), "
                "state = coalesce(state, ?), zip = coalesce(zip, ?), phone = coalesce(phone, ?) "
                "WHERE pk = 1",
                values[1:],
            )
        else:
            self.conn.execute(
                "INSERT INTO practice (pk, name, npi, tax_id, address1, city, state, zip, phone) "
                "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def provider(self, record: ProviderRecord, *, replace: bool = False) -> int:
        """A provider by NPI; claim files only fill in credential and taxonomy of a known one,
        the settings file (`replace`) also corrects the name."""
        pk = self._providers.get(record.npi)
        credential = record.credential.value if record.credential else None
        if pk is None:
            cur = self.conn.execute(
                "INSERT INTO providers (npi, last_name, first_name, credential, taxonomy, "
                "is_organization) VALUES (?, ?, ?, ?, ?, ?)",
                (record.npi, proper_case(record.last_name), proper_case(record.first_name),
                 credential, record.taxonomy, int(record.is_organization)),
            )
            pk = int(cur.lastrowid or 0)
            self._providers[record.npi] = pk
        elif replace:
            self.conn.execute(
                "UPDATE providers SET last_name = ?, first_name = ?, credential = coalesce(?, credential), "
                "taxonomy = coalesce(?, taxonomy), is_organization = ? WHERE pk = ?",
                (proper_case(record.last_name), proper_case(record.first_name), credential,
                 record.taxonomy, int(record.is_organization), pk),
            )
        elif credential or record.taxonomy:
            self.conn.execute(
                "UPDATE providers SET credential = coalesce(?, credential), "
                "taxonomy = coalesce(?, taxonomy) WHERE pk = ?",
                (credential, record.taxonomy, pk),
            )
        return pk

    def payer(self, record: PayerRecord) -> int:
        """A payer by id or name; a payer seen for the first time gets its kind or `other`."""
        pk = self._payer_ids.get(record.payer_id or "") or self._payers.get(record.name.lower())
        if pk is None:
            cur = self.conn.execute(
                "INSERT INTO payers (name, payer_id, kind) VALUES (?, ?, ?)",
                (record.name, record.payer_id, (record.kind or PayerKind.OTHER).value),
            )
            pk = int(cur.lastrowid or 0)
            self._payers[record.name.lower()] = pk
            if record.payer_id:
                self._payer_ids[record.payer_id] = pk
        return pk

    def payer_settings(self, record: PayerSettingsRecord) -> int:
        pk = self._payers.get(record.name.lower()) or self._payer_ids.get(record.payer_id or "")
        values: dict[str, Any] = {
            "name": record.name,
            "payer_id": record.payer_id,
            "kind": record.kind.value,
            "aliases": json.dumps(list(record.aliases)),
            "timely_filing_days": record.timely_filing_days,
            "appeal_windows": json.dumps(record.appeal_windows) if record.appeal_windows else None,
            "unit_rule": record.unit_rule.value if record.unit_rule else None,
            "appeal_address": record.appeal_address,
            "appeal_fax": record.appeal_fax,
            "appeal_phone": record.appeal_phone,
            "portal_url": record.portal_url,
            "phone": record.phone,
            "corrected_claim_days": record.corrected_claim_days,
        }
        if pk is None:
            cols = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            cur = self.conn.execute(f"INSERT INTO payers ({cols}) VALUES ({marks})",
                                    tuple(values.values()))
            pk = int(cur.lastrowid or 0)
        else:
            sets = ", ".join(f"{col} = ?" for col in values)
            self.conn.execute(f"UPDATE payers SET {sets} WHERE pk = ?", (*values.values(), pk))
        self._payers[record.name.lower()] = pk
        for alias in record.aliases:
            self._payers.setdefault(alias.lower(), pk)
        if record.payer_id:
            self._payer_ids[record.payer_id] = pk
        return pk

    def patient(self, record: PatientRecord) -> int:
        pk = self._patients.get(record.account)
        if pk is not None:
            return pk
        row = self.conn.execute(
            "SELECT pk, last_name, first_name, dob, sex, member_id, address1, city, state, zip "
            "FROM patients WHERE account = ?",
            (record.account,),
        ).fetchone()
        values = (proper_case(record.last_name), proper_case(record.first_name), _iso(record.dob),
                  record.sex, record.member_id, record.address1, record.city, record.state, record.zip)
        if row is None:
            cur = self.conn.execute(
                "INSERT INTO patients (account, last_name, first_name, dob, sex, member_id, "
                "address1, city, state, zip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.account, *values),
            )
            pk = int(cur.lastrowid or 0)
        else:
            pk = int(row["pk"])
            # Keep what we know when a later source leaves a field out.
            merged = tuple(new if new not in (None, "") else old
                           for new, old in zip(values, tuple(row)[1:], strict=True))
            if merged != tuple(row)[1:]:
                self.conn.execute(
                    "UPDATE patients SET last_name = ?, first_name = ?, dob = ?, sex = ?, "
                    "member_id = ?, address1 = ?, city = ?, state = ?, zip = ? WHERE pk = ?",
                    (*merged, pk),
                )
        self._patients[record.account] = pk
        return pk

    def patient_pk(self, account: str, source: str) -> int:
        """An existing patient; notes and authorizations cannot create one."""
        pk = self._patients.get(account)
        if pk is None:
            row = self.conn.execute("SELECT pk FROM patients WHERE account = ?", (account,)).fetchone()
            if row is None:
                raise InvalidInput(f"{source}: no patient with account {account!r}; import the "
                                   "claims (837P or CSV) first")
            pk = int(row[0])
            self._patients[account] = pk
        return pk

    # ------------------------------------------------------------------ claims

    def claims(self, records: Sequence[ClaimRecord]) -> WriteCounts:
        counts = WriteCounts()
        for start in range(0, len(records), CHUNK):
            counts.add(self._claim_chunk(records[start:start + CHUNK]))
        return counts

    def _claim_chunk(self, records: Sequence[ClaimRecord]) -> WriteCounts:
        counts = WriteCounts()
        ids = [r.claim_id for r in records]
        marks = ",".join("?" for _ in ids)
        existing = {
            row["claim_id"]: row
            for row in self.conn.execute(f"SELECT * FROM claims WHERE claim_id IN ({marks})", ids)
        }
        new_claims: list[tuple[Any, ...]] = []
        pending_lines: list[tuple[str, ClaimRecord]] = []
        seen: set[str] = set()
        for record in records:
            if record.claim_id in seen:
                raise InvalidInput(f"claim {record.claim_id} appears twice in the same file")
            seen.add(record.claim_id)
            digest = record_hash(record)
            columns = self._claim_columns(record)
            old = existing.get(record.claim_id)
            if old is None:
                paid = record.paid_cents or 0
                balance = (-paid if record.frequency_code == "8"
                           else record.balance_cents if record.balance_cents is not None
                           else record.billed_cents - paid)
                new_claims.append((
                    record.claim_id, *columns.values(), paid, balance, record.assignee,
                    self.source, digest, 1 if record.other_payers is not None else None,
                ))
                pending_lines.append((record.claim_id, record))
                counts.created += 1
            elif old["content_hash"] == digest:
                counts.unchanged += 1
            else:
                self._update_claim(old, record, columns, digest)
                counts.updated += 1
                counts.claim_pks.append(int(old["pk"]))
        if new_claims:
            cols = ", ".join(_SOURCE_COLUMNS)
            marks = ", ".join("?" for _ in range(len(_SOURCE_COLUMNS) + 7))
            self.conn.executemany(
                f"INSERT INTO claims (claim_id, {cols}, paid_cents, balance_cents, assignee, "
                f"source, content_hash, other_payers_reported) VALUES ({marks})",
                new_claims,
            )
            created_ids = [cid for cid, _ in pending_lines]
            id_marks = ",".join("?" for _ in created_ids)
            pks = dict(self.conn.execute(
                f"SELECT claim_id, pk FROM claims WHERE claim_id IN ({id_marks})", created_ids))
            line_rows: list[tuple[Any, ...]] = []
            dx_rows: list[tuple[Any, ...]] = []
            other_rows: list[tuple[Any, ...]] = []
            for claim_id, record in pending_lines:
                pk = pks[claim_id]
                counts.claim_pks.append(pk)
                line_rows.extend(self._line_row(pk, line) for line in record.lines)
                dx_rows.extend((pk, seq, code) for seq, code in enumerate(record.diagnoses, 1))
                if record.other_payers:
                    other_rows.extend((pk, seq, *row)
                                      for seq, row in enumerate(self._other_payer_rows(record), 1))
            self.conn.executemany(
                "INSERT INTO claim_lines (claim_pk, line_no, code, modifiers, units, minutes, "
                "charge_cents, dx_pointers, service_date, rendering_provider_pk, control_number, "
                "prior_auth, note, service_date_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                line_rows,
            )
            self.conn.executemany("INSERT INTO diagnoses (claim_pk, seq, code) VALUES (?, ?, ?)",
                                  dx_rows)
            if other_rows:
                self.conn.executemany(prior_payers.INSERT, other_rows)
            self.conn.executemany(
                "INSERT INTO activities (claim_pk, user, kind, note, details) VALUES (?, ?, ?, ?, ?)",
                [(pks[cid], self.user, "import", "claim created",
                  json.dumps({"source": self.source})) for cid, _ in pending_lines],
            )
        return counts

    def _claim_columns(self, record: ClaimRecord) -> dict[str, Any]:
        patient_pk = self.patient(record.patient)
        payer_pk = self.payer(record.payer)
        self._coverage(patient_pk, payer_pk, record)
        for other in record.other_payers or ():
            self._other_coverage(patient_pk, other)

        def provider(p: ProviderRecord | None) -> int | None:
            return self.provider(p) if p is not None else None

        values = (
            patient_pk, payer_pk, record.coverage_priority, record.member_id,
            provider(record.billing_provider), provider(record.rendering_provider),
            provider(record.referring_provider), record.place_of_service, record.frequency_code,
            record.prior_auth, record.dos_from.isoformat(), record.dos_to.isoformat(),
            day_number(record.dos_from), day_number(record.dos_to), _iso(record.submitted_date),
            day_number(record.submitted_date) if record.submitted_date else None,
            record.billed_cents, record.payer_claim_number, _iso(record.accident_date),
            " ".join(record.related_causes) or None, record.accident_state,
        )
        return dict(zip(_SOURCE_COLUMNS, values, strict=True))

    def _coverage(self, patient_pk: int, payer_pk: int, record: ClaimRecord) -> None:
        key = (patient_pk, payer_pk, record.coverage_priority, record.member_id, record.group_number, None)
        if key in self._coverages:
            return
        self._coverages.add(key)
        self.conn.execute(
            "INSERT INTO coverages (patient_pk, payer_pk, priority, member_id, group_number) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_pk, payer_pk, priority) DO UPDATE SET "
            "member_id = coalesce(excluded.member_id, member_id), "
            "group_number = coalesce(excluded.group_number, group_number)",
            (patient_pk, payer_pk, record.coverage_priority, record.member_id, record.group_number),
        )

    def _other_coverage(self, patient_pk: int, other: OtherPayerRecord) -> None:
        """A coverage a claim's 2320 loop names, at that payer's place in the patient's order."""
        key = (patient_pk, self.payer(other.payer), other.priority, other.member_id, other.group_number,
               other.relationship)
        if key in self._coverages:
            return
        self._coverages.add(key)
        self.conn.execute(
            "INSERT INTO coverages (patient_pk, payer_pk, priority, member_id, group_number, "
            "relationship) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (patient_pk, payer_pk, priority) "
            "DO UPDATE SET member_id = coalesce(excluded.member_id, member_id), "
            "group_number = coalesce(excluded.group_number, group_number), "
            "relationship = coalesce(excluded.relationship, relationship)",
            key,
        )

    def _other_payer_rows(self, record: ClaimRecord) -> list[tuple[Any, ...]]:
        return [prior_payers.row_values(other, self.payer(other.payer))
                for other in record.other_payers or ()]

    def _replace_other_payers(self, claim_pk: int,
                              record: ClaimRecord) -> tuple[str | None, str | None] | None:
        """A re-imported claim's 2320 loops, when they changed: (before, after) for the audit.

        A source that cannot carry them (CSV) leaves what an 837P said."""
        if record.other_payers is None:
            return None
        rows = self._other_payer_rows(record)
        old = prior_payers.stored_rows(self.conn, claim_pk)
        if rows == old:
            return None
        before = prior_payers.describe_rows(self.conn, old)
        self.conn.execute("DELETE FROM claim_other_payers WHERE claim_pk = ?", (claim_pk,))
        self.conn.executemany(prior_payers.INSERT,
                              [(claim_pk, seq, *row) for seq, row in enumerate(rows, 1)])
        return before, prior_payers.describe_rows(self.conn, rows)

    def _line_row(self, claim_pk: int, line: Any) -> tuple[Any, ...]:
        rendering = self._providers.get(line.rendering_npi) if line.rendering_npi else None
        return (
            claim_pk, line.line_no, line.code, " ".join(line.modifiers), float(line.units),
            line.minutes, line.charge_cents, " ".join(str(p) for p in line.dx_pointers),
            _iso(line.service_date), rendering, line.control_number, line.prior_auth, line.note,
            _iso(line.service_date_to),
        )

    def _update_claim(self, old: sqlite3.Row, record: ClaimRecord, columns: dict[str, Any],
                      digest: str) -> None:
        """A changed claim: new source values, lines matched by number, every change audited."""
        pk = int(old["pk"])
        changed = {col: (old[col], new) for col, new in columns.items()
                   if old[col] != new and not (new is None and col in _KEEP_WHEN_ABSENT)
                   and not (col in _KEEP_EARLIEST and old[col] is not None and new > old[col])}
        sets = [f"{col} = ?" for col in changed]
        params: list[Any] = [new for _, new in changed.values()]
        has_postings = self.conn.execute(
            "SELECT 1 FROM claim_payments WHERE claim_pk = ? LIMIT 1", (pk,)).fetchone()
        paid = old["paid_cents"]
        if record.paid_cents is not None and not has_postings and record.paid_cents != paid:
            changed["paid_cents"] = (paid, record.paid_cents)
            paid = record.paid_cents
            sets.append("paid_cents = ?")
            params.append(paid)
        balance = record.billed_cents - paid - old["patient_paid_cents"] - old["adjusted_cents"]
        if record.frequency_code == "8":
            balance = -(paid + old["patient_paid_cents"])  # voided (`ClaimMoney.balance`)
        elif record.balance_cents is not None and not has_postings:
            balance = record.balance_cents
        if balance != old["balance_cents"]:
            changed["balance_cents"] = (old["balance_cents"], balance)
            sets.append("balance_cents = ?")
            params.append(balance)
        if record.other_payers is not None:
            sets.append("other_payers_reported = 1")
        sets += ["content_hash = ?", "source = ?", "version = version + 1",
                 "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"]
        params += [digest, self.source, pk]
        self.conn.execute(f"UPDATE claims SET {', '.join(sets)} WHERE pk = ?", params)
        line_changes = self._replace_lines(pk, record)
        old_diagnoses = tuple(code for (code,) in self.conn.execute(
            "SELECT code FROM diagnoses WHERE claim_pk = ? ORDER BY seq", (pk,)))
        if old_diagnoses != record.diagnoses:
            changed["diagnoses"] = (" ".join(old_diagnoses) or None, " ".join(record.diagnoses) or None)
            self.conn.execute("DELETE FROM diagnoses WHERE claim_pk = ?", (pk,))
            self.conn.executemany("INSERT INTO diagnoses (claim_pk, seq, code) VALUES (?, ?, ?)",
                                  [(pk, seq, code) for seq, code in enumerate(record.diagnoses, 1)])
        other_payers = self._replace_other_payers(pk, record)
        if other_payers is not None:
            changed["other_payers"] = other_payers
        for col, (before, after) in changed.items():
            if col.endswith("_day"):
                continue  # the day number mirrors its date column, audited already
            audit.record(self.conn, claim_pk=pk, user=self.user, kind="import", field=col,
                         before=before, after=after, details={"source": self.source})
        for note in line_changes:
            audit.record(self.conn, claim_pk=pk, user=self.user, kind="import", field="lines",
                         note=note, details={"source": self.source})

    def _replace_lines(self, claim_pk: int, record: ClaimRecord) -> list[str]:
        old_lines = {
            row["line_no"]: row
            for row in self.conn.execute("SELECT * FROM claim_lines WHERE claim_pk = ?", (claim_pk,))
        }
        notes: list[str] = []
        new_numbers = {line.line_no for line in record.lines}
        for line in record.lines:
            row = self._line_row(claim_pk, line)
            old = old_lines.get(line.line_no)
            if old is None:
                self.conn.execute(
                    "INSERT INTO claim_lines (claim_pk, line_no, code, modifiers, units, minutes, "
                    "charge_cents, dx_pointers, service_date, rendering_provider_pk, "
                    "control_number, prior_auth, note, service_date_to) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                notes.append(f"line {line.line_no} added ({line.code})")
                continue
            self.conn.execute(
                "UPDATE claim_lines SET code = ?, modifiers = ?, units = ?, minutes = ?, "
                "charge_cents = ?, dx_pointers = ?, service_date = ?, rendering_provider_pk = ?, "
                "control_number = ?, prior_auth = ?, note = ?, service_date_to = ? WHERE pk = ?",
                (*row[2:], old["pk"]),
            )
            changes = self._line_changes(old, row)
            if changes:
                notes.append(f"line {line.line_no}: {'; '.join(changes)}")
        for line_no, old in old_lines.items():
            if line_no in new_numbers:
                continue
            referenced = self.conn.execute(
                "SELECT 1 FROM line_payments WHERE line_pk = ? LIMIT 1", (old["pk"],)).fetchone()
            if referenced:
                raise InvalidInput(
                    f"claim {record.claim_id}: line {line_no} has payments posted and cannot be "
                    "removed by a re-import")
            self.conn.execute("DELETE FROM claim_lines WHERE pk = ?", (old["pk"],))
            notes.append(f"line {line_no} removed ({old['code']})")
        return notes

    def _line_changes(self, old: sqlite3.Row, row: tuple[Any, ...]) -> list[str]:
        """What a corrected claim changed on a billed line, as the history says it."""
        changes = []
        before = (old["code"], old["modifiers"], old["units"], old["charge_cents"])
        after = (row[2], row[3], row[4], row[6])
        if before != after:
            changes.append(f"{_line_text(before)} -> {_line_text(after)}")
        for label, was, now in (("service date", _period(old["service_date"], old["service_date_to"]),
                                 _period(row[8], row[13])),
                                ("diagnosis pointers", old["dx_pointers"], row[7]),
                                ("rendering NPI", self._npi(old["rendering_provider_pk"]), self._npi(row[9])),
                                ("prior auth", old["prior_auth"], row[11])):
            if (was or None) != (now or None):
                changes.append(f"{label} {was or 'none'} -> {now or 'none'}")
        return changes

    def _npi(self, provider_pk: int | None) -> str | None:
        if provider_pk is None:
            return None
        return next((npi for npi, pk in self._providers.items() if pk == provider_pk), None)

    # ------------------------------------------------------------------ clinical records

    def document(self, record: DocumentRecord) -> bool:
        """Insert a note unless the same text is on file; returns whether it was new."""
        patient_pk = self.patient_pk(record.account, "note")
        digest = hashlib.sha256(
            f"{record.account}|{record.doc_type}|{record.doc_date}|{record.text}".encode()
        ).hexdigest()
        if self.conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (digest,)).fetchone():
            return False
        author_pk = self._providers.get(record.author_npi) if record.author_npi else None
        if record.source:
            # A note file edited since the last import replaces its earlier text.
            self.conn.execute(
                "DELETE FROM documents WHERE source = ? AND patient_pk = ? AND pk NOT IN "
                "(SELECT document_pk FROM plans_of_care WHERE document_pk IS NOT NULL)",
                (record.source, patient_pk),
            )
        cur = self.conn.execute(
            "INSERT INTO documents (patient_pk, doc_type, doc_date, author, author_credential, "
            "author_provider_pk, title, text, source, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (patient_pk, record.doc_type.value, record.doc_date.isoformat(), record.author,
             record.author_credential, author_pk, record.title, record.text, record.source, digest),
        )
        doc_pk = int(cur.lastrowid or 0)
        self.conn.executemany(
            "INSERT OR REPLACE INTO note_minutes (document_pk, code, minutes) VALUES (?, ?, ?)",
            [(doc_pk, code, minutes) for code, minutes in record.minutes],
        )
        if record.plan_of_care is not None:
            self.plan_of_care(record.plan_of_care, document_pk=doc_pk)
        return True

    def plan_of_care(self, record: PlanOfCareRecord, document_pk: int | None = None) -> None:
        patient_pk = self.patient_pk(record.account, "plan of care")
        therapist = self._providers.get(record.therapist_npi) if record.therapist_npi else None
        self.conn.execute(
            "INSERT INTO plans_of_care (patient_pk, therapist_pk, start_date, end_date, "
            "certified_date, certified_by, certifier_npi, recert_due, frequency, goals, document_pk) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (patient_pk, start_date) DO UPDATE SET "
            "therapist_pk = excluded.therapist_pk, end_date = excluded.end_date, "
            "certified_date = excluded.certified_date, certified_by = excluded.certified_by, "
            "certifier_npi = excluded.certifier_npi, recert_due = excluded.recert_due, "
            "frequency = excluded.frequency, goals = excluded.goals, "
            "document_pk = coalesce(excluded.document_pk, document_pk)",
            (patient_pk, therapist, record.start_date.isoformat(), record.end_date.isoformat(),
             _iso(record.certified_date), record.certified_by, record.certifier_npi,
             _iso(record.recert_due), record.frequency, json.dumps(list(record.goals)), document_pk),
        )

    def authorization(self, record: AuthorizationRecord) -> None:
        patient_pk = self.patient_pk(record.account, "authorization")
        payer_pk = self._payers.get(record.payer_name.lower()) if record.payer_name else None
        self.conn.execute(
            "INSERT INTO authorizations (patient_pk, payer_pk, number, unit_kind, approved, used, "
            "start_date, end_date, codes, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (patient_pk, number) DO UPDATE SET payer_pk = excluded.payer_pk, "
            "unit_kind = excluded.unit_kind, approved = excluded.approved, used = excluded.used, "
            "start_date = excluded.start_date, end_date = excluded.end_date, codes = excluded.codes, "
            "source = excluded.source",
            (patient_pk, payer_pk, record.number, record.unit_kind, record.approved, record.used,
             record.start_date.isoformat(), record.end_date.isoformat(),
             json.dumps(list(record.codes)) if record.codes else None, self.source),
        )


def _period(start: str | None, end: str | None) -> str | None:
    return f"{start}..{end}" if start and end else start


def _line_text(values: Iterable[Any]) -> str:
    code, modifiers, units, charge = values
    mods = f"-{modifiers.replace(' ', '-')}" if modifiers else ""
    return f"{code}{mods} x{units:g} {charge / 100:.2f}"

"""The one facade the CLI, the chat engine and the TUI are given.

Built with explicit locations, "today" and user, never from globals, so tests and the
sample builder make their own. Methods return plain data (dicts of JSON-ready values)
or domain views; presentation stays in the faces.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain import Assessment, ClaimRecord, ClaimView, Finding, UnitRule, WorkStatus
from assistant.errors import InvalidInput
from assistant.money import as_number
from assistant.paths import Locations, current_user
from assistant.storage import audit, open_database, transaction
from assistant.storage.claims import ClaimFilter, claim_pk, list_claims, load_claim
from assistant.storage.documents import documents_for_claim
from assistant.storage.patient_payments import payments_for_claim

if TYPE_CHECKING:
    from assistant.followup import Change
    from assistant.ingest import ImportResult
    from assistant.letters.drafting import Draft, Drafter
    from assistant.rules.context import ClaimContext
    from assistant.worklists import Worklist

Progress = Callable[[int, int], None]


def _no_progress(_done: int, _total: int) -> None:
    return None


@dataclass
class Services:
    locations: Locations
    today: date = field(default_factory=date.today)
    user: str = field(default_factory=current_user)
    _conn: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _drafter: Drafter | None = field(default=None, init=False, repr=False)
    _drafter_stamp: tuple[int, int] = field(default=(0, 0), init=False, repr=False)

    # ------------------------------------------------------------------ database

    @property
    def conn(self) -> sqlite3.Connection:
        """The database, opened on first use; a missing one is an error that says what to do."""
        if self._conn is None:
            self._conn = open_database(self.locations.db)
        return self._conn

    def create_database(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_database(self.locations.db, create=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._drafter = None

    def backup(self, path: Path | None = None) -> dict[str, Any]:
        """A checked, owner-only copy of the database: to `path` (a new file, or a folder), by
        default into the private `backups` folder beside the database.

        {backup, schema_version, claims, activities, bytes, integrity}
        """
        from datetime import datetime

        from assistant.paths import ensure_private_dir
        from assistant.storage.backup import backup, default_backup_dir

        target = path if path is not None else ensure_private_dir(default_backup_dir(self.locations.db))
        return backup(self.conn, target, datetime.now())

    def restore(self, path: Path) -> dict[str, Any]:
        """Replace the database with a checked backup (an older one is migrated); the current
        contents are kept first as a timestamped owner-only copy beside the database.

        {restored_from, database, previous_kept_as, schema_version_found, migrations_applied,
        schema_version, claims, activities, bytes, integrity}
        """
        from datetime import datetime

        from assistant.storage.backup import restore

        conn = self.create_database()
        result = restore(conn, self.locations.db, Path(path), datetime.now(), self.user)
        self._drafter = None
        return result

    def is_sample(self) -> bool:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'sample'").fetchone()
        return row is not None and row[0] == "1"

    def payers(self) -> list[dict[str, Any]]:
        """Each payer with the settings the rules apply (its own over its kind's defaults)."""
        from assistant.rules.payer_rules import payer_rules
        from assistant.storage.payers import all_payers

        rows = []
        for payer in all_payers(self.conn):
            rules = payer_rules(payer)
            row = self.conn.execute("SELECT aliases FROM payers WHERE pk = ?", (payer.pk,)).fetchone()
            rows.append({
                "name": payer.name,
                "kind": payer.kind.value,
                "payer_id": payer.payer_id,
                "aliases": json.loads(row["aliases"] or "[]"),
                "timely_filing": ("1 year" if rules.timely_filing == "one_year"
                                  else f"{rules.timely_filing_days} days"),
                "appeal_windows": [{"level": a.level, "name": a.name, "days": a.days}
                                   for a in rules.appeal_levels],
                "unit_rule": rules.unit_rule.value,
                "appeal_address": payer.appeal_address,
                "appeal_fax": payer.appeal_fax,
                "phone": payer.phone,
            })
        return rows

    def summary(self) -> dict[str, Any]:
        """Counts that say what the database holds."""
        conn = self.conn

        def count(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        return {
            "database": str(self.locations.db),
            "sample": self.is_sample(),
            "claims": count("SELECT count(*) FROM claims"),
            "patients": count("SELECT count(*) FROM patients"),
            "payers": [r[0] for r in conn.execute("SELECT name FROM payers ORDER BY name")],
            "documents": count("SELECT count(*) FROM documents"),
            "denied_claims": count("SELECT count(*) FROM claims WHERE payer_status = 'denied'"),
            "open_balance": as_number(count(
                "SELECT coalesce(sum(balance_cents), 0) FROM claims WHERE balance_cents > 0")),
        }

    # ------------------------------------------------------------------ sample

    def build_sample(self, *, claims: int, seed: int,
                     progress: Callable[[int, int], None] = lambda _d, _t: None) -> dict[str, Any]:
        """(Re)build the synthetic sample practice at this database path."""
        from assistant.sample import build_sample

        self.close()
        return build_sample(self.locations, today=self.today, claims=claims, seed=seed,
                            user=self.user, progress=progress)

    # ------------------------------------------------------------------ claims

    def claims(self, flt: ClaimFilter) -> list[dict[str, Any]]:
        return [
            {
                "claim_id": row["claim_id"],
                "patient": f"{row['last_name']}, {row['first_name']}".strip(", "),
                "account": row["account"],
                "payer": row["payer_name"],
                "payer_kind": row["payer_kind"],
                "dos_from": row["dos_from"],
                "dos_to": row["dos_to"],
                "billed": as_number(row["billed_cents"]),
                "paid": as_number(row["paid_cents"]),
                "balance": as_number(row["balance_cents"]),
                "status": row["payer_status"],
                "work_status": row["work_status"],
                "category": row["category"],
                "follow_up_date": row["follow_up_date"],
                "assignee": row["assignee"],
            }
            for row in list_claims(self.conn, flt)
        ]

    def claim_view(self, claim_id: str) -> ClaimView:
        return load_claim(self.conn, claim_id)

    def claim(self, claim_id: str) -> dict[str, Any]:
        """One claim in full, as `claim --json` prints it."""
        view = load_claim(self.conn, claim_id)
        documents = documents_for_claim(self.conn, view.patient.pk, view.dos_from, view.dos_to)

        def adjustments(items: tuple[Any, ...]) -> list[dict[str, Any]]:
            return [
                {"group": a.group, "code": a.code, "amount": as_number(a.amount_cents),
                 "quantity": a.quantity}
                for a in items
            ]

        from assistant.storage import prior_payers

        others = prior_payers.for_claims(self.conn, [view.pk]).get(view.pk) or ()
        return {
            "claim_id": view.claim_id,
            "coverage_priority": view.coverage_priority,
            **prior_payers.as_json(others, view.coverage_priority),
            "patient": {
                "name": view.patient.name,
                "account": view.patient.account,
                "dob": view.patient.dob.isoformat() if view.patient.dob else None,
                "member_id": view.member_id or view.patient.member_id,
            },
            "payer": {"name": view.payer.name, "kind": view.payer.kind.value,
                      "payer_id": view.payer.payer_id},
            "dos_from": view.dos_from.isoformat(),
            "dos_to": view.dos_to.isoformat(),
            "billed": as_number(view.billed_cents),
            "paid": as_number(view.paid_cents),
            "adjusted": as_number(view.adjusted_cents),
            "patient_responsibility": as_number(view.patient_resp_cents),
            "patient_paid": as_number(view.patient_paid_cents),
            "patient_adjusted": as_number(view.patient_adjusted_cents),
            "patient_due": as_number(view.patient_due_cents),
            "balance": as_number(view.balance_cents),
            "status": view.payer_status.value,
            "work_status": view.work_status.value,
            "follow_up_date": view.follow_up_date.isoformat() if view.follow_up_date else None,
            "assignee": view.assignee,
            "version": view.version,
            "frequency_code": view.frequency_code,
            "place_of_service": view.place_of_service,
            "prior_auth": view.prior_auth,
            "payer_claim_number": view.payer_claim_number,
            "submitted_date": view.submitted_date.isoformat() if view.submitted_date else None,
            "accident": None if view.accident is None else {
                "date": view.accident.day.isoformat() if view.accident.day else None,
                "causes": list(view.accident.causes), "state": view.accident.state},
            "rendering_provider": view.rendering_name,
            "rendering_credential": view.rendering_credential,
            "diagnoses": list(view.diagnoses),
            "lines": [
                {
                    "line": line.line_no,
                    "code": line.code,
                    "modifiers": list(line.modifiers),
                    "units": line.units,
                    "minutes": line.minutes,
                    "charge": as_number(line.charge_cents),
                    "paid": as_number(line.paid_cents),
                    "service_date": line.service_date.isoformat() if line.service_date else None,
                    "service_date_to": line.service_date_to.isoformat() if line.service_date_to else None,
                    "dx_pointers": list(line.dx_pointers),
                    "adjustments": adjustments(line.adjustments),
                    "remarks": list(line.remarks),
                }
                for line in view.lines
            ],
            "adjustments": adjustments(view.adjustments),
            "remarks": list(view.remarks),
            "documents": [
                {"id": d.pk, "date": d.doc_date.isoformat(), "type": d.doc_type.value,
                 "author": d.author}
                for d in documents
            ],
            "patient_payments": [
                {"id": p.pk, "kind": p.kind.value, "amount": as_number(p.amount_cents),
                 "date": p.paid_date.isoformat(), "method": p.method.value if p.method else None,
                 "reference": p.reference, "reason": p.reason, "receipt": p.receipt,
                 "receipt_amount": as_number(p.receipt_cents), "source": p.source, "line": p.line,
                 "user": p.user}
                for p in payments_for_claim(self.conn, view.pk)
            ],
            "activities": self.history(claim_id),
        }

    def history(self, claim_id: str) -> list[dict[str, Any]]:
        return [
            {
                "at": a.at,
                "user": a.user,
                "kind": a.kind,
                "field": a.field,
                "before": a.before,
                "after": a.after,
                "note": a.note,
                "details": a.details,
            }
            for a in audit.history(self.conn, claim_pk(self.conn, claim_id))
        ]

    def find_claims(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Claims by the start of their id or their patient's name (fuzzy), best first."""
        from assistant.lookup import find_claims

        return find_claims(self.conn, text, limit)

    def document(self, pk: int) -> dict[str, Any]:
        """One therapy note or plan in full: {id, date, type, author, credential, title, text, source}."""
        from assistant.storage.documents import load_document

        d = load_document(self.conn, pk)
        return {"id": d.pk, "date": d.doc_date.isoformat(), "type": d.doc_type.value, "author": d.author,
                "credential": d.author_credential, "title": d.title, "text": d.text, "source": d.source}

    def explain_codes(self, codes: Iterable[str], payer_kind: str | None = None) -> list[dict[str, Any]]:
        """What each CARC, RARC or group code means and what is usually done (see `explain`)."""
        from assistant.domain import PayerKind
        from assistant.rules.codes import explain

        return explain(list(codes), PayerKind(payer_kind) if payer_kind else None)

    def care_status(self, claim_id: str) -> dict[str, Any]:
        """The claim's authorization and plan of care, service day by service day."""
        from assistant.rules.context import load_context
        from assistant.rules.standing import care_status

        return care_status(load_context(self.conn, claim_id, self.today))

    # ------------------------------------------------------------------ imports

    def import_paths(
        self,
        kind: str,
        paths: Sequence[Path],
        progress: Callable[[int, int], None] = lambda _done, _total: None,
        **options: Any,
    ) -> list[ImportResult]:
        """Import source files of one kind ("837", "csv", "notes", "settings", "auths", "payments").

        Folders become the files inside them; each file is its own transaction. Options:
        `mapping` (csv, payments: a column-mapping TOML file).
        """
        from assistant.ingest import expand_paths, import_files, parser_for

        parser = parser_for(kind)
        mapping = options.pop("mapping", None)
        if options:
            raise InvalidInput(f"unknown import option(s) for {kind}: {', '.join(sorted(options))}")
        if mapping is not None:
            if kind == "csv":
                from assistant.importers.csv_claims import parse_claims_csv as parse
            elif kind == "payments":
                from assistant.importers.patient_payments import parse_payments_csv as parse
            else:
                raise InvalidInput("a column mapping applies to CSV exports (claims, payments) only")
            parser = functools.partial(parse, mapping=Path(mapping))
        files = expand_paths(kind, [Path(p) for p in paths])
        conn = self.conn
        documents_before = conn.execute("SELECT coalesce(max(pk), 0) FROM documents").fetchone()[0]
        results = import_files(conn, files, kind, parser, self.user, progress)
        self._refresh_after_import(kind, [r for r in results if r.status == "imported"], documents_before)
        return results

    def _refresh_after_import(self, kind: str, imported: list[ImportResult], documents_before: int) -> None:
        """Claims a file changed are re-assessed now; notes and authorizations change what the
        rules say about their patients' open claims; payer settings about every open claim."""
        from assistant import ranking
        from assistant.storage import transaction

        if not imported:
            return
        if kind == "settings":
            with transaction(self.conn):
                ranking.invalidate(self.conn)
            return
        pks = [pk for result in imported for pk in result.claim_pks]
        if kind == "notes":
            pks += ranking.open_claims_of_patients(
                self.conn, "SELECT patient_pk FROM documents WHERE pk > ?", [documents_before])
        elif kind == "auths":
            names = [result.file for result in imported]
            marks = ",".join("?" for _ in names)
            pks += ranking.open_claims_of_patients(
                self.conn, f"SELECT patient_pk FROM authorizations WHERE source IN ({marks})", names)
        self.refresh_claims(pks)

    # ------------------------------------------------------------------ patient payments

    def record_payment(self, claim_id: str, amount_cents: int, *, paid_date: date | None = None,
                       method: str | None = None, reference: str | None = None, reason: str | None = None,
                       adjustment: bool = False, force: bool = False) -> dict[str, Any]:
        """One patient payment typed by hand (negative: a refund; `adjustment`: the practice
        writes off that much of the patient's share). More than the patient's remaining share
        is refused unless `force`.

        {claim_id, amount, date, kind, method, patient_paid, patient_due, balance, work_status}
        """
        from assistant.domain import PatientPaymentKind, PaymentMethod
        from assistant.importers.patient_payments import method_of
        from assistant.patient_payments import Payment, record_payment

        kind = PatientPaymentKind.ADJUSTMENT if adjustment else PatientPaymentKind.PAYMENT
        chosen: PaymentMethod | None = None
        if not adjustment:
            chosen = method_of(method) if method else PaymentMethod.OTHER
            if chosen is None:
                raise InvalidInput(f"unknown payment method {method!r}; one of "
                                   f"{', '.join(m.value for m in PaymentMethod)}")
        elif method:
            raise InvalidInput("an adjustment has no payment method")
        payment = Payment(amount_cents, paid_date or self.today, kind, chosen, _tidy(reference),
                          _tidy(reason))
        if payment.paid_date > self.today:
            raise InvalidInput(f"payment date {payment.paid_date} is after today ({self.today})")
        with transaction(self.conn):
            applied = record_payment(self.conn, claim_id, payment, user=self.user, force=force)
            self.refresh_claims(applied.claim_pks)
        view = load_claim(self.conn, claim_id)
        return {
            "claim_id": view.claim_id, "amount": as_number(amount_cents),
            "date": payment.paid_date.isoformat(), "kind": kind.value,
            "method": chosen.value if chosen else None, "reference": payment.reference,
            "reason": payment.reason, "patient_responsibility": as_number(view.patient_resp_cents),
            "patient_paid": as_number(view.patient_paid_cents),
            "patient_due": as_number(view.patient_due_cents), "balance": as_number(view.balance_cents),
            "work_status": view.work_status.value, "version": view.version,
        }

    # ------------------------------------------------------------------ ranking and worklists

    def refresh_claims(self, claim_pks: Sequence[int]) -> int:
        """Re-assess and re-rank claims after they changed (imports, postings, appeals, people).

        Outside a transaction: commits in chunks. Inside one (a caller grouping its change
        with the refresh), the caller's transaction holds it all.
        """
        from assistant import ranking
        from assistant.storage import transaction

        pks = sorted(set(claim_pks))
        if not pks:
            return 0
        if self.conn.in_transaction:
            return ranking.refresh(self.conn, pks, self.today, self.locations.playbook_files)
        done = 0
        for start in range(0, len(pks), ranking.CHUNK):
            with transaction(self.conn):
                done += ranking.refresh(self.conn, pks[start:start + ranking.CHUNK], self.today,
                                        self.locations.playbook_files)
        return done

    def ensure_ranking(self, progress: Progress = _no_progress) -> dict[str, int]:
        """Bring stored assessments and rank keys up to today (cheap when they are)."""
        from assistant.ranking import ensure_current

        return ensure_current(self.conn, self.today, self.locations.playbook_files, progress)

    def worklist_definitions(self) -> dict[str, Worklist]:
        from assistant.worklists import load_worklists

        return load_worklists(self.locations.worklists_dirs)

    def worklists(self) -> list[dict[str, Any]]:
        """Every worklist definition: name, description, origin, file, sort, filter, weights."""
        return [wl.as_dict() for wl in self.worklist_definitions().values()]

    def worklist(self, name: str | None = None, limit: int | None = 50, offset: int = 0,
                 progress: Progress = _no_progress, search: str | None = None,
                 sort: str | None = None, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One page of a worklist (default `today`), ranked, with totals for paging; `search`
        keeps the claims that have every word typed (id, patient, account, payer, category,
        next action, codes); `sort` orders it otherwise than its file says ("oldest first");
        `filters` (a worklist file's [filter] keys) narrow it, or with no name select from every
        open claim.

        {worklist, description, today, sort, total_claims, total_balance, offset, limit,
        has_more, rows: [{rank, claim_id, patient, payer, dos, age_days, balance, category,
        codes, next_action, deadline, days_left, score, components, why, version, ...}]}
        """
        from assistant import worklists

        wl = (worklists.narrowed(self.worklist_definitions(), name, filters) if filters
              else worklists.find(self.worklist_definitions(), name))
        if words := worklists.search_words(search):
            wl = replace(wl, filters=replace(wl.filters, search=words))
        if sort is not None and sort != wl.sort:
            wl = replace(wl, sort=sort)
        return self._worklist_page(wl, limit, offset, progress)

    def worklist_from(self, filters: Mapping[str, Any], *, sort: str = "score", limit: int | None = 50,
                      offset: int = 0, description: str = "") -> dict[str, Any]:
        """A worklist defined on the fly (the chat's "humana claims over 120 days"): `filters`
        are `worklists.Filters` fields (money in cents), ranked and paged like a saved list."""
        from assistant import worklists

        wl = worklists.Worklist(name="ad hoc", description=description,
                                filters=worklists.Filters(**filters), sort=sort, origin="chat")
        return self._worklist_page(wl, limit, offset, _no_progress)

    def _worklist_page(self, wl: Worklist, limit: int | None, offset: int,
                       progress: Progress) -> dict[str, Any]:
        from assistant import worklists

        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidInput("limit and offset must be 0 or more")
        self.ensure_ranking(progress)
        count, balance = worklists.totals(self.conn, wl, self.today, self.user)
        page = worklists.rows(self.conn, wl, self.today, self.user, limit=limit, offset=offset, count=count)
        return {
            "worklist": wl.name,
            "description": wl.description,
            "today": self.today.isoformat(),
            "sort": wl.sort,
            "total_claims": count,
            "total_balance": as_number(balance),
            "offset": offset,
            "limit": limit,
            "has_more": offset + len(page) < count,
            "rows": page,
        }

    def worklist_claim_ids(self, name: str | None = None, limit: int | None = None,
                           filters: Mapping[str, Any] | None = None) -> list[str]:
        """The claims a worklist holds, in its order: a selection for `bulk` and `check`
        (`filters` as in `worklist`)."""
        from assistant import worklists

        wl = (worklists.narrowed(self.worklist_definitions(), name, filters) if filters
              else worklists.find(self.worklist_definitions(), name))
        return self._worklist_ids(wl, limit)

    def worklist_claim_ids_from(self, filters: Mapping[str, Any], limit: int | None = None) -> list[str]:
        """The claims an on-the-fly worklist holds, in its order (see `worklist_from`)."""
        from assistant import worklists

        wl = worklists.Worklist(name="ad hoc", description="", filters=worklists.Filters(**filters),
                                origin="chat")
        return self._worklist_ids(wl, limit)

    def _worklist_ids(self, wl: Worklist, limit: int | None) -> list[str]:
        from assistant import worklists

        self.ensure_ranking()
        pks = worklists.page_pks(self.conn, wl, self.today, self.user, limit=limit)
        ids = dict(self.conn.execute(
            f"SELECT pk, claim_id FROM claims WHERE pk IN ({','.join(str(pk) for pk in pks)})"))
        return [ids[pk] for pk in pks]

    def aging(self, payer: str | None = None) -> dict[str, Any]:
        """AR aging buckets by payer (see `assistant.aging.aging`)."""
        from assistant.aging import aging

        return aging(self.conn, self.today, payer)

    # ------------------------------------------------------------------ follow-up

    def _act(self, claim_ids: Sequence[str], change: Callable[[list[int]], list[Change]]) -> list[Change]:
        """One transaction: the change, its audit entries, and the claims' refresh.

        A claim whose only changes are ones the rules do not read (follow-up date, assignee)
        and whose assessment was current is re-keyed without the rules.
        """
        from assistant.ranking import RULES_IGNORE, rescore
        from assistant.storage import transaction

        pks = {claim_id: claim_pk(self.conn, claim_id) for claim_id in claim_ids}
        listed = ",".join(str(pk) for pk in pks.values())
        with transaction(self.conn):
            current = {pk for (pk,) in self.conn.execute(
                f"SELECT pk FROM claims WHERE pk IN ({listed}) AND assessed_version IS version")}
            changes = change(list(pks.values()))
            fields: dict[int, set[str]] = {}
            for c in changes:
                if c.field != "note":
                    fields.setdefault(pks[c.claim_id], set()).add(c.field)
            quick = [pk for pk, names in fields.items() if pk in current and names <= RULES_IGNORE]
            rescore(self.conn, quick, self.today)
            self.refresh_claims([pk for pk in fields if pk not in quick])
        return changes

    def _after(self, claim_id: str, changes: list[Change]) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT claim_id, version, work_status, follow_up_date, assignee, balance_cents, "
            "next_action FROM claims WHERE claim_id = ?", (claim_id,)).fetchone()
        return {
            "claim_id": row["claim_id"], "version": row["version"], "work_status": row["work_status"],
            "follow_up_date": row["follow_up_date"], "assignee": row["assignee"],
            "balance": as_number(row["balance_cents"]), "next_action": row["next_action"],
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in changes],
        }

    def note(self, claim_id: str, text: str, *, rep: str | None = None, reference: str | None = None,
             outcome: str | None = None, promised: date | None = None, follow_up: date | None = None,
             expected_version: int | None = None) -> dict[str, Any]:
        """A note on the claim, with call details; a follow-up (or promised) date sets the tickler."""
        from assistant import followup

        changes = self._act([claim_id], lambda pks: followup.add_note(
            self.conn, pks[0], text, user=self.user, today=self.today, rep=rep, reference=reference,
            outcome=outcome, promised=promised, follow_up=follow_up, expected_version=expected_version))
        return self._after(claim_id, changes)

    def set_status(self, claim_id: str, status: WorkStatus | str, *, reason: str | None = None,
                   follow_up: date | None = None, expected_version: int | None = None) -> dict[str, Any]:
        """Change the work status; `written_off` needs a reason and writes the balance off."""
        from assistant import followup
        from assistant.ranking import ranking_data

        changes = self._act([claim_id], lambda pks: followup.set_status(
            self.conn, pks[0], status, user=self.user, today=self.today, reason=reason,
            follow_up=follow_up, expected_version=expected_version,
            tickler_days=ranking_data().tickler_days))
        return self._after(claim_id, changes)

    def follow_up(self, claim_id: str, day: date | None, *, note: str | None = None,
                  expected_version: int | None = None) -> dict[str, Any]:
        """Set (None: clear) the follow-up date; the claim leaves `today` until then."""
        from assistant import followup

        changes = self._act([claim_id], lambda pks: followup.set_follow_up(
            self.conn, pks[0], day, user=self.user, today=self.today, note=note,
            expected_version=expected_version))
        return self._after(claim_id, changes)

    def assign(self, claim_id: str, user: str | None, *,
               expected_version: int | None = None) -> dict[str, Any]:
        """Give the claim to a user (None: unassign)."""
        from assistant import followup

        changes = self._act([claim_id], lambda pks: followup.assign(
            self.conn, pks[0], user, user=self.user, expected_version=expected_version))
        return self._after(claim_id, changes)

    def bulk(self, claim_ids: Sequence[str], action: str, value: Any, *, reason: str | None = None,
             expected_versions: dict[str, int] | None = None) -> dict[str, Any]:
        """One action (status, follow_up, assign, note) over many claims, all or nothing.

        {action, claims, changed, changes: [{claim_id, field, before, after}]}
        """
        from assistant import followup
        from assistant.ranking import ranking_data

        ids = list(dict.fromkeys(claim_ids))
        versions = {claim_pk(self.conn, cid): v for cid, v in (expected_versions or {}).items()}
        changes = self._act(ids, lambda pks: followup.bulk(
            self.conn, pks, action, value, user=self.user, today=self.today, reason=reason,
            expected_versions=versions, tickler_days=ranking_data().tickler_days))
        return {
            "action": action, "claims": len(ids),
            "changed": len({c.claim_id for c in changes}),
            "changes": [{"claim_id": c.claim_id, "field": c.field, "before": c.before, "after": c.after}
                        for c in changes],
        }

    # ------------------------------------------------------------------ appeal letters

    def drafter(self) -> Drafter:
        """The letter drafter over this database (templates loaded once; what it read from
        the database read again when anything changed it since, here or in another process)."""
        stamp = self.database_stamp()
        if self._drafter is None:
            from assistant.letters.drafting import standard_drafter

            self._drafter = standard_drafter(self.conn, self.locations, self.today, self.user)
        elif stamp != self._drafter_stamp:
            self._drafter.reload()
        self._drafter_stamp = stamp
        return self._drafter

    def database_stamp(self) -> tuple[int, int]:
        """Changes whenever the database does: SQLite's data_version moves with every commit
        of another connection, total_changes with every row this one writes. What a long-lived
        process (the TUI) keeps from one read to the next must be read again when it moved."""
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        return version, self.conn.total_changes

    def _record_drafts(self, drafts: Sequence[Draft]) -> None:
        from assistant.letters.appeals import DraftRecord, record_draft

        with transaction(self.conn):
            for d in drafts:
                record_draft(self.conn, DraftRecord(d.claim_pk, d.level, d.template, d.path, d.deadline),
                             self.today, self.user)
            self.refresh_claims([d.claim_pk for d in drafts])

    def draft_appeal(self, claim_id: str, template: str | None = None, out: Path | None = None,
                     preview: bool = False) -> dict[str, Any]:
        """Draft the claim's appeal letter (.docx, appeal record, audit); `preview` writes nothing."""
        drafter = self.drafter()
        draft, _ = drafter.prepare(claim_id, template)
        if preview:
            return {**draft.as_dict(), "preview": drafter.preview(draft)}
        written = drafter.write(draft, out)
        self._record_drafts([written])
        return written.as_dict()

    def draft_appeals(self, claim_ids: Sequence[str], template: str | None = None,
                      workers: int | None = None,
                      progress: Callable[[int, int], None] = lambda _d, _t: None) -> dict[str, Any]:
        """A letter for each claim, spread over the cores; one claim's failure stops no other."""
        from assistant.letters.drafting import BatchJob, Draft, draft_batch, standard_drafter

        job = BatchJob(db=self.locations.db, config=self.locations.config, today=self.today,
                       user=self.user, template=template, make=standard_drafter)
        results = draft_batch(job, claim_ids, workers or min(2, os.cpu_count() or 1), self.drafter(),
                              progress)
        drafts = [r for r in results if isinstance(r, Draft)]
        self._record_drafts(drafts)
        return {
            "drafted": [d.as_dict() for d in drafts],
            "failed": [{"claim_id": r[0], "error": r[1]} for r in results if not isinstance(r, Draft)],
        }

    def appeal_templates(self) -> list[dict[str, Any]]:
        return [info.as_dict() for info in self.drafter().templates.all()]

    def appeals(self, status: str | None = None) -> list[dict[str, Any]]:
        """Appeals, after recording any decision a later remittance shows."""
        from assistant.letters import appeals

        if appeals.decisions_in_remittances(self.conn):
            with transaction(self.conn):
                appeals.settle_from_remittances(self.conn, self.user)
        return appeals.list_rows(self.conn, self.today, status)

    def appeal_sent(self, claim_id: str, via: str, day: date | None = None) -> dict[str, Any]:
        from assistant.letters import appeals

        with transaction(self.conn):
            appeal = appeals.mark_sent(self.conn, claim_id, via, day or self.today, self.user)
            self.refresh_claims([claim_pk(self.conn, claim_id)])
        return appeals.appeal_row(appeal, self.today)

    def appeal_decided(self, claim_id: str, outcome: str, day: date | None = None,
                       recovered_cents: int | None = None) -> dict[str, Any]:
        from assistant.letters import appeals
        from assistant.rules.playbook import load_playbook

        wait = load_playbook(self.locations.playbook_files).days_to_wait(self.claim_view(claim_id).payer.kind)
        with transaction(self.conn):
            appeal = appeals.mark_decided(self.conn, claim_id, outcome, day or self.today, self.user,
                                          recovered_cents=recovered_cents, payment_wait_days=wait)
            self.refresh_claims([claim_pk(self.conn, claim_id)])
        return appeals.appeal_row(appeal, self.today)
    # ------------------------------------------------------------------ denial intelligence

    def assess(self, claim_id: str) -> Assessment:
        """Category, findings, ranked next actions and the deadline that matters for one claim."""
        from assistant.rules.assess import assess

        return assess(self.conn, load_claim(self.conn, claim_id), self.today,
                      self.locations.playbook_files)

    def assess_many(self, claim_pks: list[int]) -> dict[int, Assessment]:
        from assistant.rules.assess import assess_many

        return assess_many(self.conn, claim_pks, self.today, self.locations.playbook_files)

    def next_actions(self, claim_id: str) -> dict[str, Any]:
        """`next --json`: claim_id, category, codes, actions [{action, reason, level, template, deadline}]."""
        return _assessment(self.assess(claim_id))

    def claim_review(self, claim_id: str) -> dict[str, Any]:
        """What the claim screen shows beside the claim, from one load of its context:
        {next: as `next_actions`, care: as `care_status`}."""
        from assistant.rules.assess import assess_context
        from assistant.rules.context import load_context
        from assistant.rules.playbook import load_playbook
        from assistant.rules.standing import care_status

        ctx = load_context(self.conn, claim_id, self.today)
        assessment = assess_context(ctx, load_playbook(self.locations.playbook_files))
        return {"next": _assessment(assessment), "care": care_status(ctx)}

    def check(self, claim_id: str | None = None,
              progress: Callable[[int, int], None] = lambda _d, _t: None,
              claim_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """The OT claim checks on one saved claim, on `claim_ids` (a worklist's selection), or
        on every claim not written off.

        {checked, errors, warnings, results: [{claim_id, findings}]}; for many claims only
        those with findings are listed.
        """
        from assistant.rules.checks import check_claim
        from assistant.rules.context import load_context, load_contexts
        from assistant.storage.claims_bulk import checked_claim_pks, chunks

        if claim_id is not None:
            ctx = load_context(self.conn, claim_id, self.today)
            return _check_report([(ctx.claim.claim_id, check_claim(ctx))], keep_clean=True)

        pks = (checked_claim_pks(self.conn) if claim_ids is None
               else [claim_pk(self.conn, claim_id) for claim_id in claim_ids])
        results: list[tuple[str, list[Finding]]] = []
        done = 0
        for part in chunks(pks):
            contexts: dict[int, ClaimContext] = load_contexts(self.conn, part, self.today)
            results.extend((contexts[pk].claim.claim_id, check_claim(contexts[pk])) for pk in part
                           if pk in contexts)
            done += len(part)
            progress(done, len(pks))
        return _check_report(results, keep_clean=False)

    def units(self, minutes_by_code: Mapping[str, int], rule: UnitRule | None = None,
              payer: str | None = None) -> dict[str, Any]:
        """Units for one day's minutes under `rule`, else the payer's rule (its setting or its
        kind's default), else CMS total time: the `units --json` result plus the rule's origin."""
        from assistant.rules.units import units_for

        origin = "given" if rule is not None else "default (CMS total time)"
        if rule is None and payer is not None:
            from assistant.rules.payer_rules import payer_rules
            from assistant.storage.payers import resolve_payer

            rules = payer_rules(resolve_payer(self.conn, payer))
            rule, origin = rules.unit_rule, f"{rules.name}: {rules.unit_rule_source}"
        result = units_for(minutes_by_code, rule or UnitRule.CMS).as_dict()
        return {**result, "rule_origin": origin}

    def check_file(self, path: Path) -> dict[str, Any]:
        """The pre-submission scrub of an 837P file: read, checked, never imported."""
        from assistant.importers.x837 import parse_837

        batch = parse_837(path)
        report = self.check_records(batch.claims)
        report["file"] = path.name
        report["file_warnings"] = list(batch.warnings)
        return report

    def check_records(self, records: Iterable[ClaimRecord]) -> dict[str, Any]:
        """The pre-submission scrub: claims not imported, checked against the patient's file when known."""
        from assistant.rules.assess import check_record

        conn = self.conn if self.locations.db.exists() else None
        return _check_report([(r.claim_id, check_record(conn, r, self.today)) for r in records],
                             keep_clean=True)

    # ------------------------------------------------------------------ reports

    def reports(self) -> list[dict[str, str]]:
        """The reports: [{name, title, definition}]."""
        from assistant.reports import REPORTS

        return [spec.as_dict() for spec in REPORTS.values()]

    def report(self, name: str, date_from: date | None = None, date_to: date | None = None,
               payer: str | None = None) -> dict[str, Any]:
        """One report as JSON-ready data (docs/reports.md): figures, `figures`, `sections`, `empty`."""
        from assistant.reports import run_report

        return run_report(self.conn, name, today=self.today, date_from=date_from, date_to=date_to,
                          payer=payer)

    def import_fee_schedule(self, paths: Sequence[Path],
                            progress: Callable[[int, int], None] = lambda _d, _t: None) -> list[ImportResult]:
        """Payer fee schedules from CSV, each file in one transaction (folders: every file inside)."""
        from assistant.ingest import expand_paths
        from assistant.reports.fee_schedules import KIND, import_fee_schedules

        return import_fee_schedules(self.conn, expand_paths(KIND, [Path(p) for p in paths]), progress)


    # ------------------------------------------------------------------ remittances (835)

    def import_835(self, paths: Sequence[Path], strict: bool = False,
                   progress: Callable[[int, int], None] = lambda _d, _t: None) -> list[dict[str, Any]]:
        """Each file in its own transaction; one result dict per file (`import 835 --json`).

        A folder stands for the remittance files inside it (.835, .era, .edi, .x12, .txt ...).
        """
        from assistant.ingest import expand_paths
        from assistant.remit.service import import_835

        conn = self.conn
        files = expand_paths("835", [Path(p) for p in paths])
        results = []
        for done, path in enumerate(files, 1):
            results.append(import_835(conn, path, user=self.user, strict=strict))
            progress(done, len(files))
        if any(result["status"] == "imported" for result in results):
            self.ensure_ranking()  # the claims posted to: their versions moved
        return results

    def unmatched(self) -> list[dict[str, Any]]:
        """Claim payments that matched no claim, oldest first (ids and amounts, no names)."""
        from assistant.remit.queue import unmatched_payments

        return unmatched_payments(self.conn)

    def unmatched_payment(self, payment_id: int, show_names: bool = False) -> dict[str, Any]:
        from assistant.remit.queue import unmatched_payment

        return unmatched_payment(self.conn, payment_id, show_names=show_names)

    def post_unmatched(self, payment_id: int, claim_id: str) -> dict[str, Any]:
        """Post a queued payment to the claim the specialist found for it."""
        from assistant.remit.posting import post_queued_payment
        from assistant.storage import transaction

        with transaction(self.conn):
            result = post_queued_payment(self.conn, payment_id, claim_id, user=self.user)
            self.refresh_claims([claim_pk(self.conn, claim_id)])
        return {**result, "paid": as_number(result["paid"]), "balance": as_number(result["balance"])}

    def rematch_unmatched(self) -> dict[str, Any]:
        """Match the whole unmatched queue again and post what now fits a claim (`remit.requeue`)."""
        from assistant.remit.requeue import post_matching_queue
        from assistant.storage import transaction

        with transaction(self.conn):
            done = post_matching_queue(self.conn, user=self.user)
            self.refresh_claims(done.claim_pks)
        return done.as_dict()

    def validate_835(self, path: Path) -> dict[str, Any]:
        """pyx12's implementation-guide findings for one file (advice; needs the extra)."""
        from assistant.remit.validate import validate_835

        return validate_835(path)


def _tidy(text: str | None) -> str | None:
    """Typed text with its spacing tidied; None when there is nothing in it."""
    return " ".join(text.split()) or None if text is not None else None


def _assessment(a: Assessment) -> dict[str, Any]:
    return {
        "claim_id": a.claim_id,
        "category": a.category.value if a.category else None,
        "codes": list(a.codes),
        "actions": [
            {"action": n.action.value, "reason": n.reason, "level": n.level, "template": n.template,
             "deadline": n.deadline.isoformat() if n.deadline else None}
            for n in a.actions
        ],
        "deadline": a.deadline.isoformat() if a.deadline else None,
        "deadline_kind": a.deadline_kind,
        "findings": [_finding(f) for f in a.findings],
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "line": f.line, "message": f.message, "fix": f.fix}


def _check_report(results: list[tuple[str, list[Finding]]], keep_clean: bool) -> dict[str, Any]:
    findings = [f for _, fs in results for f in fs]
    return {
        "checked": len(results),
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "results": [{"claim_id": claim_id, "findings": [_finding(f) for f in fs]}
                    for claim_id, fs in results if fs or keep_clean],
    }

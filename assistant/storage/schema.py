"""Schema migrations, from the first table on (sqlite-utils' Migrations).

Each migration is named and applied once, inside a transaction, and recorded in
`_sqlite_migrations`; `PRAGMA user_version` mirrors how many have been applied, so a
quick check at start-up tells whether sqlite-utils needs importing at all.

Conventions: money is integer cents (`*_cents`), dates ISO text with an integer day
number beside those used for ranking (`*_day`, `date.toordinal()`), enumerations are
checked by CHECK constraints, and the audit trail (`activities`) refuses UPDATE and DELETE.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from assistant.domain import (
    AppealStatus,
    Credential,
    DocType,
    PayerKind,
    PayerStatus,
    UnitRule,
    WorkStatus,
)

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "ar-assistant"


def _in(values: type) -> str:
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"  # type: ignore[attr-defined]


def _run(db: Database, statements: str) -> None:
    """Execute `;`-separated statements; triggers end their bodies with `END;`."""
    buffer: list[str] = []
    for line in statements.strip().splitlines():
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            db.execute(text)
            buffer = []
    if "\n".join(buffer).strip():
        raise ValueError("incomplete SQL statement in migration")


def initial_schema(db: Database) -> None:
    _run(db, f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE practice (
    pk INTEGER PRIMARY KEY CHECK (pk = 1),
    name TEXT NOT NULL,
    npi TEXT,
    tax_id TEXT,
    address1 TEXT, address2 TEXT, city TEXT, state TEXT, zip TEXT,
    phone TEXT, fax TEXT,
    contact TEXT
);
CREATE TABLE providers (
    pk INTEGER PRIMARY KEY,
    npi TEXT NOT NULL UNIQUE,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    credential TEXT CHECK (credential IS NULL OR credential IN {_in(Credential)}),
    taxonomy TEXT,
    is_organization INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE payers (
    pk INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    payer_id TEXT,
    kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN {_in(PayerKind)}),
    aliases TEXT NOT NULL DEFAULT '[]',          -- JSON list of other names
    timely_filing_days INTEGER,                  -- NULL: the default for the kind
    appeal_windows TEXT,                         -- JSON {{"1": days, "2": days}}; NULL: kind default
    unit_rule TEXT CHECK (unit_rule IS NULL OR unit_rule IN {_in(UnitRule)}),
    appeal_address TEXT, appeal_fax TEXT, appeal_phone TEXT, portal_url TEXT,
    phone TEXT
);
CREATE INDEX payers_payer_id ON payers(payer_id);
CREATE TABLE patients (
    pk INTEGER PRIMARY KEY,
    account TEXT NOT NULL UNIQUE,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    dob TEXT,
    sex TEXT,
    member_id TEXT,
    address1 TEXT, city TEXT, state TEXT, zip TEXT,
    phone TEXT
);
CREATE INDEX patients_name ON patients(last_name, first_name);
CREATE TABLE coverages (
    pk INTEGER PRIMARY KEY,
    patient_pk INTEGER NOT NULL REFERENCES patients(pk),
    payer_pk INTEGER NOT NULL REFERENCES payers(pk),
    priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 1 AND 11),
    member_id TEXT,
    group_number TEXT,
    relationship TEXT,
    start_date TEXT, end_date TEXT,
    UNIQUE (patient_pk, payer_pk, priority)
);
CREATE TABLE authorizations (
    pk INTEGER PRIMARY KEY,
    patient_pk INTEGER NOT NULL REFERENCES patients(pk),
    payer_pk INTEGER REFERENCES payers(pk),
    number TEXT NOT NULL,
    unit_kind TEXT NOT NULL DEFAULT 'visits' CHECK (unit_kind IN ('visits', 'units')),
    approved INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,             -- as the source reported; claims are counted live
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    codes TEXT,                                  -- JSON list; NULL: any code
    source TEXT,
    UNIQUE (patient_pk, number)
);
CREATE TABLE plans_of_care (
    pk INTEGER PRIMARY KEY,
    patient_pk INTEGER NOT NULL REFERENCES patients(pk),
    therapist_pk INTEGER REFERENCES providers(pk),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    certified_date TEXT,                         -- NULL: not (yet) certified
    certified_by TEXT,
    certifier_npi TEXT,
    recert_due TEXT,
    frequency TEXT,
    goals TEXT NOT NULL DEFAULT '[]',            -- JSON list of goal texts
    document_pk INTEGER REFERENCES documents(pk),
    UNIQUE (patient_pk, start_date)
);
CREATE TABLE claims (
    pk INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL UNIQUE,               -- patient control number (CLM01 / CLP01)
    patient_pk INTEGER NOT NULL REFERENCES patients(pk),
    payer_pk INTEGER NOT NULL REFERENCES payers(pk),
    coverage_priority INTEGER NOT NULL DEFAULT 1,
    member_id TEXT,
    billing_provider_pk INTEGER REFERENCES providers(pk),
    rendering_provider_pk INTEGER REFERENCES providers(pk),
    referring_provider_pk INTEGER REFERENCES providers(pk),
    place_of_service TEXT,
    frequency_code TEXT NOT NULL DEFAULT '1',
    prior_auth TEXT,
    payer_claim_number TEXT,                     -- CLP07 of the latest remittance, or REF*F8
    dos_from TEXT NOT NULL,
    dos_to TEXT NOT NULL,
    dos_from_day INTEGER NOT NULL,
    dos_to_day INTEGER NOT NULL,
    submitted_date TEXT,
    submitted_day INTEGER,
    billed_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    adjusted_cents INTEGER NOT NULL DEFAULT 0,   -- written off: contractual adjustments and write-offs
    patient_resp_cents INTEGER NOT NULL DEFAULT 0,
    balance_cents INTEGER NOT NULL,              -- billed - paid - adjusted (denied amounts stay here)
    payer_status TEXT NOT NULL DEFAULT 'submitted' CHECK (payer_status IN {_in(PayerStatus)}),
    work_status TEXT NOT NULL DEFAULT 'new' CHECK (work_status IN {_in(WorkStatus)}),
    follow_up_date TEXT,
    follow_up_day INTEGER,
    assignee TEXT,
    last_remit_date TEXT,
    last_remit_day INTEGER,
    category TEXT,                               -- derived by the rules; refreshed after each change
    next_action TEXT,
    deadline TEXT,
    deadline_day INTEGER,
    score REAL,                                  -- ranking score as of score_day
    score_day INTEGER,
    source TEXT,                                 -- file the claim came from
    content_hash TEXT,                           -- of the imported record, to tell a changed claim
    version INTEGER NOT NULL DEFAULT 1,          -- bumped by every write; stale writes are refused
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX claims_patient ON claims(patient_pk);
CREATE INDEX claims_payer ON claims(payer_pk, dos_from_day);
CREATE INDEX claims_status ON claims(payer_status);
CREATE INDEX claims_work ON claims(work_status);
CREATE INDEX claims_payer_claim_number ON claims(payer_claim_number);
CREATE TABLE claim_lines (
    pk INTEGER PRIMARY KEY,
    claim_pk INTEGER NOT NULL REFERENCES claims(pk) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    code TEXT NOT NULL,
    modifiers TEXT NOT NULL DEFAULT '',          -- space-separated, up to four
    units REAL NOT NULL,
    minutes INTEGER,                             -- when the source says; notes may add more
    charge_cents INTEGER NOT NULL,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    dx_pointers TEXT NOT NULL DEFAULT '',        -- space-separated 1-based pointers
    service_date TEXT,
    rendering_provider_pk INTEGER REFERENCES providers(pk),
    control_number TEXT,                         -- REF*6R, echoed by the 835
    prior_auth TEXT,
    note TEXT,
    UNIQUE (claim_pk, line_no)
);
CREATE INDEX claim_lines_code ON claim_lines(code);
CREATE TABLE diagnoses (
    claim_pk INTEGER NOT NULL REFERENCES claims(pk) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,                          -- ICD-10-CM without the dot, as on the claim
    PRIMARY KEY (claim_pk, seq)
);
CREATE TABLE import_files (
    pk INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    records INTEGER NOT NULL DEFAULT 0,
    summary TEXT,                                -- JSON
    UNIQUE (kind, sha256)
);
CREATE TABLE remittances (
    pk INTEGER PRIMARY KEY,
    import_file_pk INTEGER REFERENCES import_files(pk),
    payer_pk INTEGER REFERENCES payers(pk),
    payer_name TEXT,
    payer_identifier TEXT,
    payee_npi TEXT,
    trace_number TEXT,
    payment_cents INTEGER NOT NULL DEFAULT 0,
    payment_method TEXT,
    payment_date TEXT,
    production_date TEXT,
    version TEXT,
    balanced INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX remittances_trace ON remittances(trace_number);
CREATE TABLE claim_payments (
    pk INTEGER PRIMARY KEY,
    remittance_pk INTEGER NOT NULL REFERENCES remittances(pk),
    claim_pk INTEGER REFERENCES claims(pk),      -- NULL: unmatched, waiting in the queue
    patient_control_number TEXT NOT NULL,
    status_code TEXT NOT NULL,                   -- CLP02
    charge_cents INTEGER NOT NULL DEFAULT 0,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    patient_resp_cents INTEGER NOT NULL DEFAULT 0,
    filing_indicator TEXT,
    payer_claim_number TEXT,
    original_claim_number TEXT,                  -- REF*F8
    patient_name TEXT,
    member_id TEXT,
    service_from TEXT,
    service_to TEXT,
    received_date TEXT,
    crossover_payer TEXT,                        -- NM1*TT
    reversal_of_pk INTEGER REFERENCES claim_payments(pk),
    reversed_by_pk INTEGER REFERENCES claim_payments(pk),
    match_method TEXT                            -- pcn, payer_claim_number, patient_dates_charge
);
CREATE INDEX claim_payments_claim ON claim_payments(claim_pk);
CREATE INDEX claim_payments_unmatched ON claim_payments(pk) WHERE claim_pk IS NULL;
CREATE TABLE line_payments (
    pk INTEGER PRIMARY KEY,
    claim_payment_pk INTEGER NOT NULL REFERENCES claim_payments(pk),
    line_pk INTEGER REFERENCES claim_lines(pk),
    qualifier TEXT,
    code TEXT,
    modifiers TEXT NOT NULL DEFAULT '',
    original_code TEXT,                          -- SVC06 when the payer changed or bundled the code
    charge_cents INTEGER NOT NULL DEFAULT 0,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    allowed_cents INTEGER,                       -- AMT*B6
    units REAL,
    original_units REAL,
    service_date TEXT,
    control_number TEXT
);
CREATE INDEX line_payments_payment ON line_payments(claim_payment_pk);
CREATE INDEX line_payments_line ON line_payments(line_pk);
CREATE TABLE adjustments (
    pk INTEGER PRIMARY KEY,
    claim_payment_pk INTEGER NOT NULL REFERENCES claim_payments(pk),
    line_payment_pk INTEGER REFERENCES line_payments(pk),   -- NULL: claim level
    claim_pk INTEGER REFERENCES claims(pk),
    group_code TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    quantity REAL
);
CREATE INDEX adjustments_claim ON adjustments(claim_pk);
CREATE INDEX adjustments_payment ON adjustments(claim_payment_pk);
CREATE TABLE remarks (
    pk INTEGER PRIMARY KEY,
    claim_payment_pk INTEGER NOT NULL REFERENCES claim_payments(pk),
    line_payment_pk INTEGER REFERENCES line_payments(pk),
    claim_pk INTEGER REFERENCES claims(pk),
    code TEXT NOT NULL,
    source TEXT                                   -- LQ, MOA, MIA
);
CREATE INDEX remarks_claim ON remarks(claim_pk);
CREATE TABLE plb_adjustments (
    pk INTEGER PRIMARY KEY,
    remittance_pk INTEGER NOT NULL REFERENCES remittances(pk),
    provider_id TEXT,
    fiscal_period_date TEXT,
    reason_code TEXT NOT NULL,
    reference TEXT,
    amount_cents INTEGER NOT NULL
);
CREATE TABLE documents (
    pk INTEGER PRIMARY KEY,
    patient_pk INTEGER NOT NULL REFERENCES patients(pk),
    doc_type TEXT NOT NULL CHECK (doc_type IN {_in(DocType)}),
    doc_date TEXT NOT NULL,
    author TEXT,
    author_credential TEXT,
    author_provider_pk INTEGER REFERENCES providers(pk),
    title TEXT,
    text TEXT NOT NULL,
    source TEXT,
    content_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX documents_patient ON documents(patient_pk, doc_date);
CREATE TABLE note_minutes (
    document_pk INTEGER NOT NULL REFERENCES documents(pk) ON DELETE CASCADE,
    code TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (document_pk, code)
);
CREATE TABLE activities (
    pk INTEGER PRIMARY KEY,
    claim_pk INTEGER REFERENCES claims(pk),
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    before TEXT,
    after TEXT,
    note TEXT,
    details TEXT                                  -- JSON: rep, reference, source file ...
);
CREATE INDEX activities_claim ON activities(claim_pk, pk);
CREATE TRIGGER activities_append_only_update BEFORE UPDATE ON activities
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER activities_append_only_delete BEFORE DELETE ON activities
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TABLE appeals (
    pk INTEGER PRIMARY KEY,
    claim_pk INTEGER NOT NULL REFERENCES claims(pk),
    level INTEGER NOT NULL DEFAULT 1,
    template TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'drafted' CHECK (status IN {_in(AppealStatus)}),
    drafted_date TEXT NOT NULL,
    sent_date TEXT,
    channel TEXT CHECK (channel IS NULL OR channel IN ('mail', 'fax', 'portal')),
    deadline TEXT,
    letter_path TEXT,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('won', 'partly_won', 'lost')),
    decided_date TEXT,
    recovered_cents INTEGER
);
CREATE INDEX appeals_claim ON appeals(claim_pk);
""")
    db.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5("
        "text, content='documents', content_rowid='pk', tokenize='porter unicode61')"
    )
    _run(db, """
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, text) VALUES (new.pk, new.text);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.pk, old.text);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.pk, old.text);
    INSERT INTO documents_fts(rowid, text) VALUES (new.pk, new.text);
END;
""")


def worklists_ranking(db: Database) -> None:
    """What the worklists rank on: the stored assessment, when to redo it, and the rank key.

    `claim_ranks.rank_key` is the score minus the part every open claim gains alike each day
    (age and payer silence), so one index keeps the ranking in order from day to day; only
    claims near a deadline or a due follow-up are re-keyed when the day changes. It lives in
    its own narrow table so that daily re-keying rewrites a few pages, not one claims page
    per claim (assistant/ranking.py).
    """
    _run(db, """
-- assessment codes, space-separated (CO-50 N115); deadline kind: timely_filing, appeal_level_N, reopening
ALTER TABLE claims ADD COLUMN codes TEXT;
ALTER TABLE claims ADD COLUMN deadline_kind TEXT;
-- the claims.version the stored assessment reflects, the day it was made, and the first day
-- on which the calendar alone may change it (a deadline passing, a claim going unanswered)
ALTER TABLE claims ADD COLUMN assessed_version INTEGER;
ALTER TABLE claims ADD COLUMN assessed_day INTEGER;
ALTER TABLE claims ADD COLUMN reassess_day INTEGER;
-- log10 of the dollars expected back; NULL: not ranked (nothing owed, closed, or not work)
ALTER TABLE claims ADD COLUMN rank_value REAL;
-- category copies claims.category, so a list of one category walks its own part of the ranking
CREATE TABLE claim_ranks (
    claim_pk INTEGER PRIMARY KEY REFERENCES claims(pk) ON DELETE CASCADE,
    rank_key REAL NOT NULL,
    keyed_day INTEGER NOT NULL,
    category TEXT
);
CREATE INDEX claim_ranks_key ON claim_ranks(rank_key DESC);
CREATE INDEX claim_ranks_category ON claim_ranks(category, rank_key DESC);
-- every column a worklist filters or scores on, so counts and custom weights read one index
CREATE INDEX claims_ranked ON claims(work_status, next_action, category, payer_pk, payer_status,
    balance_cents, follow_up_day, deadline_day, dos_from_day, last_remit_day, submitted_day,
    assignee, rank_value) WHERE rank_value IS NOT NULL;
CREATE INDEX claims_ranked_balance ON claims(balance_cents DESC) WHERE rank_value IS NOT NULL;
CREATE INDEX claims_reassess ON claims(reassess_day) WHERE reassess_day IS NOT NULL;
CREATE INDEX claims_unassessed ON claims(pk) WHERE assessed_version IS NOT version;
CREATE INDEX claims_aging ON claims(payer_pk, dos_from_day, balance_cents) WHERE balance_cents > 0;
""")


def fee_schedule(db: Database) -> None:
    """Payers' expected allowed amount per unit of a code (and modifier), for the underpayments report."""
    _run(db, """
CREATE TABLE fee_schedule (
    pk INTEGER PRIMARY KEY,
    payer_pk INTEGER NOT NULL REFERENCES payers(pk),
    code TEXT NOT NULL,
    modifier TEXT NOT NULL DEFAULT '',           -- '': the code with any modifier
    allowed_cents INTEGER NOT NULL CHECK (allowed_cents >= 0),  -- per unit
    effective_from TEXT,                         -- NULL: from the start
    effective_to TEXT,                           -- NULL: until replaced
    source TEXT                                  -- file it came from
);
CREATE UNIQUE INDEX fee_schedule_key ON fee_schedule(payer_pk, code, modifier, coalesce(effective_from, ''));
""")


def assessment_indexes(db: Database) -> None:
    """What assessing one claim reads, found by index so it costs the same in any database.

    A payer's latest priced claims, for the allowed-to-charged ratio that estimates what
    Medicare will allow on lines not priced yet (`storage.clinical.allowed_ratios`).
    """
    _run(db, """
CREATE INDEX claims_payer_priced ON claims(payer_pk, last_remit_day) WHERE last_remit_day IS NOT NULL;
""")


def payer_corrected_claim_window(db: Database) -> None:
    """A payer's own window for corrected (replacement) claims, in days from the remittance.

    NULL: the kind's default, which is the timely filing limit (rules/payer_rules.py).
    """
    _run(db, """
ALTER TABLE payers ADD COLUMN corrected_claim_days INTEGER;
""")


def patient_payments(db: Database) -> None:
    """What patients paid toward their share, and the practice's adjustments of that share.

    One row per amount applied to one claim. A payment received for an account is split
    over the account's open patient shares; its rows share `receipt` (the payment as
    received, also how a re-exported payment is recognised) and `receipt_cents` (its whole
    amount). A negative amount is a refund or a reversal (a returned check) and carries a
    reason; `kind` adjustment is the practice writing off part of the patient's share (a
    small balance). The claim keeps the totals, recomputed by `assistant.settlement`:
    `patient_paid_cents` (payments), `patient_adjusted_cents` (adjustments, also inside
    `adjusted_cents`), and `written_off_cents`, the part of `adjusted_cents` a work-status
    write-off took (followup.py), so recomputing a claim from its postings keeps it.
    """
    _run(db, """
CREATE TABLE patient_payments (
    pk INTEGER PRIMARY KEY,
    claim_pk INTEGER NOT NULL REFERENCES claims(pk),
    kind TEXT NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'adjustment')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),   -- negative: refund or reversal
    paid_date TEXT NOT NULL,
    method TEXT CHECK (method IS NULL OR method IN ('cash', 'check', 'card', 'online', 'other')),
    reference TEXT,                              -- check number, card authorization, receipt
    reason TEXT,                                 -- why a refund, reversal or adjustment
    receipt TEXT NOT NULL,                       -- the payment as received; its split rows share it
    receipt_cents INTEGER NOT NULL,              -- the whole amount received
    source TEXT NOT NULL,                        -- file it came from, or 'manual'
    line INTEGER,                                -- its line in that file
    user TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (kind = 'adjustment' OR method IS NOT NULL),
    CHECK (amount_cents > 0 OR reason IS NOT NULL)
);
CREATE INDEX patient_payments_claim ON patient_payments(claim_pk);
CREATE INDEX patient_payments_receipt ON patient_payments(receipt);
ALTER TABLE claims ADD COLUMN patient_paid_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN patient_adjusted_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN written_off_cents INTEGER NOT NULL DEFAULT 0;
-- A claim written off before this step: what its last write-off took (followup.py audits it).
UPDATE claims SET written_off_cents = max(0, min(adjusted_cents, coalesce((
    SELECT CAST(json_extract(a.details, '$.amount_cents') AS INTEGER) FROM activities a
    WHERE a.claim_pk = claims.pk AND a.kind = 'write_off' AND a.field = 'balance_cents'
    ORDER BY a.pk DESC LIMIT 1), 0)))
WHERE work_status = 'written_off';
""")


def audit_no_overwrite(db: Database) -> None:
    """`INSERT OR REPLACE` deletes the row it replaces without firing DELETE triggers (SQLite
    fires them only with recursive_triggers on), so an entry could be overwritten in place:
    an insert may not reuse the key of an entry that exists."""
    _run(db, """
CREATE TRIGGER activities_append_only_insert BEFORE INSERT ON activities
WHEN NEW.pk IS NOT NULL AND EXISTS (SELECT 1 FROM activities WHERE pk = NEW.pk)
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
""")


def line_service_period(db: Database) -> None:
    """The last day of a line billed for a range of days (837P DTP*472 RD8); NULL: one day."""
    _run(db, "ALTER TABLE claim_lines ADD COLUMN service_date_to TEXT;")


def claim_other_payers(db: Database) -> None:
    """The other payers an 837P claim names (loops 2320/2330/2430), one row per 2320 loop.

    A claim billed to a secondary carries the primary's adjudication: what it paid (AMT*D),
    its claim-level CAS, the patient's remaining liability (AMT*EAF), its adjudication date
    and claim number (2330B DTP*573, REF*F8) and, per line, its 2430 results (`lines`, JSON).
    `claims.other_payers_reported` is 1 when the claim's source carries these loops (an 837P)
    and NULL when it cannot say (a CSV export): only then does a missing loop mean anything.
    """
    _run(db, """
CREATE TABLE claim_other_payers (
    pk INTEGER PRIMARY KEY,
    claim_pk INTEGER NOT NULL REFERENCES claims(pk) ON DELETE CASCADE,
    seq INTEGER NOT NULL,                        -- the loop's place in the claim, from 1
    payer_pk INTEGER NOT NULL REFERENCES payers(pk),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 11),   -- its SBR01
    relationship TEXT,                           -- SBR02
    group_number TEXT,
    filing_indicator TEXT,                       -- SBR09
    member_id TEXT,                              -- 2330A NM109
    paid_cents INTEGER,                          -- AMT*D; NULL: not adjudicated (or not said)
    noncovered_cents INTEGER,                    -- AMT*A8
    patient_liability_cents INTEGER,             -- AMT*EAF
    adjudicated TEXT,                            -- 2330B DTP*573
    payer_claim_number TEXT,                     -- 2330B REF*F8
    adjustments TEXT NOT NULL DEFAULT '[]',      -- JSON [[group, carc, cents, quantity]]
    remarks TEXT NOT NULL DEFAULT '[]',          -- JSON list of MOA remark codes
    lines TEXT NOT NULL DEFAULT '[]',            -- JSON list of 2430 results
    UNIQUE (claim_pk, seq)
);
CREATE INDEX claim_other_payers_payer ON claim_other_payers(payer_pk);
ALTER TABLE claims ADD COLUMN other_payers_reported INTEGER;
""")


def claim_accident(db: Database) -> None:
    """What caused the condition: the 837P CLM11 related causes (space-separated AA, EM, OA),
    the auto accident's state (CLM11-4) and the accident or injury date (DTP*439), which a
    workers' comp or auto adjuster needs to find the claim."""
    _run(db, """
ALTER TABLE claims ADD COLUMN accident_date TEXT;
ALTER TABLE claims ADD COLUMN accident_causes TEXT;
ALTER TABLE claims ADD COLUMN accident_state TEXT;
""")


def migrations() -> Migrations:
    from sqlite_utils.migrations import Migrations

    registry = Migrations(MIGRATION_SET)
    for step in STEPS:
        registry(name=step.__name__)(step)
    return registry


# Append new steps at the end; never edit or reorder a step that has shipped.
STEPS = [initial_schema, worklists_ranking, fee_schedule, assessment_indexes, payer_corrected_claim_window,
         patient_payments, audit_no_overwrite, line_service_period, claim_other_payers, claim_accident]
SCHEMA_VERSION = len(STEPS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(current: int) -> None:
    if current > SCHEMA_VERSION:
        from assistant.errors import AssistantError

        raise AssistantError(
            f"the database has schema version {current}, newer than this program knows "
            f"({SCHEMA_VERSION}); upgrade ar-assistant"
        )


def migrate_to_latest(conn: sqlite3.Connection) -> int:
    """Apply pending migrations; returns the number applied. Cheap when up to date.

    All pending steps and the new `user_version` commit together under the write lock
    (sqlite-utils nests each step in a savepoint), and the version is read again once the
    lock is held: two processes opening an old or new database at once (the TUI and an
    import) migrate it once, and a process killed half-way leaves the old schema whole.
    """
    current = schema_version(conn)
    if current == SCHEMA_VERSION:
        return 0
    _refuse_newer(current)
    from sqlite_utils import Database

    from assistant.storage.db import transaction

    db = Database(conn, execute_plugins=False)
    registry = migrations()
    with transaction(conn):
        current = schema_version(conn)
        if current == SCHEMA_VERSION:
            return 0
        _refuse_newer(current)
        pending = registry.pending(db)
        registry.apply(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return len(pending)

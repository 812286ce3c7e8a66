"""Patient payments from a practice-management export (CSV): copays taken at the front
desk, statement payments, card-on-file charges, refunds and the practice's adjustments.

Each row names a claim id, or an account with the date of service it pays for (or just an
account: a payment on the account). Columns are found by the synonyms in
`[payment_columns]` of `assistant/data/csv_columns.toml`, or named by a mapping file
(`--mapping`, the same format as the claims CSV's: `[csv]` delimiter, encoding,
date_format, header_line, use_defaults; `[columns]`; `[defaults]` method).

- **Amount** and **payment date** are required. A negative amount is a refund or a
  reversal (a returned check) and needs a reason (the reason column, else a refund-like
  type such as "NSF").
- **Type** (optional): payment, refund/reversal/returned check/NSF, adjustment/write-off/
  small balance. A refund's amount may be written positive. Insurance rows ("Ins Pmt",
  "ERA", in the type column or, in exports without one, the method column) are skipped
  with a warning: payers' money comes from 835 files.
- **Method**: cash, check, card, online or other, read from what exports write ("Visa",
  "Card on file", "Portal", "ACH", "Money order" ...); anything else is `other`, with a
  warning giving the lines. An adjustment has no method.

Totals rows ("Total", "Grand Total") and rows without a claim id or account are skipped
with a warning; rows of $0.00 too. Errors name the file, line and column, never a cell's value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from assistant.domain import PatientPaymentKind, PatientPaymentRecord, PaymentMethod
from assistant.errors import AssistantError, ImportFailed
from assistant.importers.csv_claims import CsvMapping, load_mapping
from assistant.importers.tabular import Columns, RowReader, header_key, read_table
from assistant.ingest import ParsedBatch

SECTION = "payment_columns"
_OPTIONS = frozenset({"delimiter", "encoding", "date_format", "header_line", "use_defaults"})
_DEFAULTS = frozenset({"method"})
_MAX_TEXT = 200
_MAX_CENTS = 10_000_000  # $100,000 from one patient at once: a typo

_INSURANCE = re.compile(r"\b(?:ins|insurance|era|eob|payer|payor|carrier|primary|secondary|medicare|"
                        r"medicaid)\b")
_REFUND = re.compile(r"refund|revers|returned|nsf|bounced|void|chargeback|charge back|reverse")
_ADJUSTMENT = re.compile(r"\badj|write|small bal|courtesy|discount|hardship|forgive|bad debt")
_PAYMENT = re.compile(r"pay|pmt|copay|co-pay|deposit|statement|patient|\bpt\b|receipt|collect")
# "Patient payment (secondary balance)" is the patient's money even though it names a payer.
_PAYMENT_BY_PATIENT = re.compile(r"patient|\bpt\b|copay|co-pay|self")

# Method words, tried in order (the first that matches wins): "e-check" is online, not a check.
_METHODS: tuple[tuple[PaymentMethod, re.Pattern[str]], ...] = (
    (PaymentMethod.ONLINE, re.compile(r"online|portal|\bweb|internet|\bach\b|\beft\b|e-?check|"
                                      r"electronic|paypal|venmo|zelle|apple ?pay|google ?pay|text.to.pay|"
                                      r"autopay|e-?pay")),
    (PaymentMethod.CARD, re.compile(r"card|credit|debit|visa|master|\bmc\b|amex|american express|discover|"
                                    r"\bcc\b|\bcof\b|\bhsa\b|\bfsa\b")),
    (PaymentMethod.CHECK, re.compile(r"check|cheque|\bchk\b|\bck\b|money order|\bmo\b")),
    (PaymentMethod.CASH, re.compile(r"cash|currency")),
    (PaymentMethod.OTHER, re.compile(r"\bother\b")),
)


def method_of(text: str) -> PaymentMethod | None:
    """The payment method an export's word stands for (None: not one we know)."""
    lowered = " ".join(text.lower().replace("_", " ").split())
    for method, pattern in _METHODS:
        if pattern.search(lowered):
            return method
    return None


def load_payment_mapping(path: Path | None) -> CsvMapping:
    mapping = load_mapping(path, section=SECTION, options_allowed=_OPTIONS, defaults_allowed=_DEFAULTS)
    default = mapping.defaults.get("method")
    if default is not None and method_of(default) is None:
        raise ImportFailed(path.name if path else "mapping", "defaults.method",
                           f"not a payment method; one of {', '.join(m.value for m in PaymentMethod)}")
    return mapping


def parse_payments_csv(path: Path, mapping: Path | None = None) -> ParsedBatch:
    """Every payment row of one export, in file order."""
    settings = load_payment_mapping(mapping)
    wanted = settings.columns

    def names(fld: str) -> set[str]:
        return {header_key(n) for n in wanted.get(fld, ())}

    def is_header(cells: list[str]) -> bool:
        keys = {header_key(c) for c in cells}
        return bool(keys & names("amount")) and bool(keys & (names("claim_id") | names("account")))

    table = read_table(path, is_header, delimiter=settings.delimiter, encoding=settings.encoding,
                       header_line=settings.header_line,
                       wanted="header row with an amount and a claim id or account column")
    columns = Columns(table.headers, wanted)
    if "paid_date" not in columns:
        looked = ", ".join(repr(n) for n in wanted.get("paid_date", [])[:4])
        raise ImportFailed(table.name, f"line {table.header_line}",
                           f"no column for the payment date 'paid_date' (looked for {looked} ...); "
                           "name it in a mapping file")
    batch = ParsedBatch()
    batch.warnings.extend(table.totals_warning())
    batch.columns = {fld: columns.header(fld) for fld in columns.found}
    skipped: list[int] = []
    zero: list[int] = []
    insurance: list[int] = []
    unknown_methods: list[int] = []  # lines: the method cell is never echoed (it may name a person)
    for line, cells in table.rows:
        row = RowReader(table.name, columns, line, cells, settings.date_format)
        if not row.text("claim_id") and not row.text("account"):
            skipped.append(line)
            continue
        try:
            record = _payment(row, settings, unknown_methods)
        except AssistantError:
            raise
        except Exception as exc:  # the safety net: an unforeseen row is still located
            raise ImportFailed(table.name, f"line {line}",
                               f"cannot read this row ({type(exc).__name__})") from None
        if isinstance(record, PatientPaymentRecord):
            batch.patient_payments.append(record)
        elif record is None:
            zero.append(line)
        else:
            insurance.append(line)
    for what, lines in (("without a claim id or account", skipped), ("of $0.00", zero),
                        ("of insurance payments (they come from 835 files)", insurance)):
        if lines:
            batch.warnings.append(f"{len(lines)} row(s) {what} skipped (lines {_lines(lines)})")
    if unknown_methods:
        batch.warnings.append(f"{len(unknown_methods)} row(s) with a method that is not cash, check, card or "
                              f"online recorded as other (lines {_lines(unknown_methods)}); name the method "
                              "in the export, or set [defaults] method in a mapping file")
    return batch


def _lines(lines: list[int]) -> str:
    return ", ".join(str(n) for n in lines[:5]) + (" ..." if len(lines) > 5 else "")


def _payment(row: RowReader, settings: CsvMapping,
             unknown_methods: list[int]) -> PatientPaymentRecord | Literal["insurance"] | None:
    """The row's record; "insurance" for an insurance row, None for a $0.00 row."""
    type_text = " ".join(row.text("type").split())
    lowered = type_text.lower()
    kind = PatientPaymentKind.PAYMENT
    refund = False
    # Exports that have no type column often say "Insurance Payment" where the method goes.
    method_words = " ".join(row.text("method").lower().split())
    if method_words and _INSURANCE.search(method_words) and not _PAYMENT_BY_PATIENT.search(method_words):
        return "insurance"
    if lowered:
        if _INSURANCE.search(lowered) and not _PAYMENT_BY_PATIENT.search(lowered):
            return "insurance"
        refund = bool(_REFUND.search(lowered))  # "Write-off reversal" undoes an adjustment
        if _ADJUSTMENT.search(lowered):
            kind = PatientPaymentKind.ADJUSTMENT
        elif not refund and not _PAYMENT.search(lowered):
            raise row.fail("type", "not a payment, refund or adjustment")
    amount = row.cents("amount")
    if amount is None:
        raise row.fail("amount", "no amount")
    if abs(amount) > _MAX_CENTS:
        raise row.fail("amount", "more than $100,000: not a patient payment")
    if amount == 0:
        return None
    if refund and amount > 0:
        amount = -amount  # "Refund 30.00": money going back to the patient
    paid_date = row.date("paid_date")
    if paid_date is None:
        raise row.fail("paid_date", "no payment date")
    reason = _text(row, "reason")
    if reason is None and (refund or kind is PatientPaymentKind.ADJUSTMENT) and type_text:
        reason = type_text[:_MAX_TEXT]
    if amount < 0 and reason is None:
        raise row.fail("amount", "a negative amount (a refund or reversal) needs a reason; add a reason "
                                 "or type column")
    method: PaymentMethod | None = None
    if kind is PatientPaymentKind.PAYMENT:
        method_text = row.text("method") or settings.defaults.get("method", "")
        method = method_of(method_text) if method_text else PaymentMethod.OTHER
        if method is None:
            unknown_methods.append(row.line)
            method = PaymentMethod.OTHER
    return PatientPaymentRecord(
        line=row.line, paid_date=paid_date, amount_cents=amount, kind=kind,
        claim_id=row.text("claim_id") or None, account=row.text("account") or None,
        service_date=row.date("service_date"), method=method, reference=_text(row, "reference"),
        reason=reason,
    )



def _text(row: RowReader, fld: str) -> str | None:
    value = " ".join(row.text(fld).split())
    if not value:
        return None
    if len(value) > _MAX_TEXT:
        raise row.fail(fld, f"longer than {_MAX_TEXT} characters")
    return value

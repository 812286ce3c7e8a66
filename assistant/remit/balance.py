"""835 balancing at the three levels of the guide (fact sheet 8.8), with the exact numbers.

    line         SVC02 - sum(line CAS)                 = SVC03
    claim        CLP03 - sum(claim CAS + line CAS)     = CLP04
    transaction  sum(CLP04) - sum(PLB)                 = BPR02 (negative when BPR03 is D)

`expected` is what the left side computes, `actual` what the file says it paid.
Real files do not always balance; the importer posts them with warnings unless strict.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.money import as_number, fmt
from assistant.remit.records import RemittanceRecord


@dataclass(frozen=True)
class Imbalance:
    level: str  # line, claim, transaction
    where: str
    expected: int
    actual: int

    @property
    def difference(self) -> int:
        return self.actual - self.expected

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "where": self.where, "expected": as_number(self.expected),
                "actual": as_number(self.actual), "difference": as_number(self.difference)}

    @property
    def message(self) -> str:
        return (f"{self.where}: {self.level} does not balance: expected {fmt(self.expected)}, "
                f"the file says {fmt(self.actual)} (difference {fmt(self.difference)})")


def check_remittance(rem: RemittanceRecord) -> Iterator[Imbalance]:
    """Every imbalance of one transaction, lines and claims first, in file order."""
    total_paid = 0
    for clp in rem.claims:
        adjusted = sum(a.amount_cents for a in clp.adjustments)
        for svc in clp.services:
            line_adjusted = sum(a.amount_cents for a in svc.adjustments)
            adjusted += line_adjusted
            if svc.charge_cents - line_adjusted != svc.paid_cents:
                yield Imbalance("line", f"segment {svc.segment} (SVC) of claim "
                                f"{clp.patient_control_number}", svc.charge_cents - line_adjusted,
                                svc.paid_cents)
        if clp.charge_cents - adjusted != clp.paid_cents:
            yield Imbalance("claim", f"segment {clp.segment} (CLP) claim {clp.patient_control_number}",
                            clp.charge_cents - adjusted, clp.paid_cents)
        total_paid += clp.paid_cents
    expected = total_paid - sum(p.amount_cents for p in rem.provider_adjustments)
    actual = -rem.payment_cents if rem.credit_debit == "D" else rem.payment_cents
    if expected != actual:
        yield Imbalance("transaction", f"segment {rem.segment} (ST) trace {rem.trace_number or '?'}",
                        expected, actual)


def remittance_balanced(rem: RemittanceRecord) -> bool:
    return next(check_remittance(rem), None) is None

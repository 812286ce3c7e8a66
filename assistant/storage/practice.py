"""The practice row: who writes the letters (name, address, NPI, phone for the letterhead)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from assistant.contact import format_phone, format_zip


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PracticeView:
    name: str
    npi: str | None = None
    tax_id: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None
    fax: str | None = None
    contact: str | None = None

    @property
    def address_lines(self) -> tuple[str, ...]:
        city = ", ".join(p for p in (self.city, " ".join(p for p in (self.state, self.zip) if p)) if p)
        return tuple(p for p in (self.address1, self.address2, city) if p)


def load_practice(conn: sqlite3.Connection) -> PracticeView | None:
    row = conn.execute("SELECT * FROM practice WHERE pk = 1").fetchone()
    if row is None:
        return None
    return PracticeView(
        name=row["name"], npi=row["npi"], tax_id=row["tax_id"], address1=row["address1"],
        address2=row["address2"], city=row["city"], state=row["state"], zip=format_zip(row["zip"]),
        phone=format_phone(row["phone"]), fax=format_phone(row["fax"]), contact=row["contact"],
    )

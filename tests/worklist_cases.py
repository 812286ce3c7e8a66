"""A small practice with a claim in each state the worklists care about (see `practice`)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.builders import claim_record, post_denial, post_remit, write
from tests.conftest import TODAY


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


# A Medicare redetermination is due 120 days after the notice is presumed received (5 days).
MEDICARE_APPEAL_DAYS = 125


def practice(services) -> None:  # type: ignore[no-untyped-def]
    """Write the claims, post their remittances and refresh them, as import and posting would.

    DEN-SOON   Medicare CO-50 N115 $225, redetermination due in 9 days
    DEN-LATER  Medicare CO-50 N115 $225, denied 20 days ago (deadline beyond the horizon)
    NORESP     Aetna $1,500 sent 45 days ago, no answer; timely filing in 43 days
    FRESH      Medicare $225 sent 5 days ago: in processing, nothing to do yet
    PATIENT    Blue Cross paid, $40 coinsurance left (PR-2): patient billing
    PAID       Medicare paid in full: not open
    AUTH       Aetna CO-197 $600 (no authorization), denied 30 days ago
    """
    conn = services.conn
    write(
        conn,
        claim_record("DEN-SOON", account="A1", dos=days_ago(MEDICARE_APPEAL_DAYS - 9 + 20),
                     submitted=days_ago(MEDICARE_APPEAL_DAYS - 9 + 18)),
        claim_record("DEN-LATER", account="A2", last="Chen", first="Wei", dos=days_ago(40),
                     submitted=days_ago(38)),
        claim_record("NORESP", account="A3", last="Okoro", first="Ada", payer="Aetna", dos=days_ago(47),
                     submitted=days_ago(45),
                     lines=(("97530", ("GO",), 4, 600.0), ("97110", ("GO",), 4, 900.0))),
        claim_record("FRESH", account="A4", last="Park", first="Jin", dos=days_ago(7), submitted=days_ago(5)),
        claim_record("PATIENT", account="A5", last="Lund", first="Eva", payer="Blue Cross Blue Shield",
                     dos=days_ago(60), submitted=days_ago(58)),
        claim_record("PAID", account="A6", last="Diaz", first="Luis", dos=days_ago(50), submitted=days_ago(48)),
        claim_record("AUTH", account="A7", last="Moss", first="Kim", payer="Aetna", dos=days_ago(55),
                     submitted=days_ago(53), lines=(("97530", ("GO",), 4, 600.0),)),
    )
    post_denial(conn, "DEN-SOON", "CO", "50", 225.0, remarks=("N115",),
                remit_date=days_ago(MEDICARE_APPEAL_DAYS - 9))
    post_denial(conn, "DEN-LATER", "CO", "50", 225.0, remarks=("N115",), remit_date=days_ago(20))
    post_remit(conn, "PATIENT", [("CO", "45", 25.0, None), ("PR", "2", 40.0, None)],
               paid={1: 100.0, 2: 60.0}, remit_date=days_ago(30))
    post_remit(conn, "PAID", [("CO", "45", 25.0, None)], paid={1: 130.0, 2: 70.0}, remit_date=days_ago(20))
    post_denial(conn, "AUTH", "CO", "197", 600.0, remit_date=days_ago(30))
    pks = [pk for (pk,) in conn.execute("SELECT pk FROM claims")]
    services.refresh_claims(pks)


def ids(data: dict) -> list[str]:  # type: ignore[type-arg]
    return [row["claim_id"] for row in data["rows"]]

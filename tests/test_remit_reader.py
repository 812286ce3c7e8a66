"""Reading 835s as real senders write them; any bytes end as records or the reader's own error."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.importers.x12 import X12Error
from assistant.remit.balance import check_remittance
from assistant.remit.reader import parse_cents, read_835

ISA = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260920*0830*^*00501*"
       "000000001*0*P*:~")
GS = "GS*HP*PAYER*CLINIC*20260920*0830*1*X*005010X221A1~"
HEADER = ("ST*835*0001~BPR*I*132.5*C*CHK************20260920~TRN*1*TRC1*1000004412~DTM*405*20260918~"
          "N1*PR*MEDICARE PART B*XV*04412~N3*PO BOX 100~N4*NASHVILLE*TN*37202~PER*BL*EDI*TE*8005550100~"
          "N1*PE*HARBOR HAND*XX*1699999996~REF*TJ*123456789~LX*1~")
CLAIM = ("CLP*C1*1*225*180**MB*ICN1*11*1~NM1*QC*1*RIVERA*MARIA****MI*MA1001~DTM*232*20260901~"
         "DTM*233*20260901~SVC*HC:97530:GO*150*120**2~DTM*472*20260901~CAS*CO*45*30~REF*6R*C1-1~"
         "AMT*B6*120~SVC*HC:97110:GO*75*60**1~DTM*472*20260901~CAS*CO*45*15~REF*6R*C1-2~LQ*HE*N670~")
TRAILER = "PLB*1699999996*20261231*WO:OVP1*47.5~SE*27*0001~GE*1*1~IEA*1*000000001~"
STANDARD = ISA + GS + HEADER + CLAIM + TRAILER


def only(text: str | bytes) -> tuple:
    read = read_835(text.encode() if isinstance(text, str) else text, "f.835")
    (rem,) = read.remittances
    return read, rem


def test_the_standard_file_in_full() -> None:
    read, rem = only(STANDARD)
    assert (rem.version, rem.payer_name, rem.payer_id, rem.trace_number) == (
        "005010X221A1", "MEDICARE PART B", "04412", "TRC1")
    assert (rem.payment_cents, rem.payment_method, rem.payment_date, rem.production_date) == (
        13250, "CHK", date(2026, 9, 20), date(2026, 9, 18))
    assert (rem.payee_name, rem.payee_npi, rem.payee_tax_id, rem.payer_phone) == (
        "HARBOR HAND", "1699999996", "123456789", "8005550100")
    (claim,) = rem.claims
    assert (claim.patient_control_number, claim.status_code, claim.charge_cents, claim.paid_cents) == (
        "C1", "1", 22500, 18000)
    assert (claim.payer_claim_number, claim.patient_last, claim.member_id, claim.service_from) == (
        "ICN1", "RIVERA", "MA1001", date(2026, 9, 1))
    first, second = claim.services
    assert (first.qualifier, first.code, first.modifiers, first.units, first.allowed_cents) == (
        "HC", "97530", ("GO",), Decimal(2), 12000)
    assert (first.control_number, first.service_from, first.adjustments[0].amount_cents) == (
        "C1-1", date(2026, 9, 1), 3000)
    assert second.remarks == ("N670",)
    (plb,) = rem.provider_adjustments
    assert (plb.reason_code, plb.reference, plb.amount_cents, plb.fiscal_period_date) == (
        "WO", "OVP1", 4750, date(2026, 12, 31))
    assert read.all_warnings == []


@pytest.mark.parametrize("layout", ["crlf", "bom_indented", "one_line_no_newlines", "newline_terminator",
                                    "pipe_caret_tilde_at_line_start"])
def test_layouts_read_the_same(layout: str) -> None:
    if layout == "crlf":
        text: str | bytes = STANDARD.replace("~", "~\r\n")
    elif layout == "bom_indented":
        text = ("\ufeff" + STANDARD.replace("~", "~\r\n    ")).encode("utf-8")
    elif layout == "one_line_no_newlines":
        text = STANDARD
    elif layout == "newline_terminator":
        text = STANDARD.replace("~", "\n")
    else:
        text = (STANDARD.replace("*", "|").replace("|^|", "|U|").replace(":", "^")
                .replace("~", "\n~").removesuffix("\n~"))
    _, rem = only(text)
    _, standard = only(STANDARD)
    assert rem.claims == standard.claims
    assert rem.provider_adjustments == standard.provider_adjustments


def test_several_interchanges_and_sets_with_their_own_delimiters() -> None:
    # The second interchange writes '|' between elements and '>' between components (ISA16).
    second = (ISA + GS + HEADER.replace("TRC1", "TRC2") + CLAIM + TRAILER).replace("*", "|").replace(":", ">")
    two_sets = (ISA + GS + HEADER + CLAIM + "SE*25*0001~" + HEADER.replace("TRC1", "TRC3")
                + CLAIM + TRAILER)
    read = read_835((two_sets + "\n" + second).encode(), "f.835")
    assert [r.trace_number for r in read.remittances] == ["TRC1", "TRC3", "TRC2"]
    assert read.remittances[2].claims[0].services[0].modifiers == ("GO",)
    assert read.remittances[2].provider_adjustments[0].reference == "OVP1"
    assert read.all_warnings == ["segment 28 (SE): SE01 says 25 segments, the set has 26"]


def test_a_file_that_starts_at_st() -> None:
    read, rem = only(HEADER + CLAIM + "SE*26*0001~")
    assert rem.claims[0].paid_cents == 18000
    assert any("no ISA envelope" in w for w in read.warnings)


def test_composites_with_another_separator_than_isa16_are_recovered_with_a_warning() -> None:
    read, rem = only(STANDARD.replace("HC:97530:GO", "HC>97530>GO").replace("HC:97110:GO", "HC>97110>GO"))
    assert [s.code for s in rem.claims[0].services] == ["97530", "97110"]
    assert [s.modifiers for s in rem.claims[0].services] == [("GO",), ("GO",)]
    (warning,) = read.all_warnings
    assert warning.startswith("segment 18 (SVC): SVC01 'HC>97530>GO' separates components with '>'")


def test_svc_that_lost_its_separator_is_recovered_when_the_shift_balances() -> None:
    shifted = STANDARD.replace("SVC*HC:97530:GO*150*120**2", "SVC*HC*97530*150*120**2")
    read, rem = only(shifted)
    first = rem.claims[0].services[0]
    assert (first.code, first.charge_cents, first.paid_cents, first.units) == ("97530", 15000, 12000, 2)
    assert any("shifted by one" in w for w in read.all_warnings)


def test_svc_that_cannot_be_told_keeps_the_claim_only() -> None:
    broken = STANDARD.replace("SVC*HC:97530:GO*150*120**2", "SVC*HC*97530*999*888**2")
    read, rem = only(broken)
    assert [s.code for s in rem.claims[0].services] == ["97110"]
    assert rem.claims[0].paid_cents == 18000
    assert any("line is left out, the claim is kept" in w for w in read.all_warnings)


def test_4010_cr_group_negative_amounts_and_units() -> None:
    text = (ISA.replace("*^*00501*", "*U*00401*") + GS.replace("005010X221A1", "004010X091A1") + HEADER
            + "CLP*C9*22*-42.58*-42.58*0*13*ICN9*11~NM1*QC*1*SIMPSON*H****MI*1~"
              "SVC*HC:H0036:GT:UK*-42.58*-42.58**-2~DTM*472*20260102~CAS*CR*141*0*0*42*-1.5*-0.25~"
            + "SE*9*0001~")
    read, rem = only(text)
    (svc,) = rem.claims[0].services
    assert (svc.modifiers, svc.units, svc.charge_cents) == (("GT", "UK"), Decimal(-2), -4258)
    assert [(a.group, a.reason, a.amount_cents, a.quantity) for a in svc.adjustments] == [
        ("CR", "141", 0, Decimal(0)), ("CR", "42", -150, Decimal("-0.25"))]
    assert not any("CR" in w for w in read.all_warnings)  # valid in 4010
    _, rem5 = only(STANDARD.replace("CAS*CO*45*30", "CAS*CR*45*30"))
    assert rem5.claims[0].services[0].adjustments[0].group == "CR"


def test_decimal_units_and_multi_trio_cas_with_quantities() -> None:
    _, rem = only(STANDARD.replace("SVC*HC:97110:GO*75*60**1", "SVC*HC:97110:GO*75*60**9.999")
                  .replace("CAS*CO*45*15", "CAS*CO*45*10*1*253*5"))
    svc = rem.claims[0].services[1]
    assert svc.units == Decimal("9.999")
    assert [(a.reason, a.amount_cents, a.quantity) for a in svc.adjustments] == [
        ("45", 1000, Decimal(1)), ("253", 500, None)]


def test_invalid_dates_are_warnings_not_errors() -> None:
    read, rem = only(STANDARD.replace("20260920~TRN", "20002316~TRN").replace("DTM*405*20260918", "DTM*405*11111111"))
    assert rem.payment_date is None and rem.production_date is None
    assert [w.split(": ")[1] for w in read.all_warnings] == [
        "BPR16 '20002316' is not a date; ignored", "DTM02 '11111111' is not a date; ignored"]


def test_remark_codes_from_moa_mia_and_lq() -> None:
    _, rem = only(STANDARD.replace("DTM*232*20260901~", "MOA***MA01*N115~DTM*232*20260901~"))
    assert rem.claims[0].remarks == ("MA01", "N115") and rem.claims[0].remarks_from is None
    _, rem = only(STANDARD.replace("DTM*232*20260901~", "MIA*0****MA02~DTM*232*20260901~"))
    assert rem.claims[0].remarks == ("MA02",) and rem.claims[0].remarks_from == "MIA"


def test_mixed_file_skips_other_sets_and_says_so() -> None:
    other = "ST*277*0002~BHT*0085*08*1*20260920*0830~SE*3*0002~"
    empty = "ST*835*0003~SE*2*0003~"
    read = read_835((ISA + GS + other + HEADER + CLAIM + TRAILER.split("GE")[0] + empty
                     + "GE*3*1~IEA*1*000000001~").encode(), "f.835")
    assert len(read.remittances) == 1
    assert read.skipped[0] == "skipped 1 non-835 sets (277 x1)"
    assert "835 set 0003 has no BPR and no claims; nothing to post" in read.skipped[1]


@pytest.mark.parametrize("text, where, reason", [
    (ISA + GS + HEADER.replace("BPR*I*132.5", "BPR*I*A") + CLAIM + TRAILER, "segment 4 (BPR)",
     "BPR02 'A' is not an amount"),
    (ISA + GS + HEADER + CLAIM.replace("CLP*C1*1*225", "CLP*C1*1*DTEST") + TRAILER, "segment 14 (CLP)",
     "CLP03 'DTEST' is not an amount"),
    (ISA + GS + HEADER + CLAIM.replace("CAS*CO*45*30", "CAS*CO*45*3O") + TRAILER, "segment 20 (CAS)",
     "CAS03 '3O' is not an amount"),
    (ISA + GS + HEADER + CLAIM + TRAILER.replace("WO:OVP1*47.5", "WO:OVP1*x"), "segment 28 (PLB)",
     "PLB04 'x' is not an amount"),
    ("hello, world", "segment 1", "the file does not start with an ISA, GS or ST segment"),
    (ISA + GS + "GE*0*1~IEA*1*000000001~", None, "holds no ST/SE transaction set"),
])
def test_garbage_is_refused_with_segment_and_reason(text: str, where: str | None, reason: str) -> None:
    with pytest.raises(X12Error) as info:
        read_835(text.encode(), "bad.835")
    assert (info.value.file, info.value.where, info.value.reason) == ("bad.835", where, reason)


@pytest.mark.parametrize("text, cents", [("150", 15000), ("82.5", 8250), ("-42.58", -4258), (".5", 50),
                                         ("0", 0), ("56.520", 5652), ("1.005", 101), ("-0.50", -50)])
def test_amounts(text: str, cents: int) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["", "-", ".", "A", "1e3", "1,000", "NaN", "١٢", "--1"])
def test_not_amounts(text: str) -> None:
    assert parse_cents(text) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_records_or_the_readers_own_error(data: bytes) -> None:
    try:
        read = read_835(data, "fuzz.835")
    except X12Error as exc:
        assert exc.file == "fuzz.835"
    else:
        assert all(r.segment >= 1 for r in read.remittances)


_ELEMENT = st.text(alphabet="0123456789.-ABCHOPRN:>^ ", max_size=8)
_SEGMENT = st.tuples(
    st.sampled_from(["BPR", "TRN", "DTM", "N1", "N3", "N4", "PER", "REF", "LX", "CLP", "CAS", "NM1", "MOA",
                     "MIA", "SVC", "AMT", "LQ", "PLB", "SE", "ST", "GS", "GE", "TS3", "QTY"]),
    st.lists(_ELEMENT, max_size=20))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SEGMENT, max_size=40))
def test_any_segments_in_an_835_give_records_or_the_readers_own_error(segments: list) -> None:
    body = "".join("*".join([sid, *elements]) + "~" for sid, elements in segments)
    try:
        read = read_835((ISA + GS + "ST*835*0001~" + body).encode(), "fuzz.835")
    except X12Error as exc:
        assert exc.where is None or exc.where.startswith("segment ")
    else:
        for rem in read.remittances:
            for claim in rem.claims:
                assert all(isinstance(s.charge_cents, int) for s in claim.services)


def test_records_made_in_the_hot_path_are_whole_and_equal_to_constructed_ones() -> None:
    rich = (STANDARD.replace("SVC*HC:97110:GO*75*60**1", "SVC*HC:97110:GO*75*60*0420*1.5*HC:97112:GO*2")
            .replace("DTM*232*20260901~", "MOA***MA01~DTM*232*20260901~REF*F8*ICN0~"))
    _, rem = only(rich)
    records = [*rem.claims, *(s for c in rem.claims for s in c.services),
               *(a for c in rem.claims for s in c.services for a in s.adjustments)]
    assert {type(r).__name__ for r in records} == {"ClaimPaymentRecord", "ServiceRecord", "AdjustmentRecord"}
    for record in records:
        assert set(vars(record)) == {f.name for f in dataclasses.fields(record)}
        assert dataclasses.replace(record) == record  # the generated __init__ makes the same record
    second = rem.claims[0].services[1]
    assert (second.original_code, second.original_modifiers, second.units, second.revenue_code) == (
        "97112", ("GO",), Decimal("1.5"), "0420")


def test_an_svc01_read_before_is_read_and_warned_about_the_same_way_again() -> None:
    twice = STANDARD.replace("HC:97530:GO*150*120**2", "HC:*150*120**2").replace(
        "HC:97110:GO*75*60**1", "HC:*75*60**1*****X")
    read, rem = only(twice)
    assert [(s.qualifier, s.code, s.modifiers) for s in rem.claims[0].services] == [("HC", "", ())] * 2
    assert [w.split(": ", 1)[1] for w in read.all_warnings] == [
        "SVC01 has no procedure code",
        "SVC has 10 elements, more than the 7 it may have; the extra ones are ignored",
        "SVC01 has no procedure code"]


def test_imbalances_are_checked_once_per_remittance() -> None:
    read, rem = only(STANDARD.replace("CLP*C1*1*225*180", "CLP*C1*1*225*170"))
    first = read.imbalances(rem)
    assert first == list(check_remittance(rem)) and first[0].level == "claim"
    assert read.imbalances(rem) is first

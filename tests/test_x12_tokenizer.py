"""The X12 tokenizer on the layouts real senders produce, and on anything at all."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.importers.x12 import X12Error, X12File, tokenize, transactions
from tests.conftest import SHARED_835

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261126*1200*^*00501*000000001*0*P*:~"
GS_LINE = "GS*HP*S*R*20261126*1200*1*X*005010X221A1~"
ENVELOPE = {"ISA", "GS", "ST", "SE", "GE", "IEA"}
BODY = "GS*HP*S*R*20261126*1200*1*X*005010X221A1~ST*835*0001~BPR*I*10*C*CHK~SE*3*0001~GE*1*1~IEA*1*000000001~"


def test_standard_delimiters_and_positions() -> None:
    doc = tokenize(ISA + BODY, "f.835")
    assert [s.id for s in doc.segments] == ["ISA", "GS", "ST", "BPR", "SE", "GE", "IEA"]
    assert doc.segments[3].get(2) == "10"
    assert doc.segments[3].get(9) == ""
    assert doc.segments[3].where == "segment 4 (BPR)"
    delims = doc.interchanges[0][1]
    assert (delims.element, delims.segment, delims.component, delims.repetition) == ("*", "~", ":", "^")


def test_crlf_bom_and_indentation() -> None:
    text = "\ufeff" + (ISA + BODY).replace("~", "~\r\n    ")
    doc = tokenize(text.encode("utf-8"), "f.835")
    assert [s.id for s in doc.segments][:4] == ["ISA", "GS", "ST", "BPR"]


def test_newline_terminated_file() -> None:
    text = (ISA + BODY).replace("~", "\n")
    doc = tokenize(text, "f.835")
    assert doc.interchanges[0][1].segment == "\n"
    assert len(doc.segments) == 7


def test_terminator_at_start_of_next_line() -> None:
    isa = ISA.replace("*", "|").replace("|^|", "|U|").replace(":~", "^")
    body = BODY.replace("*", "|")
    text = isa + "\n~" + body.replace("~", "\n~").removesuffix("\n~")
    doc = tokenize(text, "f.835")
    assert doc.interchanges[0][1].element == "|"
    assert doc.interchanges[0][1].segment == "~"
    assert doc.interchanges[0][1].component == "^"
    assert [s.id for s in doc.segments] == ["ISA", "GS", "ST", "BPR", "SE", "GE", "IEA"]


def test_no_envelope_starts_at_st() -> None:
    doc = tokenize("ST*835*0001~BPR*I*10*C~CLP*A1*1*10*10~SVC*HC>97110*10*10~SE*5*0001~", "f")
    assert doc.warnings
    assert doc.interchanges[0][1].component == ">"
    (txn,) = transactions(doc)
    assert txn.set_id == "835" and len(txn.segments) == 5 and not txn.warnings


def test_two_interchanges_with_different_delimiters() -> None:
    second = (ISA + BODY).replace("*", "|").replace("~", "!")
    doc = tokenize(ISA + BODY + "\n" + second, "f")
    assert len(doc.interchanges) == 2
    assert doc.interchanges[1][1].element == "|"
    assert len(list(transactions(doc))) == 2


def test_se_count_mismatch_is_a_warning() -> None:
    doc = tokenize(ISA + BODY.replace("SE*3", "SE*9"), "f")
    (txn,) = transactions(doc)
    assert "SE01 says 9" in txn.warnings[0]


@pytest.mark.parametrize("text, where", [
    ("", None),
    ("hello world", "segment 1"),
    ("ISA*00", "segment 1 (ISA)"),
    (ISA + "GS*HP~12*3~", "segment 3"),
])
def test_garbage_is_refused_with_a_location(text: str, where: str | None) -> None:
    with pytest.raises(X12Error) as info:
        tokenize(text, "bad.835")
    assert info.value.file == "bad.835"
    assert info.value.where == where


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet="ISA*~:^|\n GSTCLP0123456789", max_size=300))
def test_any_input_tokenizes_or_raises_own_error(data: bytes | str) -> None:
    try:
        doc = tokenize(data, "fuzz.835")
    except X12Error as exc:
        assert exc.file == "fuzz.835"
        assert exc.where is None or exc.where.startswith("segment ")
    else:
        for txn in transactions(doc):
            assert txn.segments[0].id == "ST"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["CLP", "SVC", "CAS", "NM1", "REF"]),
                          st.lists(st.text(alphabet="ABC0123456789.-", max_size=6), max_size=6)),
                max_size=20))
def test_segments_round_trip(segments: list[tuple[str, list[str]]]) -> None:
    body = "".join("*".join([seg_id, *elems]) + "~" for seg_id, elems in segments)
    doc = tokenize(ISA + body, "rt")
    assert [(s.id, s.elements[1:]) for s in doc.segments[1:]] == [
        (seg_id, elems) for seg_id, elems in segments
    ]


@pytest.mark.skipif(not SHARED_835.is_dir(), reason="shared 835 samples not present")
def test_every_shared_sample_tokenizes() -> None:
    for path in sorted(SHARED_835.iterdir()):
        doc = tokenize(path.read_bytes(), path.name)
        assert doc.segments, path.name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ISA", "GS", "ST", "SE", "GE", "IEA", "BPR", "CLP", "SVC", "ST", "SE"]),
                max_size=30))
def test_envelope_positions_noted_while_splitting_give_the_same_sets_as_a_full_scan(ids: list[str]) -> None:
    body = "".join(ISA if seg_id == "ISA" else f"{seg_id}*1*2~" for seg_id in ids)
    doc = tokenize(ISA + GS_LINE + body, "f")
    assert doc.controls == [i for i, s in enumerate(doc.segments) if s.id in ENVELOPE]
    scanned = dataclasses.replace(doc, controls=None)  # e.g. a file put together by hand

    def sets(d: X12File) -> list[tuple]:
        return [(t.set_id, [s.index for s in t.segments], t.warnings) for t in transactions(d)]

    assert sets(doc) == sets(scanned)

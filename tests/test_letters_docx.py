"""The .docx read back with python-docx: letterhead, RE block, quotes, table, enclosures, safety."""

from __future__ import annotations

import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from assistant.domain import Category
from assistant.errors import ConfigError, InvalidInput
from assistant.letters.drafting import Drafter
from tests import letter_builders as lb
from tests.builders import claim_record, write


@pytest.fixture
def drafter(services) -> Drafter:
    assessments = lb.clinic(services.conn)
    return lb.drafter(services, lambda view: assessments[view.claim_id])


def body_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_letter_file_holds_every_part_of_the_letter(drafter, services) -> None:
    draft = drafter.draft("MN-AET-1")
    path = draft.path
    assert path == services.locations.letters_dir / "MN-AET-1-medical_necessity-2026-11-26.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc = Document(str(path))
    text = body_text(doc)
    for part in ("November 26, 2026", "Aetna - Appeals Department", "PO Box 14020", "Lexington, KY 40512",
                 "RE: First-level appeal: medical necessity of occupational therapy",
                 "Patient: Wei Chen", "Member ID: MA1002", "Claim number: 2026274001234",
                 "Our claim ID: MN-AET-1", "Dates of service: 09/15/2026", "Billed amount: $225.00",
                 "Denial: CO-50: Not medically necessary per payer", "Dear Appeals Reviewer:", "Sincerely,",
                 "Dana Okafor, OT"):
        assert part in text, part
    re_block = next(p for p in doc.paragraphs if p.text.startswith("RE:"))
    assert re_block.runs[0].bold and "\n" in re_block.text  # one paragraph, a line per field
    quotes = [p for p in doc.paragraphs if p.style.name == "Quote"]
    assert len(quotes) == len(draft.excerpts)
    for paragraph, excerpt in zip(quotes, draft.excerpts, strict=True):
        assert excerpt.text in paragraph.text and f"{excerpt.doc_date:%m/%d/%Y}" in paragraph.text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Services under appeal" in headings and "Enclosures" in headings
    table = doc.tables[0]
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Date", "Code", "Modifiers", "Units", "Minutes",
                                                     "Billed", "Denial"]
    assert [c.text for c in table.rows[1].cells] == ["09/15/2026", "97530", "GO", "2", "30", "$150.00",
                                                     "CO-50"]
    enclosures = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert "Remittance advice / denial notice dated 10/01/2026" in enclosures
    assert any(e.startswith("Plan of care 08/20/2026") for e in enclosures)
    goals = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert goals == list(lb.GOALS)
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    head = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert head.splitlines() == ["Harbor Hand & Occupational Therapy", "200 Harbor Way, Suite 4, Portland, ME 04101",
                                 "Phone (207) 555-0142  |  NPI 1699999996"]
    assert "Claim MN-AET-1" in section.header.paragraphs[0].text


def test_drafting_notes_are_highlighted(drafter) -> None:
    draft = drafter.draft("RECON-MCR-1")
    doc = Document(str(draft.path))
    notes = [p for p in doc.paragraphs if p.text.startswith("Drafting note")]
    assert notes and all(r.font.highlight_color is not None for r in notes[0].runs)


def test_practice_letterhead_is_the_base_document(drafter, services) -> None:
    base = Document()
    base.sections[0].header.paragraphs[0].text = "HARBOR LOGO LETTERHEAD"
    for name in ("Quote", "List Bullet", "List Number"):  # a letterhead made in Word may lack them
        style = base.styles[name]
        style.element.getparent().remove(style.element)
    services.locations.letterhead.parent.mkdir(parents=True, exist_ok=True)
    base.save(str(services.locations.letterhead))
    fresh = lb.drafter(services, lambda v: drafter.knowledge.assess(services.conn, v))
    draft = fresh.draft("MN-AET-1")
    doc = Document(str(draft.path))
    assert doc.sections[0].header.paragraphs[0].text == "HARBOR LOGO LETTERHEAD"
    assert doc.paragraphs[0].text == "November 26, 2026"  # the letterhead's empty body is replaced
    assert any(p.style.name == "Quote" for p in doc.paragraphs)
    assert any(p.text.startswith("\u2022 Remittance advice") for p in doc.paragraphs)
    assert any(p.text.startswith("1. Patient will don and doff") for p in doc.paragraphs)


def test_a_letterhead_that_is_not_a_docx_is_a_config_error(drafter, services) -> None:
    services.locations.letterhead.parent.mkdir(parents=True, exist_ok=True)
    services.locations.letterhead.write_text("not a word file")
    fresh = lb.drafter(services, lambda v: drafter.knowledge.assess(services.conn, v))
    with pytest.raises(ConfigError, match=r"letterhead\.docx: not a usable letterhead"):
        fresh.draft("MN-AET-1")


def test_control_characters_in_notes_never_break_the_file(services) -> None:
    lb.practice(services.conn, name="Harbor\x07 OT")
    write(services.conn, claim_record("C1", payer="Aetna", minutes=(30, 15)))
    lb.note(services.conn, date(2026, 9, 1),
            "Assessment:\x00 requires skilled\x0b cueing\x1b[0m for safety with \x0cdressing.\x7f")
    lb.remit(services.conn, "C1", adjustments=[(1, "CO", "50", 150.0)])
    drafter = lb.drafter(services, lambda v: lb.assessment(v.claim_id, Category.MEDICAL_NECESSITY, "CO-50"))
    draft = drafter.draft("C1")
    doc = Document(str(draft.path))
    quote = next(p for p in doc.paragraphs if p.style.name == "Quote")
    assert "Assessment: requires skilled cueing[0m for safety with dressing." in quote.text
    assert "Harbor OT" in doc.sections[0].first_page_header.paragraphs[0].text


def test_out_may_be_a_folder_or_a_docx_name(drafter, tmp_path: Path) -> None:
    assert drafter.draft("MN-AET-1", out=tmp_path).path == tmp_path / "MN-AET-1-medical_necessity-2026-11-26.docx"
    named = tmp_path / "mine.docx"
    assert drafter.draft("MN-AET-1", out=named).path == named and named.is_file()
    with pytest.raises(InvalidInput, match=r"a letter is a \.docx file"):
        drafter.draft("MN-AET-1", out=tmp_path / "letter.pdf")
    with pytest.raises(InvalidInput, match="no such folder"):
        drafter.draft("MN-AET-1", out=tmp_path / "missing" / "x.docx")


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_letter_to_pdf(drafter, tmp_path: Path) -> None:
    draft = drafter.draft("MN-MCR-1")
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(draft.path)],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / f"{draft.path.stem}.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_the_letter_is_a_whole_office_package_another_reader_opens(drafter) -> None:
    """What makes Word say "unreadable content": a part that is not XML, a relationship to a
    missing part, a part without a content type. Then mammoth, a .docx reader independent of
    python-docx, reads the letter's text with no error."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree

    import mammoth

    draft = drafter.draft("MN-MCR-1")
    with zipfile.ZipFile(draft.path) as package:
        names = set(package.namelist())
        assert package.testzip() is None and "[Content_Types].xml" in names
        types = ElementTree.fromstring(package.read("[Content_Types].xml"))
        ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{ns}Default")}
        overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{ns}Override")}
        for name in names - {"[Content_Types].xml"}:
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(package.read(name))  # well-formed
        for rels in (n for n in names if n.endswith(".rels")):
            base = posixpath.dirname(posixpath.dirname(rels))
            for rel in ElementTree.fromstring(package.read(rels)):
                if rel.get("TargetMode") != "External":
                    target = rel.get("Target", "")
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(base, target))
                    assert part in names, (rels, target)
    with draft.path.open("rb") as fh:
        result = mammoth.extract_raw_text(fh)
    assert not [m for m in result.messages if m.type == "error"]
    assert "Request for Redetermination" in result.value and "OT" in result.value

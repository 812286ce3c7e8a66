"""Drafting appeal letters: claim + assessment -> context -> markup -> blocks -> .docx.

`Drafter` holds what every letter of one process shares (the template environment, the
practice, the letterhead), so a batch pays for them once. `draft_batch` spreads a list
of claims over the machine's cores: each worker process opens its own read connection
and writes its own files; the parent records the appeals in one transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain import Action, Assessment, ClaimView, PayerView, UnitRule
from assistant.errors import AssistantError, InvalidInput
from assistant.letters import choice as choosing
from assistant.letters.appeals import OPEN_NEXT_LEVEL, next_level_deadline
from assistant.letters.context import build_context
from assistant.letters.evidence import Evidence, Gap, Situation, appealability, gaps_for, gather
from assistant.letters.excerpts import Excerpt, best_excerpts
from assistant.letters.markup import Block, parse
from assistant.letters.templates import LetterTemplates, TemplateInfo
from assistant.paths import Locations, ensure_private_dir
from assistant.storage.claims import load_claim
from assistant.storage.practice import PracticeView, load_practice

if TYPE_CHECKING:
    from assistant.letters.docx_writer import Letterhead

AssessFn = Callable[[sqlite3.Connection, ClaimView], Assessment]


@dataclass(frozen=True)
class Knowledge:
    """What letters take from the rules engine, as plain functions (`rules_knowledge`);
    tests give their own assessments."""

    assess: AssessFn
    is_timed: Callable[[str], bool]
    timely_filing_days: Callable[[ClaimView], int | None] = lambda _view: None
    unit_rule: Callable[[ClaimView], UnitRule | None] = lambda _view: None
    # timed units a day's minutes per code support under the payer's unit rule
    supported_units: Callable[[ClaimView, Mapping[str, int]], int | None] = lambda _view, _minutes: None
    # the playbook's request forms: payer kind -> appeal level -> template
    appeal_forms: Mapping[str, Mapping[int, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    """One drafted letter: where it is, what it quotes, what is missing."""

    claim_id: str
    claim_pk: int
    template: str
    level: int
    category: str | None
    path: Path | None
    excerpts: tuple[Excerpt, ...]
    gaps: tuple[Gap, ...]
    deadline: date | None
    markup: str
    blocks: tuple[Block, ...] = field(repr=False, default=())

    @property
    def blocking(self) -> bool:
        return any(g.blocking for g in self.gaps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "template": self.template,
            "level": self.level,
            "category": self.category,
            "path": str(self.path) if self.path else None,
            "excerpts": [e.as_dict() for e in self.excerpts],
            "gaps": [g.as_dict() for g in self.gaps],
            "blocking": self.blocking,
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }


def safe_name(text: str) -> str:
    """A claim id or template name as a file-name part: letters, digits, `.`, `_`, `-`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "claim"


def letter_filename(claim_id: str, template: str, day: date) -> str:
    return f"{safe_name(claim_id)}-{safe_name(template)}-{day.isoformat()}.docx"


def _appeal_level(assessment: Assessment, evidence: Evidence) -> int:
    """The rules' level; else the level after the last decided appeal; else the open one's; else 1."""
    level, _ = choosing.appeal_action_level(assessment)
    if level:
        return level
    if not evidence.appeals:
        return 1
    last = evidence.appeals[-1]
    if last.outcome in OPEN_NEXT_LEVEL:
        return last.level + 1
    return last.level


def _deadline(assessment: Assessment, level: int, evidence: Evidence, payer: PayerView) -> date | None:
    for action in assessment.actions:
        if action.action is Action.APPEAL and action.deadline and action.level in (None, level):
            return action.deadline
    decided = [(a.level, a.decided_date) for a in evidence.appeals
               if a.decided_date is not None and a.outcome in OPEN_NEXT_LEVEL]
    if level > 1:
        # counted from the decision appealed from; unknown until that decision is recorded
        if not decided:
            return None
        last_level, decided_on = decided[-1]
        return next_level_deadline(payer, last_level, decided_on)
    return assessment.deadline


class Drafter:
    """Drafts letters against one database connection; cheap to reuse for many claims."""

    def __init__(self, conn: sqlite3.Connection, locations: Locations, today: date, user: str,
                 knowledge: Knowledge) -> None:
        self.conn = conn
        self.locations = locations
        self.today = today
        self.user = user
        self.knowledge = knowledge
        self.templates = LetterTemplates(locations.templates_dirs)

    @cached_property
    def practice(self) -> PracticeView | None:
        return load_practice(self.conn)

    def reload(self) -> None:
        """Forget what was read from the database (the practice and its letterhead): a
        long-lived process calls this when the database changed since."""
        self.__dict__.pop("practice", None)
        self.__dict__.pop("letterhead", None)

    @cached_property
    def letterhead(self) -> Letterhead:
        from assistant.letters.docx_writer import Letterhead

        practice = self.practice
        base = self.locations.letterhead if self.locations.letterhead.is_file() else None
        if practice is None:
            return Letterhead(name="", base=base)
        contact = "  |  ".join(p for p in (
            f"Phone {practice.phone}" if practice.phone else "",
            f"Fax {practice.fax}" if practice.fax else "",
            f"NPI {practice.npi}" if practice.npi else "",
        ) if p)
        return Letterhead(name=practice.name,
                          lines=tuple(p for p in (", ".join(practice.address_lines), contact) if p),
                          base=base)

    def _info(self, chosen: choosing.Choice) -> tuple[TemplateInfo, list[str], str | None]:
        """The template's metadata, the evidence it needs and the excerpt profile it quotes for.

        A request form (Medicare) that extends the category's letter needs both letters'
        evidence and quotes for the argument; no profile when the letter quotes no notes.
        """
        info = self.templates.info(chosen.template)
        needs = list(info.evidence)
        profile: str | None = info.evidence_profile if info.quotes else None
        if info.evidence_profile == "argument":
            argument = self.templates.info(chosen.argument)
            needs += argument.evidence
            profile = argument.evidence_profile if argument.quotes else None
        return info, needs, profile

    def prepare(self, claim_id: str, template: str | None = None) -> tuple[Draft, dict[str, Any]]:
        """Render the letter to blocks (no file yet); returns the draft and its context."""
        view = load_claim(self.conn, claim_id)
        know = self.knowledge
        assessment = know.assess(self.conn, view)
        evidence = gather(self.conn, view)
        level = _appeal_level(assessment, evidence)
        maintenance_texts = [*(evidence.plan.goals if evidence.plan else ()),
                             *(d.text for d in evidence.documents)]
        chosen = choosing.choose(assessment, view.payer.kind,
                                 maintenance=choosing.speaks_of_maintenance(maintenance_texts),
                                 level=level, forms=know.appeal_forms, requested=template)
        if chosen.template != chosen.argument and not template and \
                not self.templates.info(chosen.argument).appeal:
            chosen = choosing.Choice(chosen.argument, chosen.argument, level)  # a correction, not an appeal
        info, needs, profile = self._info(chosen)
        if info.level is not None and info.level != level:
            # A letter written for one level (a Medicare reconsideration) asked for by name:
            # its level names the request and counts its deadline.
            level = info.level
            chosen = choosing.Choice(chosen.template, chosen.argument, level)
        situation = Situation(view=view, is_timed=know.is_timed,
                              timely_filing_days=know.timely_filing_days(view),
                              findings=assessment.findings, unit_rule=know.unit_rule(view),
                              supported_units=lambda minutes: know.supported_units(view, minutes))
        deadline = _deadline(assessment, level, evidence, view.payer)
        gaps = gaps_for(needs, evidence, situation, template=info.name)
        if info.appeal:
            gaps = sorted([*appealability(view, assessment), *gaps], key=lambda g: not g.blocking)
        if deadline is not None and deadline < self.today and info.appeal:
            gaps.insert(0, Gap("deadline", f"the appeal deadline ({deadline:%m/%d/%Y}) has passed: a late "
                               "appeal is heard only with good cause for the delay, which the letter must "
                               "state", blocking=True))
        excerpts = best_excerpts(evidence.documents, profile, evidence.service_dates) if profile else []
        context = build_context(view=view, assessment=assessment, info=info, needs=needs, choice=chosen,
                                practice=self.practice, evidence=evidence, excerpts=excerpts,
                                gaps=gaps, situation=situation, today=self.today, user=self.user,
                                quotes=profile is not None, deadline=deadline)
        markup = self.templates.render(info.name, context)
        draft = Draft(
            claim_id=view.claim_id, claim_pk=view.pk, template=info.name, level=level,
            category=assessment.category.value if assessment.category else None, path=None,
            excerpts=tuple(excerpts), gaps=tuple(gaps),
            deadline=deadline,
            markup=markup, blocks=tuple(parse(markup)),
        )
        return draft, context

    def preview(self, draft: Draft) -> str:
        from assistant.letters.preview import render_text

        return render_text(draft.blocks, self.letterhead)

    def write(self, draft: Draft, out: Path | None = None) -> Draft:
        """Write the .docx: into `out` (a folder or a file name) or the letters folder."""
        from assistant.letters.docx_writer import write_docx

        name = letter_filename(draft.claim_id, draft.template, self.today)
        if out is None:
            path = ensure_private_dir(self.locations.letters_dir) / name
        elif out.is_dir():
            path = out / name
        else:
            if out.suffix.lower() != ".docx":
                raise InvalidInput(f"{out}: a letter is a .docx file (or give a folder)")
            if not out.parent.is_dir():
                raise InvalidInput(f"{out.parent}: no such folder")
            path = out
        write_docx(draft.blocks, replace(self.letterhead, running_header=f"Claim {draft.claim_id}"), path)
        return replace(draft, path=path)

    def draft(self, claim_id: str, template: str | None = None, out: Path | None = None) -> Draft:
        prepared, _ = self.prepare(claim_id, template)
        return self.write(prepared, out)


def rules_knowledge(locations: Locations, today: date) -> Knowledge:
    """The rules engine's assessment, playbook forms, code and payer knowledge."""
    from assistant.rules.assess import assess
    from assistant.rules.codes import cpt
    from assistant.rules.payer_rules import payer_rules
    from assistant.rules.playbook import load_playbook
    from assistant.rules.units import units_for

    def assessment(conn: sqlite3.Connection, view: ClaimView) -> Assessment:
        return assess(conn, view, today, locations.playbook_files)

    def is_timed(code: str) -> bool:
        info = cpt(code)
        return bool(info and info.timed)

    def supported_units(view: ClaimView, minutes: Mapping[str, int]) -> int | None:
        return units_for(minutes, payer_rules(view.payer).unit_rule).total_units if minutes else None

    return Knowledge(
        assess=assessment, is_timed=is_timed,
        timely_filing_days=lambda view: payer_rules(view.payer).timely_filing_days,
        unit_rule=lambda view: payer_rules(view.payer).unit_rule,
        supported_units=supported_units,
        appeal_forms=load_playbook(locations.playbook_files).appeal_templates,
    )


def standard_drafter(conn: sqlite3.Connection, locations: Locations, today: date, user: str) -> Drafter:
    """The drafter the program uses (and each batch worker builds)."""
    return Drafter(conn, locations, today, user, rules_knowledge(locations, today))


# --------------------------------------------------------------------------- batches

_worker: Drafter | None = None
PRELOAD = ("assistant.letters.drafting", "assistant.letters.docx_writer", "assistant.rules.assess",
           "docx", "jinja2", "rapidfuzz.process", "rapidfuzz.fuzz")


@dataclass(frozen=True)
class BatchJob:
    """Everything a worker process needs to build its own Drafter (picklable)."""

    db: Path
    config: Path
    today: date
    user: str
    template: str | None
    make: Callable[[sqlite3.Connection, Locations, date, str], Drafter]


def _process_context() -> Any:
    """Fork when this process runs no other thread (workers start at once, modules loaded);
    otherwise a fork server that has imported the heavy modules (forking a threaded
    process, e.g. the terminal UI, is unsafe)."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def _init_worker(job: BatchJob) -> None:
    global _worker
    from assistant.storage import open_database

    conn = open_database(job.db, migrate=False)
    _worker = job.make(conn, Locations(db=job.db, config=job.config), job.today, job.user)


def _draft_in_worker(args: tuple[str, str | None]) -> Draft | tuple[str, str]:
    claim_id, template = args
    if _worker is None:
        raise RuntimeError("worker process not initialised")
    return _draft_one(_worker, claim_id, template)


def _draft_one(drafter: Drafter, claim_id: str, template: str | None) -> Draft | tuple[str, str]:
    try:
        return drafter.draft(claim_id, template)
    except AssistantError as exc:
        return claim_id, exc.message


def _draft_for_parent(args: tuple[str, str | None]) -> Draft | tuple[str, str]:
    """A worker's result without the rendered blocks: the parent only records and reports."""
    result = _draft_in_worker(args)
    return replace(result, markup="", blocks=()) if isinstance(result, Draft) else result


def draft_batch(job: BatchJob, claim_ids: Sequence[str], workers: int, local: Drafter,
                progress: Callable[[int, int], None] = lambda _d, _t: None,
                ) -> list[Draft | tuple[str, str]]:
    """Draft each claim's letter; a claim that fails gives (claim_id, error) and the rest go on.

    With more than one worker the claims are spread over processes (each with its own
    connection and Jinja environment); a small batch stays in this process (`local`).
    Results come back in the order of `claim_ids`.
    """
    total = len(claim_ids)
    results: list[Draft | tuple[str, str]] = []
    if workers <= 1 or total < 4 * workers:
        for done, claim_id in enumerate(claim_ids, 1):
            results.append(_draft_one(local, claim_id, job.template))
            progress(done, total)
        return results
    from concurrent.futures import ProcessPoolExecutor

    context = _process_context()
    chunk = max(1, min(16, total // (workers * 8)))
    tasks = [(claim_id, job.template) for claim_id in claim_ids]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(job,)) as pool:
        for done, result in enumerate(pool.map(_draft_for_parent, tasks, chunksize=chunk), 1):
            results.append(result)
            progress(done, total)
    return results

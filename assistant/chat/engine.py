"""`ChatEngine(services).ask(text)`: one message in, one reply out, the work done through the services.

The engine reads the message (`parse.understand`), finds the claims it is about (an id, a
patient, the claim in focus, the next one of the worklist), calls the service that does
the work and words the reply (`replies`). Changes that are hard to undo (writing a claim
off, changing many claims at once) wait for a "yes" (or `yes=True`, the CLI's --yes).
Whatever the text, the answer is a reply: an `AssistantError` from a service becomes
"I understood ...; but ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from assistant.chat import replies
from assistant.chat.intents import suggestions
from assistant.chat.knowledge import knowledge_roster, load_knowledge
from assistant.chat.parse import Knowledge, Understanding, understand
from assistant.chat.resolve import EXACT, PatientMatch, PatientRef, fold
from assistant.chat.session import PendingAction, PendingChoice, Session
from assistant.chat.vocabulary import vocabulary
from assistant.domain import CLOSED_WORK_STATUSES, WorkStatus
from assistant.errors import AssistantError, NotFound
from assistant.storage.claims import ClaimFilter

if TYPE_CHECKING:
    from assistant.services import Services

# Intents that act on one claim and what to prefer among a patient's claims.
_PREFER_DENIED = frozenset({"explain", "next_action", "appeal"})
# The claim id and the name the vocabulary's examples use, replaced by ones on file.
_EXAMPLE_CLAIM, _EXAMPLE_PATIENT = "20931", "Ortiz"
_SORT_LABELS = {"age": "oldest", "balance": "biggest balance", "deadline": "nearest deadline"}
_CHANGES = frozenset({"note", "follow_up", "set_status", "assign"})
_DENIED = frozenset({"denied", "partially_paid"})
_WORK_STATUS_VALUES = frozenset(s.value for s in WorkStatus)
_CONFIRM_STATUSES = frozenset({WorkStatus.WRITTEN_OFF.value})  # hard to undo: a "yes" first
# A note says what happened; "pt has new ins" is no reason to set a claim back to new.
_CLEAR_FOLLOW_UP = frozenset({"no f/u", "no follow up", "no followup", "clear the follow up"})
_NOT_FROM_NOTES = frozenset({WorkStatus.NEW.value})
_HISTORY_CUES = frozenset({"history", "activity", "what changed", "who changed", "audit trail", "last call",
                           "last note", "last notes", "notes on", "notes for", "who touched", "who worked"})
# A payer status said as a change of work status: "mark 2603250001 paid in full" closes the claim.
_PAYER_STATUS_AS_WORK = {"paid": WorkStatus.CLOSED.value}
# Filters that make a change one on many claims, whatever is in focus: "write off the small
# balances under $10", "transfer the aetna tf denials to jordan" (a payer alone may be the
# focused claim's: "called BCBS, push it to Monday").
_SET_FILTERS = frozenset({"min_age_days", "max_age_days", "min_balance", "max_balance", "assignee", "actions",
                          "deadline_within_days", "codes"})
# ... and these too when no claim is in focus ("f/u monday, denied again" is about the claim open).
_SET_FILTERS_UNFOCUSED = frozenset({"payer_statuses", "categories", "statuses"})
# Where a message joins requests: ";" or "and"/"then" before a verb that starts one.
_CLAUSES = re.compile(
    r"\s*(?:;|,?\s+(?:and\s+then|then|and\s+also|and|&|\+)\s+(?:pls\s+|please\s+|also\s+)?"
    r"(?=(?:mark|set|assign|reassign|give|hand|push|follow|f/u|remind|snooze|bump|appeal|draft|write|note"
    r"|log|close|check|scrub|show|open|explain|why|what|whats|what's|how|tell|send|move)\b))",
    re.IGNORECASE)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "last": -1}


@dataclass
class ChatReply:
    intent: str
    entities: dict[str, Any]
    reply: str
    claims: list[str] = field(default_factory=list)
    needs_confirmation: bool = False
    suggestions: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None  # structured payload for screens: {"kind": ..., ...}
    understood: str = ""
    steps: list[ChatReply] = field(default_factory=list)  # a message of several requests, one each

    def as_dict(self) -> dict[str, Any]:
        """What `ask --json` prints; a message of several requests has `steps`, one per request."""
        out = {"intent": self.intent, "entities": self.entities, "reply": self.reply,
               "claims": list(self.claims), "needs_confirmation": self.needs_confirmation,
               "suggestions": list(self.suggestions)}
        if self.steps:
            out["steps"] = [step.as_dict() for step in self.steps]
        return out


class NeedsClaim(AssistantError):
    """The message acts on a claim but names none and none is in focus."""


@dataclass(frozen=True)
class _Target:
    claim_ids: list[str]
    note: str = ""  # e.g. the patient's other claims
    ask: ChatReply | None = None  # a question back (which patient?) instead of a target


class ChatEngine:
    """One conversation over the services; keep one per session (the TUI keeps one per window)."""

    def __init__(self, services: Services, session: Session | None = None) -> None:
        self.services = services
        self.session = session or Session()
        self._knowledge: Knowledge | None = None
        self._database: tuple[int, int] | None = None  # Services.database_stamp when last checked
        self._roster: tuple[Any, ...] | None = None  # what the names index was built from
        self._example: tuple[str, str] | None = None  # a claim id and a last name for examples

    @property
    def knowledge(self) -> Knowledge:
        """The names index, built once and again when patients or payers were added or changed
        since, here or by another process (an import in another terminal while the TUI is open)."""
        stamp = self.services.database_stamp()
        if self._knowledge is not None and stamp == self._database:
            return self._knowledge
        self._database = stamp
        roster = knowledge_roster(self.services.conn)
        if self._knowledge is None or roster != self._roster:
            self._knowledge = load_knowledge(self.services)
            self._roster = roster
        return self._knowledge

    def refresh(self) -> None:
        """Reload names and ids after imports changed the database."""
        self._knowledge = None

    # ------------------------------------------------------------------ entry point

    def understand(self, text: str) -> Understanding:
        return understand(text, self.knowledge, self.services.today)

    def ask(self, text: str, yes: bool = False) -> ChatReply:
        steps = self._steps(text)
        if steps:
            return self._several(steps, yes)
        return self._ask_one(self.understand(text), yes)

    def _ask_one(self, u: Understanding, yes: bool) -> ChatReply:
        try:
            return self._answer(u, yes)
        except AssistantError as exc:
            return self._reply(u, f"I understood: {u.summary()}.\nBut: {exc.message}",
                               suggestions=self._examples(u))

    def _steps(self, text: str) -> list[Understanding]:
        """"draft an appeal for 20931 and mark it appealed": one reading per request, when the
        message joins requests that each read on their own ("and", "then", ";") and at least
        one of them changes something. A clause that names no claim is about the one another
        clause names."""
        if self.session.pending is not None or self.session.choice is not None:
            return []
        parts = [p for p in _CLAUSES.split(text) if p and p.strip()]
        if len(parts) < 2:
            return []
        readings = [self.understand(p) for p in parts]
        if any(u.intent in ("unknown", "help") or u.answer for u in readings) \
                or len({u.intent for u in readings}) < 2 \
                or not any(u.intent in _CHANGES or u.intent == "appeal" for u in readings):
            return []
        named = next((u for u in readings if u.entities.claim_ids or u.entities.patient), None)
        if named is None:
            return readings
        patient = named.entities.patient
        mention = (named.entities.claim_ids[0] if named.entities.claim_ids or patient is None
                   else named.text[patient.start:patient.end])
        return [u if u is named or u.entities.claim_ids or u.entities.patient or u.navigation
                else self.understand(f"{u.text} for {mention}") for u in readings]

    def _several(self, steps: list[Understanding], yes: bool) -> ChatReply:
        replies_ = [self._ask_one(u, yes) for u in steps]
        first = replies_[0]
        claims = list(dict.fromkeys(c for r in replies_ for c in r.claims))
        text = "\n\n".join(r.reply for r in replies_)
        return ChatReply(intent=first.intent, entities=first.entities, reply=text, claims=claims,
                         needs_confirmation=any(r.needs_confirmation for r in replies_),
                         suggestions=replies_[-1].suggestions, data=replies_[-1].data,
                         understood=" | ".join(r.understood for r in replies_), steps=replies_)

    def _answer(self, u: Understanding, yes: bool) -> ChatReply:
        session = self.session
        if u.answer == "yes":
            return self._confirm(u)
        if u.answer == "no":
            dropped = session.pending
            session.pending = None
            if dropped is None:
                return self._reply(u, "Nothing to cancel.")
            return self._reply(u, f"Cancelled: {dropped.description}.", intent=dropped.intent)
        if session.choice is not None:
            choice, session.choice = session.choice, None
            picked = _pick_patient(u.text, choice.candidates)
            if picked is not None:
                original = self.understand(choice.text)
                original.entities.patient = PatientMatch(picked.name, 0, 0, ((picked, EXACT),), 1)
                return self._dispatch(original, yes)
        session.pending = None
        return self._dispatch(u, yes)

    def _dispatch(self, u: Understanding, yes: bool) -> ChatReply:
        if u.intent != "help":
            _no_such_claim(u)
        handler: Callable[[Understanding, bool], ChatReply] = getattr(self, f"_on_{u.intent}")
        return handler(u, yes)

    # ------------------------------------------------------------------ replies

    def _reply(self, u: Understanding, text: str, *, claims: list[str] | None = None,
               needs_confirmation: bool = False, suggestions: list[str] | None = None,
               data: dict[str, Any] | None = None, intent: str | None = None) -> ChatReply:
        return ChatReply(intent=intent or u.intent, entities=u.entities.as_json(), reply=text,
                         claims=claims or [], needs_confirmation=needs_confirmation,
                         suggestions=suggestions or [], data=data, understood=u.summary())

    def _examples(self, u: Understanding) -> list[str]:
        """The vocabulary's example phrasings nearest the message, with ids on file."""
        return [self._here(tip) for tip in suggestions(u.text, vocabulary(), list(u.ranking))]

    def _here(self, example: str) -> str:
        """An example phrasing with a claim id and a name this database holds: "show 20931"
        becomes "show OT2611050001", so a suggestion works when it is typed."""
        if self._example is None:
            on_file = self.services.locations.db.exists()
            rows = self.services.worklist(None, limit=1)["rows"] if on_file else []
            self._example = (rows[0]["claim_id"], rows[0]["patient"].split(",")[0]) if rows else ("", "")
        claim_id, last_name = self._example
        if not claim_id:
            return example
        return example.replace(_EXAMPLE_CLAIM, claim_id).replace(_EXAMPLE_PATIENT, last_name)

    def _confirm(self, u: Understanding) -> ChatReply:
        pending = self.session.pending
        if pending is None:
            return self._reply(u, "Nothing is waiting for a yes.")
        self.session.pending = None
        result = pending.apply()
        text = result if isinstance(result, str) else f"Done: {pending.description}."
        return self._reply(u, text, claims=list(pending.claims), intent=pending.intent)

    def _needs_yes(self, u: Understanding, yes: bool, description: str, claims: list[str],
                   apply: Callable[[], str]) -> ChatReply:
        """Apply now with `yes`; otherwise keep the change waiting for a "yes"."""
        if yes:
            return self._reply(u, apply(), claims=claims)
        self.session.pending = PendingAction(u.intent, description, tuple(claims), u.entities.as_json(),
                                             apply)
        return self._reply(u, f"This will {description}. Say \"yes\" to go ahead (or run with --yes).",
                           claims=claims, needs_confirmation=True)

    # ------------------------------------------------------------------ finding the claim

    def _patient_claims(self, patient: PatientRef) -> list[dict[str, Any]]:
        return list(self.services.claims(ClaimFilter(patient_pk=patient.pk, limit=None)))

    def _target(self, u: Understanding, *, required: bool = True) -> _Target:
        """The claim(s) a claim-level message is about."""
        e = u.entities
        if e.claim_ids:
            return _Target(list(e.claim_ids))
        if e.patient is not None:
            patient = e.patient.patient
            why = ""
            if patient is None:
                patient, why = self._settle_patient(u, e.patient)
                if patient is None:
                    return _Target([], ask=self._ask_which_patient(u, e.patient))
                e.patient = replace(e.patient, candidates=((patient, EXACT),), total=1)
            rows = self._patient_claims(patient)
            if not rows:
                return _Target([], ask=self._reply(u, f"{patient.name} has no claims on file."))
            if e.service_date is not None:
                day = e.service_date.isoformat()
                on_day = [r for r in rows if r["dos_from"] <= day <= (r["dos_to"] or r["dos_from"])]
                if not on_day:
                    return _Target([], ask=self._reply(
                        u, f"{patient.name} has no claim for a service on {day}.\n"
                           + replies.patient_claims(patient, rows[:10])))
                rows = on_day
            chosen = _best_claim(rows, prefer_denied=u.intent in _PREFER_DENIED)
            note = replies.claims_of_patient(patient, rows, chosen)
            return _Target([chosen], note="\n".join(x for x in (why, note) if x))
        if e.row is not None:
            return _Target([self._row(e.row)])
        if u.navigation:
            step = 1 if u.navigation == "next" else -1
            if not self.session.worklist:
                self._start_worklist()
            claim_id = self.session.step(step)
            if claim_id is None:
                if not self.session.worklist:
                    raise NeedsClaim("there is no worklist to move along yet; ask for one first "
                                     "(e.g. \"denied claims over $500\")")
                raise NeedsClaim(f"that was the {'last' if step == 1 else 'first'} claim of "
                                 f"{self.session.worklist_label} ({len(self.session.worklist)} claims)")
            return _Target([claim_id])
        if self.session.focus is not None:
            self._check_focus_payer(u, self.session.focus)
            return _Target([self.session.focus])
        if required:
            raise NeedsClaim("which claim? Say a claim id or a patient's name")
        return _Target([])

    def _row(self, row: int) -> str:
        """The claim on a row of the list shown ("open #3"; -1 the last one)."""
        session = self.session
        if not session.worklist:
            self._start_worklist()
        if row > len(session.worklist) and row <= session.worklist_total:
            while len(session.worklist) < row and session.step(1) is not None:
                pass  # reads the pages up to that row
        size = session.worklist_total
        if row == -1:
            row = min(size, len(session.worklist))
        if not 1 <= row <= len(session.worklist):
            raise NeedsClaim(f"{session.worklist_label} has {replies.plural(size, 'claim')}; "
                             f"there is no #{row}")
        return session.worklist[row - 1]

    def _start_worklist(self) -> None:
        """"next" or "#3" before any list was asked for: today's worklist, from the claim in focus."""
        def page(offset: int) -> list[str]:
            return [r["claim_id"] for r in self.services.worklist(None, limit=20, offset=offset)["rows"]]

        data = self.services.worklist(None, limit=20)
        focus = self.session.focus
        ids = [r["claim_id"] for r in data["rows"]]
        self.session.show_worklist(ids, data["worklist"], data["total_claims"], page)
        self.session.focus = focus
        self.session.position = ids.index(focus) if focus in ids else -1

    def _settle_patient(self, u: Understanding, match: PatientMatch) -> tuple[PatientRef | None, str]:
        """One of the patients a name fits, when the rest of the message or their claims leave
        only one: the payer named ("what did UHC say ... Rivera"), the denial category named,
        and for questions (not changes) the only one with open claims, then with an open denial
        ("whats the hold up on garcia"). Returns the patient and a line saying why."""
        e = u.entities
        tied = match.tied
        claims = {p.pk: self._patient_claims(p) for p in tied}
        payers = set(e.payer_names)
        tests: list[tuple[str, Callable[[dict[str, Any]], bool]]] = []
        if payers:
            tests.append((f"with {', '.join(sorted(payers))}", lambda r: r["payer"] in payers))
        if e.categories:
            said = " or ".join(c.replace("_", " ") for c in e.categories)
            tests.append((f"with a {said} claim", lambda r: r["category"] in e.categories))
        if u.intent not in _CHANGES:
            tests.append(("with open claims", _is_open))
            if u.intent in _PREFER_DENIED:
                tests.append(("with an open denial", lambda r: _is_open(r) and r["status"] in _DENIED))
        left = tied
        for said, test in tests:
            fits = [p for p in left if any(test(r) for r in claims[p.pk])]
            if len(fits) == 1:
                others = ", ".join(p.name for p in tied if p != fits[0])
                return fits[0], f"(\"{match.mention}\": {fits[0].name}, the only one {said}; not {others})"
            if fits:
                left = fits
        return None, ""

    def _check_focus_payer(self, u: Understanding, claim_id: str) -> None:
        """"called BCBS ..." while a Humana claim is in focus is about another claim: ask."""
        named = u.entities.payer_names
        if not named or u.focus:
            return
        payer = self.services.claim_view(claim_id).payer.name
        if payer not in named:
            raise NeedsClaim(f"claim {claim_id} in focus is with {payer}, not {', '.join(named)}: "
                             "which claim? Say its id or the patient's name")

    def _ask_which_patient(self, u: Understanding, match: PatientMatch) -> ChatReply:
        """List the patients a name may mean; the next message picks one (interactive), or
        suggest the message again with each full name."""
        candidates = match.tied[:8]
        rephrased = [f"{u.text[:match.start]}{p.name}{u.text[match.end:]}" for p in candidates]
        if self.session.interactive:
            self.session.choice = PendingChoice(u.text, tuple(candidates))
        text = replies.patient_choice(match.mention, candidates, match.total, rephrased[0],
                                      self.session.interactive)
        return self._reply(u, text, suggestions=rephrased)

    def _one(self, u: Understanding) -> tuple[str | None, _Target]:
        target = self._target(u)
        if target.ask is not None:
            return None, target
        claim_id = target.claim_ids[0]
        self.session.set_focus(claim_id)
        return claim_id, target

    # ------------------------------------------------------------------ intents

    def _on_help(self, u: Understanding, yes: bool) -> ChatReply:
        return self._reply(u, _realign([self._here(line) for line in vocabulary().help_text.splitlines()]),
                           intent="help")

    def _on_unknown(self, u: Understanding, yes: bool) -> ChatReply:
        match = u.entities.patient
        if match is not None and not u.text[:match.start].strip() and not u.text[match.end:].strip(" ?.!"):
            return self._ask_which_patient(u, match)  # "riviera" alone: a typo that fits several patients
        tips = self._examples(u)
        summary = u.summary().removeprefix("intent unknown").lstrip("; ")
        return self._reply(u, replies.not_understood(summary or "nothing I can act on", tips),
                           suggestions=tips)

    def _on_claim(self, u: Understanding, yes: bool) -> ChatReply:
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        data = self.services.claim(claim_id)
        where = self.session.where() if claim_id in self.session.worklist else ""
        text = replies.claim_summary(data, where)
        if any(cue in _HISTORY_CUES for cue in u.cues):
            text += "\n" + replies.history(data["activities"])
        if target.note:
            text += "\n" + target.note
        return self._reply(u, text, claims=[claim_id], data={"kind": "claim", "claim": data})

    def _on_explain(self, u: Understanding, yes: bool) -> ChatReply:
        from assistant.rules.codes import cpt, explain

        e = u.entities
        names_claim = bool(e.claim_ids or e.patient or u.focus or u.navigation)
        kind = _payer_kind(u)
        if e.codes and not names_claim:
            procedures = [info for code in e.codes if (info := cpt(code)) is not None]
            rows = explain([c for c in e.codes if cpt(c) is None], kind)
            text = "\n".join([*replies.procedure_lines(procedures), *replies.code_lines(rows)])
            return self._reply(u, text, data={"kind": "codes", "codes": rows,
                                              "procedures": [p.code for p in procedures]})
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        view = self.services.claim_view(claim_id)
        assessed = self.services.next_actions(claim_id)
        codes = list(dict.fromkeys([*assessed["codes"], *(c for c in e.codes if cpt(c) is None)]))
        rows = explain(codes, view.payer.kind) if codes else []
        text = replies.assessment(claim_id, assessed, rows, view.payer_status.value)
        if target.note:
            text += "\n" + target.note
        return self._reply(u, text, claims=[claim_id],
                           data={"kind": "assessment", "assessment": assessed, "codes": rows})

    def _on_next_action(self, u: Understanding, yes: bool) -> ChatReply:
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        assessed = self.services.next_actions(claim_id)
        text = replies.next_steps(claim_id, assessed)
        if target.note:
            text += "\n" + target.note
        return self._reply(u, text, claims=[claim_id], data={"kind": "next_actions", "next": assessed})

    def _on_check(self, u: Understanding, yes: bool) -> ChatReply:
        e = u.entities
        if u.bulk and not (e.claim_ids or e.patient):
            filters = self._filters(u)  # "check all bcbs claims": the claims the words select
            ids = self.services.worklist_claim_ids_from(filters) if filters else None
            data = self.services.check(None, claim_ids=ids)
            ids = [r["claim_id"] for r in data["results"]]
            return self._reply(u, replies.check_report(data, None), claims=ids,
                               data={"kind": "check", "check": data})
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        data = self.services.check(claim_id)
        return self._reply(u, replies.check_report(data, claim_id), claims=[claim_id],
                           data={"kind": "check", "check": data})

    def _on_units(self, u: Understanding, yes: bool) -> ChatReply:
        e = u.entities
        if not e.minutes:
            raise NeedsClaim("say the codes and their minutes, e.g. \"97530 for 38 minutes and 97110 for 8\"")
        payer = e.payer_names[0] if len(e.payer_names) == 1 else None
        claims: list[str] = []
        target = self._target(u, required=False) if payer is None and (e.claim_ids or u.focus) else None
        if target is not None and target.claim_ids:
            claims = target.claim_ids[:1]
            payer = self.services.claim_view(claims[0]).payer.name
        data = self.services.units(e.minutes, payer=payer)
        return self._reply(u, replies.units(data), claims=claims, data={"kind": "units", "units": data})


    # ------------------------------------------------------------------ worklists

    def _filters(self, u: Understanding) -> dict[str, Any]:
        """The message's filters as worklist filter keys (money in cents)."""
        e = u.entities
        if e.unknown_payers and not e.payer_names:
            payers = ", ".join(p.name for p in self.knowledge.payers.payers.values())
            raise NotFound(f"no payer like {e.unknown_payers[0]!r} on file (payers: {payers})")
        out: dict[str, Any] = {}
        kinds = [m.kind for m in e.payers if m.kind and _named_by_kind(m)]
        names = [p.name for m in e.payers if m.payers and not _named_by_kind(m) for p in m.payers]
        if kinds and names:  # "medicare or medicaid": either, so every payer named either way
            names, kinds = e.payer_names, []
        if kinds:
            out["payer_kinds"] = tuple(dict.fromkeys(kinds))
        if names:
            out["payers"] = tuple(dict.fromkeys(names))
        work = [s for s in e.statuses if s == e.work_status or s in _WORK_STATUS_VALUES]
        payer = [s for s in e.statuses if s not in _WORK_STATUS_VALUES]
        if work:
            out["statuses"] = tuple(work)
        if payer:
            out["payer_statuses"] = tuple(payer)
        if e.categories:
            out["categories"] = tuple(e.categories)
        for key in ("min_age_days", "max_age_days"):
            if getattr(e, key) is not None:
                out[key] = getattr(e, key)
        if e.min_balance_cents is not None:
            out["min_balance"] = e.min_balance_cents
        if e.max_balance_cents is not None:
            out["max_balance"] = e.max_balance_cents
        if e.owner is not None:
            out["assignee"] = e.owner
        if e.actions:
            out["actions"] = tuple(e.actions)
        if e.deadline_within_days is not None:
            out["deadline_within_days"] = e.deadline_within_days
        if e.codes and not (e.claim_ids or e.patient):
            from assistant.rules.codes import cpt

            codes = tuple(c for c in e.codes if cpt(c) is None)
            if codes:
                out["codes"] = codes
        return out

    def _is_bulk(self, u: Understanding, *, exclude_status: bool = False) -> bool:
        """A change meant for a set: "all", "them", or filters that only a set can have
        ("under $10", "tf denials") when no claim, patient or "it" is named."""
        if u.bulk:
            return True
        e = u.entities
        if e.claim_ids or e.patient or u.focus or u.navigation or e.unknown_claims:
            return False
        filters = set(self._filters(u))
        if exclude_status:
            filters.discard("statuses")
        unfocused = self.session.focus is None and filters & _SET_FILTERS_UNFOCUSED
        return bool(filters & _SET_FILTERS or unfocused)

    def _selection(self, u: Understanding, *, exclude_status: bool = False) -> tuple[list[str], str]:
        """The claims "all ..." means: those the message's filters select, else the current
        worklist. The status a change sets is not a filter ("mark all humana as written off")."""
        filters = self._filters(u)
        if exclude_status:
            filters.pop("statuses", None)
        if filters:
            ids = self.services.worklist_claim_ids_from({**filters, "include_snoozed": True})
            return ids, _describe(filters)
        if self.session.worklist:
            return list(self.session.worklist), self.session.worklist_label or "the current worklist"
        raise NeedsClaim("which claims? Name a filter (\"all humana claims over 120 days\") or show a "
                         "worklist first")

    def _on_worklist(self, u: Understanding, yes: bool) -> ChatReply:
        e = u.entities
        if e.patient is not None and not e.claim_ids:
            return self._patient_list(u)
        filters = self._filters(u)
        if filters == {"deadline_within_days": 0} and not _DEADLINE_NOUN.search(u.text.lower()):
            filters = {}  # "what do i have due today": the day's work (`today`), not deadlines alone
        sorts = vocabulary().sorts
        sort = next((sorts[c] for c in u.cues if c in sorts), "score")
        label = _describe(filters) or "today's worklist"
        limit = e.limit or 20
        def page(offset: int, size: int = limit) -> dict[str, Any]:
            if filters:
                # asked for by name: claims snoozed until a later follow-up date are shown too
                return self.services.worklist_from({**filters, "include_snoozed": True}, sort=sort,
                                                   limit=size, offset=offset, description=label)
            return self.services.worklist(None, limit=size, offset=offset,
                                          sort=None if sort == "score" else sort)

        data = page(0)
        label = label if filters else data["worklist"]
        if sort != "score":
            label += f", {_SORT_LABELS[sort]} first"
        ids = [r["claim_id"] for r in data["rows"]]
        total = min(e.limit, data["total_claims"]) if e.limit else data["total_claims"]
        self.session.show_worklist(ids, label, total,
                                   lambda offset: [r["claim_id"] for r in page(offset)["rows"]])
        text = replies.worklist(data, label)
        if not ids and set(filters) == {"assignee"} and filters["assignee"] != "unassigned":
            everyone = self.services.worklist(None, limit=1)
            text += (f"\n{everyone['worklist']} has {replies.plural(everyone['total_claims'], 'claim')} for "
                     "everyone: say \"worklist\" (\"assign it to me\" makes a claim yours).")
        return self._reply(u, text, claims=ids,
                           data={"kind": "worklist", "worklist": data})

    def _patient_list(self, u: Understanding) -> ChatReply:
        match = u.entities.patient
        assert match is not None
        patient = match.patient
        if patient is None:
            return self._ask_which_patient(u, match)
        rows = self._patient_claims(patient)
        ids = [r["claim_id"] for r in rows]
        self.session.show_worklist(ids, f"claims of {patient.name}")
        return self._reply(u, replies.patient_claims(patient, rows), claims=ids,
                           data={"kind": "claims", "claims": rows})

    # ------------------------------------------------------------------ letters

    def _on_appeal(self, u: Understanding, yes: bool) -> ChatReply:
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        draft = self.services.draft_appeal(claim_id, template=u.entities.template)
        return self._reply(u, replies.appeal_drafted(draft), claims=[claim_id],
                           data={"kind": "appeal", "appeal": draft})

    # ------------------------------------------------------------------ changes

    def _on_note(self, u: Understanding, yes: bool) -> ChatReply:
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        e = u.entities
        # a date already past is what happened ("coverage termed 12/31/25"), not when to call back
        follow_up = e.date if e.date is not None and e.date >= self.services.today else None
        result = self.services.note(claim_id, u.text.strip(), rep=e.rep, reference=e.reference,
                                    follow_up=follow_up)
        status = e.work_status
        if status is not None and status not in _CONFIRM_STATUSES | _NOT_FROM_NOTES:
            result = self.services.set_status(claim_id, status)
        return self._reply(u, replies.note_logged(claim_id, u.text.strip(), e.rep, e.reference, result),
                           claims=[claim_id], data={"kind": "change", "change": result})

    def _on_follow_up(self, u: Understanding, yes: bool) -> ChatReply:
        day = u.entities.date
        if day is None and any(cue in _CLEAR_FOLLOW_UP for cue in u.cues):
            # "no f/u needed": the tickler is cleared
            return self._change_one(u, lambda claim_id: self.services.follow_up(claim_id, None))
        if day is None:
            raise NeedsClaim("when should it come back? e.g. \"push it to Monday\" or "
                             "\"follow up in 2 weeks\"")
        if self._is_bulk(u):
            ids, label = self._selection(u)
            return self._bulk(u, yes, ids, "follow_up", day,
                              f"set the follow-up of {replies.plural(len(ids), 'claim')} ({label}) to "
                              f"{day.isoformat()}")
        return self._change_one(u, lambda claim_id: self.services.follow_up(claim_id, day))

    def _on_set_status(self, u: Understanding, yes: bool) -> ChatReply:
        e = u.entities
        status = e.work_status
        said = e.payer_status
        as_payer_said = status is None and said in _PAYER_STATUS_AS_WORK
        if as_payer_said:
            status = _PAYER_STATUS_AS_WORK[str(said)]
        if status is None:
            raise NeedsClaim((f"{said!r} is what the payer says, not a work status; " if said else "")
                             + "say one of: " + ", ".join(sorted(_WORK_STATUS_VALUES)))
        reason = u.text.strip() if status in _CONFIRM_STATUSES or as_payer_said else None
        if self._is_bulk(u, exclude_status=True):
            ids, label = self._selection(u, exclude_status=True)
            return self._bulk(u, yes, ids, "status", status,
                              f"set {replies.plural(len(ids), 'claim')} ({label}) to {status}", reason=reason)
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]

        def apply() -> str:
            text = replies.changed(claim_id, self.services.set_status(claim_id, status, reason=reason))
            return text + (f"\n{target.note}" if target.note else "")

        if status in _CONFIRM_STATUSES:
            view = self.services.claim_view(claim_id)
            balance = replies.money_cents(view.balance_cents)
            description = f"write off claim {claim_id} ({balance} balance)"
            return self._needs_yes(u, yes, description, [claim_id], apply)
        if as_payer_said:
            view = self.services.claim_view(claim_id)
            if view.balance_cents:
                description = (f"close claim {claim_id} as {said}, though it still shows a "
                               f"{replies.money_cents(view.balance_cents)} balance")
                return self._needs_yes(u, yes, description, [claim_id], apply)
        return self._reply(u, apply(), claims=[claim_id])

    def _on_assign(self, u: Understanding, yes: bool) -> ChatReply:
        who = u.entities.assignee
        if who is None:
            raise NeedsClaim("to whom? e.g. \"give it to jordan\" or \"assign it to me\"")
        user = self.services.user if who == "me" else None if who == "none" else who
        if self._is_bulk(u):
            ids, label = self._selection(u)
            return self._bulk(u, yes, ids, "assign", user,
                              f"give {replies.plural(len(ids), 'claim')} ({label}) to {user or 'nobody'}")
        return self._change_one(u, lambda claim_id: self.services.assign(claim_id, user))

    def _change_one(self, u: Understanding, change: Callable[[str], dict[str, Any]]) -> ChatReply:
        """One change to the claim the message names (or the question which claim)."""
        claim_id, target = self._one(u)
        if claim_id is None:
            return target.ask  # type: ignore[return-value]
        result = change(claim_id)
        return self._reply(u, replies.changed(claim_id, result), claims=[claim_id],
                           data={"kind": "change", "change": result})

    def _bulk(self, u: Understanding, yes: bool, ids: list[str], action: str, value: Any, description: str,
              reason: str | None = None) -> ChatReply:
        if not ids:
            raise NeedsClaim("no claims match that")
        if len(ids) == 1 and action != "status":
            self.session.set_focus(ids[0])

        def apply() -> str:
            result = self.services.bulk(ids, action, value, reason=reason)
            return replies.bulk_done(description, result)

        return self._needs_yes(u, yes, description, ids, apply)

    # ------------------------------------------------------------------ reports

    def _on_report(self, u: Understanding, yes: bool) -> ChatReply:
        """A report (KPIs when none is named), for one payer and a period of service when the
        message names them ("denials for humana last month", "kpis ytd", "aging since 10/1")."""
        e = u.entities
        payer = e.payer_names[0] if len(e.payer_names) == 1 else None
        today = self.services.today
        date_from: date | None
        date_to: date | None
        if e.period is not None:
            date_from, date_to = e.period
        else:
            date_from = today - timedelta(days=e.max_age_days) if e.max_age_days is not None else None
            date_to = today - timedelta(days=e.min_age_days) if e.min_age_days is not None else None
        name = e.report or ("denials" if "denied" in e.statuses else "kpis")
        data = self.services.report(name, date_from=date_from, date_to=date_to, payer=payer)
        return self._reply(u, replies.report(data, _wanted_section(u.text)),
                           data={"kind": "report", "report": data})


_DEADLINE_NOUN = re.compile(r"\b(?:deadlines?|expir\w*|runs?\s+out|running\s+out|clos\w+|timely|filing"
                            r"|appeals?)\b")
_COLUMNS = re.compile(r"^(  \S.*?)\s{2,}(\S.*)$")


def _realign(lines: list[str]) -> str:
    """The help's two columns (example, what it does) lined up again after examples changed."""
    split = [_COLUMNS.match(line) for line in lines]
    width = max((len(m.group(1)) for m in split if m), default=0)
    return "\n".join(f"{m.group(1).ljust(width)}   {m.group(2)}" if m else line
                     for m, line in zip(split, lines, strict=True))


_BY = re.compile(r"\b(?:by|per|each)\s+([a-z]+(?:\s+[a-z]+)?)")


def _wanted_section(text: str) -> str | None:
    """"denials by payer" -> "payer": the word of the report table asked for, if any."""
    sections = vocabulary().report_sections
    for match in _BY.finditer(text.lower()):
        words = match.group(1)
        found = sections.get(words) or sections.get(words.split()[0])
        if found:
            return found
    return None


def _no_such_claim(u: Understanding) -> None:
    """A claim id typed that the database does not hold: say so rather than act on another claim."""
    if u.entities.unknown_claims:
        raise NotFound(f"no claim (or patient account) {u.entities.unknown_claims[0]} on file")
    if u.entities.unknown_patient and not u.entities.claim_ids:
        raise NotFound(f"no patient named {u.entities.unknown_patient!r} on file; `claims` or the "
                       "patient's account number finds the one you mean")


def _named_by_kind(mention: Any) -> bool:
    """"medicaid", "commercial": every payer of a kind, not one named payer narrowed by its kind."""
    return bool(mention.kind) and mention.phrase in vocabulary().payer_kinds


def _describe(filters: dict[str, Any]) -> str:
    """"Humana Gold Plus HMO, denied, over 120 days, $1,000+" for headings and confirmations."""
    parts: list[str] = []
    parts += [p for p in filters.get("payers", ())]
    parts += [k.replace("_", " ") for k in filters.get("payer_kinds", ())]
    parts += [s.replace("_", " ") for s in (*filters.get("payer_statuses", ()), *filters.get("statuses", ()))]
    parts += [c.replace("_", " ") for c in filters.get("categories", ())]
    parts += list(filters.get("codes", ()))
    parts += [f"next: {a.replace('_', ' ')}" for a in filters.get("actions", ())]
    if filters.get("deadline_within_days") is not None:
        parts.append(f"deadline within {replies.plural(filters['deadline_within_days'], 'day')}")
    low, high = filters.get("min_age_days"), filters.get("max_age_days")
    if low is not None and high is not None:
        parts.append(f"{low}-{high} days")
    elif low is not None:
        parts.append(f"over {low} days")
    elif high is not None:
        parts.append(f"under {high} days")
    if filters.get("assignee"):
        parts.append(f"assigned to {filters['assignee']}" if filters["assignee"] != "unassigned"
                     else "unassigned")
    low, high = filters.get("min_balance"), filters.get("max_balance")
    if low is not None and high is not None:
        parts.append(f"{replies.money_cents(low)}-{replies.money_cents(high)}")
    elif low is not None:
        parts.append(f"{replies.money_cents(low)}+")
    elif high is not None:
        parts.append(f"under {replies.money_cents(high)}")
    return ", ".join(parts)


def _payer_kind(u: Understanding) -> Any:
    from assistant.domain import PayerKind

    kinds = {p.kind for m in u.entities.payers for p in m.payers}
    return PayerKind(kinds.pop()) if len(kinds) == 1 else None


def _is_open(row: dict[str, Any]) -> bool:
    return row["work_status"] not in CLOSED_WORK_STATUSES and row["balance"] > 0


def _best_claim(rows: list[dict[str, Any]], *, prefer_denied: bool) -> str:
    """The claim a patient's name most likely means: open ones first, denied first when the
    question is about a denial, then the latest service (rows come newest first)."""
    def rank(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
        i, row = item
        is_open = row["work_status"] not in CLOSED_WORK_STATUSES and row["balance"] > 0
        denied = prefer_denied and row["status"] in ("denied", "partially_paid")
        return (0 if is_open else 1, 0 if denied else 1, i)

    return str(min(enumerate(rows), key=rank)[1]["claim_id"])


_NUMBER = re.compile(r"^\s*(?:#|no\.?|number)?\s*(\d{1,2})\s*[.)]?\s*$")


def _choice_index(text: str, size: int) -> int | None:
    """"2", "#2", "the second one", "last" -> a 0-based index among `size` choices."""
    low = " ".join(w for w in text.lower().split() if w not in ("the", "one", "patient", "please"))
    match = _NUMBER.match(low)
    if match:
        n = int(match.group(1))
        return n - 1 if 1 <= n <= size else None
    if low in _ORDINALS:
        n = _ORDINALS[low]
        return size - 1 if n == -1 else (n - 1 if n <= size else None)
    return None


def _pick_patient(text: str, candidates: tuple[PatientRef, ...]) -> PatientRef | None:
    """The candidate a reply names: its number, its account, or words of its name."""
    index = _choice_index(text, len(candidates))
    if index is not None:
        return candidates[index]
    words = [w for w in re.split(r"[\s,]+", fold(text)) if w]
    if not words:
        return None
    for p in candidates:
        if any(w == p.account.lower() for w in words):
            return p
    def fits(p: PatientRef) -> bool:
        parts = fold(f"{p.last_name} {p.first_name}").split()
        return all(any(w == part or part.startswith(w) for part in parts) for w in words)

    fitting = [p for p in candidates if fits(p)]
    return fitting[0] if len(fitting) == 1 else None

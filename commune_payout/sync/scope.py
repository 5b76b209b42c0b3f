"""Which programmes an office receives, and what of a commune's data that lets it see
(docs/sync.md, "Offices and their programmes").

Since 7/2025 a commune reports to the Sở Y tế for social assistance (``btxh``) and the social
pension (``htxh``), and to the Sở Nội vụ for người có công (``ncc``); a province may still have one
office for everything. Both ends keep each office's programmes as a list of programme codes.

A package for an office carries (:class:`Scope`):

* the people with a membership of its programmes, their memberships of those programmes only, and
  their history without what it says about other programmes;
* the payout lines of its programmes, their payments and carries, and the sessions they are in
  (a session's rules and its list of people left out keep only what concerns the office);
* a session's cash movements only when all of the session's lines are the office's.

Free text about a person (notes) goes only to an office that receives every programme the person
is in. An office that receives every programme gets everything, as before 7/2025.
"""

import json

from commune_payout.errors import UserError
from commune_payout.programs import BY_CODE, CATEGORIES, PROGRAM_LABELS, label_of, public_label
from commune_payout.sync import tables
from commune_payout.text import fold

PROGRAMS = ("btxh", "htxh", "ncc", "other")
# The office that owns each programme since 7/2025, for the names the setup offers (docs/domain.md).
OWNERS = {"btxh": "Sở Y tế", "htxh": "Sở Y tế", "ncc": "Sở Nội vụ"}
_DROP = object()


def parse(text) -> tuple[str, ...]:
    """``"btxh, htxh"`` → ``("btxh", "htxh")``, in the usual order; UserError names what is unknown."""
    given = [p.strip().lower() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    unknown = [p for p in given if p not in PROGRAMS]
    if unknown or not given:
        raise UserError(f"Chương trình “{', '.join(unknown) or text}” không có; chọn trong: "
                        + ", ".join(f"{p} ({PROGRAM_LABELS[p]})" for p in PROGRAMS) + ".")
    return tuple(p for p in PROGRAMS if p in given)


def describe(programs) -> str:
    """``("btxh", "htxh")`` → ``"Bảo trợ xã hội, Hưu trí xã hội"``."""
    return ", ".join(PROGRAM_LABELS[p] for p in PROGRAMS if p in programs)


def receives_all(programs) -> bool:
    """Whether an office receives every programme: then it is sent everything, as before 7/2025."""
    return set(PROGRAMS) <= set(programs)


def office_names(province: str) -> dict[str, str]:
    """The office each programme reports to since 7/2025, for a province as it follows an office's
    name ("tỉnh Phú Thọ"): ``{"btxh": "Sở Y tế tỉnh Phú Thọ", …, "ncc": "Sở Nội vụ tỉnh Phú Thọ"}``."""
    return {program: f"{owner} {province}".strip() for program, owner in OWNERS.items()}


def programs_of_office(name: str) -> tuple[str, ...]:
    """The programmes an office's name says it owns ("Sở Y tế tỉnh …" → btxh, htxh), or ``()``."""
    folded = fold(name)
    return tuple(p for p in PROGRAMS if p in OWNERS and folded.startswith(fold(OWNERS[p])))


def category_program(code: str) -> str | None:
    cat = BY_CODE.get(code)
    return cat.program if cat else None


# Membership texts in the history begin with their group's label; longest labels first, so that
# "Thương binh, người hưởng chính sách như thương binh" is not read as a shorter label.
_LABELS = sorted(((label_of(c.code), c.program) for c in CATEGORIES), key=lambda lp: -len(lp[0]))


def _label_program(text: str) -> str | None:
    return next((program for label, program in _LABELS if text.startswith(label)), None)


class Scope:
    """What of the commune's data one office receives: which rows (an SQL condition per table,
    see :attr:`commune_payout.sync.tables.SyncedTable.scope`) and what is left out of them."""

    def __init__(self, db, programs):
        self.db = db
        self.programs = tuple(p for p in PROGRAMS if p in programs)
        self.everything = receives_all(self.programs)
        self._in = "(" + ", ".join(f"'{p}'" for p in self.programs) + ")"
        self._people: set[str] | None = None
        self._mixed: set[str] | None = None
        self._register: set[str] | None = None
        self._public = {public_label(c.code) for c in CATEGORIES if c.program in self.programs} | {
            PROGRAM_LABELS[p] for p in self.programs}

    def condition(self, table: tables.SyncedTable, since: int) -> str:
        """The SQL condition that selects the rows of ``table`` changed after ``since`` that this
        office receives (and those it must be sent again: a person just come into its view)."""
        if self.everything:
            return f"version > {int(since)}"
        if table.scope is None:
            return "0"
        changed = f"version > {int(since)}"
        if table.resend:
            changed = f"({changed} OR {table.resend.format(programs=self._in, since=int(since))})"
        return f"{changed} AND {table.scope.format(programs=self._in)}"

    def people(self) -> set[str] | None:
        """The people this office holds (``None``: every person of the commune)."""
        if self.everything:
            return None
        if self._people is None:
            condition = tables.BY_NAME["beneficiaries"].scope.format(programs=self._in)
            self._people = {r[0] for r in self.db.execute(f"SELECT id FROM beneficiaries WHERE {condition}")}
        return self._people

    def _mixed_people(self) -> set[str]:
        """People also in a programme this office does not receive."""
        if self._mixed is None:
            self._mixed = {r[0] for r in self.db.execute(
                f"SELECT DISTINCT beneficiary_id FROM memberships WHERE program NOT IN {self._in}")}
        return self._mixed

    def deletions(self, since: int) -> list[tuple[str, str]]:
        """(table, row id) of the deletions after ``since`` this office is told of: those of its
        programmes or of no programme, and the people (with their history) who left its view when
        their last membership of its programmes went."""
        # A tombstone of a row that exists again (same derived key) is stale: the row travels instead.
        rows = [(t, r, program, owner) for t, r, program, owner in self.db.execute(
            "SELECT table_name, row_id, program, owner_id FROM sync_tombstones WHERE version > ? ORDER BY version",
            [since]) if not (t in tables.BY_NAME and self.db.execute(
                f"SELECT 1 FROM {t} WHERE {tables.BY_NAME[t].key} = ?", [r]).fetchone())]
        if self.everything:
            return [(t, r) for t, r, _p, _o in rows]
        out = [(t, r) for t, r, program, _o in rows if program is None or program in self.programs]
        people = self.people()
        left = list(dict.fromkeys(owner for t, _r, program, owner in rows
                                  if t == "memberships" and program in self.programs and owner not in people))
        for person in left:
            out.append(("beneficiaries", person))
            out += [("beneficiary_history", r[0]) for r in self.db.execute(
                "SELECT id FROM beneficiary_history WHERE beneficiary_id = ?", [person])]
        return out

    # -- what is left out of the rows ---------------------------------------------------------
    def scrubber(self, table_name: str, columns: list[str]):
        """A function that takes one row (a list of values in ``columns`` order) and returns it as
        this office may see it, or ``None`` to leave it out; ``None`` when rows go as they are."""
        if self.everything:
            return None
        at = {c: i for i, c in enumerate(columns)}
        if table_name == "beneficiaries" and "notes" in at:
            return self._person_notes(at)
        if table_name == "beneficiary_history" and {"field", "old_value", "new_value"} <= set(at):
            return self._history(at)
        if table_name == "payout_sessions":
            return self._json_columns(at, ("rules", "excluded"))
        if table_name == "payout_lines":
            return self._line(at)
        if table_name in ("applications", "decision_items"):
            return self._groups_only(at)
        return None

    def _groups_only(self, at):
        """An application or a decision's item about a group of another office's programmes stays behind."""
        wanted = [at[c] for c in ("category", "from_category") if c in at]

        def scrub(row):
            return None if any(self._foreign(row[i]) for i in wanted) else row
        return scrub

    def _person_notes(self, at):
        mixed, i = self._mixed_people(), at["notes"]

        def scrub(row):
            if row[at["id"]] in mixed and row[i]:
                row[i] = ""
            return row
        return scrub

    def _history(self, at):
        mixed = self._mixed_people()
        f, old, new, person = at["field"], at["old_value"], at["new_value"], at["beneficiary_id"]

        def scrub(row):
            if row[f] == "memberships":
                row[old], row[new] = self._memberships_text(row[old]), self._memberships_text(row[new])
            elif row[f] == "notes" and row[person] in mixed:
                row[old], row[new] = "", ""
            else:
                return row
            return None if row[old] == row[new] else row
        return scrub

    def _memberships_text(self, text):
        if not isinstance(text, str):
            return text
        return "; ".join(part for part in text.split("; ") if _label_program(part) in self.programs)

    def _line(self, at):
        others, sensitive, group = at.get("other_groups"), at.get("sensitive"), at.get("group_code")
        explain = self._json_columns(at, ("explain",))

        def scrub(row):
            if others is not None and row[others]:
                kept = "; ".join(label for label in row[others].split("; ") if label in self._public)
                if kept != row[others] and sensitive is not None:
                    cat = BY_CODE.get(row[group]) if group is not None else None
                    row[sensitive] = int(bool(cat and cat.sensitive))
                row[others] = kept
            return explain(row)
        return scrub

    def _json_columns(self, at, names):
        wanted = [at[n] for n in names if n in at]

        def scrub(row):
            for i in wanted:
                if isinstance(row[i], str) and row[i]:
                    try:
                        value = json.loads(row[i])
                    except ValueError:
                        continue
                    kept = self._json(value)
                    row[i] = json.dumps({} if kept is _DROP else kept, ensure_ascii=False)
            return row
        return scrub

    def _code(self, value) -> bool:
        return isinstance(value, str) and (value in BY_CODE or value in PROGRAM_LABELS)

    def _foreign(self, value) -> bool:
        """A category or programme code of another office, or a person this office does not hold."""
        if not isinstance(value, str):
            return False
        program = category_program(value) or (value if value in PROGRAM_LABELS else None)
        if program is not None:
            return program not in self.programs
        if self._register is None:
            self._register = {r[0] for r in self.db.execute("SELECT id FROM beneficiaries")}
        return value in self._register and value not in self.people()

    def _json(self, value):
        """``value`` (a session's rules, a line's explanation) without anything about another
        office's programmes or people: entries keyed by them, items naming them."""
        if isinstance(value, dict):
            for key in ("program", "category", "code", "beneficiary_id"):
                if self._foreign(value.get(key)):
                    return _DROP
            out = {}
            for key, item in value.items():
                if self._foreign(key):
                    continue
                kept = self._json(item)
                if kept is not _DROP:
                    out[key] = kept
            return out
        if isinstance(value, list):
            if value and self._foreign(value[0]) and not all(self._code(item) for item in value):
                return _DROP  # a record that begins with another office's group: (group, why refused)
            return [kept for item in value if (kept := self._json(item)) is not _DROP]
        return _DROP if self._foreign(value) else value

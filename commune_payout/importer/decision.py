"""The decision a register names in its title ("Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026"),
and tracing the people of each sheet to it.

Each sheet's title rows are read by :func:`commune_payout.decisions.reference.find_references`.
A sheet that names one decision has its people (new, updated, unchanged, and the duplicate rows
of one of them) traced to it as a recorded decision, in the import's transaction
(:func:`commune_payout.decisions.recording.record_decision`): the decision is created when the
app has none with that number and year, nothing about the people changes because of it. A sheet
naming two different decisions, a wording that cannot be read, or a decision that cannot take
them (another date, one issued in the app) gives a warning on its title row and traces nobody.
"""

from commune_payout.decisions.recording import record_decision
from commune_payout.decisions.reference import Reference
from commune_payout.errors import UserError
from commune_payout.importer.model import WARNING, DecisionTrace, ImportResult

_NOT_TRACED = "những người trong trang này chưa được ghi căn cứ quyết định (ghi sau ở mục Làm sạch dữ liệu)"
_TRACED_ROWS = ("imported", "updated", "unchanged")


def sheet_reference(sheet: str, references: list[tuple[int, Reference]],
                    result: ImportResult) -> tuple[int, Reference] | None:
    """The one decision a sheet's title names, with its row; problems are reported as warnings."""
    readable: dict[tuple, tuple[int, Reference]] = {}
    for row, ref in references:
        if ref.problem:
            continue
        first = readable.get(ref.key())
        if first is None or (first[1].signed_on is None and ref.signed_on):
            readable[ref.key()] = (row, ref)
        elif ref.signed_on and ref.signed_on != first[1].signed_on:
            readable[(*ref.key(), ref.signed_on)] = (row, ref)
    found = list(readable.values())
    tail = "" if len(found) == 1 else f": {_NOT_TRACED}"
    for row, ref in references:
        if ref.problem:
            result.problem(sheet, row, None, WARNING, f"Dòng tiêu đề ghi “{ref.wording}” nhưng {ref.problem}{tail}")
    if len(found) > 1:
        named = "; ".join(f"{ref.text()} (dòng {row})" for row, ref in found)
        result.problem(sheet, found[0][0], None, WARNING,
                       f"Trang “{sheet}” ghi {len(found)} quyết định khác nhau ({named}): không rõ người nào theo "
                       f"quyết định nào, nên {_NOT_TRACED}")
        return None
    return found[0] if found else None


def trace_people(ctx, chosen: dict[str, tuple[int, Reference]], duplicates, result: ImportResult, source: str) -> None:
    """Trace the people of each sheet in ``chosen`` ({sheet: (row, decision)}) to its decision;
    ``duplicates``: the (first, second) rows of one person (:func:`matching.resolve`)."""
    people: dict[str, list[str]] = {sheet: [] for sheet in chosen}
    written = {}
    for o in result.outcomes:
        if o.outcome in _TRACED_ROWS and o.beneficiary_id:
            written[(o.sheet, o.row)] = o.beneficiary_id
            if o.sheet in people:
                people[o.sheet].append(o.beneficiary_id)
    for first, second in duplicates:
        bid = written.get((first.row.sheet, first.row.row))
        if bid and second.sheet in people:
            people[second.sheet].append(bid)
    by_decision: dict[tuple, list[str]] = {}
    for sheet, (row, ref) in chosen.items():
        by_decision.setdefault((*ref.key(), ref.signed_on), []).append(sheet)
    for sheets in by_decision.values():
        row, ref = chosen[sheets[0]]
        ids = [bid for sheet in sheets for bid in people[sheet]]
        try:
            done = record_decision(ctx, ref, ids, f"Có tên trong danh sách kèm theo quyết định này (tệp {source})")
        except UserError as exc:
            result.problem(sheets[0], row, None, WARNING, f"{exc}: {_NOT_TRACED}")
            continue
        if done is not None:
            result.decisions.append(DecisionTrace(tuple(sheets), done))


def lines(result: ImportResult) -> list[str]:
    """What the import did about decisions, for the officer: one line per decision the file names
    ("120 người được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026"), and one per sheet
    whose new people rest on none."""
    will = "sẽ được" if result.dry_run else "được"
    out = []
    for trace in result.decisions:
        r = trace.recorded
        if not r.traced:
            out.append(f"{r.already} người đã được ghi căn cứ {r.text} từ trước.")
            continue
        notes = ["quyết định mới, ghi lại vào phần mềm" if r.created else "quyết định đã có trong phần mềm"]
        if r.already:
            notes.append(f"{r.already} người đã ghi căn cứ này từ trước")
        out.append(f"{r.traced} người {will} ghi căn cứ {r.text} ({'; '.join(notes)}).")
    traced = {sheet for trace in result.decisions for sheet in trace.sheets}
    warned = {p.sheet for p in result.problems if p.message.endswith(_NOT_TRACED)}
    new: dict[str, int] = {}
    for o in result.outcomes:
        if o.outcome == "imported" and o.sheet not in traced | warned:
            new[o.sheet] = new.get(o.sheet, 0) + 1
    for sheet, n in new.items():
        where = f"Trang “{sheet}”" if len(result.layouts) > 1 else "Tệp"
        out.append(f"{where} không ghi quyết định nào ở phần đầu (“Kèm theo Quyết định số …”): {n} người mới "
                   "chưa có căn cứ quyết định; ghi quyết định họ được hưởng theo ở mục Làm sạch dữ liệu.")
    return out

"""CLI subcommands for the chairman's decisions: ``application add|check|withdraw|list|close-proposal``
and ``decision create|record|list|show|apply|delete|print``.

A person is named as in ``show`` (id, id prefix, 12-digit ID number or a chip card's QR text);
an application by its id or first characters (``application list`` shows 8); a decision by its
number ("12", "12/QĐ-UBND", "12/2026") or id.
"""

import argparse
import datetime as dt
import re

from commune_payout import cli_args, decisions, printing
from commune_payout.cli_register import resolve_person
from commune_payout.errors import UserError
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.programs import BY_CODE, public_label


def _cli():
    from commune_payout import cli

    return cli


def _group(text: str) -> str:
    if text not in BY_CODE:
        raise argparse.ArgumentTypeError(f"“{text}” không phải mã diện (xem: commune-payout list --help)")
    return text


def _pair(text: str) -> tuple[str, str]:
    person, sep, rest = text.partition("=")
    if not sep or not person.strip() or not rest.strip():
        raise argparse.ArgumentTypeError(f"“{text}”: cần NGƯỜI=GIÁ_TRỊ")
    return person.strip(), rest.strip()


def register_cli(sub) -> None:
    app = sub.add_parser("application", help="hồ sơ đề nghị hưởng, thay đổi, thôi hưởng, hỗ trợ mai táng; hạn "
                                             "giải quyết 10 ngày làm việc")
    aps = app.add_subparsers(dest="application_command", metavar="ACTION", required=True)

    p = aps.add_parser("add", help="ghi một hồ sơ đã nhận đủ (người trong sổ hoặc người mới)")
    p.add_argument("--request", required=True, choices=sorted(decisions.REQUESTS),
                   help="grant: hưởng mới; change: đổi diện/hệ số; stop: thôi hưởng; funeral: hỗ trợ mai táng")
    p.add_argument("--complete", required=True, type=cli_args.date, metavar="YYYY-MM-DD", help="ngày nhận đủ hồ sơ")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", help="người trong sổ: mã, số định danh 12 số hoặc mã QR thẻ căn cước")
    who.add_argument("--name", help="họ tên người mới (chỉ với --request grant)")
    p.add_argument("--birth", help="ngày sinh (dd/mm/yyyy) hoặc năm sinh của người mới")
    p.add_argument("--gender", choices=("M", "F"), help="giới tính người mới: M nam, F nữ")
    p.add_argument("--id", dest="id_number", help="số định danh 12 số của người mới")
    p.add_argument("--village", default="", help="thôn/xóm của người mới")
    p.add_argument("--group", type=_group, metavar="DIỆN", help="diện đề nghị hưởng (mã diện)")
    p.add_argument("--from-group", type=_group, metavar="DIỆN", help="diện đang hưởng cần thay (với change)")
    p.add_argument("--coefficient", help="hệ số ghi trong hồ sơ, nếu có (ví dụ 1,5)")
    p.add_argument("--amount", help="số tiền theo quyết định (người có công, diện khác)")
    p.add_argument("--children", type=cli_args.whole(0, 99), help="số con (người đơn thân nghèo nuôi con)")
    p.add_argument("--details", default="", help="nội dung, lý do (bắt buộc với stop)")
    p.add_argument("--receiver", default="", help="họ tên người lo mai táng (với funeral)")
    p.add_argument("--receiver-id", default="", help="số định danh người lo mai táng")
    p.add_argument("--relation", default="", help="quan hệ với người đã mất (con, vợ, cháu…)")
    p.add_argument("--died", type=cli_args.date, metavar="YYYY-MM-DD", help="ngày mất, nếu sổ chưa ghi (với funeral)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_application_add)

    p = aps.add_parser("check", help="ghi kết quả đối chiếu Cơ sở dữ liệu quốc gia về dân cư")
    p.add_argument("application")
    p.add_argument("--date", required=True, type=cli_args.date, metavar="YYYY-MM-DD", help="ngày đối chiếu")
    p.add_argument("--by", required=True, help="người đối chiếu")
    p.add_argument("--result", required=True, choices=sorted(decisions.CHECK_RESULTS),
                   help="match: khớp; mismatch: khác; not_found: không tìm thấy")
    p.add_argument("--note", default="", help="điểm khác biệt (bắt buộc khi không khớp)")
    p.set_defaults(handler=cmd_application_check)

    p = aps.add_parser("withdraw", help="rút hoặc trả hồ sơ (không ra quyết định)")
    p.add_argument("application")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_application_withdraw)

    p = aps.add_parser("list", help="hồ sơ với hạn giải quyết (quá hạn đánh dấu !) và đề nghị hỗ trợ mai táng")
    p.add_argument("--status", choices=sorted(decisions.APPLICATION_STATUSES), help="chỉ hồ sơ ở trạng thái này")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_application_list)

    p = aps.add_parser("close-proposal", help="đóng đề nghị hỗ trợ mai táng của một người đã mất (ghi lý do)")
    p.add_argument("person")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_close_proposal)

    dec = sub.add_parser("decision", help="quyết định của Chủ tịch UBND xã: lập, áp dụng, in")
    ds = dec.add_subparsers(dest="decision_command", metavar="ACTION", required=True)

    p = ds.add_parser("create", help="lập dự thảo quyết định từ hồ sơ và/hoặc cho người trong sổ")
    p.add_argument("--date", required=True, type=cli_args.date, metavar="YYYY-MM-DD", help="ngày ký")
    p.add_argument("--effective", required=True, type=cli_args.month, metavar="YYYY-MM", help="hưởng (hoặc thôi) từ tháng")
    p.add_argument("--number", type=cli_args.whole(1, 10 ** 9), help="số quyết định (mặc định: số tiếp theo của năm)")
    p.add_argument("--symbol", default=decisions.SYMBOL, help=f"ký hiệu (mặc định {decisions.SYMBOL})")
    p.add_argument("--signer", default="", help="người ký (mặc định: Chủ tịch trong cài đặt)")
    p.add_argument("--deputy", action=argparse.BooleanOptionalAction, default=None,
                   help="Phó Chủ tịch ký thay (KT. CHỦ TỊCH); mặc định theo cài đặt")
    p.add_argument("--subject", default="", help="trích yếu (mặc định theo nội dung)")
    p.add_argument("--recorded", action="store_true",
                   help="quyết định đã ban hành trước (ví dụ của huyện cũ), chỉ ghi lại để truy được căn cứ")
    p.add_argument("--application", action="append", default=[], metavar="HỒ_SƠ", help="hồ sơ (lặp lại được)")
    p.add_argument("--grant", type=_pair, action="append", default=[], metavar="NGƯỜI=DIỆN",
                   help="người trong sổ được hưởng diện (lặp lại được)")
    p.add_argument("--change", type=_pair, action="append", default=[], metavar="NGƯỜI=DIỆN_CŨ:DIỆN_MỚI",
                   help="người trong sổ đổi diện (lặp lại được)")
    p.add_argument("--stop", type=_pair, action="append", default=[], metavar="NGƯỜI=LÝ_DO",
                   help="người trong sổ thôi hưởng (lặp lại được)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_decision_create)

    p = ds.add_parser("record", help="ghi quyết định đã có cho những người của một lần nhập chưa có căn cứ "
                                     "(tệp không ghi “Kèm theo Quyết định số …”; xem: check)")
    p.add_argument("--import", dest="file", required=True, metavar="TỆP", help="tên tệp đã nhập, như check ghi")
    p.add_argument("--imported-on", type=cli_args.date, metavar="YYYY-MM-DD",
                   help="ngày nhập, khi cùng một tệp được nhập nhiều ngày")
    p.add_argument("--village", help="chỉ những người ở thôn/xóm này")
    p.add_argument("--number", required=True, metavar="SỐ", help="số quyết định, ví dụ 12/QĐ-UBND")
    p.add_argument("--date", required=True, metavar="NGÀY", help="ngày ký, ví dụ 05/01/2026")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_decision_record)

    p = ds.add_parser("list", help="các quyết định")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_decision_list)

    p = ds.add_parser("show", help="một quyết định và những người trong đó")
    p.add_argument("decision", help="số (12, 12/QĐ-UBND, 12/2026) hoặc mã")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_decision_show)

    p = ds.add_parser("apply", help="áp dụng quyết định đã ký: thay đổi diện, trạng thái, mức hưởng trong sổ")
    p.add_argument("decision")
    p.set_defaults(handler=cmd_decision_apply)

    p = ds.add_parser("delete", help="xóa một dự thảo quyết định (chưa áp dụng)")
    p.add_argument("decision")
    p.set_defaults(handler=cmd_decision_delete)

    p = ds.add_parser("print", help="in quyết định ra PDF (thể thức NĐ 30, kèm danh sách khi nhiều người)")
    p.add_argument("decision")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="tệp PDF cần ghi")
    p.add_argument("--open", action="store_true", help="mở tệp PDF bằng trình xem của máy sau khi ghi")
    p.add_argument("--print", dest="send_to_printer", action="store_true", help="gửi tệp PDF ra máy in")
    p.add_argument("--printer", help="tên máy in (mặc định: máy in mặc định; Linux/macOS)")
    p.set_defaults(handler=cmd_decision_print)


def _birth(text: str | None) -> dict:
    if not text:
        return {}
    if re.fullmatch(r"\d{4}", text.strip()):
        return {"birth_year": int(text)}
    return {"birth_date": text}


def cmd_application_add(args) -> int:
    ctx = _cli().open_context(args)
    person = None
    bid = resolve_person(ctx.db, args.person) if args.person else None
    if args.name:
        person = {"full_name": args.name, "gender": args.gender, "id_number": args.id_number,
                  "village": args.village, **_birth(args.birth)}
    app_id = decisions.add_application(
        ctx, args.request, args.complete, beneficiary_id=bid, person=person, category=args.group,
        coefficient=args.coefficient, amount=parse_vnd(args.amount) if args.amount else None, children=args.children,
        from_category=args.from_group, details=args.details,
        receiver={"name": args.receiver, "id_number": args.receiver_id, "relation": args.relation}, died_on=args.died)
    app = decisions.get_application(ctx.db, app_id)
    if args.json:
        _cli().print_json(app)
        return 0
    print(f"Đã ghi hồ sơ {app_id[:8]}: {decisions.REQUESTS[app['request']]} — {app['full_name']}. "
          f"Hạn giải quyết: {_vn(app['due_on'])} ({decisions.DUE_AFTER} ngày làm việc).")
    return 0


def _vn(iso: str | None) -> str:
    return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y") if iso else ""


def cmd_application_check(args) -> int:
    ctx = _cli().open_context(args)
    app_id = decisions.resolve_application(ctx.db, args.application)
    decisions.record_check(ctx, app_id, args.date, args.by, args.result, args.note)
    print(f"Đã ghi kết quả đối chiếu: {decisions.CHECK_RESULTS[args.result]}.")
    return 0


def cmd_application_withdraw(args) -> int:
    ctx = _cli().open_context(args)
    decisions.withdraw(ctx, decisions.resolve_application(ctx.db, args.application), args.reason)
    print("Đã ghi rút/trả hồ sơ.")
    return 0


def cmd_close_proposal(args) -> int:
    ctx = _cli().open_context(args)
    decisions.funeral.close_proposal(ctx, resolve_person(ctx.db, args.person), args.reason)
    print("Đã đóng đề nghị hỗ trợ mai táng.")
    return 0


def application_line(app: dict) -> str:
    """One application as a line of ``application list``."""
    state = decisions.APPLICATION_STATUSES[app["status"]]
    if app["status"] == "open":
        left = app["working_days_left"]
        state = (f"QUÁ HẠN {-left} ngày làm việc" if app["overdue"] else
                 f"còn {left} ngày làm việc")
    elif app["status"] == "decided":
        state += f" số {decisions.number_text(app['decision_number'], app['decision_symbol'])}"
    check = f" · đối chiếu dân cư {_vn(app['checked_on'])}: {decisions.CHECK_RESULTS[app['check_result']]}" \
        if app["check_result"] else " · chưa đối chiếu dân cư"
    return (f"{'!' if app['overdue'] else ' '} {app['id'][:8]}  {app['full_name']} — "
            f"{decisions.REQUESTS[app['request']]}{' ' + public_label(app['category']) if app['category'] else ''} · "
            f"đủ hồ sơ {_vn(app['completed_on'])} · hạn {_vn(app['due_on'])} · {state}{check}")


def cmd_application_list(args) -> int:
    ctx = _cli().open_context(args)
    today = ctx.clock.today()
    rows = decisions.list_applications(ctx.db, today, args.status)
    proposals = decisions.funeral.proposals(ctx.db, today) if args.status in (None, "open") else []
    if args.json:
        _cli().print_json({"applications": rows, "funeral_proposals": proposals})
        return 0
    if not rows:
        print("Chưa có hồ sơ nào.")
    for app in rows:
        print(application_line(app))
    overdue = sum(app["overdue"] for app in rows)
    if overdue:
        print(f"{overdue} hồ sơ quá hạn giải quyết.")
    if proposals:
        print("Đề nghị hỗ trợ chi phí mai táng (chưa có hồ sơ):")
        for p in proposals:
            print(f"  {p['full_name']} ({p['village']}), mất ngày {_vn(p['died_on'])}: {format_vnd(p['amount'])}. "
                  f"Ghi hồ sơ: commune-payout application add --request funeral --person {p['beneficiary_id'][:8]} "
                  "--receiver … --relation … --complete …")
    return 0


def _known_group(text: str) -> str:
    if text not in BY_CODE:
        raise UserError(f"“{text}” không phải mã diện (xem: commune-payout list --help)")
    return text


def cmd_decision_create(args) -> int:
    ctx = _cli().open_context(args)
    db = ctx.db
    items = [{"beneficiary_id": resolve_person(db, who), "action": "grant", "category": _known_group(group)}
             for who, group in args.grant]
    for who, groups in args.change:
        old, sep, new = groups.partition(":")
        if not sep:
            raise UserError(f"“{who}={groups}”: cần NGƯỜI=DIỆN_CŨ:DIỆN_MỚI")
        items.append({"beneficiary_id": resolve_person(db, who), "action": "change",
                      "from_category": _known_group(old), "category": _known_group(new)})
    items += [{"beneficiary_id": resolve_person(db, who), "action": "stop", "reason": reason}
              for who, reason in args.stop]
    spec = decisions.DecisionSpec(signed_on=args.date, effective_month=args.effective, number=args.number,
                                  symbol=args.symbol, signer=args.signer, deputy=args.deputy, subject=args.subject,
                                  recorded=args.recorded)
    did = decisions.create_decision(
        ctx, spec, applications=[decisions.resolve_application(db, a) for a in args.application], items=items)
    decision = decisions.get_decision(db, did)
    if args.json:
        _cli().print_json(decision)
        return 0
    print(f"Đã lập dự thảo quyết định số {decision['number_text']} ngày {_vn(decision['signed_on'])}: "
          f"{decision['subject']}, {len(decision['items'])} người. In: commune-payout decision print "
          f"{decision['number']} --out qd.pdf; sau khi ký: commune-payout decision apply {decision['number']}")
    return 0


def cmd_decision_record(args) -> int:
    ctx = _cli().open_context(args)
    ref = decisions.typed_reference(args.number, args.date)
    batch = decisions.import_batch(ctx.db, args.file, args.imported_on)
    done = decisions.record_for_import(ctx, ref, batch, args.village)
    if args.json:
        _cli().print_json({"decision_id": done.decision_id, "decision": done.number_text,
                           "signed_on": done.signed_on, "people": done.traced, "already": done.already,
                           "created": done.created})
        return 0
    print(f"Đã ghi căn cứ {done.text} cho {done.traced} người ({batch.label.lower()})"
          f"{'' if done.created else '; quyết định đã có trong phần mềm'}.")
    return 0


def cmd_decision_list(args) -> int:
    ctx = _cli().open_context(args)
    rows = decisions.list_decisions(ctx.db)
    if args.json:
        _cli().print_json(rows)
        return 0
    if not rows:
        print("Chưa có quyết định nào.")
    for r in rows:
        recorded = " (ghi lại)" if r["recorded"] else ""
        print(f"{r['number_text']:>14} ngày {_vn(r['signed_on'])}{recorded}  {r['subject']} · {r['people']} người · "
              f"từ {decisions.month_text(r['effective_month'])} · {decisions.DECISION_STATUSES[r['status']]}")
    return 0


def cmd_decision_show(args) -> int:
    ctx = _cli().open_context(args)
    decision = decisions.get_decision(ctx.db, decisions.resolve_decision(ctx.db, args.decision))
    if args.json:
        _cli().print_json(decision)
        return 0
    print(f"Quyết định số {decision['number_text']} ngày {_vn(decision['signed_on'])} — {decision['subject']}")
    print(f"Người ký: {decision['signer'] or '(chưa ghi)'}{' (Phó Chủ tịch ký thay)' if decision['deputy'] else ''}"
          f" · hiệu lực từ {decisions.month_text(decision['effective_month'])} · "
          f"{decisions.DECISION_STATUSES[decision['status']]}{' · ghi lại quyết định đã có' if decision['recorded'] else ''}")
    for item in decision["items"]:
        print(f"  {item['seq']}. {item['full_name']} ({item['village'] or 'chưa ghi thôn'}): "
              f"{decisions.describe(item, decision['effective_month'])}")
    return 0


def cmd_decision_apply(args) -> int:
    ctx = _cli().open_context(args)
    did = decisions.resolve_decision(ctx.db, args.decision)
    done = decisions.apply_decision(ctx, did)
    decision = decisions.get_decision(ctx.db, did)
    print(f"Đã áp dụng quyết định số {decision['number_text']} cho {len(done)} người:")
    for line in done:
        print(f"  {line}")
    return 0


def cmd_decision_delete(args) -> int:
    ctx = _cli().open_context(args)
    decisions.delete_draft(ctx, decisions.resolve_decision(ctx.db, args.decision))
    print("Đã xóa dự thảo quyết định.")
    return 0


def cmd_decision_print(args) -> int:
    from commune_payout.documents import decision as decision_document

    ctx = _cli().open_context(args)
    n = decision_document.write(ctx.db, decisions.resolve_decision(ctx.db, args.decision), args.out)
    print(f"Quyết định ({n} người). Đã ghi {args.out}")
    if args.send_to_printer:
        print(printing.print_pdf(args.out, printer=args.printer))
    if args.open:
        printing.open_in_viewer(args.out)
    return 0


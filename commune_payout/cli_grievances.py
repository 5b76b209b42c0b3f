"""CLI subcommands for grievances: ``grievance add|list|show|update|deadlines``.

A ticket is named by its number (``3/2026``, or ``3`` for the latest year that has one) or its id
(or the first characters of it); a person as in ``show`` (id, 12-digit ID number, chip card).
"""

import argparse

from commune_payout import grievances, payouts, verification
from commune_payout.cli_register import resolve_person
from commune_payout.errors import UserError
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS


def _cli():
    from commune_payout import cli

    return cli


def _days(text: str) -> tuple[str, str]:
    kind, sep, days = text.partition("=")
    if not sep or kind.strip() not in grievances.KINDS:
        raise argparse.ArgumentTypeError(f"“{text}”: cần LOẠI=SỐ_NGÀY, LOẠI là một trong {', '.join(grievances.KINDS)}")
    return kind.strip(), days.strip()


def register_cli(sub) -> None:
    top = sub.add_parser("grievance", help="khiếu nại, phản ánh: tiếp nhận, theo dõi hạn trả lời, giải quyết, đóng")
    gs = top.add_subparsers(dest="grievance_command", metavar="ACTION", required=True)

    p = gs.add_parser("add", help="tiếp nhận một khiếu nại, phản ánh")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--person", help="người trong sổ: mã, số định danh 12 số hoặc mã QR thẻ căn cước; với "
                                      "--from-answer: số thứ tự trên phiếu xác minh (#12), số định danh hoặc họ tên")
    who.add_argument("--name", help="họ tên người khiếu nại chưa có trong sổ (ví dụ bị bỏ sót)")
    p.add_argument("--village", default="", help="thôn/xóm (với --name)")
    p.add_argument("--phone", default="", help="số điện thoại liên hệ (với --name)")
    p.add_argument("--kind", choices=sorted(grievances.KINDS),
                   help="; ".join(f"{k}: {v.lower()}" for k, v in grievances.KINDS.items()))
    p.add_argument("--via", choices=sorted(grievances.RECEIVED_VIA), default="in_person",
                   help="cách tiếp nhận: " + "; ".join(f"{k}: {v.lower()}" for k, v in grievances.RECEIVED_VIA.items()))
    p.add_argument("--text", default="", help="nội dung khiếu nại, phản ánh")
    p.add_argument("--received", help="ngày tiếp nhận, dd/mm/yyyy (mặc định hôm nay)")
    p.add_argument("--complainant", default="", help="người đến khiếu nại, khi không phải người hưởng (họ tên, quan hệ)")
    p.add_argument("--program", choices=sorted(PROGRAM_LABELS),
                   help="chương trình (quyết định cơ quan nhận phiếu); chỉ cần khi chưa rõ từ người, đợt chi")
    p.add_argument("--session", help="đợt chi liên quan (mã hoặc vài ký tự đầu)")
    p.add_argument("--from-answer", action="store_true",
                   help="mở phiếu từ câu trả lời xác minh gần nhất của --person trong đợt --session")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_add)

    p = gs.add_parser("list", help="các phiếu: đang mở trước, theo hạn trả lời (quá hạn đánh dấu !)")
    p.add_argument("--open", action="store_true", help="chỉ phiếu chưa giải quyết")
    p.add_argument("--state", choices=sorted(grievances.STATES), help="chỉ phiếu ở trạng thái này")
    p.add_argument("--kind", choices=sorted(grievances.KINDS), help="chỉ loại này")
    p.add_argument("--person", help="chỉ phiếu của một người")
    p.add_argument("--session", help="chỉ phiếu của một đợt chi")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = gs.add_parser("show", help="một phiếu: nội dung, hạn, lịch sử xử lý, cách khắc phục có thể gắn")
    p.add_argument("grievance", help="số phiếu (3/2026) hoặc mã")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = gs.add_parser("update", help="chuyển trạng thái, ghi kết quả, gắn cách khắc phục, ghi chú")
    p.add_argument("grievance", help="số phiếu (3/2026) hoặc mã")
    p.add_argument("--state", choices=sorted(grievances.STATES),
                   help="in_progress: tiếp nhận xử lý hoặc mở lại; resolved: đã giải quyết (ghi --resolution); "
                        "closed: đóng phiếu")
    p.add_argument("--resolution", default="", help="kết quả giải quyết (với --state resolved)")
    p.add_argument("--handled-by", default="", help="người xử lý (mặc định: cán bộ trong cài đặt)")
    p.add_argument("--note", default="", help="ghi chú vào lịch sử (lý do, khi mở lại phiếu)")
    p.add_argument("--fix", metavar="LOẠI[:MÃ]",
                   help="gắn cách khắc phục: " + "; ".join(f"{k}: {v.lower()}" for k, v in grievances.FIXES.items())
                        + " (không ghi MÃ: cái mới nhất; xem mã bằng grievance show)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_update)

    p = gs.add_parser("deadlines", help="xem hoặc đặt số ngày làm việc để trả lời từng loại khiếu nại (mặc định 10)")
    p.add_argument("set", nargs="*", type=_days, metavar="LOẠI=SỐ_NGÀY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_deadlines)


def cmd_add(args) -> int:
    ctx = _cli().open_context(args)
    sid = payouts.resolve_session(ctx.db, args.session) if args.session else None
    if args.from_answer:
        if not (sid and args.person):
            raise UserError("Với --from-answer hãy ghi --session và --person (số thứ tự trên phiếu xác minh, ví dụ #12)")
        item = verification.find_item(ctx.db, sid, args.person)
        if not item["answer_id"]:
            raise UserError(f"{item['full_name']} chưa có câu trả lời xác minh")
        gid = grievances.open_from_answer(ctx, item["answer_id"], args.text)
    else:
        if not args.kind:
            raise UserError("Hãy ghi loại khiếu nại (--kind)")
        person = {"full_name": args.name, "village": args.village, "phone": args.phone} if args.name else None
        gid = grievances.add_grievance(
            ctx, args.kind, args.text, received_via=args.via, received_on=args.received,
            beneficiary_id=resolve_person(ctx.db, args.person) if args.person else None, person=person,
            complainant=args.complainant, program=args.program, session_id=sid)
    ticket = grievances.get_grievance(ctx.db, gid, ctx.clock.today())
    if args.json:
        _cli().print_json(ticket)
        return 0
    print(f"Đã tiếp nhận phiếu số {ticket['number_text']}: {grievances.KINDS[ticket['kind']]} — "
          f"{ticket['full_name']}. Hạn trả lời: {payouts.vn_date(ticket['due_on'])}.")
    return 0


def _left(ticket: dict) -> str:
    if ticket["overdue"]:
        late = -ticket["working_days_left"]
        return f"quá hạn {late} ngày làm việc" if late else f"quá hạn (hết hạn {payouts.vn_date(ticket['due_on'])})"
    if ticket["working_days_left"] is not None:
        return f"còn {ticket['working_days_left']} ngày làm việc"
    return grievances.STATES[ticket["state"]].lower()


def cmd_list(args) -> int:
    ctx = _cli().open_context(args)
    rows = grievances.list_grievances(
        ctx.db, ctx.clock.today(), state=args.state, open_only=args.open, kind=args.kind,
        beneficiary_id=resolve_person(ctx.db, args.person) if args.person else None,
        session_id=payouts.resolve_session(ctx.db, args.session) if args.session else None)
    if args.json:
        _cli().print_json(rows)
        return 0
    if not rows:
        print("Không có phiếu khiếu nại nào.")
    for r in rows:
        mark = "!" if r["overdue"] else " "
        print(f"{mark} {r['number_text']:>9}  {payouts.vn_date(r['received_on'])}  hạn {payouts.vn_date(r['due_on'])}  "
              f"{grievances.STATES[r['state']]:<14} {grievances.KINDS[r['kind']]:<28} {r['full_name']} "
              f"({r['village'] or 'chưa ghi thôn'}) — {_left(r)}")
    late = sum(r["overdue"] for r in rows)
    if late:
        print(f"! {late} phiếu quá hạn trả lời.")
    return 0


def cmd_show(args) -> int:
    ctx = _cli().open_context(args)
    gid = grievances.resolve_grievance(ctx.db, args.grievance)
    ticket = grievances.get_grievance(ctx.db, gid, ctx.clock.today())
    history = grievances.events(ctx.db, gid)
    fix = grievances.describe_fix(ctx.db, ticket)
    candidates = grievances.fix_candidates(ctx.db, ticket) if ticket["state"] in ("in_progress", "resolved") else []
    if args.json:
        _cli().print_json({**ticket, "events": history, "fix": fix, "fix_candidates": candidates})
        return 0
    print(f"Phiếu khiếu nại số {ticket['number_text']} (mã {gid[:8]}) — {grievances.STATES[ticket['state']]}")
    print(f"Người hưởng: {ticket['full_name']}" + (f", {ticket['village']}" if ticket["village"] else "")
          + (f", ĐT {ticket['phone']}" if ticket["phone"] else "")
          + (f"; người khiếu nại: {ticket['complainant']}" if ticket["complainant"] else ""))
    print(f"Loại: {grievances.KINDS[ticket['kind']]} · {PROGRAM_LABELS[ticket['program']]} · tiếp nhận "
          f"{payouts.vn_date(ticket['received_on'])} ({grievances.RECEIVED_VIA[ticket['received_via']].lower()}) · "
          f"hạn trả lời {payouts.vn_date(ticket['due_on'])}"
          + (f" ({_left(ticket)})" if ticket["working_days_left"] is not None else ""))
    if ticket["session_id"]:
        session = payouts.get_session(ctx.db, ticket["session_id"])
        amount = f", dòng chi {format_vnd(payouts.get_line(ctx.db, ticket['line_id'])['total'])}" \
            if ticket["line_id"] else ""
        print(f"Đợt chi: {session['name']}{amount}")
    print(f"Nội dung: {ticket['description']}")
    if ticket["handled_by"]:
        print(f"Người xử lý: {ticket['handled_by']}")
    if ticket["resolution"]:
        print(f"Kết quả giải quyết: {ticket['resolution']}")
    if fix:
        print(f"Khắc phục: {fix}")
    print("Lịch sử:")
    for e in history:
        moved = (f"{grievances.STATES[e['from_state']]} → " if e["from_state"] and e["from_state"] != e["to_state"]
                 else "") + grievances.STATES[e["to_state"]]
        print(f"  {e['at'][:16]}  {e['by']}: {moved}" + (f" — {e['note']}" if e["note"] else ""))
    if candidates:
        print("Có thể gắn cách khắc phục (grievance update … --fix LOẠI:MÃ):")
        for c in candidates:
            print(f"  {c['kind']}:{c['ref'][:8]}  {c['label']}")
    return 0


def _fix(db, ticket: dict, text: str) -> tuple[str, str]:
    kind, _, ref = text.partition(":")
    kind, ref = kind.strip(), ref.strip().lower()
    if kind not in grievances.FIXES:
        raise UserError(f"Cách khắc phục “{kind}” không có; chọn: {', '.join(grievances.FIXES)}")
    found = [c for c in grievances.fix_candidates(db, ticket) if c["kind"] == kind and c["ref"].startswith(ref)]
    if not found:
        raise UserError(f"Không có “{grievances.FIXES[kind].lower()}” nào " + (f"có mã {ref} " if ref else "")
                        + "trong hồ sơ của người này (xem: grievance show)")
    if ref and len(found) > 1:
        raise UserError(f"Mã “{ref}” khớp nhiều cách khắc phục; hãy nhập thêm ký tự")
    return kind, found[0]["ref"]


def cmd_update(args) -> int:
    ctx = _cli().open_context(args)
    gid = grievances.resolve_grievance(ctx.db, args.grievance)
    ticket = grievances.get_grievance(ctx.db, gid)
    fix = _fix(ctx.db, ticket, args.fix) if args.fix else None
    if args.state:
        grievances.move(ctx, gid, args.state, note=args.note, resolution=args.resolution, handled_by=args.handled_by,
                        fix=fix)
    elif fix:
        grievances.link_fix(ctx, gid, *fix)
    elif args.note:
        grievances.add_note(ctx, gid, args.note)
    else:
        raise UserError("Không có gì để cập nhật: ghi --state, --fix hoặc --note")
    ticket = grievances.get_grievance(ctx.db, gid, ctx.clock.today())
    if args.json:
        _cli().print_json(ticket)
        return 0
    print(f"Phiếu {ticket['number_text']}: {grievances.STATES[ticket['state']]}"
          + (f", hạn trả lời {payouts.vn_date(ticket['due_on'])}" if ticket["state"] in grievances.OPEN_STATES else "")
          + (f". Khắc phục: {grievances.describe_fix(ctx.db, ticket)}" if ticket["fix_kind"] else "") + ".")
    return 0


def cmd_deadlines(args) -> int:
    ctx = _cli().open_context(args)
    days = grievances.set_days(ctx.db, dict(args.set)) if args.set else grievances.days_by_kind(ctx.db)
    if args.json:
        _cli().print_json(days)
        return 0
    for kind, n in days.items():
        print(f"{grievances.KINDS[kind]}: {n} ngày làm việc")
    return 0

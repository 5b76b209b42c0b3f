"""CLI subcommands of payment verification: ``session verify`` (draw whom to ask, or show how the
verification stands) and ``session verify-answer`` (record what a person answered, and open a
grievance from a negative answer with ``--grievance``). The sheet is ``print verification``.

A person drawn is named by their number on the sheet (``#12``), an ID number or its last
digits, or name words.
"""

import argparse

from commune_payout import grievances, verification
from commune_payout.db import write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.payouts import resolve_session, vn_date


def _cli():
    from commune_payout import cli

    return cli


def _typed(parse):
    """An argparse type from a parser of typed text that raises ValidationError."""
    def convert(text: str):
        try:
            return parse(text)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError("; ".join(exc.problems.values()) or str(exc)) from exc
    return convert


def register_session_commands(ss) -> None:
    """Add ``verify`` and ``verify-answer`` to the ``session`` command."""
    p = ss.add_parser("verify", help="xác minh chi trả: rút mẫu người cần hỏi (mặc định theo công thức, độ tin cậy "
                                     "95%%, sai số ±10%%), hoặc xem kết quả xác minh của đợt")
    p.add_argument("id", help="mã đợt chi (hoặc vài ký tự đầu)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--sample", nargs="?", const=0, type=_typed(verification.parse_count), metavar="N",
                      help="rút mẫu ngẫu nhiên N người (không ghi N: cỡ mẫu theo công thức)")
    size.add_argument("--share", type=_typed(verification.parse_percent), metavar="P",
                      help="rút mẫu P phần trăm số người đã nhận tiền (ví dụ 10 hoặc 12,5)")
    size.add_argument("--all", action="store_true", help="hỏi toàn bộ người đã nhận tiền")
    p.add_argument("--confidence", type=_typed(lambda t: verification.parse_percent(t, "confidence", "Độ tin cậy")),
                   default=verification.CONFIDENCE, metavar="P", help="độ tin cậy của công thức (mặc định 95)")
    p.add_argument("--margin", type=_typed(lambda t: verification.parse_percent(t, "margin", "Sai số")),
                   default=verification.MARGIN, metavar="P", help="sai số của công thức (mặc định 10)")
    p.add_argument("--seed", type=_typed(verification.parse_seed), metavar="S",
                   help="số hạt giống để rút lại đúng mẫu cũ (mặc định: số mới, được ghi lại)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = ss.add_parser("verify-answer", help="ghi câu trả lời của một người trong mẫu xác minh")
    p.add_argument("id", help="mã đợt chi")
    p.add_argument("person", help="số thứ tự trên phiếu (#12), số định danh (hoặc vài số cuối) hoặc họ tên")
    p.add_argument("--answer", required=True, choices=sorted(verification.ANSWERS),
                   help="received: đã nhận đủ; not_received: chưa nhận được; different_amount: nhận số tiền khác "
                        "(ghi --amount); unreachable: không liên lạc được")
    p.add_argument("--amount", help="số tiền người hưởng nói đã nhận (với different_amount)")
    p.add_argument("--by", default="", help="người đã hỏi (mặc định: cán bộ trong cài đặt)")
    p.add_argument("--date", help="ngày hỏi, dd/mm/yyyy (mặc định hôm nay)")
    p.add_argument("--how", choices=sorted(verification.ASKED_HOW), default="phone",
                   help="phone: gọi điện (mặc định); visit: đến nhà; at_commune: tại UBND xã; meeting: họp thôn")
    p.add_argument("--note", default="", help="ghi chú")
    p.add_argument("--grievance", action="store_true",
                   help="mở phiếu khiếu nại ngay từ câu trả lời chưa nhận được / nhận số tiền khác")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify_answer)


def _spec(args) -> verification.DrawSpec | None:
    if args.all:
        return verification.DrawSpec("all")
    if args.share is not None:
        return verification.DrawSpec("share", share=args.share)
    if args.sample:
        return verification.DrawSpec("count", count=args.sample)
    if args.sample == 0 or args.seed is not None:
        return verification.DrawSpec(confidence=args.confidence, margin=args.margin)
    return None


def _summary_json(db, sid: str) -> dict:
    summary = verification.summary(db, sid)
    tickets = grievances.for_items(db, [r["id"] for r in summary["problems"]])
    return {**summary, "items": verification.items(db, sid),
            "problems": [{**r, "grievance": tickets.get(r["id"])} for r in summary["problems"]]}


def cmd_verify(args) -> int:
    ctx = _cli().open_context(args)
    sid = resolve_session(ctx.db, args.id)
    spec = _spec(args)
    drew = spec is not None or verification.get_verification(ctx.db, sid) is None
    if drew:
        verification.draw(ctx, sid, spec or verification.DrawSpec(), seed=args.seed)
    if args.json:
        _cli().print_json(_summary_json(ctx.db, sid))
        return 0
    print_summary(ctx.db, sid, drew)
    return 0


def print_summary(db, sid: str, drew: bool) -> None:
    summary = verification.summary(db, sid)
    recorded = summary["verification"]
    print(("Đã rút mẫu xác minh. " if drew else "") + verification.describe_draw(recorded) + ".")
    by_village: dict[str, int] = {}
    for item in verification.items(db, sid):
        by_village[item["village"] or "(chưa ghi thôn)"] = by_village.get(item["village"] or "(chưa ghi thôn)", 0) + 1
    print("Theo thôn: " + ", ".join(f"{v} {n}" for v, n in by_village.items()))
    counts = summary["counts"]
    print(f"Đã trả lời {summary['answered']}/{summary['size']} ({verification.percent_text(summary['rate'])}): "
          + ", ".join(f"{label.lower()} {counts[key]}" for key, label in verification.ANSWERS.items())
          + f", chưa hỏi {counts['pending']}.")
    if summary["paid_now"] > recorded["population"]:
        print(f"Lưu ý: nay đã chi cho {summary['paid_now']} người, nhiều hơn {recorded['population']} người lúc rút "
              "mẫu; những người chi sau không có trong mẫu.")
    if summary["problems"]:
        tickets = grievances.for_items(db, [r["id"] for r in summary["problems"]])
        print(f"Vấn đề ({len(summary['problems'])} người, {format_vnd(summary['missing_amount'])} chưa đến tay):")
        for r in summary["problems"]:
            ticket = tickets.get(r["id"])
            state = (f"phiếu {ticket['number_text']} ({grievances.STATES[ticket['state']].lower()})" if ticket
                     else "chưa mở phiếu khiếu nại")
            print(f"  #{r['seq']} {r['full_name']} ({r['village']}): {verification.answer_text(r)} — {state}")
    elif not drew:
        print("Chưa có vấn đề nào.")
    if drew:
        print(f"In phiếu cho trưởng thôn: commune-payout print verification {sid[:8]} --out phieu-xac-minh.pdf")


def cmd_verify_answer(args) -> int:
    ctx = _cli().open_context(args)
    sid = resolve_session(ctx.db, args.id)
    item = verification.find_item(ctx.db, sid, args.person)
    if args.grievance and args.answer not in verification.NEGATIVE:
        raise UserError("Chỉ mở phiếu khiếu nại từ câu trả lời chưa nhận được hoặc nhận số tiền khác")
    with write_transaction(ctx.db):
        answer_id = verification.record_answer(
            ctx, item["id"], args.answer, asked_by=args.by or ctx.user, asked_on=args.date or ctx.clock.today(),
            asked_how=args.how, amount=args.amount, note=args.note)
        gid = grievances.open_from_answer(ctx, answer_id) if args.grievance else None
    ticket = grievances.get_grievance(ctx.db, gid, ctx.clock.today()) if gid else None
    if args.json:
        _cli().print_json({"answer": verification.get_answer(ctx.db, answer_id), "grievance": ticket})
        return 0
    row = verification.get_item(ctx.db, item["id"])
    print(f"Đã ghi: #{row['seq']} {row['full_name']} — {verification.answer_text(row)}.")
    if ticket:
        print(f"Đã mở phiếu khiếu nại số {ticket['number_text']}, hạn trả lời {vn_date(ticket['due_on'])}.")
    elif args.answer in verification.NEGATIVE:
        print(f"Mở phiếu khiếu nại: commune-payout grievance add --from-answer --session {sid[:8]} "
              f"--person \"#{row['seq']}\"")
    return 0

"""CLI subcommands for payout sessions: ``session create|list|show|override|lock|delete|pay|
reverse|fallback|export-transfers|import-results|cash|close|suspensions`` (and ``verify``,
``verify-answer`` from :mod:`commune_payout.cli_verification`).

A session is named by its id or a unique prefix of it (``session list`` shows 8 characters);
a person by an ID number (or its last digits) or name words resolving to exactly one line.
"""

import argparse
import json

from commune_payout import cashbook, cli_args, cli_verification, decisions, payouts
from commune_payout.errors import NotFound, UserError
from commune_payout.lazy import LazyModule
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, PROGRAM_LABELS
from commune_payout.text import fold

transfers = LazyModule("commune_payout.transfers")
MAX_RECEIPT = 10 ** 9


def _cli():
    from commune_payout import cli

    return cli


def _fixed(text: str) -> tuple[str, int]:
    key, sep, amount = text.partition("=")
    if not sep or (key not in BY_CODE and key not in PROGRAM_LABELS):
        raise argparse.ArgumentTypeError(f"“{text}”: cần DIỆN=SỐ_TIỀN, DIỆN là mã diện hoặc chương trình")
    return key, cli_args.amount(amount)


def register_cli(sub) -> None:
    session = sub.add_parser("session", help="đợt chi trả: lập, khóa, chi, chuyển khoản, sổ quỹ, đóng")
    ss = session.add_subparsers(dest="session_command", metavar="ACTION", required=True)

    p = ss.add_parser("create", help="lập đợt chi mới (xem trước với --preview)")
    p.add_argument("--name", required=True, help="tên đợt chi, ví dụ “Quà Tết Bính Ngọ 2026”")
    p.add_argument("--kind", required=True, choices=sorted(payouts.KINDS), help="loại đợt chi")
    p.add_argument("--period", required=True, metavar="YYYY-MM", help="kỳ chi")
    p.add_argument("--date", required=True, type=cli_args.date, metavar="YYYY-MM-DD", help="ngày xét đối tượng")
    p.add_argument("--funding", default="", help="nguồn kinh phí")
    p.add_argument("--pay-from", type=cli_args.date, metavar="YYYY-MM-DD", help="ngày bắt đầu chi")
    p.add_argument("--pay-to", type=cli_args.date, metavar="YYYY-MM-DD", help="ngày kết thúc chi")
    p.add_argument("--gift-high", type=cli_args.amount, metavar="N", help="mức quà cao của Chủ tịch nước (ví dụ 600000)")
    p.add_argument("--gift-low", type=cli_args.amount, metavar="N", help="mức quà thấp (ví dụ 300000)")
    p.add_argument("--fixed", type=_fixed, action="append", default=[], metavar="DIỆN=SỐ_TIỀN",
                   help="mức cố định theo mã diện hoặc chương trình (btxh, ncc, htxh); lặp lại được")
    p.add_argument("--programs", default="btxh,htxh",
                   help="chương trình tính theo hệ số × mức chuẩn (mặc định btxh,htxh)")
    p.add_argument("--months", type=cli_args.whole(1, payouts.MAX_MONTHS), default=1,
                   help="số tháng chi trong đợt (mặc định 1)")
    p.add_argument("--one-per-person", action=argparse.BooleanOptionalAction, default=None,
                   help="mỗi người một suất (lấy mức cao nhất); mặc định bật cho quà Tết")
    p.add_argument("--carry-forward", action=argparse.BooleanOptionalAction, default=None,
                   help="chuyển số chưa nhận của đợt hằng tháng trước; mặc định bật cho đợt hằng tháng")
    p.add_argument("--funeral", action=argparse.BooleanOptionalAction, default=None,
                   help="chi hỗ trợ mai táng đã có quyết định: mặc định bật cho đợt hằng tháng; "
                        "với --kind one_off (không có mức cố định) lập đợt chỉ chi hỗ trợ mai táng")
    p.add_argument("--decision", action="append", default=[], metavar="QUYẾT_ĐỊNH",
                   help="quyết định mà danh sách chi trả kèm theo (số, ví dụ 12/QĐ-UBND; lặp lại được)")
    p.add_argument("--preview", action="store_true", help="chỉ xem trước, không ghi gì")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_create)

    p = ss.add_parser("list", help="liệt kê các đợt chi")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = ss.add_parser("show", help="xem một đợt chi: tổng theo diện, thôn, hình thức; người bị loại")
    p.add_argument("id", help="mã đợt chi (hoặc vài ký tự đầu)")
    p.add_argument("--lines", action="store_true",
                   help="in cả danh sách từng người, với cách tính số tiền (diện, tuổi, hệ số, mức chuẩn, số chuyển)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = ss.add_parser("lock", help="khóa danh sách sau khi rà soát (từ đó mới chi trả được)")
    p.add_argument("id")
    p.set_defaults(handler=cmd_lock)

    p = ss.add_parser("override", help="sửa số tiền của một người khi đợt chi còn đang lập (ghi lý do)")
    p.add_argument("id")
    p.add_argument("person")
    p.add_argument("amount", help="số tiền cả dòng (đồng, kể cả số chuyển từ đợt trước), hoặc “bỏ” để trở lại số "
                                  "tính theo quy định")
    p.add_argument("--reason", default="", help="lý do (bắt buộc khi sửa số tiền)")
    p.set_defaults(handler=cmd_override)

    p = ss.add_parser("delete", help="xóa một đợt chi đang lập (chưa khóa danh sách)")
    p.add_argument("id")
    p.set_defaults(handler=cmd_delete)

    p = ss.add_parser("pay", help="ghi nhận đã chi cho một người; in số biên nhận")
    p.add_argument("id")
    p.add_argument("person", help="số định danh (hoặc vài số cuối) hoặc họ tên")
    p.add_argument("--receiver", default="", help="họ tên người nhận thay (người được ủy quyền)")
    p.add_argument("--channel", choices=sorted(payouts.CHANNELS), help="hình thức chi thực tế")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pay)

    p = ss.add_parser("reverse", help="đảo một khoản chi đã ghi (theo số biên nhận)")
    p.add_argument("id")
    p.add_argument("receipt", type=cli_args.whole(1, MAX_RECEIPT), help="số biên nhận")
    p.add_argument("--reason", required=True, help="lý do đảo")
    p.set_defaults(handler=cmd_reverse)

    p = ss.add_parser("fallback", help="chuyển khoản bị trả lại → chi tiền mặt")
    p.add_argument("id")
    p.add_argument("person")
    p.add_argument("--home", action="store_true", help="bưu điện chi tại nhà thay vì tại xã")
    p.set_defaults(handler=cmd_fallback)

    p = ss.add_parser("export-transfers", help="xuất danh sách chuyển khoản theo ngân hàng (.xlsx và .csv)")
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="DIR", help="thư mục ghi tệp")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_export)

    p = ss.add_parser("import-results", help="nhập tệp kết quả chuyển khoản của ngân hàng")
    p.add_argument("id")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = ss.add_parser("cash", help="sổ quỹ tiền mặt: ghi tiền nhận, tiền nộp trả, hoặc xem")
    p.add_argument("id")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--received", type=cli_args.signed_amount, metavar="N", help="tiền nhận từ kho bạc (số âm để điều chỉnh)")
    group.add_argument("--handed-back", type=cli_args.signed_amount, metavar="N", help="tiền nộp trả (số âm để điều chỉnh)")
    p.add_argument("--note", default="", help="ghi chú (bắt buộc khi điều chỉnh)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_cash)

    p = ss.add_parser("close", help="đóng đợt chi (sổ quỹ phải khớp)")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_close)

    p = ss.add_parser("suspensions", help="người không nhận 3 đợt hằng tháng liên tiếp (đề nghị tạm dừng)")
    p.add_argument("--apply", action="store_true", help="tạm dừng hưởng những người này")
    p.add_argument("--date", type=cli_args.date, metavar="YYYY-MM-DD", help="ngày tạm dừng (mặc định hôm nay)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_suspensions)

    cli_verification.register_session_commands(ss)


def _session(ctx, text: str) -> str:
    return payouts.resolve_session(ctx.db, text)


def _person_line(db, sid: str, text: str) -> dict:
    found = payouts.find_line(db, sid, text)
    if len(found) == 1:
        return found[0]
    key = fold(text)
    exact = [r for r in found if r["id_number"] == text.strip() or r["name_fold"] == key]
    if len(exact) == 1:
        return exact[0]
    if not found:
        raise NotFound(f"Không có ai khớp “{text}” trong đợt chi này")
    shown = "; ".join(f"{r['full_name']} ({r['id_number'] or 'không số ĐD'}, {r['village']})" for r in found[:5])
    raise UserError(f"“{text}” khớp {len(found)} người: {shown}. Hãy nhập số định danh.")


def _print_groups(totals: dict) -> None:
    for title, key, labels in (("Theo diện", "by_group", None), ("Theo thôn", "by_village", None),
                               ("Theo hình thức", "by_channel", payouts.CHANNELS)):
        print(f"{title}:")
        for item in totals[key]:
            label = labels.get(item["key"], item["key"]) if labels else item["key"] or "(chưa ghi thôn)"
            print(f"  {label}: {item['count']} người, {format_vnd(item['amount'])}")


def cmd_create(args) -> int:
    ctx = _cli().open_context(args)
    spec = payouts.SessionSpec(
        name=args.name, kind=args.kind, period=args.period, session_date=args.date, funding_source=args.funding,
        pay_from=args.pay_from, pay_to=args.pay_to, fixed=dict(args.fixed), gift_high=args.gift_high,
        gift_low=args.gift_low, programs=tuple(p.strip() for p in args.programs.split(",") if p.strip()),
        months=args.months, one_per_person=args.one_per_person, carry_forward=args.carry_forward,
        funeral=args.funeral, decisions=tuple(decisions.resolve_decision(ctx.db, d) for d in args.decision))
    preview = payouts.preview_session(ctx.db, spec)
    if args.preview:
        if args.json:
            _cli().print_json(payouts.preview_dict(preview))
            return 0
        print(f"Xem trước “{spec.name}”: {preview.totals['count']} người, {format_vnd(preview.totals['amount'])}")
        _print_groups(preview.totals)
        _print_excluded(preview.excluded)
        for warning in preview.warnings:
            print(f"Lưu ý: {warning}")
        return 0
    sid = payouts.create_session(ctx, spec)
    totals = payouts.session_totals(ctx.db, sid)
    if args.json:
        _cli().print_json({"id": sid, "totals": totals})
        return 0
    print(f"Đã lập đợt chi “{spec.name}” (mã {sid[:8]}): {totals['count']} người, {format_vnd(totals['amount'])}. "
          f"Rà soát rồi khóa danh sách: commune-payout session lock {sid[:8]}")
    return 0


def _print_excluded(excluded: list[dict]) -> None:
    if excluded:
        print(f"Không đưa vào danh sách ({len(excluded)} người):")
        for e in excluded:
            print(f"  {e['full_name']} ({e['village']}): {e['reason']}")


def cmd_list(args) -> int:
    ctx = _cli().open_context(args)
    rows = payouts.list_sessions(ctx.db)
    if args.json:
        _cli().print_json(rows)
        return 0
    if not rows:
        print("Chưa có đợt chi nào.")
    for r in rows:
        print(f"{r['id'][:8]}  {r['period']}  {payouts.KINDS[r['kind']]:<18} {r['name']}  "
              f"[{payouts.SESSION_STATUSES[r['status']]}]  đã chi {r['paid_count']}/{r['count']} người, "
              f"{format_vnd(r['paid_amount'])}/{format_vnd(r['amount'])}")
    return 0


def cmd_show(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    session = payouts.get_session(ctx.db, sid)
    totals = payouts.session_totals(ctx.db, sid)
    figures = payouts.counters(ctx.db, sid)
    lines = payouts.session_lines(ctx.db, sid) if args.lines else None
    if args.json and lines is not None:
        lines = [{**line, "explain": json.loads(line["explain"] or "{}"), "why": payouts.explain_line(line)}
                 for line in lines]
    if args.json:
        _cli().print_json({"session": session, "totals": totals, "counters": figures,
                           **({"lines": lines} if lines is not None else {})})
        return 0
    print(f"{session['name']} (mã {sid})")
    print(f"Loại: {payouts.KINDS[session['kind']]} · kỳ {session['period']} · xét ngày "
          f"{payouts.vn_date(session['session_date'])} · {payouts.SESSION_STATUSES[session['status']]}")
    if session["funding_source"]:
        print(f"Nguồn kinh phí: {session['funding_source']}")
    print(f"Tổng: {totals['count']} người, {format_vnd(totals['amount'])}")
    print(f"Đã chi: {figures['paid_count']} người, {format_vnd(figures['paid_amount'])} · còn lại "
          f"{figures['remaining_count']} người, {format_vnd(figures['remaining_amount'])} · chuyển khoản "
          f"{figures['cashless_share']:.0%} số người đã nhận · tiền mặt đang giữ {format_vnd(figures['cash_on_hand'])}")
    _print_groups(totals)
    _print_excluded(session["excluded"])
    for line in lines or []:
        receipt = f" · BN số {line['receipt_no']}" if line["receipt_no"] else ""
        print(f"{line['seq']:>5}. {line['full_name']} ({line['id_number'] or '—'}, {line['village']}) "
              f"{format_vnd(line['total'])} · {payouts.CHANNELS[line['channel']]} · "
              f"{payouts.LINE_STATUSES[line['status']]}{receipt}")
        for text in payouts.explain_line(line):
            print(f"         {text}")
    return 0


def cmd_lock(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    payouts.lock_session(ctx, sid)
    print(f"Đã khóa danh sách đợt chi {sid[:8]}; có thể chi trả.")
    return 0


def cmd_override(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    line = _person_line(ctx.db, sid, args.person)
    try:
        amount = None if fold(args.amount) in ("bo", "none") else cli_args.amount(args.amount)
    except argparse.ArgumentTypeError as exc:
        raise UserError(str(exc)) from exc
    total = payouts.set_override(ctx, line["id"], amount, args.reason)
    print(f"{line['full_name']}: {format_vnd(total)}.")
    for text in payouts.explain_line(payouts.get_line(ctx.db, line["id"])):
        print(f"  {text}")
    return 0


def cmd_delete(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    name = payouts.get_session(ctx.db, sid)["name"]
    payouts.delete_draft(ctx, sid)
    print(f"Đã xóa đợt chi đang lập “{name}”.")
    return 0


def cmd_pay(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    line = _person_line(ctx.db, sid, args.person)
    received_by = "authorised" if args.receiver else None
    receipt = payouts.pay_line(ctx, line["id"], received_by=received_by, receiver_name=args.receiver,
                               channel=args.channel)
    if args.json:
        _cli().print_json({"line_id": line["id"], "receipt_no": receipt, "amount": line["total"]})
        return 0
    who = f", người nhận thay: {args.receiver}" if args.receiver else ""
    print(f"Đã chi {format_vnd(line['total'])} cho {line['full_name']}{who}. Biên nhận số {receipt}.")
    return 0


def cmd_reverse(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    entry = payouts.payment_by_receipt(ctx.db, sid, args.receipt)
    payouts.reverse_entry(ctx, entry["id"], args.reason)
    print(f"Đã đảo khoản chi biên nhận số {args.receipt} ({format_vnd(entry['amount'])}).")
    return 0


def cmd_fallback(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    line = _person_line(ctx.db, sid, args.person)
    channel = "cash_home" if args.home else "cash_commune"
    payouts.fallback_to_cash(ctx, line["id"], channel)
    print(f"{line['full_name']}: chuyển sang {payouts.CHANNELS[channel].lower()}, {format_vnd(line['total'])}.")
    return 0


def cmd_export(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    files = transfers.export_transfers(ctx.db, sid, args.out)
    if args.json:
        _cli().print_json([{"bank_bin": f.bank_bin, "bank_name": f.bank_name, "count": f.count, "amount": f.amount,
                            "checksum": f.checksum, "xlsx": str(f.xlsx), "csv": str(f.csv)} for f in files])
        return 0
    for text in transfers.summary_text(files):
        print(text)
    print(f"Tổng: {sum(f.count for f in files)} giao dịch, {format_vnd(sum(f.amount for f in files))}.")
    return 0


def cmd_import(args) -> int:
    from commune_payout import bank_results

    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    result = bank_results.import_results(ctx, sid, args.file, dry_run=args.dry_run)
    if args.json:
        _cli().print_json({**result.as_dict(), "dry_run": args.dry_run})
        return 0
    prefix = "Xem trước: " if args.dry_run else ""
    print(f"{prefix}{result.rows} giao dịch: {result.paid} đã chi, {result.returned} bị trả lại, "
          f"{result.already} đã ghi nhận trước đó, {len(result.unmatched)} không ghi được.")
    for row in result.unmatched:
        amount = format_vnd(row["amount"]) if row["amount"] is not None else "số tiền không rõ"
        print(f"  {bank_results.where(row)}: TK {row['account'] or '—'}, {amount} — {row['message']}")
    if result.not_read:
        print(f"Không phải giao dịch ({len(result.not_read)} dòng), không ghi:")
        for row in result.not_read:
            print(f"  {bank_results.where(row)}: {row['reason']}")
    return 0


def cmd_cash(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    if args.received is not None:
        cashbook.record(ctx, sid, "received", args.received, args.note)
    elif args.handed_back is not None:
        cashbook.record(ctx, sid, "handed_back", args.handed_back, args.note)
    book = cashbook.ledger(ctx.db, sid)
    if args.json:
        _cli().print_json(book)
        return 0
    print(f"Đã nhận: {format_vnd(book['received'])} · đã chi tiền mặt: {format_vnd(book['paid_out'])} · "
          f"đã nộp trả: {format_vnd(book['handed_back'])} · còn giữ: {format_vnd(book['on_hand'])}")
    return 0


def cmd_close(args) -> int:
    ctx = _cli().open_context(args)
    sid = _session(ctx, args.id)
    figures = payouts.close_session(ctx, sid)
    if args.json:
        _cli().print_json(figures)
        return 0
    print(f"Đã đóng đợt chi {sid[:8]}: đã chi {figures['paid_count']} người, {format_vnd(figures['paid_amount'])}; "
          f"chưa nhận {figures['remaining_count']} người, {format_vnd(figures['remaining_amount'])}.")
    return 0


def cmd_suspensions(args) -> int:
    ctx = _cli().open_context(args)
    rows = payouts.suspension_candidates(ctx.db)
    if args.apply and rows:
        payouts.suspend(ctx, [r["beneficiary_id"] for r in rows], args.date or ctx.clock.today())
    if args.json:
        _cli().print_json({"candidates": rows, "applied": bool(args.apply and rows)})
        return 0
    if not rows:
        print(f"Không có ai chưa nhận {payouts.SUSPEND_AFTER} đợt hằng tháng liên tiếp.")
    for r in rows:
        months = ", ".join(f"{p[5:]}/{p[:4]}" for p in r["periods"])
        print(f"{r['full_name']} ({r['id_number'] or '—'}, {r['village']}): chưa nhận các tháng {months}, "
              f"còn {format_vnd(r['unpaid_amount'])} chưa nhận")
    if args.apply and rows:
        print(f"Đã tạm dừng hưởng {len(rows)} người.")
    return 0

"""The ``config`` command: the commune's officer and the offices its reports go to (``config
[--officer N] [--office PROGRAMS=NAME …] [--upstream N]``), and the dated settings behind the
amounts and the decisions:
``config base-level``, ``config holidays``, ``config funeral-support``, ``config grounds``, and the
indicators of the monthly report, ``config report-indicators``."""

import argparse
import datetime as dt

from commune_payout import base_levels, cli_args, decisions, settings
from commune_payout.cli_register import office_arguments, office_names, print_offices
from commune_payout.errors import UserError
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import excerpt


def _cli():
    from commune_payout import cli

    return cli


def _multiple(text: str) -> float:
    """The argparse type of --multiple: as the settings page reads it (decisions.funeral.parse_multiple)."""
    try:
        value = decisions.funeral.parse_multiple(text)
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"“{excerpt(text, 20)}” không phải số lần, ví dụ 20 hoặc 22,5")
    return value


def register_cli(sub) -> None:
    p = sub.add_parser("config", help="xem hoặc sửa cài đặt: cán bộ, cơ quan cấp trên, mức chuẩn, ngày nghỉ lễ, "
                                      "mức hỗ trợ mai táng, căn cứ của quyết định")
    p.add_argument("--officer", help="họ tên cán bộ phụ trách")
    office_arguments(p)
    p.set_defaults(handler=cmd_config)
    cs = p.add_subparsers(dest="config_command", metavar="SETTING")

    q = cs.add_parser("base-level", help="mức chuẩn theo ngày: xem lịch sử, hoặc đặt mức của xã "
                                         "(mức cấp trên gửi xuống vẫn được ưu tiên)")
    q.add_argument("program", nargs="?", choices=base_levels.PROGRAMS, help="btxh, htxh hoặc ncc")
    q.add_argument("valid_from", nargs="?", type=cli_args.date, metavar="YYYY-MM-DD", help="áp dụng từ ngày")
    q.add_argument("amount", nargs="?", type=cli_args.amount, metavar="AMOUNT", help="mức chuẩn (đồng/tháng)")
    q.add_argument("--note", default="", help="căn cứ, ví dụ “NĐ …/2026/NĐ-CP” hoặc “Nghị quyết HĐND tỉnh …”")
    q.add_argument("--remove", action="store_true", help="bỏ mức do xã đặt nhầm (ghi PROGRAM và ngày)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_base_level)

    q = cs.add_parser("holidays", help="ngày nghỉ lễ, Tết (ngoài 01/01, 30/4, 01/5, 02/9) để tính hạn giải quyết hồ sơ")
    q.add_argument("--add", type=cli_args.date, action="append", default=[], metavar="YYYY-MM-DD", help="thêm ngày nghỉ")
    q.add_argument("--remove", type=cli_args.date, action="append", default=[], metavar="YYYY-MM-DD", help="bỏ ngày nghỉ")
    q.set_defaults(handler=cmd_holidays)

    q = cs.add_parser("funeral-support", help="mức hỗ trợ chi phí mai táng theo ngày (mặc định 20 × mức chuẩn)")
    q.add_argument("valid_from", nargs="?", type=cli_args.date, metavar="YYYY-MM-DD", help="áp dụng cho người mất từ ngày")
    how = q.add_mutually_exclusive_group()
    how.add_argument("--multiple", type=_multiple, help="số lần mức chuẩn trợ giúp xã hội, ví dụ 20")
    how.add_argument("--amount", type=cli_args.amount, help="số tiền cố định (đồng)")
    q.add_argument("--note", default="", help="căn cứ")
    q.set_defaults(handler=cmd_funeral_support)

    q = cs.add_parser("report-indicators", help="các chỉ tiêu của báo cáo tháng gửi cơ quan cấp trên, theo thứ tự "
                                                "(tỉnh có thể thêm chỉ tiêu riêng)")
    q.add_argument("items", nargs="*", metavar="ITEM",
                   help="mã chỉ tiêu có sẵn (xem danh sách khi chạy không tham số), hoặc chỉ tiêu riêng "
                        "MÃ=TÊN=chỉ_số+chỉ_số[/chỉ_số]; bỏ trống: chỉ xem")
    q.add_argument("--reset", action="store_true", help="trở về các chỉ tiêu của biểu tổng hợp toàn quốc")
    q.set_defaults(handler=cmd_report_indicators)

    q = cs.add_parser("grounds", help="các dòng căn cứ in đầu quyết định của một chương trình")
    q.add_argument("program", choices=sorted(decisions.model.GROUNDS), help="btxh, htxh, ncc hoặc other")
    q.add_argument("line", nargs="*", help="các dòng căn cứ mới, mỗi dòng một tham số (bỏ trống: chỉ xem)")
    q.add_argument("--reset", action="store_true", help="trở về các dòng căn cứ có sẵn")
    q.set_defaults(handler=cmd_grounds)


def cmd_config(args) -> int:
    ctx = _cli().open_context(args)
    info = settings.commune(ctx.db)
    if args.officer is not None or args.office or args.upstream:
        info = settings.init_commune(ctx.db, info["code"],
                                     officer=args.officer if args.officer is not None else info["officer"],
                                     offices=office_names(args))
    for label, key in (("Xã", "name"), ("Mã xã", "code"), ("Tỉnh", "province_name"), ("Cán bộ phụ trách", "officer")):
        print(f"{label}: {info[key]}")
    print_offices(settings.offices(ctx.db))
    return 0


def cmd_report_indicators(args) -> int:
    from commune_payout.documents import indicators

    ctx = _cli().open_context(args)
    chosen = indicators.choose(ctx.db, args.items) if args.items or args.reset else indicators.chosen(ctx.db)
    print("Các chỉ tiêu của báo cáo tháng:")
    for i in chosen:
        formula = "+".join(i.of) + ("/" + "+".join(i.per) if i.per else "")
        print(f"  {i.key}: {i.label}" + (f" ({formula})" if i.key not in indicators.BUILT_IN else ""))
    if not args.items and not args.reset:
        print("Có sẵn: " + ", ".join(indicators.BUILT_IN))
    return 0


def _vn(iso: str | None) -> str:
    return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y") if iso else ""


def cmd_base_level(args) -> int:
    ctx = _cli().open_context(args)
    given = [args.program, args.valid_from, args.amount]
    if args.remove:
        if not (args.program and args.valid_from):
            raise UserError("Bỏ mức do xã đặt: ghi chương trình và ngày, ví dụ config base-level btxh 2026-07-01 --remove")
        base_levels.remove_local(ctx, args.program, args.valid_from)
        print(f"Đã bỏ mức chuẩn do xã đặt từ ngày {args.valid_from:%d/%m/%Y}.")
    elif any(given):
        if not all(given):
            raise UserError("Đặt mức chuẩn: ghi chương trình, ngày áp dụng và số tiền, "
                            "ví dụ config base-level btxh 2026-07-01 540000")
        base_levels.set_local(ctx, args.program, args.valid_from, args.amount, args.note)
        print(f"Đã đặt mức chuẩn {PROGRAM_LABELS[args.program]} {format_vnd(args.amount)} từ ngày "
              f"{args.valid_from:%d/%m/%Y} (xã tự đặt; mức cấp trên gửi xuống sẽ thay thế).")
        paid = base_levels.sessions_paid_from(ctx.db, args.program, args.valid_from)
        if paid:
            print(f"Đã chi {len(paid)} đợt hằng tháng theo mức cũ ({', '.join(s['period'] for s in paid)}): "
                  "lập đợt truy lĩnh phần chênh lệch bằng session create --kind arrears.")
    if args.json:
        _cli().print_json({"in_force": base_levels.in_force(ctx.db), "history": base_levels.history(ctx.db)})
        return 0
    print("Mức chuẩn đang áp dụng:")
    for row in base_levels.in_force(ctx.db):
        print(f"  {PROGRAM_LABELS[row['program']]}: {format_vnd(row['amount'])} từ {_vn(row['valid_from'])} "
              f"({base_levels.SOURCES[row['source']]}{' — ' + row['note'] if row['note'] else ''})")
    print("Lịch sử:")
    for row in base_levels.history(ctx.db):
        who = f"{row['set_by']} lúc {_vn(row['set_at'])} {row['set_at'][11:16]}" if row["set_at"] else "có sẵn"
        gone = f" — thay ngày {_vn(row['replaced_at'])} ({row['replaced_by']})" if row["replaced_at"] else ""
        print(f"  {PROGRAM_LABELS.get(row['program'], row['program'])} {format_vnd(row['amount'])} từ "
              f"{_vn(row['valid_from'])}: {base_levels.SOURCES[row['source']]}, {who}{gone}")
    return 0


def cmd_holidays(args) -> int:
    ctx = _cli().open_context(args)
    if args.add or args.remove:
        kept = [d for d in decisions.listed_holidays(ctx.db) if d not in set(args.remove)]
        decisions.set_holidays(ctx.db, kept + args.add)
    days = decisions.listed_holidays(ctx.db)
    print("Ngày nghỉ cố định hằng năm: 01/01, 30/4, 01/5, 02/9; thứ Bảy và Chủ nhật.")
    print("Ngày nghỉ đã ghi thêm: " + (", ".join(f"{d:%d/%m/%Y}" for d in days) if days else "(chưa có)"))
    return 0


def cmd_funeral_support(args) -> int:
    ctx = _cli().open_context(args)
    if args.valid_from:
        if args.multiple is None and args.amount is None:
            raise UserError("Ghi --multiple (số lần mức chuẩn) hoặc --amount (số tiền)")
        decisions.funeral.set_level(ctx, args.valid_from, multiple=args.multiple, amount=args.amount, note=args.note)
    print("Mức hỗ trợ chi phí mai táng:")
    for entry in decisions.funeral.levels(ctx.db):
        who = f", {entry['set_by']}" if entry.get("set_by") else ""
        print(f"  từ {_vn(entry['valid_from'])}: {decisions.funeral.level_text(entry)}"
              f"{' (' + entry['note'] + ')' if entry.get('note') else ''}{who}")
    print(f"Người mất hôm nay: {format_vnd(decisions.funeral.amount_on(ctx.db, ctx.clock.today()))}")
    return 0


def cmd_grounds(args) -> int:
    ctx = _cli().open_context(args)
    if args.reset:
        lines = decisions.set_grounds(ctx.db, args.program, [])
    elif args.line:
        lines = decisions.set_grounds(ctx.db, args.program, args.line)
    else:
        lines = decisions.grounds(ctx.db, args.program)
    print(f"Căn cứ in trên quyết định ({PROGRAM_LABELS[args.program]}):")
    for line in lines:
        print(f"  {line}")
    return 0

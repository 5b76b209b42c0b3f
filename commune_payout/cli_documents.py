"""CLI subcommands that print documents to PDF:
``print payout-list|receipts|transfers|verification|campaign|cleaning|report … --out FILE.pdf`` (the
monthly report also as ``--xlsx FILE.xlsx``, for one office's programmes with ``--office``, counted
by payment date with ``--by payment``).

A session is named by its id or a unique prefix (``session list``). ``--open`` shows the PDF in
the system viewer afterwards, ``--print`` sends it to the default printer (or ``--printer``).
"""

from commune_payout import cli_args, documents, payouts, printing

MAX_NUMBER = 10 ** 9     # a receipt or report number


def _cli():
    from commune_payout import cli

    return cli


def _common(p, dated: str = "ngày ghi trên văn bản (mặc định: hôm nay)") -> None:
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="tệp PDF cần ghi")
    p.add_argument("--date", type=cli_args.date, metavar="dd/mm/yyyy", help=dated)
    p.add_argument("--open", action="store_true", help="mở tệp PDF bằng trình xem của máy sau khi ghi")
    p.add_argument("--print", dest="send_to_printer", action="store_true", help="gửi tệp PDF ra máy in")
    p.add_argument("--printer", help="tên máy in (mặc định: máy in mặc định; Linux/macOS)")


MASK_HELP = "che số định danh, số điện thoại, số tài khoản, chỉ in 4 số cuối (danh sách niêm yết công khai)"


def register_cli(sub) -> None:
    top = sub.add_parser("print", help="in tài liệu ra PDF: danh sách chi trả, biên nhận, báo cáo…")
    ps = top.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)

    p = ps.add_parser("payout-list", help="danh sách chi trả của một đợt, có cột ký nhận")
    p.add_argument("session", help="mã đợt chi (hoặc vài ký tự đầu)")
    p.add_argument("--mask", action="store_true", help=MASK_HELP)
    p.add_argument("--channel", choices=sorted(documents.CHANNEL_FILTERS),
                   help="chỉ người nhận tiền mặt, chỉ người nhận qua tài khoản, hoặc tất cả (mặc định)")
    _common(p)

    p = ps.add_parser("receipts", help="biên nhận của những người đã nhận tiền mặt, 2 hoặc 4 tờ một trang A4")
    p.add_argument("session", help="mã đợt chi (hoặc vài ký tự đầu)")
    p.add_argument("--per-page", type=int, choices=(2, 4), default=4, help="số biên nhận một trang (mặc định 4)")
    p.add_argument("--receipt", type=cli_args.whole(1, MAX_NUMBER), action="append", default=[], metavar="N",
                   help="chỉ in biên nhận số N (lặp lại được), bất kể hình thức nhận")
    p.add_argument("--channel", choices=sorted(documents.CHANNEL_FILTERS), default="cash",
                   help="biên nhận của khoản chi tiền mặt (mặc định), qua tài khoản, hoặc tất cả")
    p.add_argument("--mask", action="store_true", help=MASK_HELP)
    _common(p, dated="ngày ghi trên mọi biên nhận (mặc định: ngày chi tiền của từng người)")

    p = ps.add_parser("transfers", help="danh sách chuyển khoản theo ngân hàng, có tổng kiểm soát và mã kiểm tra")
    p.add_argument("session", help="mã đợt chi (hoặc vài ký tự đầu)")
    p.add_argument("--bank", metavar="BIN", help="chỉ một ngân hàng (mã BIN, ví dụ 970405)")
    _common(p)

    p = ps.add_parser("verification", help="phiếu xác minh chi trả cho trưởng thôn: người trong mẫu, điện thoại, "
                                           "số tiền, ô ghi câu trả lời (sau session verify)")
    p.add_argument("session", help="mã đợt chi (hoặc vài ký tự đầu)")
    _common(p)

    p = ps.add_parser("campaign", help="danh sách người cần mở tài khoản theo thôn, kèm giấy tờ cần mang")
    p.add_argument("--mask", action="store_true", help=MASK_HELP)
    _common(p)

    p = ps.add_parser("cleaning", help="danh sách rà soát, làm sạch dữ liệu gửi công an xã")
    _common(p)

    p = ps.add_parser("report", help="báo cáo tiến độ chi trả không dùng tiền mặt của một tháng (có số, Nơi nhận)")
    p.add_argument("--month", type=cli_args.month, required=True, metavar="YYYY-MM", help="tháng báo cáo")
    p.add_argument("--number", type=cli_args.whole(1, MAX_NUMBER), metavar="N",
                   help="số báo cáo do văn thư cấp (mặc định: số đã cấp cho tháng này, hoặc số tiếp theo của năm)")
    p.add_argument("--office", metavar="NAME",
                   help="chỉ các chương trình của một cơ quan (ví dụ “Sở Nội vụ”); mặc định: mọi chương trình")
    p.add_argument("--by", dest="basis", choices=("period", "payment"), default="period",
                   help="tính theo kỳ chi trả (các đợt của tháng, mặc định) hay theo ngày chi trả (khoản chi trong tháng)")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="ghi thêm các số liệu của báo cáo ra tệp Excel")
    _common(p)

    for parser in ps.choices.values():
        parser.set_defaults(handler=cmd_print)


def cmd_print(args) -> int:
    ctx = _cli().open_context(args)
    session_id = payouts.resolve_session(ctx.db, args.session) if getattr(args, "session", None) else None
    kind = args.print_command
    request = documents.Request(
        kind=kind, on=args.date or (None if kind == "receipts" else ctx.clock.today()), session_id=session_id,
        period=getattr(args, "month", None), masked=getattr(args, "mask", False),
        channel=getattr(args, "channel", None), per_page=getattr(args, "per_page", 4),
        receipt_nos=tuple(getattr(args, "receipt", ())), bank_bin=getattr(args, "bank", None),
        number=getattr(args, "number", None), basis=getattr(args, "basis", "period"),
        programs=documents.office_programs(ctx.db, args.office) if getattr(args, "office", None) else None)
    summary = documents.write(ctx.db, request, args.out)
    print(f"{summary}. Đã ghi {args.out}")
    if getattr(args, "xlsx", None):
        documents.write_xlsx(ctx.db, request, args.xlsx)
        print(f"Đã ghi các số liệu ra {args.xlsx}")
    if args.send_to_printer:
        print(printing.print_pdf(args.out, printer=args.printer))
    if args.open:
        printing.open_in_viewer(args.out)
    return 0

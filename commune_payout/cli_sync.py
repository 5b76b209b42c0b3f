"""CLI for sync: ``sync …`` on a commune's database, ``office …`` on the office's own database.

Commune side (one office per programme since 7/2025: the Sở Y tế for btxh and htxh, the Sở Nội vụ for ncc)::

    sync keygen                      create this commune's key pair (once) and show its fingerprint
    sync set-upstream FILE [--programs LIST]   add or update an office from its key card (or --name/--age/--sign)
    sync offices [--json]            the offices, their programmes, fingerprints and what they have not acknowledged
    sync export [--office NAME|FINGERPRINT] [--full [--after N]] [--to DIR | --drive] [--json]
                                     one package per office with changes not yet acknowledged
    sync ack FILE | --code CODE [--office NAME|FINGERPRINT]   record an office's receipt (file, or phone code)
    sync status [--json]             fingerprint, per office: changes not yet acknowledged, package history
    sync import-down FILE [--accept | --reject REASON]   check, then accept or refuse an office's package

Office side (a separate database file, e.g. ``--db so-y-te.sqlite``; ``district`` is an alias of ``office``)::

    office init --name NAME [--programs btxh,htxh]   make this database the office's: its keys, its programmes
    office programs [LIST]         show or change the programmes the office receives
    office public-key [--out FILE] [--age-identity FILE]   the card to give communes
    office add-commune CODE…       register communes
    office confirm-key CODE FINGERPRINT [--package FILE]   after comparing by phone; applies what it signed
    office import FILE|DIR… [--dry-run] [--json]           any number, any order; one outcome per file
    office status [--json]         last sequence, last import, waiting, missing and held packages
    office quarantine [--commune CODE] [--json]   packages held until a key is confirmed, by fingerprint
    office ack [CODE…] --out DIR   receipt files, and the codes to read over the phone
    office view people|coverage|payouts [--commune CODE] [--program P] [--json]   consolidated views
    office export people|coverage|payouts OUT.xlsx [--commune CODE] [--program P]
    office send-down CODE… --out DIR (--base-level PROGRAM:YYYY-MM-DD:AMOUNT… | --gift CATEGORY=AMOUNT…)
"""

import argparse
from pathlib import Path

from commune_payout import atomic, cli_args, paths, settings
from commune_payout.errors import UserError
from commune_payout.lazy import LazyModule
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import excerpt
from commune_payout.sync import reports

geo = LazyModule("commune_payout.geo")
commune, consolidate, keys, media, office, package, reader, receipts, scope = (
    LazyModule(f"commune_payout.sync.{name}")
    for name in ("commune", "consolidate", "keys", "media", "office", "package", "reader", "receipts", "scope"))
MAX_AFTER = 10 ** 9 - 1     # the next package's number stays one the office reads (sync/reader.py MAX_SEQ)


def _cli():
    from commune_payout import cli

    return cli


def register_cli(sub) -> None:
    sync = sub.add_parser("sync", help="đồng bộ với đơn vị cấp trên qua USB hoặc e-mail (phía xã)")
    s = sync.add_subparsers(dest="sync_command", metavar="LỆNH", required=True)

    p = s.add_parser("keygen", help="tạo cặp khóa của xã (một lần) và xem dấu vân tay")
    p.set_defaults(handler=cmd_keygen)

    p = s.add_parser("set-upstream", help="thêm hoặc cập nhật một đơn vị cấp trên từ thẻ khóa công khai của họ")
    p.add_argument("file", nargs="?", help="tệp khóa công khai đơn vị cấp trên gửi")
    p.add_argument("--programs", metavar="LIST",
                   help="chương trình gửi cho đơn vị này, ví dụ btxh,htxh (Sở Y tế) hoặc ncc (Sở Nội vụ); "
                        "mặc định theo tên đơn vị")
    p.add_argument("--name", help="tên đơn vị cấp trên (khi gõ tay)")
    p.add_argument("--age", help="khóa mã hóa age1… (khi gõ tay)")
    p.add_argument("--sign", help="khóa ký, 52 ký tự (khi gõ tay)")
    p.set_defaults(handler=cmd_set_upstream)

    p = s.add_parser("offices", help="các đơn vị cấp trên: chương trình, dấu vân tay, thay đổi chưa xác nhận")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_offices)

    p = s.add_parser("export", help="tạo gói cho mỗi đơn vị cấp trên có thay đổi chưa xác nhận")
    p.add_argument("--office", metavar="NAME|FINGERPRINT", help="chỉ cho một đơn vị (tên hoặc dấu vân tay)")
    p.add_argument("--full", action="store_true", help="gửi lại toàn bộ dữ liệu (khi cấp trên mất dữ liệu)")
    p.add_argument("--after", type=cli_args.whole(0, MAX_AFTER), default=0, metavar="N",
                   help="đánh số gói sau gói số N (sau khi xã khôi phục bản sao lưu; cấp trên cho biết N)")
    p.add_argument("--out", metavar="DIR", help="thư mục lưu gói trên máy (mặc định: outbox cạnh cơ sở dữ liệu)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--to", metavar="DIR", help="chép ra thư mục này (USB, thư mục gửi e-mail) và kiểm tra lại")
    where.add_argument("--drive", action="store_true", help="chép ra USB đang cắm (tự tìm)")
    p.add_argument("--json", action="store_true", help="liệt kê {office, file, rows} của từng gói")
    p.set_defaults(handler=cmd_export)

    p = s.add_parser("ack", help="ghi nhận biên nhận của cấp trên (tệp hoặc mã đọc qua điện thoại)")
    p.add_argument("file", nargs="?")
    p.add_argument("--code", help="mã biên nhận, ví dụ 7-48213-K3QF")
    p.add_argument("--office", metavar="NAME|FINGERPRINT", help="đơn vị đọc mã (khi hai đơn vị cùng số gói)")
    p.set_defaults(handler=cmd_ack)

    p = s.add_parser("status", help="tình trạng đồng bộ với từng đơn vị và lịch sử các gói")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = s.add_parser("import-down", help="mở gói cấp trên gửi xuống; nhận hoặc từ chối")
    p.add_argument("file")
    decide = p.add_mutually_exclusive_group()
    decide.add_argument("--accept", action="store_true", help="nhận và áp dụng")
    decide.add_argument("--reject", metavar="LÝ_DO", help="từ chối, ghi lý do")
    p.set_defaults(handler=cmd_import_down)

    # "district" is the name of the era before 7/2025; scripts written then still run.
    group = sub.add_parser("office", aliases=["district"],
                           help="chế độ đơn vị cấp trên (Sở Y tế, Sở Nội vụ): nhận và tổng hợp gói của các xã")
    d = group.add_subparsers(dest="office_command", metavar="LỆNH", required=True)

    p = d.add_parser("init", help="dùng cơ sở dữ liệu này cho đơn vị cấp trên và tạo khóa")
    p.add_argument("--name", required=True, help="tên đơn vị, ví dụ “Sở Y tế tỉnh Phú Thọ”")
    p.add_argument("--programs", metavar="LIST",
                   help="chương trình đơn vị nhận, ví dụ btxh,htxh (Sở Y tế) hoặc ncc (Sở Nội vụ); mặc định: mọi chương trình")
    p.set_defaults(handler=cmd_office_init)

    p = d.add_parser("programs", help="xem hoặc đổi các chương trình đơn vị nhận")
    p.add_argument("programs", nargs="?", metavar="LIST", help="ví dụ btxh,htxh")
    p.set_defaults(handler=cmd_office_programs)

    p = d.add_parser("public-key", help="khóa công khai để gửi cho các xã")
    p.add_argument("--out", metavar="FILE", help="ghi ra tệp (gửi kèm e-mail hoặc USB cho xã)")
    p.add_argument("--age-identity", metavar="FILE",
                   help="ghi khóa bí mật age ra tệp (quyền 0600) để mở gói bằng công cụ age độc lập")
    p.set_defaults(handler=cmd_public_key)

    p = d.add_parser("add-commune", help="đăng ký xã")
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.set_defaults(handler=cmd_add_commune)

    p = d.add_parser("confirm-key", help="xác nhận khóa của xã sau khi đối chiếu dấu vân tay qua điện thoại")
    p.add_argument("code")
    p.add_argument("fingerprint")
    p.add_argument("--package", metavar="FILE", help="gói mang khóa mới (khi xã đã tạo lại khóa)")
    p.set_defaults(handler=cmd_confirm_key)

    p = d.add_parser("import", help="nhập gói của các xã (nhiều tệp, thứ tự bất kỳ)")
    p.add_argument("files", nargs="+", help="tệp gói, hoặc thư mục (mọi tệp .cpkg trong đó, ví dụ cả USB)")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem sẽ nhập gì, không ghi")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_office_import)

    p = d.add_parser("status", help="tình trạng từng xã: gói cuối, lần nhập cuối, gói đang chờ, gói thiếu")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_office_status)

    p = d.add_parser("quarantine", help="các gói đang giữ riêng vì khóa của xã chưa được xác nhận, theo dấu vân tay")
    p.add_argument("--commune", metavar="CODE", help="chỉ một xã")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_office_quarantine)

    p = d.add_parser("ack", help="tạo biên nhận cho các xã")
    p.add_argument("codes", nargs="*", metavar="CODE", help="mặc định: mọi xã đã nhập gói")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_office_ack)

    p = d.add_parser("view", help="xem báo cáo tổng hợp: người hưởng, tỷ lệ có tài khoản, chi trả theo đợt, "
                                  "xác minh chi trả, khiếu nại")
    p.add_argument("report", choices=sorted(reports.REPORTS))
    p.add_argument("--commune", metavar="CODE", help="chỉ một xã")
    p.add_argument("--program", choices=sorted(PROGRAM_LABELS), help="chỉ người hưởng một chương trình")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_office_view)

    p = d.add_parser("export", help="xuất báo cáo tổng hợp ra Excel")
    p.add_argument("report", choices=sorted(reports.REPORTS))
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument("--commune", metavar="CODE", help="chỉ một xã")
    p.add_argument("--program", choices=sorted(PROGRAM_LABELS), help="chỉ người hưởng một chương trình")
    p.set_defaults(handler=cmd_office_export)

    p = d.add_parser("send-down", help="gửi gói xuống xã: mức chuẩn mới hoặc danh sách quà Tết")
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--title", default="")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--base-level", action="append", metavar="PROGRAM:YYYY-MM-DD:AMOUNT")
    kind.add_argument("--gift", action="append", metavar="CATEGORY=AMOUNT")
    p.set_defaults(handler=cmd_send_down)


def _read_package(path) -> bytes:
    """A package file's bytes, refused unread when it is larger than any package can be."""
    return reader.read_file(path, reader.MAX_PACKAGE, "gói đồng bộ")


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB".replace(",", ".") if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


# --- commune side ---------------------------------------------------------------------------

def cmd_keygen(args) -> int:
    ctx = _cli().open_context(args)
    pair = commune.ensure_keys(ctx)
    print(f"Khóa của {pair.card.name} đã sẵn sàng.")
    print(f"Dấu vân tay (đọc cho cấp trên qua điện thoại): {pair.card.fingerprint}")
    print("Khóa công khai sẽ đi kèm gói đầu tiên gửi lên cấp trên.")
    return 0


def cmd_set_upstream(args) -> int:
    ctx = _cli().open_context(args)
    if args.file:
        card = keys.parse_card(reader.read_file(args.file, keys.MAX_CARD, "khóa công khai"))
    elif args.name and args.age and args.sign:
        card = keys.card_from_parts(args.name, args.age, args.sign)
    else:
        raise UserError("Cần tệp khóa công khai, hoặc đủ cả --name, --age và --sign.")
    office = commune.set_upstream(ctx, card, scope.parse(args.programs) if args.programs else None)
    print(f"Đã ghi khóa của {office.name}; gửi cho đơn vị này: {scope.describe(office.programs)}.")
    print(f"Dấu vân tay: {office.fingerprint} — hãy gọi điện đối chiếu với cấp trên trước khi gửi gói.")
    _warn_unassigned(ctx.db)
    return 0


def _warn_unassigned(db) -> None:
    missing = commune.unassigned_programs(db)
    if missing:
        print(f"Lưu ý: chưa có đơn vị cấp trên nào nhận {scope.describe(missing)}; dữ liệu các chương trình này "
              "chưa được gửi đi (sync set-upstream TỆP --programs …).")


def cmd_offices(args) -> int:
    cli = _cli()
    ctx = cli.open_context(args)
    info = commune.status(ctx.db)
    if args.json:
        cli.print_json(info["offices"])
        return 0
    if not info["offices"]:
        print("Chưa có đơn vị cấp trên nào (sync set-upstream TỆP --programs …).")
    for o in info["offices"]:
        print(f"{o['name']} — {o['fingerprint']}: {scope.describe(o['programs'])}; "
              f"{o['unacked_changes']} thay đổi chưa xác nhận"
              + (", gói sau gửi toàn bộ" if o["resend_full"] else ""))
    _warn_unassigned(ctx.db)
    return 0


def cmd_export(args) -> int:
    cli = _cli()
    ctx = cli.open_context(args)
    outbox = Path(args.out) if args.out else commune.outbox_dir(cli.db_path(args))
    destination = args.to
    if args.drive:
        drives = media.removable_drives()
        if len(drives) != 1:
            found = ", ".join(map(str, drives)) or "không có"
            raise UserError(f"Cần đúng một USB đang cắm để tự chép (thấy: {found}). Dùng --to THƯ_MỤC.")
        destination = drives[0]
    if args.office:
        built = [commune.build(ctx, commune.find_office(ctx.db, args.office), full=args.full, after=args.after)]
    elif args.after:
        built = [commune.build(ctx, full=args.full, after=args.after)]
    else:
        built = commune.build_all(ctx, full=args.full)
    done = []
    for pkg in built:
        saved = commune.save(pkg, outbox)
        done.append((pkg, saved, media.copy_verified(saved, destination) if destination else []))
    if args.json:
        cli.print_json([{"office": pkg.office.name, "file": str((copied or saved)[0]), "rows": pkg.rows,
                         "files": [str(p) for p in copied or saved], "package_id": pkg.id, "seq": pkg.seq,
                         "from_version": pkg.from_version, "to_version": pkg.to_version, "full": pkg.full,
                         "counts": pkg.counts, "deleted": pkg.deleted, "size": pkg.size, "sha256": pkg.sha256}
                        for pkg, saved, copied in done])
        return 0
    for pkg, saved, copied in done:
        rows = ", ".join(f"{table} {n}" for table, n in pkg.counts.items()) or "chỉ gồm trả lời gói cấp trên"
        print(f"{pkg.office.name}: gói số {pkg.seq} (thay đổi {pkg.from_version}–{pkg.to_version}"
              + (", toàn bộ" if pkg.full else "") + f"): {rows}"
              + (f", xóa {pkg.deleted}" if pkg.deleted else "") + ".")
        for path in copied or saved:
            print(f"  {path}")
        print(f"  Dung lượng: {_size(pkg.size)}" + (f", {len(saved)} phần (đính kèm mỗi phần một e-mail)"
                                                    if len(saved) > 1 else "") + ".")
    if destination:
        print("Đã chép và đọc lại đúng. Có thể rút USB an toàn.")
    else:
        print("Sẵn sàng đính kèm e-mail: gửi mỗi đơn vị tệp mang tên đơn vị đó.")
    _warn_unassigned(ctx.db)
    return 0


def cmd_ack(args) -> int:
    ctx = _cli().open_context(args)
    if args.code:
        office = commune.find_office(ctx.db, args.office) if args.office else None
        done = commune.record_ack_code(ctx, args.code, office)
    elif args.file:
        done = commune.record_ack_file(ctx, reader.read_file(args.file, receipts.MAX_ACK, "biên nhận"))
    else:
        raise UserError("Cần tệp biên nhận hoặc --code MÃ.")
    print(f"Đã ghi nhận: {done['office']} đã nhận gói số {done['seq']}. "
          f"Các gói sau cho đơn vị này chỉ gửi thay đổi từ phiên bản {done['acked_version'] + 1}.")
    return 0


def cmd_status(args) -> int:
    cli = _cli()
    ctx = cli.open_context(args)
    info = commune.status(ctx.db)
    history = commune.sent_packages(ctx.db)
    if args.json:
        cli.print_json({**info, "packages": history})
        return 0
    print(f"Dấu vân tay của xã: {info['fingerprint'] or 'chưa tạo khóa (sync keygen)'}")
    if not info["offices"]:
        print("Cấp trên: chưa có khóa (sync set-upstream TỆP --programs …)")
    for o in info["offices"]:
        print(f"{o['name']} — {o['fingerprint']} ({scope.describe(o['programs'])}): "
              f"{o['unacked_changes']} thay đổi chưa được xác nhận")
        for p in (p for p in history if p["office_id"] == o["id"]):
            ack = f"đã xác nhận {p['acked_at']}" if p["acked_at"] else "chưa xác nhận"
            print(f"  gói {p['seq']:>4}  {p['created_at']}  {p['rows']:>6} dòng  {_size(p['size']):>8}  {ack}")
    if info["down_waiting"]:
        print(f"Gói cấp trên gửi xuống đang chờ xử lý: {info['down_waiting']}")
    _warn_unassigned(ctx.db)
    return 0


def cmd_import_down(args) -> int:
    ctx = _cli().open_context(args)
    pkg = commune.read_down(ctx, _read_package(args.file))
    print(f"{commune.DOWN_KINDS[pkg.kind]}: {pkg.title} ({pkg.office} gửi ngày {pkg.issued_at})")
    for line in commune.describe_items(pkg.kind, pkg.items):
        print(f"  {line}")
    if args.accept or args.reject:
        pkg = commune.decide_down(ctx, pkg.id, accept=args.accept, reason=args.reject or "")
        print("Đã nhận và áp dụng." if pkg.status == "accepted" else "Đã từ chối; lý do sẽ gửi lên cùng gói sau.")
    elif pkg.status == "received":
        print("Chưa xử lý. Chạy lại với --accept để nhận, hoặc --reject \"lý do\" để từ chối.")
    return 0


# --- office side ----------------------------------------------------------------------------

def _office(args):
    ctx = _cli().open_context(args, initialised=False)
    if settings.is_initialised(ctx.db):
        raise UserError("Đây là cơ sở dữ liệu của một xã. Lệnh office dùng cơ sở dữ liệu riêng của cấp trên (--db).")
    return ctx


def cmd_office_init(args) -> int:
    ctx = _office(args)
    pair = office.init_office(ctx, args.name, scope.parse(args.programs) if args.programs else scope.PROGRAMS)
    print(f"Đã tạo khóa cho {pair.card.name}, nhận: {scope.describe(office.programs(ctx.db))}.")
    print(pair.card.to_text(), end="")
    print("Gửi tệp này cho các xã (office public-key --out TỆP), hoặc đọc cho xã gõ.")
    return 0


def cmd_office_programs(args) -> int:
    ctx = _office(args)
    office.office_keys(ctx.db)
    if args.programs:
        office.set_programs(ctx, args.programs)
    print(f"Đơn vị nhận: {scope.describe(office.programs(ctx.db))} ({','.join(office.programs(ctx.db))}).")
    return 0


def cmd_public_key(args) -> int:
    ctx = _office(args)
    pair = office.office_keys(ctx.db)
    if args.out:
        atomic.write_text(args.out, pair.card.to_text())
        print(f"Đã ghi khóa công khai ra {args.out}")
    if args.age_identity:
        keys.write_identity_file(pair, args.age_identity)
        print(f"Đã ghi khóa bí mật age ra {args.age_identity} (chỉ chủ tệp đọc được). Giữ kín tệp này.")
    if not args.out and not args.age_identity:
        print(pair.card.to_text(), end="")
    return 0


def cmd_add_commune(args) -> int:
    ctx = _office(args)
    for code in args.codes:
        info = office.add_commune(ctx, code)
        print(f"Đã đăng ký {info['name']} ({info['code']}), {info['province_name']}.")
    return 0


def cmd_confirm_key(args) -> int:
    ctx = _office(args)
    results = office.confirm_key(ctx, args.code, args.fingerprint,
                                   _read_package(args.package) if args.package else None)
    print(f"Đã xác nhận khóa của xã {args.code}.")
    _print_results(results)
    return 0


def cmd_office_import(args) -> int:
    cli = _cli()
    ctx = _office(args)
    files = [f for name in args.files
             for f in (sorted(Path(name).glob("*" + package.SUFFIX)) if paths.is_dir(name) else [Path(name)])]
    if not files:
        raise UserError("Không thấy tệp gói (.cpkg) nào.")
    results = office.import_files(ctx, files, dry_run=args.dry_run)
    if args.json:
        cli.print_json([r.as_dict() for r in results])
    else:
        _print_results(results)
    return 1 if any(r.status == "rejected" for r in results) else 0


_MARKS = {"applied": "✓", "would_apply": "·", "already": "=", "waiting": "…", "superseded": "=", "rejected": "✗"}


def _print_results(results) -> None:
    """One line per package file: its outcome, and for a refusal its class (the console's words)."""
    for r in results:
        why = f"[{reader.REASONS[r.reason]}] " if r.status == "rejected" else ""
        print(f"{_MARKS[r.status]} {r.name}: {why}{r.message}")
        if len(r.problems) > consolidate.MAX_PROBLEMS_SHOWN:
            for problem in r.problems:
                print(f"    - {problem}")


def cmd_office_status(args) -> int:
    cli = _cli()
    ctx = _office(args)
    rows = office.communes_status(ctx.db)
    if args.json:
        cli.print_json(rows)
        return 0
    for r in rows:
        key = "khóa đã xác nhận" if r["confirmed"] else "chưa xác nhận khóa"
        line = (f"{r['code']} {r['name']}: {key}; gói cuối {r['last_seq'] or '—'}, nhập lúc {r['last_import'] or '—'}, "
                f"{r['people']} người")
        if r["waiting"]:
            line += f"; đang chờ gói {', '.join(map(str, r['waiting']))}"
        if r["missing"]:
            line += f"; THIẾU gói {', '.join(map(str, r['missing']))}"
        for fp, seqs in r["held"].items():
            line += f"; giữ riêng gói {', '.join(map(str, seqs))} ký bằng khóa {fp} (chưa xác nhận)"
        if r["down"].get("sent"):
            line += f"; {r['down']['sent']} gói gửi xuống chưa có trả lời"
        if r["down"].get("rejected"):
            line += f"; xã từ chối {r['down']['rejected']} gói gửi xuống"
        print(line)
    return 0


def cmd_office_quarantine(args) -> int:
    cli = _cli()
    ctx = _office(args)
    held = office.quarantine(ctx.db, _commune_code(args.commune))
    if args.json:
        cli.print_json(held)
        return 0
    if not held:
        print("Không có gói nào đang giữ riêng.")
    for h in held:
        print(f"{h['commune_code']} {h['commune_name']}: gói số {h['seq']}, ký bằng khóa {h['fingerprint']} "
              f"({h['signer_name']}), {_size(h['size'])}, nhận lúc {h['received_at']}")
    return 0


def cmd_office_ack(args) -> int:
    ctx = _office(args)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for path, code in office.write_acks(ctx, args.out, args.codes or None):
        print(f"{path}  (mã đọc qua điện thoại: {code})")
    return 0


def _commune_code(code) -> str | None:
    return geo.find_commune(code).code if code else None


def cmd_office_view(args) -> int:
    cli = _cli()
    ctx = _office(args)
    headers = reports.headers(args.report)
    rows = reports.rows(ctx.db, args.report, _commune_code(args.commune), args.program, ctx.clock.today())
    if args.json:
        cli.print_json([dict(zip(headers, row)) for row in rows])
        return 0
    print("\t".join(headers))
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))
    return 0


def cmd_office_export(args) -> int:
    ctx = _office(args)
    n = reports.export_xlsx(ctx.db, args.report, args.out, _commune_code(args.commune), args.program,
                            ctx.clock.today())
    print(f"Đã xuất {n} dòng ra {args.out}")
    return 0


def _parse_items(args) -> tuple[str, list[dict]]:
    """The items typed after --base-level or --gift; office.send_down checks their values."""
    items = []
    try:
        if args.base_level:
            for spec in args.base_level:
                program, valid_from, amount = spec.split(":")
                items.append({"program": program.strip(), "valid_from": cli_args.date(valid_from).isoformat(),
                              "amount": cli_args.amount(amount)})
            return "base_level", items
        for spec in args.gift:
            category, amount = spec.split("=")
            items.append({"category": category.strip(), "amount": cli_args.amount(amount)})
    except (ValueError, argparse.ArgumentTypeError) as exc:
        raise UserError(f"Mục “{excerpt(spec)}” không đúng dạng: --base-level btxh:2026-07-01:600000 hoặc "
                        "--gift ncc_me_vnah=600000") from exc
    return "gift_list", items


def cmd_send_down(args) -> int:
    ctx = _office(args)
    kind, items = _parse_items(args)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for code in args.codes:
        path = office.send_down(ctx, code, kind, args.title, items, args.out)
        print(f"{path}")
    return 0

"""CLI subcommands for the register: init, demo, import, list, search, show, check, export."""

import re
import sys

from commune_payout import cli_args, decisions, idcard, register, settings
from commune_payout.banks import bank_name
from commune_payout.clock import Clock
from commune_payout.errors import NotFound, UserError
from commune_payout.lazy import LazyModule
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, coefficient_text, membership_text

checks = LazyModule("commune_payout.checks")
DEMO_MAX = 200_000     # people in a demo commune: the benchmarks use 100,000


def _cli():
    from commune_payout import cli

    return cli


def register_cli(sub) -> None:
    p = sub.add_parser("init", help="khai báo xã cho cơ sở dữ liệu (mã xã 5 chữ số theo danh mục 2025)")
    p.add_argument("--commune", required=True, metavar="CODE", help="mã xã, ví dụ 05425 (Xã An Bình, Phú Thọ)")
    p.add_argument("--officer", default="", help="họ tên cán bộ phụ trách")
    office_arguments(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", help="tạo một xã mẫu với dữ liệu giả để dùng thử")
    p.add_argument("--size", type=cli_args.whole(1, DEMO_MAX), default=300, help="số người hưởng (mặc định 300)")
    p.add_argument("--seed", type=cli_args.whole(0, 2 ** 63 - 1), default=2026)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("import", help="nhập danh sách từ tệp Excel (.xlsx) hoặc .csv")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi gì")
    p.add_argument("--report", metavar="OUT.xlsx", help="ghi báo cáo lỗi ra tệp Excel")
    p.add_argument("--annotated", metavar="OUT.xlsx", help="ghi bản sao tệp có đánh dấu lỗi để sửa")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="liệt kê người hưởng")
    _filters(p)
    p.add_argument("--limit", type=cli_args.whole(0, 10 ** 9))
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("search", help="tìm theo tên (không dấu cũng được), số định danh, thôn, điện thoại, "
                                      "hoặc nội dung mã QR của thẻ căn cước (máy quét)")
    p.add_argument("text")
    p.add_argument("--limit", type=cli_args.whole(0, 10 ** 9), default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", help="xem một người: mã, đầu mã, số định danh 12 số, hoặc nội dung mã QR "
                                    "của thẻ căn cước")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("check", help="rà soát, làm sạch dữ liệu")
    p.add_argument("--report", metavar="OUT.xlsx", help="xuất danh sách cho công an xã")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("export", help="xuất toàn bộ danh sách ra .xlsx hoặc .csv")
    p.add_argument("file")
    p.set_defaults(handler=cmd_export)


def _filters(p) -> None:
    p.add_argument("--village", help="lọc theo thôn/xóm")
    p.add_argument("--group", choices=sorted(BY_CODE), help="lọc theo diện hưởng")
    p.add_argument("--account-status", choices=sorted(register.ACCOUNT_STATUSES))
    p.add_argument("--status", choices=sorted(register.STATUSES))


def office_arguments(p) -> None:
    p.add_argument("--office", action="append", default=[], metavar="PROGRAMS=NAME",
                   help="cơ quan nhận báo cáo của các chương trình, ví dụ \"ncc=Sở Nội vụ tỉnh Phú Thọ\" "
                        "(mặc định: Sở Y tế cho btxh, htxh; Sở Nội vụ cho ncc, của tỉnh)")
    p.add_argument("--upstream", metavar="NAME", help="một cơ quan nhận báo cáo mọi chương trình")


def office_names(args) -> dict[str, str]:
    """Programme → office name from ``--upstream`` (every programme) and ``--office PROGRAMS=NAME``."""
    from commune_payout.sync import scope

    names = {program: args.upstream for program in scope.OWNERS} if args.upstream else {}
    for spec in args.office:
        programs, sep, name = spec.partition("=")
        if not sep or not name.strip():
            raise UserError(f"“{spec}” không đúng dạng CHƯƠNG_TRÌNH=TÊN, ví dụ \"ncc=Sở Nội vụ tỉnh Phú Thọ\".")
        names.update({program: name for program in scope.parse(programs)})
    return names


def print_offices(offices: dict[str, str]) -> None:
    from commune_payout.sync import scope

    by_name: dict[str, list[str]] = {}
    for program, name in offices.items():
        by_name.setdefault(name, []).append(program)
    for name, programs in by_name.items():
        print(f"Cơ quan nhận báo cáo ({scope.describe(programs)}): {name}")


def cmd_init(args) -> int:
    ctx = _cli().open_context(args, initialised=False)
    info = settings.init_commune(ctx.db, args.commune, officer=args.officer, offices=office_names(args))
    print(f"Đã khai báo {info['name']} ({info['code']}), {info['province_name']}.")
    print_offices(info["offices"])
    print(f"Cơ sở dữ liệu: {_cli().db_path(args)}")
    return 0


def cmd_demo(args) -> int:
    from commune_payout import demo

    ctx = _cli().open_context(args, initialised=False)
    if register.count(ctx.db):
        raise UserError("Cơ sở dữ liệu này đã có người hưởng; xã mẫu chỉ tạo trên tệp trống "
                        "(dùng --db đường_dẫn_mới.sqlite).")
    added = demo.populate(ctx, size=args.size, seed=args.seed)
    info = settings.commune(ctx.db)
    print(f"Đã tạo xã mẫu {info['name']} với {added} người hưởng trong {_cli().db_path(args)}")
    return 0


def cmd_import(args) -> int:
    from commune_payout import importer

    ctx = _cli().open_context(args)
    if not args.dry_run:
        _backup_before_import(args, ctx)
    result = importer.import_file(ctx, args.file, dry_run=args.dry_run)
    if args.report:
        importer.write_report(result, args.report)
    if args.annotated:
        importer.write_annotated(result, args.file, args.annotated)
    if args.json:
        _cli().print_json(result.to_json())
        return 0
    head = "Xem trước (chưa ghi gì)" if args.dry_run else "Đã nhập"
    print(f"{head}: {result.imported} người mới, {result.updated} cập nhật, {result.unchanged} không đổi, "
          f"{result.rejected} dòng có lỗi chưa nhập, {result.duplicates} dòng trùng người, "
          f"{result.skipped} dòng không phải người ({len(result.outcomes)} dòng có chữ).")
    for line in importer.decision.lines(result):
        print(line)
    _print_import_problems(result, args)
    for path, what in ((args.report, "báo cáo nhập"), (args.annotated, "bản sao có đánh dấu lỗi")):
        if path:
            print(f"Đã ghi {what}: {path}")
    return 0


SHOWN_PROBLEMS = 20     # problem lines the import prints; the report, --annotated and --json have them all
SHOWN_SKIPPED = 10
SHOWN_PER_GROUP = 5     # people check prints under each kind of problem; --report and --json have them all


def _print_import_problems(result, args) -> None:
    """How many problems of each kind, by column; then the first ones, errors first (their rows
    were not imported), and where to read the rest: an officer reads twenty lines, not thousands."""
    from commune_payout.importer import FIELD_LABELS

    errors = [p for p in result.problems if p.severity == "error"]
    warnings = [p for p in result.problems if p.severity == "warning"]
    if result.problems:
        print(f"{len(errors)} lỗi, {len(warnings)} cảnh báo:")
        by_column: dict[tuple[str, str], int] = {}
        for p in result.problems:
            key = (f"cột {FIELD_LABELS.get(p.field, p.field)}" if p.field else "cả dòng", p.severity)
            by_column[key] = by_column.get(key, 0) + 1
        if len(result.problems) > SHOWN_PROBLEMS:
            for (column, severity), count in sorted(by_column.items(), key=lambda item: (item[0][1], -item[1])):
                print(f"  {column}: {count} {'lỗi' if severity == 'error' else 'cảnh báo'}")
            print(f"{SHOWN_PROBLEMS} vấn đề đầu tiên:")
        for p in (errors + warnings)[:SHOWN_PROBLEMS]:
            where = f"{p.sheet} dòng {p.row}" if p.row else p.sheet
            field = f" [{FIELD_LABELS.get(p.field, p.field)}]" if p.field else ""
            tag = "LỖI" if p.severity == "error" else "lưu ý"
            print(f"  {where}{field} {tag}: {p.message}")
        _print_rest(len(result.problems) - SHOWN_PROBLEMS, "vấn đề", args)
    skipped = [o for o in result.outcomes if o.outcome == "skipped"]
    if skipped:
        print(f"Dòng không phải người, không nhập ({len(skipped)}):")
        for o in skipped[:SHOWN_SKIPPED]:
            print(f"  {o.sheet} dòng {o.row}: {o.reason}")
        _print_rest(len(skipped) - SHOWN_SKIPPED, "dòng", args)


def _print_rest(left: int, what: str, args) -> None:
    if left <= 0:
        return
    where = (f"có đủ trong {args.report}" if args.report else
             "để xem đủ, chạy lại với --report BAO_CAO.xlsx (hoặc --annotated BAN_SUA.xlsx, --json)")
    print(f"  … còn {left} {what} nữa: {where}.")


def _backup_before_import(args, ctx) -> None:
    """Copy the database into its backups folder before an import, as the desktop app does."""
    from commune_payout import backups

    if ctx.db.path is not None:
        backups.make_backup(ctx.db, ctx.clock, reason="import")


def _vn_date(iso: str) -> str:
    """``2026-01-05`` → ``05/01/2026``."""
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _people_table(rows) -> None:
    for r in rows:
        born = _vn_date(r["birth_date"]) if r["birth_date"] else (str(r["birth_year"] or ""))
        account = f"{bank_name(r['bank_bin'])} {r['account_number']}" if r["account_number"] else \
            register.account_status_label(r)
        print(f"{r['id'][:8]}  {r['full_name']:<26} {born:<10}  {r['id_number'] or '-':<12}  "
              f"{r['village']:<16} {account}")


def cmd_list(args) -> int:
    ctx = _cli().open_context(args)
    rows = register.list_beneficiaries(ctx.db, village=args.village, category=args.group,
                                       account_status=args.account_status, status=args.status, limit=args.limit)
    if args.json:
        _cli().print_json([register.public(r) for r in rows])
    else:
        _people_table(rows)
        print(f"Tổng: {len(rows)} người")
    return 0


def cmd_search(args) -> int:
    ctx = _cli().open_context(args)
    card = None
    if idcard.looks_like_scan(args.text):
        card = idcard.parse(args.text, ctx.clock.today())
        holder = idcard.find_holder(ctx.db, card)
        rows = [register.get(ctx.db, holder)] if holder else []
    else:
        rows = register.search(ctx.db, args.text, limit=args.limit)
    if args.json:
        _cli().print_json([register.public(r) for r in rows])
    else:
        _people_table(rows)
        if not rows:
            print(f"Không ai trong sổ mang thẻ căn cước số {card.id_number} ({card.full_name})." if card
                  else "Không tìm thấy ai.")
    return 0


def resolve_person(db, ref: str) -> str:
    """A beneficiary id from a full id, a unique id prefix (≥ 4 chars), a 12-digit ID number or
    the scanned QR text of a chip ID card."""
    if idcard.looks_like_scan(ref):
        card = idcard.parse(ref, Clock().today())
        found = idcard.find_holder(db, card)
        if found:
            return found
        raise NotFound(f"Không ai trong sổ mang thẻ căn cước số {card.id_number} ({card.full_name})")
    ref = ref.strip()
    if re.fullmatch(r"\d{12}", ref):
        found = register.find_by_id_number(db, ref)
        if found:
            return found
    if len(ref) >= 4:
        rows = db.execute("SELECT id FROM beneficiaries WHERE id LIKE ? || '%' LIMIT 2", [ref]).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise UserError(f"Có nhiều người có mã bắt đầu bằng “{ref}”; hãy gõ thêm ký tự.")
    raise NotFound(f"Không tìm thấy người hưởng “{ref}”")


def cmd_show(args) -> int:
    ctx = _cli().open_context(args)
    person = register.get(ctx.db, resolve_person(ctx.db, args.id))
    due = register.entitlement_of(ctx.db, person, ctx.clock.today())
    amount = due.amount
    if args.json:
        out = register.public(person)
        out.update({k: person[k] for k in register.EDITABLE})
        out.update(memberships=person["memberships"], monthly_entitlement=amount,
                   history=register.history(ctx.db, person["id"]))
        _cli().print_json(out)
        return 0
    labels = register.FIELD_LABELS
    print(f"{person['full_name']}  (mã {person['id']})")
    for key in register.EDITABLE:
        value = person.get(key)
        if value in (None, "") or key == "full_name":
            continue
        if key == "status":
            value = register.STATUSES[value]
        elif key == "account_status":
            value = register.account_status_label(person)
        elif key == "channel":
            value = register.CHANNELS[value]
        elif key == "gender":
            value = register.GENDERS[value]
        elif key == "bank_bin":
            value = f"{bank_name(value)} ({value})"
        elif key in ("birth_date", "status_date", "police_verified_on"):
            value = _vn_date(value)
        print(f"  {labels[key]}: {value}")
    for m in person["memberships"]:
        label = membership_text(m)
        extra = f", hệ số {coefficient_text(m['coefficient'])}" if m["coefficient"] else ""
        extra += f", {format_vnd(m['amount'])}" if m["amount"] is not None else ""
        print(f"  Diện hưởng: {label}{extra}")
    print(f"  Mức hưởng hằng tháng: {format_vnd(amount)}")
    for text in due.explain()[:-1]:
        print(f"    {text}")
    hist = register.history(ctx.db, person["id"])
    if hist:
        print("  Lịch sử thay đổi:")
        for h in hist:
            field = "Tạo hồ sơ" if h["field"] == "created" else labels.get(h["field"], h["field"])
            change = h["new_value"] if h["field"] == "decision" else f"{h['old_value'] or ''} → {h['new_value'] or ''}"
            basis = decisions.history_basis(h)
            print(f"    {_vn_date(h['changed_at'][:10])} {h['changed_at'][11:16]} {h['changed_by']}: {field}: "
                  f"{change}{f' ({basis})' if basis else ''}")
    return 0


def cmd_check(args) -> int:
    ctx = _cli().open_context(args)
    today = ctx.clock.today()
    problems = checks.run_checks(ctx.db, today)
    if args.report:
        checks.write_report(ctx.db, problems, args.report, today)
    if args.json:
        _cli().print_json({"problems": [
            {k: v for k, v in p.to_json().items()} for p in problems]})
        return 0
    if not problems:
        print("Không phát hiện vấn đề nào.")
    by_code: dict[str, list] = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p)
    cut = False
    for code, label, n in checks.summary(problems):
        print(f"{label}: {n}")
        for p in by_code[code][:SHOWN_PER_GROUP]:
            if p.batch:
                print(f"    {p.full_name}: {p.message}\n      commune-payout decision record --import "
                      f"\"{p.batch.file}\" --number SỐ/QĐ-UBND --date NGÀY/THÁNG/NĂM")
            else:
                print(f"    {p.full_name} ({p.beneficiary_id[:8]}): {p.message}")
        left = len(by_code[code]) - SHOWN_PER_GROUP
        if left > 0:
            print(f"    … còn {left} người nữa")
            cut = True
    if cut and not args.report:
        print("Danh sách đủ: --report DS_RA_SOAT.xlsx (danh sách cho công an xã) hoặc --json (mọi vấn đề).")
    if args.report:
        print(f"Đã ghi danh sách rà soát: {args.report}", file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    from commune_payout.export import export_register

    ctx = _cli().open_context(args)
    n = export_register(ctx.db, args.file, ctx.clock.today())
    print(f"Đã xuất {n} người ra {args.file}")
    return 0

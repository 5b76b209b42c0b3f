"""CLI subcommands for copies of the database: ``backup list|make|restore``, as on the settings page.

``backup restore`` takes one of the listed copies (its number in ``backup list``) or any file
the officer has (a copy on a USB stick); a file that is not a copy of this database's data is
refused before anything is written, and the current state is copied first.
"""

from pathlib import Path

from commune_payout import paths
from commune_payout.errors import UserError
from commune_payout.text import excerpt


def _cli():
    from commune_payout import cli

    return cli


def register_cli(sub) -> None:
    backup = sub.add_parser("backup", help="sao lưu dữ liệu: xem các bản sao lưu, sao lưu ngay, khôi phục")
    bs = backup.add_subparsers(dest="backup_command", metavar="LỆNH", required=True)

    p = bs.add_parser("list", help="các bản sao lưu cạnh cơ sở dữ liệu, mới nhất trước")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = bs.add_parser("make", help="sao lưu ngay")
    p.set_defaults(handler=cmd_make)

    p = bs.add_parser("restore", help="khôi phục dữ liệu từ một bản sao lưu (số thứ tự trong backup list, "
                                      "hoặc đường dẫn tệp); dữ liệu hiện tại được sao lưu trước")
    p.add_argument("copy", metavar="SỐ|TỆP")
    p.set_defaults(handler=cmd_restore)


def cmd_list(args) -> int:
    from commune_payout import backups

    cli = _cli()
    found = backups.list_backups(cli.db_path(args))
    if args.json:
        cli.print_json([{"path": str(b.path), "made_at": b.made_at, "reason": b.reason, "size": b.size}
                        for b in found])
        return 0
    if not found:
        print("Chưa có bản sao lưu nào.")
    for number, b in enumerate(found, start=1):
        size = f"{b.size / 1_000_000:.1f} MB".replace(".", ",")
        print(f"{number:>3}. {b.made_at:%d/%m/%Y %H:%M:%S}  {backups.REASONS.get(b.reason, b.reason):<20} "
              f"{size:>9}  {b.path.name}")
    return 0


def cmd_make(args) -> int:
    from commune_payout import backups

    ctx = _cli().open_context(args, initialised=False)
    made = backups.make_backup(ctx.db, ctx.clock, "manual")
    print(f"Đã sao lưu: {made.path}")
    return 0


def cmd_restore(args) -> int:
    from commune_payout import backups

    cli = _cli()
    ctx = cli.open_context(args, initialised=False)
    listed = backups.list_backups(cli.db_path(args))
    if args.copy.isdecimal() and not paths.exists(args.copy):
        number = int(args.copy) if len(args.copy) < 6 else 0
        if not 1 <= number <= len(listed):
            raise UserError(f"Không có bản sao lưu số {excerpt(args.copy, 12)} (xem: commune-payout backup list).")
        chosen = listed[number - 1]
    else:
        chosen = backups.copy_of(args.copy)
    before = backups.restore(ctx.db, chosen, ctx.clock)
    print(f"Đã khôi phục dữ liệu từ {chosen.path.name} ({chosen.made_at:%d/%m/%Y %H:%M}).")
    print(f"Dữ liệu trước khi khôi phục đã được sao lưu: {before.path.name} (khôi phục lại được).")
    return 0

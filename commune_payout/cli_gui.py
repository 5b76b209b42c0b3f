"""CLI subcommand ``gui`` (also what ``commune-payout`` with no subcommand runs)."""

from commune_payout.cli import db_path


def register_cli(sub) -> None:
    p = sub.add_parser("gui", help="mở cửa sổ phần mềm (mặc định khi không có lệnh con)")
    # Its own dest: a subparser default would overwrite the top-level --demo.
    p.add_argument("--demo", dest="gui_demo", action="store_true",
                   help="mở trên một xã mẫu tạm thời (dữ liệu giả, không lưu lại)")
    p.add_argument("--office", action="store_true",
                   help="bảng điều khiển của đơn vị cấp trên trên tệp --db (tệp mới: khai báo đơn vị và tạo khóa); "
                        "cơ sở dữ liệu do office init tạo thì tự mở bảng này")
    p.set_defaults(handler=_gui)


def _gui(args) -> int:
    from commune_payout.gui.app import run

    return run(db_path(args), demo=args.demo or args.gui_demo, office=args.office)

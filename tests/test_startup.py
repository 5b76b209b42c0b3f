"""Start-up does only what its first answer needs: guards that count imported modules, not time.

``--version`` and every ``--help`` answer from the argument parser alone; the modules that do a
command's work (and the libraries they bring: openpyxl, sqlite-utils, reportlab, cryptography …)
are imported when a command runs, not when the parser is built (bench/run_all.py times it).
"""

import json
import re
import subprocess
import sys
from importlib import metadata

from commune_payout import cli

# The modules that do the commands' work; none is needed to build the parser.
COMMAND_MODULES = ("commune_payout.importer", "commune_payout.sheets", "commune_payout.checks",
                   "commune_payout.export", "commune_payout.transfers", "commune_payout.geo",
                   "commune_payout.backups", "commune_payout.demo", "commune_payout.selftest",
                   "commune_payout.gui", "commune_payout.documents.", "commune_payout.sync.commune",
                   "commune_payout.sync.consolidate", "commune_payout.sync.keys", "commune_payout.sync.office",
                   "commune_payout.sync.package", "commune_payout.sync.reader")

# Runs every --help of the parser and --version in one interpreter, then lists what it imported.
ALL_HELP = """
import argparse, contextlib, io, json, sys
before = set(sys.modules)
from commune_payout import cli

def walk(parser, prefix):
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, [*prefix, name])

asked = [["--version"], *([*argv, "--help"] for argv in walk(cli.build_parser(), []))]
for argv in asked:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli.main(argv)
print(json.dumps({"asked": len(asked), "imported": sorted(set(sys.modules) - before)}))
"""


def dependency_modules() -> set[str]:
    """The top-level modules of the libraries the project depends on (pyproject's dependencies)."""
    wanted = {_normal(re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0])
              for req in metadata.requires("commune-payout") or [] if "extra ==" not in req}
    return {top for top, dists in metadata.packages_distributions().items()
            if any(_normal(d) in wanted for d in dists)}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_version_and_every_help_import_no_command_module_and_no_library():
    done = subprocess.run([sys.executable, "-c", ALL_HELP], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    imported = set(report["imported"])
    libraries = dependency_modules()
    assert {"openpyxl", "sqlite_utils", "reportlab", "vietnam_provinces", "ttkbootstrap"} <= libraries
    assert report["asked"] > 60       # every command and subcommand was asked for its help
    assert sorted({m.split(".")[0] for m in imported} & (libraries | {"tkinter"})) == []
    assert [m for m in imported if m.startswith(COMMAND_MODULES)] == []


def test_a_command_still_gets_its_modules(tmp_path, capsys):
    """The lazily named modules are the real ones once a command runs."""
    db = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(db), "demo", "--size", "20"]) == 0
    assert cli.main(["--db", str(db), "check", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["problems"] is not None


# The window's start as the officer double-clicks it (``commune-payout --db FILE``): its main loop
# is replaced by one that returns once the register table shows rows, then lists what was imported.
WINDOW_START = """
import json, sys, tkinter
from commune_payout.gui.smoke import drawn_table

def mainloop(root, n=0):
    while drawn_table(root) is None:
        root.update()
    print(json.dumps({"rows": len(drawn_table(root).get_children()), "imported": sorted(sys.modules)}))
    root.destroy()

tkinter.Misc.mainloop = mainloop
from commune_payout import cli
sys.exit(cli.main(["--db", sys.argv[1]]))
"""


def test_window_start_loads_no_module_the_first_screen_does_not_need(tmp_path):
    db = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(db), "demo", "--size", "300"]) == 0
    done = subprocess.run([sys.executable, "-c", WINDOW_START, str(db)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["rows"] > 0
    imported = set(report["imported"])
    needed = {"sqlite_utils", "ttkbootstrap", "PIL", "platformdirs"}     # the database, the window, the log
    assert sorted({m.split(".")[0] for m in imported} & (dependency_modules() - needed)) == []
    # The window makes the day's backup and its cleaning section lists problems: those two it needs.
    later = tuple(m for m in COMMAND_MODULES if m not in ("commune_payout.backups", "commune_payout.checks",
                                                          "commune_payout.gui"))
    assert [m for m in imported if m.startswith(later)] == []

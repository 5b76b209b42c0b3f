"""The command line as a hostile keyboard: every command, with generated arguments (numbers far
out of range, Unicode and superscript digits, dates and months that do not exist, control and
invisible characters, bytes the terminal could not decode, paths to folders, junk and missing
files), ends with exit 0, 1 or 2 and a plain message: never an internal error (exit 3) or a
hang. Files are written only inside a scratch folder. ``CLI_FUZZ_EXAMPLES=2000`` runs a longer
search than the suite's."""

import gc
import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commune_payout import cli
from hostile_files import HUGE, NASTY_TEXT, corpus

# Commands that leave the process (a window, the printer, the PDF viewer, a USB stick) or only
# rebuild the demo are not typed here; their own tests cover them.
SKIPPED_COMMANDS = {("gui",)}
SKIPPED_OPTIONS = {"--print", "--open", "--printer", "--drive", "--self-test", "--demo", "--help", "--version"}
# Arguments that name a file or folder the command writes: given names inside the scratch folder.
WRITTEN = {"out", "report", "annotated", "age_identity", "to"}
WRITTEN_POSITIONAL = {("export", "file"), ("office", "export", "out")}
TIME_LIMIT = 60     # seconds for one command on a loaded laptop; far more means a hang


def leaf_commands(parser, path=()):
    """(command words, parser) of every command that runs something."""
    subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    if not subs:
        yield path, parser
        return
    seen = set()
    for name, child in subs[0].choices.items():
        if id(child) in seen or name == "district":      # "district" is another name for "office"
            continue
        seen.add(id(child))
        yield from leaf_commands(child, (*path, name))


PARSER = cli.build_parser()
COMMANDS = [(path, p) for path, p in leaf_commands(PARSER) if path not in SKIPPED_COMMANDS]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A commune database (people, keys, the office's key, a locked session, a package sent), an
    office database that knows the commune, and a folder of hostile input files."""
    root = tmp_path_factory.mktemp("cli_hostile")
    commune, office = root / "xa.sqlite", root / "so.sqlite"

    def run(*argv):
        assert cli.main([str(a) for a in argv]) == 0, argv

    run("--db", office, "office", "init", "--name", "Sở Y tế tỉnh Phú Thọ")
    run("--db", office, "office", "public-key", "--out", root / "so.pub.txt")
    run("--db", office, "office", "add-commune", "05425")
    run("--db", commune, "init", "--commune", "05425")
    run("--db", commune, "demo", "--size", "12")
    run("--db", commune, "sync", "set-upstream", root / "so.pub.txt")
    run("--db", commune, "sync", "export", "--out", root / "outbox")
    run("--db", commune, "session", "create", "--name", "Quà Tết", "--kind", "tet_gift", "--period", "2026-01",
        "--date", "2026-01-20", "--gift-high", "600000", "--gift-low", "300000")
    run("--db", commune, "session", "lock", json.loads(_output(["--db", commune, "session", "list", "--json"]))[0]["id"])
    gc.collect()
    for db in (commune, office):
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    files = root / "files"
    junk = corpus(files / "corpus", 12, seed=5)
    (files / "empty.txt").write_bytes(b"")
    (files / "binary.bin").write_bytes(bytes(range(256)) * 40)
    (files / "kq.csv").write_text("Số tài khoản;Số tiền;Trạng thái\n123456789;600000;OK\n", encoding="utf-8")
    (files / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (files / "card.txt").write_text("name: Sở\nage: age1xyz\nsign: AAAA\n", encoding="utf-8")
    package = next((root / "outbox").glob("*.cpkg"))
    (files / "cut.cpkg").write_bytes(package.read_bytes()[:300])
    inputs = [str(p) for p in [*junk, *files.glob("*.*"), package, files, root / "so.pub.txt", commune]]
    inputs += [str(files / "khong-co.xlsx"), ""]
    sid = json.loads(_output(["--db", commune, "session", "list", "--json"]))[0]["id"]
    person = json.loads(_output(["--db", commune, "list", "--json", "--limit", "1"]))[0]
    return {"root": root, "commune": commune, "office": office, "inputs": inputs,
            "known": [sid, sid[:8], person["id"][:8], person["id_number"], person["full_name"], "05425", "5425"]}


def _output(argv) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([str(a) for a in argv]) == 0
    return out.getvalue()


NASTY_VALUES = st.sampled_from([
    "", " ", "-", "--", "0", "-1", "²", "١٢٣", "９９", "1" * 25, "9" * 400, "1e9", "0x10", "2026-02-30", "31/02/2026",
    "0000-01-01", "9999-12-31", "2026-00", "2026-13", "2026-1", "1.500.000", "1,5", "600000 đ", "bỏ", "\udcff\udcfe",
    "a\udc80b", "7-48213-K3QF", "99999999999999999999999-1-AAAA", "1-99999999999999999999999-AAAA", "ABCD-EFGH-JKMN",
    "btxh:2026-07-01:600000", "btxh:2026-02-30:1", "ncc_me_vnah=600000", "x=y=z", ":::", "age1" + "q" * 58, "A" * 52,
    "btxh,ncc", "btxh,,", "05425", "000000", "NaN", "inf"])
hostile_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
    st.sampled_from([t for t in NASTY_TEXT if t != "\x00"] + HUGE),
    st.integers(-10 ** 25, 10 ** 25).map(str),
    NASTY_VALUES, NASTY_VALUES,
)


@st.composite
def an_argument_list(draw, world):
    path, parser = draw(st.sampled_from(COMMANDS))
    known = st.sampled_from(world["known"])
    inputs = st.sampled_from(world["inputs"])
    scratch = st.sampled_from(["ra", "ra/tep.xlsx", "ra/tep.pdf", "ra/tep.csv", "moi/thu/muc", "x" * 200, "ra.txt"])
    argv = []
    for action in parser._actions:
        if action.dest in ("help", "handler") or any(o in SKIPPED_OPTIONS for o in action.option_strings):
            continue
        if action.option_strings and not action.required and not draw(st.booleans()):
            continue
        option = [action.option_strings[0]] if action.option_strings else []
        if action.nargs == 0:
            argv += option
            continue
        written = action.dest in WRITTEN or (*path, action.dest) in WRITTEN_POSITIONAL
        if written:
            values = scratch
        elif action.choices and not draw(st.integers(0, 4)) == 0:
            values = st.sampled_from(sorted(action.choices))
        else:
            values = st.one_of(hostile_text, known, inputs)
        count = 1 if action.nargs in (None, "?") else draw(st.integers(1, 3))
        for _ in range(count):
            argv += [*option, str(draw(values))]
    db = draw(st.sampled_from(["commune", "office", "new"]))
    return db, [*path, *argv]


class Hang(Exception):
    """A command ran far longer than any command an officer types."""


def _alarm(_signum, _frame):
    raise Hang


@settings(max_examples=int(os.environ.get("CLI_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_command_line_ends_in_a_result_or_a_plain_refusal(world, data, tmp_path_factory, monkeypatch, capsys):
    db_kind, argv = data.draw(an_argument_list(world))
    scratch = tmp_path_factory.mktemp("run")
    monkeypatch.chdir(scratch)
    db = scratch / "db.sqlite"
    if db_kind != "new":
        shutil.copy(world[db_kind], db)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        status = cli.main(["--db", str(db), *argv])
    except SystemExit as exc:       # argparse: a value of the wrong form, with its usage
        status = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        gc.collect()
    out = capsys.readouterr()
    assert status in (0, 1, 2), (argv, out.err)
    assert "Traceback" not in out.err, (argv, out.err)
    if status and out.err:      # a refusal says why: "Lỗi: …", or argparse's "…: lỗi: đối số …"
        assert "lỗi" in out.err.lower(), (argv, out.err)
    assert not [p for p in Path(scratch).rglob("*") if p.suffix in (".tmp", ".partial")], argv
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.parametrize("argv", [
    ["backup", "restore", "9" * 400],       # digits: a copy's number, or a file of that name?
    ["backup", "restore", "a" * 400],
    ["office", "import", "a" * 400],        # a folder of packages, or one package?
])
def test_a_name_too_long_for_the_system_is_refused_plainly(world, argv, tmp_path, capsys):
    """Found by the fuzz above: a name longer than the system allows made Path.exists() and
    Path.is_dir() raise, an internal error (exit 3), before the command could say which copy or
    file it could not find."""
    db = tmp_path / "db.sqlite"
    shutil.copy(world["office" if argv[0] == "office" else "commune"], db)
    assert cli.main(["--db", str(db), *argv]) in (1, 2)      # 2: a file that cannot be read
    out = capsys.readouterr()
    told = out.err if argv[0] == "backup" else out.out      # the office lists each file's outcome
    assert "Traceback" not in out.err and len(told) < 1000, told
    assert told.startswith("Lỗi: " if argv[0] == "backup" else "✗ "), told
    assert argv[-1].isdecimal() or "tên tệp quá dài" in told, told

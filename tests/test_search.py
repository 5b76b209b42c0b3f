from commune_payout import register


def _people(ctx):
    rows = [
        ("Đặng Văn Đạt", "001050123456", "Thôn Đông", "0912345678"),
        ("Đặng Thị Dung", "001150123457", "Thôn Đoài", ""),
        ("Nguyễn Đăng Khoa", "001060123458", "Xóm Mới", ""),
        ("Dang Dat", None, "Thôn Hạ", ""),
        ("Lê Văn Đạt", "001070765432", "Thôn Đông", "0987000111"),
    ]
    ids = {}
    for name, number, village, phone in rows:
        ids[name] = register.create(ctx, {"full_name": name, "id_number": number, "village": village,
                                          "phone": phone, "birth_year": 1950})
    return ids


def names(rows):
    return [r["full_name"] for r in rows]


def test_accent_and_d_insensitive(ctx):
    _people(ctx)
    found = names(register.search(ctx.db, "dang dat"))
    assert set(found) == {"Đặng Văn Đạt", "Dang Dat"}
    assert found[0] == "Dang Dat"  # exact folded name first
    assert "Đặng Văn Đạt" in names(register.search(ctx.db, "ĐẶNG ĐẠT"))


def test_prefix_matching(ctx):
    _people(ctx)
    assert set(names(register.search(ctx.db, "dan"))) >= {"Đặng Văn Đạt", "Đặng Thị Dung", "Nguyễn Đăng Khoa"}
    assert names(register.search(ctx.db, "nguy kh")) == ["Nguyễn Đăng Khoa"]


def test_search_by_id_digits_phone_and_village(ctx):
    _people(ctx)
    assert names(register.search(ctx.db, "001150")) == ["Đặng Thị Dung"]
    assert names(register.search(ctx.db, "5432")) == ["Lê Văn Đạt"]          # end of an ID
    assert names(register.search(ctx.db, "0987")) == ["Lê Văn Đạt"]          # phone prefix
    assert set(names(register.search(ctx.db, "thon dong"))) == {"Đặng Văn Đạt", "Lê Văn Đạt"}


def test_names_rank_above_villages(ctx):
    register.create(ctx, {"full_name": "Trần Văn Đông", "village": "Thôn Hạ", "birth_year": 1950})
    register.create(ctx, {"full_name": "Lê Văn Ba", "village": "Thôn Đông", "birth_year": 1950})
    assert names(register.search(ctx.db, "dong")) == ["Trần Văn Đông", "Lê Văn Ba"]


def test_search_follows_edits_and_filters(ctx):
    ids = _people(ctx)
    register.update(ctx, ids["Đặng Văn Đạt"], {"full_name": "Đặng Văn Tiến"})
    assert "Đặng Văn Tiến" in names(register.search(ctx.db, "tien"))
    assert "Đặng Văn Tiến" not in names(register.search(ctx.db, "dat"))
    assert names(register.search(ctx.db, "dat", village="Thôn Đông")) == ["Lê Văn Đạt"]


def test_empty_or_punctuation_query_finds_nothing(ctx):
    _people(ctx)
    assert register.search(ctx.db, "") == []
    assert register.search(ctx.db, '"*()') == []


def _plans(db, run):
    """The query plan of every statement ``run()`` executes (sqlite3's trace callback)."""
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            plans.append(" | ".join(row[3] for row in db.conn.execute("EXPLAIN QUERY PLAN " + sql)))
    return plans


def test_no_query_reads_the_whole_register(ctx):
    """The window asks for 1,000 hits at each keystroke: digits (the end of an ID or phone),
    names and villages are answered from the indexes, never by reading every person."""
    _people(ctx)
    for text in ("025150", "5432", "0912", "dang dat", "thon dong", "d"):
        plans = _plans(ctx.db, lambda: register.search(ctx.db, text, limit=1000))
        assert plans, text
        for plan in plans:
            assert "SCAN b " not in plan + " " and "SCAN beneficiaries" not in plan, (text, plan)


def test_digits_match_the_end_of_an_old_id_and_a_phone_but_not_their_middle(ctx):
    ids = _people(ctx)
    register.update(ctx, ids["Dang Dat"], {"old_id_number": "012345678"})
    assert names(register.search(ctx.db, "345678")) == ["Dang Dat", "Đặng Văn Đạt"]   # old ID, phone
    assert names(register.search(ctx.db, "000111")) == ["Lê Văn Đạt"]
    assert register.search(ctx.db, "34567") == []                                     # middle only


def test_the_migration_fills_the_suffixes_of_an_existing_register(tmp_path):
    """A database made before the backwards numbers existed finds people by their last digits
    once opened, and filling them is not a change to send upstream."""
    from commune_payout import db as db_module
    from commune_payout.migrations import m004_search_suffixes

    path = tmp_path / "old.sqlite"
    database = db_module.open_db(path)
    database.execute("INSERT INTO beneficiaries (id, commune_code, full_name, id_number, phone, search_numbers, "
                     "name_fold, created_at, updated_at) VALUES ('p1', '05425', 'Hà Văn Cư', '001050999123', "
                     "'0912000777', '001050999123 0912000777', 'ha van cu', '2026-01-01', '2026-01-01')")
    database.conn.commit()
    # back to the state before migration 4: no backwards numbers, schema version 3
    database.execute("UPDATE beneficiaries SET search_suffixes = ''")
    database.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')")
    database.execute(f"PRAGMA user_version = {m004_search_suffixes.VERSION - 1}")
    for statement in ("DROP TRIGGER beneficiary_fts_ai", "DROP TRIGGER beneficiary_fts_ad",
                      "DROP TRIGGER beneficiary_fts_au", "DROP TABLE beneficiary_fts"):
        database.execute(statement)
    database.execute("ALTER TABLE beneficiaries DROP COLUMN search_suffixes")
    database.execute("CREATE VIRTUAL TABLE beneficiary_fts USING fts5(name_fold, village_fold, search_numbers, "
                     "content='beneficiaries', content_rowid='rowid')")
    for statement in ("CREATE TRIGGER beneficiary_fts_ai AFTER INSERT ON beneficiaries BEGIN SELECT 1; END",
                      "CREATE TRIGGER beneficiary_fts_ad AFTER DELETE ON beneficiaries BEGIN SELECT 1; END",
                      "CREATE TRIGGER beneficiary_fts_au AFTER UPDATE ON beneficiaries BEGIN SELECT 1; END"):
        database.execute(statement)
    database.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')")
    database.conn.commit()
    version_before = database.execute("SELECT version FROM beneficiaries").fetchone()[0]
    database.close()

    reopened = db_module.open_db(path)
    assert names(register.search(reopened, "999123")) == ["Hà Văn Cư"]
    assert names(register.search(reopened, "000777")) == ["Hà Văn Cư"]
    assert reopened.execute("SELECT version FROM beneficiaries").fetchone()[0] == version_before
    reopened.close()

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

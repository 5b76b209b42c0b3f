"""A realistic synthetic commune for trying the app and for benchmarks.

Names, villages, programme mix, ID numbers consistent with birth year and gender, and an
account coverage of about two thirds (a third of the accounts linked in VNeID as the
social-security account), with the usual field problems sprinkled in (people who
still need an account, accounts being opened, people who refuse, an authorised receiver).
Every entitlement rests on a decision recorded as the commune's papers have it (the former
district's list, the chairman's grants since 7/2025, the province's for người có công), except
a few people added by hand whose decision is not on file yet, and one amount changed by hand.
"""

import datetime as dt
import random

from commune_payout import decisions, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.programs import BY_CODE, age_on

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Trịnh", "Mai", "Tạ", "Lương", "Đoàn", "Cao")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Đình", "Xuân", "Thanh", "Ngọc")
MIDDLE_F = ("Thị", "Thu", "Thanh", "Ngọc", "Kim", "Diệu", "Minh", "Hồng", "Phương", "Thúy")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam",
           "Phúc", "Quân", "Sơn", "Thắng", "Tiến", "Tuấn", "Việt", "Đông", "Hiếu", "Lộc", "Thành", "Vinh")
GIVEN_F = ("Anh", "Bích", "Chi", "Đào", "Hà", "Hạnh", "Hoa", "Hương", "Huệ", "Lan", "Liên", "Mai",
           "Nga", "Ngọc", "Nhung", "Phương", "Thảo", "Trang", "Xuân", "Yến", "Thủy", "Oanh", "Loan", "Dung")
VILLAGES = ("Thôn Đông", "Thôn Đoài", "Thôn Thượng", "Thôn Trung", "Thôn Hạ", "Xóm Mới", "Xóm Bãi",
            "Tổ dân phố 1", "Tổ dân phố 2", "Thôn Đồng Tâm", "Thôn Yên Phú", "Xóm Chùa")
RELATIONS = ("Con", "Vợ", "Chồng", "Cháu", "Người giám hộ")
# (category, share, age range)
MIX = (
    ("nct_80", 0.30, (80, 100)),
    ("nkt_dac_biet_nang", 0.12, (5, 90)),
    ("nkt_nang", 0.18, (5, 90)),
    ("nct_ngheo_60_80", 0.08, (60, 79)),
    ("tre_mo_coi", 0.07, (1, 15)),
    ("don_than_ngheo", 0.07, (22, 50)),
    ("htxh", 0.06, (75, 79)),
    ("ncc_than_nhan_liet_si", 0.06, (55, 95)),
    ("ncc_thuong_binh", 0.04, (65, 85)),
    ("ncc_me_vnah", 0.01, (90, 100)),
    ("nct_cham_soc_cong_dong", 0.01, (80, 95)),
)
# The decisions people were granted under, by programme: (number, symbol, date signed, share).
# Before 7/2025 the district decided social assistance and the province người có công; since,
# the commune chairman decides (NĐ 147/2025), and the social pension began on 1/7/2025.
DECISIONS = {
    "btxh": ((2156, "QĐ-UBND", dt.date(2024, 12, 12), 0.75), (85, "QĐ-UBND", dt.date(2025, 8, 15), 0.15),
             (142, "QĐ-UBND", dt.date(2025, 10, 20), 0.10)),
    "htxh": ((231, "QĐ-UBND", dt.date(2025, 7, 28), 1.0),),
    "ncc": ((1520, "QĐ-SLĐTBXH", dt.date(2024, 5, 10), 0.8), (402, "QĐ-SNV", dt.date(2025, 9, 15), 0.2)),
}
WITHOUT_DECISION = 0.02     # share of people added by hand whose decision is not on file yet
BANK_WEIGHTS = {"970405": 40, "999888": 20, "970418": 12, "970415": 12, "970436": 8, "971005": 4, "970422": 4}


def _person(rng: random.Random, today: dt.date, seq: int):
    code, _, (lo, hi) = rng.choices(MIX, weights=[m[1] for m in MIX])[0]
    gender = rng.choice("MF")
    name = " ".join((rng.choice(SURNAMES), rng.choice(MIDDLE_M if gender == "M" else MIDDLE_F),
                     rng.choice(GIVEN_M if gender == "M" else GIVEN_F)))
    age = rng.randint(lo, hi)
    born = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    if age_on(born.isoformat(), None, today) < lo:      # not yet had this year's birthday: a year older
        born = born.replace(year=born.year - 1)
    age = age_on(born.isoformat(), None, today)
    year_only = age >= 85 and rng.random() < 0.3
    century_digit = (born.year // 100 - 19) * 2 + (0 if gender == "M" else 1)
    province = rng.choice(("025", "025", "025", "026", "019", "001"))
    id_number = f"{province}{century_digit}{born.year % 100:02d}{seq % 1_000_000:06d}"
    data = {
        "full_name": name,
        "birth_date": None if year_only else born,
        "birth_year": born.year,
        "gender": gender,
        "id_number": id_number if rng.random() > 0.02 else None,
        "village": rng.choice(VILLAGES),
        "phone": f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.5 else "",
    }
    cat = BY_CODE[code]
    membership = {"category": code}
    if cat.program == "btxh":
        membership["coefficient"] = cat.coefficient_at(age)
    elif code == "ncc_thuong_binh":
        membership["amount"] = rng.choice((1_800_000, 2_400_000, 3_100_000))
    elif code == "ncc_than_nhan_liet_si":
        membership["amount"] = 2_789_000
    elif code == "ncc_me_vnah":
        membership["amount"] = 8_367_000
    roll = rng.random()
    if roll < 0.66:
        bank = rng.choices(list(BANK_WEIGHTS), weights=list(BANK_WEIGHTS.values()))[0]
        # about a third of the accounts are the one linked in VNeID (tài khoản an sinh xã hội)
        data.update(bank_bin=bank, account_number=str(rng.randint(10**11, 10**14 - 1)),
                    account_status="has_account", channel="vneid" if roll < 0.22 else "account")
        if age >= 85 and rng.random() < 0.3:
            receiver = f"{name.split()[0]} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
            data.update(receiver_name=receiver, receiver_relation=rng.choice(RELATIONS),
                        account_holder=receiver)
        else:
            data["account_holder"] = name
    elif roll < 0.80:
        data.update(account_status="needs_account")
    elif roll < 0.88:
        data.update(account_status="opening")
    elif roll < 0.94:
        data.update(account_status="cannot_open", account_status_reason="Không có giấy tờ tùy thân",
                    channel="cash_home" if age >= 85 else "cash_commune")
    else:
        data.update(account_status="refuses", account_status_reason="Muốn nhận tiền mặt")
    _field_problems(rng, data)
    if data.get("channel") == "vneid" and data.get("account_holder") != name:
        data["channel"] = "account"      # the VNeID account is always in the person's own name
    if rng.random() < 0.5:
        data["police_verified_on"] = today - dt.timedelta(days=rng.randint(10, 300))
    return data, [membership]


def _field_problems(rng: random.Random, data: dict) -> None:
    """The mistakes real registers carry, so the data-cleaning view has something to show."""
    roll = rng.random()
    if roll < 0.01 and data["id_number"]:
        # gender digit typed wrong
        digit = int(data["id_number"][3])
        data["id_number"] = data["id_number"][:3] + str(digit ^ 1) + data["id_number"][4:]
    elif roll < 0.03 and data.get("account_number") and not data.get("receiver_name"):
        # a relative's account, but nobody recorded as authorised receiver
        data["account_holder"] = f"{data['full_name'].split()[0]} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def populate(ctx: Context, size: int = 300, seed: int = 2026, commune_code: str = "05425",
             officer: str = "Nguyễn Thị Lập") -> int:
    """Fill an empty database with ``size`` synthetic beneficiaries; returns how many were added."""
    if not settings.is_initialised(ctx.db):
        settings.init_commune(ctx.db, commune_code, officer=officer)
    rng = random.Random(seed)
    today = ctx.clock.today()
    people = [_person(rng, today, i + 1) for i in range(size)]
    # About one in 150 people was typed in twice, once without the ID number.
    for index in range(75, size, 150):
        data, memberships = people[index]
        people[index - 1] = ({**data, "id_number": None, "phone": ""}, memberships)
    ids = register.insert_many(ctx, people, source="demo")
    _decisions(ctx, rng, ids, [memberships[0] for _, memberships in people])
    return len(ids)


def _decisions(ctx: Context, rng: random.Random, ids: list[str], memberships: list[dict]) -> None:
    """Trace each person to a decision of :data:`DECISIONS` (those the clock has reached), but the
    people typed twice and a few added by hand; then change one amount by hand."""
    categories = [m["category"] for m in memberships]
    amounts = [m.get("amount") for m in memberships]
    typed_twice = {index - 1 for index in range(75, len(ids), 150)}
    under: dict[tuple, list[str]] = {}
    for index, (bid, category) in enumerate(zip(ids, categories)):
        if index in typed_twice or rng.random() < WITHOUT_DECISION:
            continue
        choices = DECISIONS[BY_CODE[category].program]
        chosen = rng.choices(choices, weights=[c[3] for c in choices])[0]
        under.setdefault(chosen[:3], []).append(bid)
    today = ctx.clock.today()
    for (number, symbol, signed_on), people in sorted(under.items(), key=lambda kv: kv[0][2]):
        if signed_on <= today:
            ref = decisions.Reference(f"{number}/{symbol}", number, symbol, signed_on)
            decisions.record_decision(ctx, ref, people, "Có tên trong danh sách kèm theo quyết định này")
    # The officer typed a veteran's amount into his record by hand, as the decision has it.
    veteran = next((i for i, category in enumerate(categories) if category == "ncc_thuong_binh"), None)
    if veteran is not None:
        later = Context(ctx.db, clock=FixedClock(ctx.clock.now() + dt.timedelta(minutes=5)), user=ctx.user)
        register.update(later, ids[veteran], {"monthly_amount": amounts[veteran]}, source="sửa tay")

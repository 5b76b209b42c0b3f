"""Banks and wallets that receive social-security transfers, keyed by NAPAS BIN (docs/domain.md)."""

from dataclasses import dataclass

from commune_payout.text import fold


@dataclass(frozen=True)
class Bank:
    bin: str
    short_name: str
    full_name: str
    aliases: tuple[str, ...] = ()


BANKS: tuple[Bank, ...] = (
    Bank("970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", ("vcb", "ngoai thuong")),
    Bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam", ("ctg", "cong thuong", "vietin")),
    Bank("970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", ("dau tu va phat trien",)),
    Bank("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
         ("nn&ptnt", "nong nghiep", "nhnn&ptnt", "nong nghiep va phat trien nong thon")),
    Bank("970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam", ("tcb", "ky thuong")),
    Bank("970422", "MB", "Ngân hàng TMCP Quân đội", ("mbbank", "mb bank", "quan doi")),
    Bank("970416", "ACB", "Ngân hàng TMCP Á Châu", ("a chau",)),
    Bank("970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng", ("vp bank", "thinh vuong")),
    Bank("970423", "TPBank", "Ngân hàng TMCP Tiên Phong", ("tp bank", "tien phong")),
    Bank("970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín", ("sai gon thuong tin", "stb")),
    Bank("970437", "HDBank", "Ngân hàng TMCP Phát triển TP. Hồ Chí Minh", ("hd bank",)),
    Bank("970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam", ("quoc te",)),
    Bank("970443", "SHB", "Ngân hàng TMCP Sài Gòn - Hà Nội", ("sai gon ha noi",)),
    Bank("970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam", ("lienvietpostbank", "lien viet", "loc phat", "lpb")),
    Bank("999888", "NHCSXH", "Ngân hàng Chính sách Xã hội", ("vbsp", "chinh sach xa hoi", "nh chinh sach", "nhcs")),
    Bank("971005", "Viettel Money", "Viettel Money (ví điện tử)", ("viettelmoney", "viettel pay", "viettelpay")),
    Bank("971011", "VNPT Money", "VNPT Money (ví điện tử)", ("vnptmoney", "vnpt pay", "vnptpay")),
)

BY_BIN = {b.bin: b for b in BANKS}


def _keys(bank: Bank):
    yield fold(bank.short_name)
    yield fold(bank.short_name).replace(" ", "")
    yield fold(bank.full_name)
    yield bank.bin
    for alias in bank.aliases:
        yield fold(alias)


_LOOKUP = {key: b for b in BANKS for key in _keys(b)}


def find_bank(text) -> Bank | None:
    """The bank a spreadsheet cell names ("Agribank", "NH Chính sách XH", "970405"…), or ``None``."""
    if text is None:
        return None
    key = fold(str(text)).strip(" .")
    if not key:
        return None
    for candidate in (key, key.replace(" ", ""), key.removeprefix("ngan hang ").strip(),
                      key.removeprefix("nh ").strip()):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    return None


def bank_name(bin_code) -> str:
    """Short display name for a BIN, or the BIN itself when unknown."""
    bank = BY_BIN.get(bin_code or "")
    return bank.short_name if bank else (bin_code or "")

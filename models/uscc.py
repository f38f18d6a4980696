"""统一社会信用代码 (Unified Social Credit Code), GB 32100-2015."""
from flask_babel import lazy_gettext as _l

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17


def normalize_uscc(text):
    """What a person typed, as the code is written: no spaces, upper case."""
    return "".join((text or "").split()).upper()


def check_character(first17):
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code):
    """None when `code` is a valid USCC, else a message that names the problem."""
    if len(code) != 18:
        return _l("统一社会信用代码应为18位，您输入了%(n)s位。", n=len(code))
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        return _l(
            "统一社会信用代码不能包含字符“%(chars)s”（不使用 I、O、Z、S、V 和小写字母）。",
            chars="".join(bad),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return _l("统一社会信用代码校验位不正确，请核对后重新输入。")
    return None


# 纳税人识别号 (taxpayer identification number) on an invoice request ----------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
TAXPAYER_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _resident_id_valid(code):
    """A GB 11643 citizen identity number (individual businesses' taxpayer number): 17 digits and a check."""
    if len(code) != 18 or not code[:17].isdigit():
        return False
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(code[:17], ID_WEIGHTS, strict=True)) % 11] == code[17]


def taxpayer_number_error(code):
    """None when `code` is a USCC, an 18-digit identity-based number, or a 15- or 20-character taxpayer number."""
    if len(code) == 18:
        return None if _resident_id_valid(code) else uscc_error(code)
    if len(code) in (15, 20) and set(code) <= TAXPAYER_CHARACTERS:
        return None
    return _l("纳税人识别号应为 18 位统一社会信用代码，或 15 位、20 位税号（数字和大写字母）。")

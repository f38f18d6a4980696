"""The password rule (API.md, Accounts): at least 10 characters, and not easy to guess.

Easy to guess means a common password or word, a keyboard row, a repetition or sequence, a date, or
the person's own e-mail or organisation name, as the zxcvbn strength estimator judges them: its two
lowest scores (0, 1) are refused. The message says which of these it is. Applied wherever a password
is chosen (registration, password change); existing passwords, such as the demo accounts', keep working.
"""
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
LOWEST_ACCEPTED_SCORE = 2
# zxcvbn's pattern names -> why such a password is easy to guess, in the reader's language.
REASONS = {
    "user_inputs": _l("它包含您的邮箱或单位名称"),
    "spatial": _l("它是键盘上相邻的一串按键（如 qwerty）"),
    "repeat": _l("它由重复的字符组成（如 aaa、abcabc）"),
    "sequence": _l("它是连续的字母或数字（如 abcd、1234）"),
    "date": _l("它像一个日期或年份"),
    "regex": _l("它像一个日期或年份"),
    "dictionary": _l("它是常见密码或常用词"),
}
GENERIC = _l("它太容易被猜中")


def password_problem(password, email="", organization_name=""):
    """Why `password` may not be used, or None when it may."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _l("密码至少需要 %(n)d 个字符。", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("密码最多 %(n)d 个字符。", n=MAX_LENGTH)
    personal = _personal_words(email, organization_name)
    if any(word in password.casefold() for word in personal):
        return _explain(REASONS["user_inputs"])
    result = zxcvbn(password[:100], user_inputs=personal)
    if result["score"] >= LOWEST_ACCEPTED_SCORE:
        return None
    return _explain(_reason(result["sequence"]))


def _personal_words(email, organization_name):
    email = (email or "").strip().casefold()
    words = [email, email.partition("@")[0], (organization_name or "").strip().casefold()]
    return [word for word in words if len(word) >= 4]


def _reason(matches):
    for match in matches:
        if match.get("dictionary_name") == "user_inputs":
            return REASONS["user_inputs"]
    for pattern in ("spatial", "repeat", "sequence", "date", "regex", "dictionary"):
        if any(match["pattern"] == pattern for match in matches):
            return REASONS[pattern]
    return GENERIC


def _explain(reason):
    return _l("这个密码太容易被猜中：%(reason)s。请换一个至少 10 位、由几个不常见的词或字符组成的密码。", reason=reason)

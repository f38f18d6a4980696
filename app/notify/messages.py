"""What each kind of notification says, in the reader's language, and where it links.

One table for the bell, the notifications page and e-mail. Payloads hold ids and names only;
the text is written when it is read, so it follows the reader's language.
"""
from flask import url_for
from flask_babel import lazy_gettext as _l

MESSAGES = {}


def message(kind, title, body, endpoint=None, **url_args):
    """Register a kind. url_args map URL arguments to payload keys."""
    MESSAGES[kind] = (title, body, endpoint, url_args)


def render(note, external=False):
    """(title, body, url) of a notification; unknown kinds fall back to a neutral text."""
    title, body, endpoint, url_args = MESSAGES.get(
        note.kind, (_l("系统通知"), _l("您有一条新的通知。"), None, {})
    )
    payload = _Defaults(note.payload or {})
    text_title, text_body = str(title) % payload, str(body) % payload
    url = None
    if endpoint:
        try:
            url = url_for(endpoint, _external=external,
                          **{arg: payload[key] for arg, key in url_args.items()})
        except KeyError:
            url = None
    return text_title, text_body, url


class _Defaults(dict):
    def __missing__(self, key):
        return ""


message("institution_signup", _l("新机构注册待审核"),
        _l("“%(name)s”申请入驻平台，请审核其资质。"), "orgs.signups")
message("institution_approved", _l("机构入驻已通过"),
        _l("“%(name)s”已通过审核，现在可以发布共享仪器。"), "main.index")

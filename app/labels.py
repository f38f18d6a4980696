"""Display words for the domain's codes (roles, states, modes), in the reader's language.

Each status also has one colour, used by every badge that shows it.
"""
from flask_babel import lazy_gettext as _l

ROLES = {"enterprise": _l("企业用户"), "institution": _l("机构人员"), "district": _l("区市场监管局"),
         "city": _l("市市场监管局"), "admin": _l("平台管理员")}
ORG_KINDS = {"enterprise": _l("企业"), "institution": _l("技术机构"), "bureau": _l("市场监管部门")}

# status -> (label, Bootstrap colour)
STATUSES = {}


def _statuses(prefix, entries):
    for code, label, colour in entries:
        STATUSES[(prefix, code)] = (label, colour)


def status_label(kind, code):
    return STATUSES.get((kind, code), (code, "secondary"))[0]


def status_colour(kind, code):
    return STATUSES.get((kind, code), (code, "secondary"))[1]


def role_label(role):
    return ROLES.get(role, role)


def init_app(app):
    app.jinja_env.globals.update(role_label=role_label, status_label=status_label,
                                 status_colour=status_colour, org_kind_label=ORG_KINDS.get)

"""Display words for the domain's codes (roles, states, modes), in the reader's language.

Each status also has one colour, used by every badge that shows it.
"""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

ROLES = {"enterprise": _l("企业用户"), "institution": _l("机构人员"), "district": _l("区市场监管局"),
         "city": _l("市市场监管局"), "admin": _l("平台管理员")}
ORG_KINDS = {"enterprise": _l("企业"), "institution": _l("技术机构"), "bureau": _l("市场监管部门")}

MODE_LABELS = {"self_operated": _l("占用共享（自主操作）"), "assisted": _l("技术共享（人员指导）"),
               "test_by_proxy": _l("代检代测"), "outsourced_testing": _l("实验外包")}
STATUS_WORDS = {"active": _l("在用"), "maintenance": _l("维修中"), "retired": _l("已停用")}
TRACEABILITY_LABELS = {"verification": _l("检定"), "calibration": _l("校准"), "self_calibration": _l("自校")}
# The national record's enumerations (models/instrument.py NRII_WORDS, the same words for translation).
NRII_CHOICES = {
    "ownership_type": {"single": _l("单台套"), "center": _l("仪器中心（平台）"), "facility": _l("重大科研基础设施")},
    "acquisition": {"purchased": _l("购置"), "self_developed": _l("自研"), "donated": _l("捐赠"), "other": _l("其他")},
    "usage_type": {"general": _l("通用"), "dedicated": _l("专用")},
    "funding_source": {"central": _l("中央"), "local": _l("地方"), "own": _l("自有")},
    "share_mode": {"external": _l("外部共享"), "internal": _l("内部共享"), "none": _l("不共享")},
}
CLOSURE_KIND_LABELS = {"maintenance": _l("维护保养"), "calibration": _l("检定/校准"),
                       "internal_use": _l("内部使用"), "other": _l("其他")}
REVIEW_WORDS = {5: _l("非常满意"), 4: _l("满意"), 3: _l("一般"), 2: _l("不满意"), 1: _l("极差")}
DISPOSAL_LABELS = {"return": _l("退样"), "retain": _l("留样"), "destroy": _l("销毁")}
WEEKDAYS = {1: _l("星期一"), 2: _l("星期二"), 3: _l("星期三"), 4: _l("星期四"), 5: _l("星期五"),
            6: _l("星期六"), 7: _l("星期日")}

# status -> (label, Bootstrap colour)
STATUSES = {}


def _statuses(prefix, entries):
    for code, label, colour in entries:
        STATUSES[(prefix, code)] = (label, colour)


_statuses("instrument", [("active", STATUS_WORDS["active"], "success"),
                         ("maintenance", STATUS_WORDS["maintenance"], "warning"),
                         ("retired", STATUS_WORDS["retired"], "secondary")])


_statuses("booking", [
    ("pending", _l("待审批"), "warning"), ("confirmed", _l("已确认"), "primary"),
    ("checked_in", _l("使用中"), "info"), ("completed", _l("已完成"), "success"),
    ("rejected", _l("已拒绝"), "danger"), ("cancelled", _l("已取消"), "secondary"),
    ("expired", _l("已过期"), "dark"), ("no_show", _l("爽约"), "danger"),
])
_statuses("order", [
    ("submitted", _l("待报价"), "warning"), ("quoted", _l("待确认报价"), "info"),
    ("accepted", _l("待送样"), "primary"), ("sample_received", _l("已收样"), "primary"),
    ("testing", _l("检测中"), "info"), ("report_issued", _l("报告已出具"), "success"),
    ("completed", _l("已完成"), "success"), ("declined", _l("已拒绝报价"), "secondary"),
    ("expired", _l("报价已过期"), "dark"), ("rejected", _l("机构未受理"), "danger"),
    ("cancelled", _l("已取消"), "secondary"),
])
_statuses("waitlist", [
    ("waiting", _l("候补中"), "warning"), ("offered", _l("待确认"), "success"), ("claimed", _l("已预约"), "primary"),
    ("expired", _l("已失效"), "dark"), ("cancelled", _l("已退出"), "secondary"),
])
_statuses("charge", [
    ("open", _l("待结算"), "warning"), ("invoiced", _l("已开票"), "info"), ("paid", _l("已付款"), "success"),
    ("waived", _l("已免收"), "secondary"),
])
_statuses("voucher", [
    ("active", _l("可使用"), "success"), ("used_up", _l("已用完"), "secondary"), ("expired", _l("已过期"), "dark"),
    ("revoked", _l("已撤销"), "danger"),
])
_statuses("adjustment", [("pending", _l("待处理"), "warning"), ("approved", _l("已同意"), "success"),
                         ("rejected", _l("未同意"), "danger")])
_statuses("invoice", [("requested", _l("待开票"), "warning"), ("issued", _l("已开票"), "success")])
INVOICE_KIND_LABELS = {"normal": _l("增值税普通发票（普票）"), "special": _l("增值税专用发票（专票）")}
SOURCE_LABELS = {"booking": _l("机时预约"), "order": _l("委托检测")}
AUDIT_ACTIONS = {
    "photo_added": _l("上传照片"), "photo_deleted": _l("删除照片"), "synonyms_saved": _l("保存同义词组"),
    "synonyms_deleted": _l("删除同义词组"),
    "created": _l("创建"), "approved": _l("批准"), "rejected": _l("拒绝"), "cancelled": _l("取消"),
    "expired": _l("超时未审批，自动失效"), "checked_in": _l("签到"), "checked_out": _l("签退"),
    "no_show": _l("记为爽约"), "completed": _l("完成"), "auto_closed": _l("超时未签退，系统结束"),
    "submitted": _l("提交委托"), "quoted": _l("报价"), "accepted": _l("接受报价"), "declined": _l("拒绝报价"),
    "sample_received": _l("收样"), "testing": _l("开始检测"), "report_issued": _l("出具报告"),
    "work_logged": _l("登记仪器使用"), "reviewed": _l("评价"),
    "charged": _l("生成费用"), "adjustment_requested": _l("申请调整金额"), "adjusted": _l("调整金额"),
    "voucher_applied": _l("使用创新券"), "invoiced": _l("开票"), "requested": _l("申请开票"),
    "invoice_issued": _l("开具发票"), "paid": _l("确认付款"), "waived": _l("免收"),
    "issued": _l("发放"), "revoked": _l("撤销"), "used_up": _l("额度用完"), "refunded": _l("退回额度"),
}
# Operator qualifications and training (上机资格)
LEVEL_LABELS = {"assisted": _l("人员指导下上机"), "independent": _l("独立上机")}
_statuses("qualification", [
    ("active", _l("有效"), "success"), ("lapsed", _l("长期未用已失效"), "warning"),
    ("expired", _l("已过期"), "secondary"), ("revoked", _l("已撤销"), "danger"),
])
_statuses("training", [
    ("requested", _l("待安排"), "warning"), ("scheduled", _l("已安排"), "primary"), ("passed", _l("已通过"), "success"),
    ("failed", _l("未通过"), "danger"), ("declined", _l("未受理"), "secondary"),
])
AUDIT_ACTIONS.update({"granted": _l("授予上机资格"), "renewed": _l("更新上机资格"), "revoked": _l("撤销上机资格"),
                      "lapsed": _l("长期未用，资格失效"), "requested": _l("申请培训"), "scheduled": _l("安排培训"),
                      "passed": _l("培训通过"), "failed": _l("培训未通过")})

SLOT_LABELS = {"free": _l("可预约"), "booking": _l("已被预约"), "order_work": _l("委托检测占用"),
               "training": _l("上机培训"), "buffer": _l("预约间隔"), "closure": _l("停机"), "holiday": _l("节假日"),
               "calibration": _l("证书到期"), "not_bookable": _l("不可预约"), "outside_hours": _l("不开放"),
               "past": _l("已过去或不足提前量")}


_TRANSLATED = {}  # (table, locale) → {code: word}; the catalogs are read once per process, and so are these


def translated(name, table):
    """A table of lazy words in the request's language as plain strings, translated once per process and
    language (a lazy word is translated anew each time it is shown, ~15 µs)."""
    key = (name, str(get_locale()))
    if key not in _TRANSLATED:
        _TRANSLATED[key] = {code: str(word) for code, word in table.items()}
    return _TRANSLATED[key]


def weekday_label(isoweekday):
    """A weekday's name (1 is Monday); the instrument page names fourteen."""
    return translated("weekdays", WEEKDAYS).get(isoweekday)


def status_label(kind, code):
    return STATUSES.get((kind, code), (code, "secondary"))[0]


def status_colour(kind, code):
    return STATUSES.get((kind, code), (code, "secondary"))[1]


def role_label(role):
    return ROLES.get(role, role)


def init_app(app):
    app.jinja_env.globals.update(
        role_label=role_label, status_label=status_label, status_colour=status_colour,
        org_kind_label=ORG_KINDS.get, mode_label=MODE_LABELS.get, traceability_label=TRACEABILITY_LABELS.get,
        closure_kind_label=CLOSURE_KIND_LABELS.get, weekday_label=weekday_label,
        audit_action_label=lambda action: AUDIT_ACTIONS.get(action, action), slot_label=SLOT_LABELS.get,
        disposal_label=DISPOSAL_LABELS.get, review_words=REVIEW_WORDS, level_label=LEVEL_LABELS.get,
        invoice_kind_label=INVOICE_KIND_LABELS.get, source_label=SOURCE_LABELS.get,
    )

"""What each kind of notification says, in the reader's language, and where it links.

One table for the bell, the notifications page and e-mail. Payloads hold ids and names only;
the text is written when it is read, so it follows the reader's language.
"""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from models import db
from models.account import AccountToken
from models.money import money

MESSAGES = {}
ACTIONS = {}
# Payload keys that hold an amount ("1125.00"): shown as money() shows every amount, ¥1,125.00.
MONEY_KEYS = frozenset({"amount", "amount_before", "voucher_amount", "net_amount", "balance", "total"})


def message(kind, title, body, endpoint=None, action=None, **url_args):
    """Register a kind. url_args map URL arguments to payload keys, or to functions of the payload (a value
    that is never stored, such as a link's token). `action` names the e-mail's button (default 查看详情)."""
    MESSAGES[kind] = (title, body, endpoint, url_args)
    if action is not None:
        ACTIONS[kind] = action


def action_label(note):
    return ACTIONS.get(note.kind, _l("查看详情"))


def _url_value(payload, source):
    return source(payload) if callable(source) else payload[source]


def _account_link(payload):
    """The token of an account link (reset, first password, invitation), computed from its row."""
    row = db.session.get(AccountToken, payload.get("token_id"))
    return row.token(current_app.config["SECRET_KEY"]) if row is not None else "expired"


def render(note, base_url=None):
    """(title, body, url) of a notification; unknown kinds fall back to a neutral text.

    With `base_url` (e-mail), the link is absolute: base_url + the page's path.
    """
    title, body, endpoint, url_args = MESSAGES.get(
        note.kind, (_l("系统通知"), _l("您有一条新的通知。"), None, {})
    )
    payload = _Defaults({key: money(value) if key in MONEY_KEYS else value
                         for key, value in (note.payload or {}).items()})
    text_title, text_body = str(title) % payload, str(body) % payload
    url = None
    if endpoint and all(callable(key) or key in payload for key in url_args.values()):
        url = url_for(endpoint, **{arg: _url_value(payload, key) for arg, key in url_args.items()})
    if url and base_url:
        url = base_url.rstrip("/") + url
    return text_title, text_body, url


class _Defaults(dict):
    def __missing__(self, key):
        return ""


message("institution_signup", _l("新机构注册待审核"),
        _l("“%(name)s”申请入驻平台，请审核其资质。"), "orgs.signups")
message("institution_approved", _l("机构入驻已通过"),
        _l("“%(name)s”已通过审核，现在可以发布共享仪器。"), "main.index")
message("institution_rejected", _l("机构入驻申请未通过"),
        _l("“%(name)s”的入驻申请未通过审核。原因：%(reason)s。请按原因修改后重新提交申请。"), "accounts.application")

# Account links (e-mailed to an address only; never shown in the app)
message("password_reset", _l("重设密码"),
        _l("我们收到了重设您平台账号密码的请求。请在 1 小时内点击下面的链接设置新密码，链接只能使用一次。"
           "如果不是您本人的操作，请忽略这封邮件，您的密码不会改变。"),
        "accounts.reset_password", action=_l("设置新密码"), token=_account_link)
message("account_created", _l("您的平台账号已开通"),
        _l("平台管理员为您开通了账号（%(email)s，%(organization)s）。请在 7 天内点击下面的链接设置密码，之后即可登录。"),
        "accounts.reset_password", action=_l("设置密码"), token=_account_link)
message("invitation", _l("邀请您加入质量基础设施仪器共享平台"),
        _l("%(inviter)s 邀请您以“%(organization)s”成员的身份使用质量基础设施仪器共享平台。请在 7 天内点击下面的链接设置姓名和密码，"
           "链接只能使用一次。"),
        "accounts.accept_invitation", action=_l("接受邀请"), token=_account_link)
message("member_joined", _l("新同事已加入"), _l("%(name)s（%(email)s）已接受邀请，加入了“%(organization)s”。"),
        "accounts.members")

# Bookings
message("booking_requested", _l("新的预约申请"),
        _l("%(organization)s 申请预约 %(instrument)s（%(start)s–%(end)s），请审批。"), "booking.detail",
        booking_id="booking_id")
message("booking_created", _l("新的预约"),
        _l("%(organization)s 预约了 %(instrument)s（%(start)s–%(end)s）。"), "booking.detail", booking_id="booking_id")
message("booking_received", _l("预约申请已提交"),
        _l("您预约的 %(instrument)s（%(start)s–%(end)s）已提交，等待机构审批。"), "booking.detail",
        booking_id="booking_id")
message("booking_confirmed", _l("预约成功"),
        _l("您已预约 %(instrument)s（%(start)s–%(end)s）。"), "booking.detail", booking_id="booking_id")
message("booking_made_for_you", _l("机构为您登记了预约"),
        _l("机构为贵单位登记了 %(instrument)s 的使用（%(start)s–%(end)s）。"), "booking.detail", booking_id="booking_id")
message("booking_approved", _l("预约已批准"),
        _l("您预约的 %(instrument)s（%(start)s–%(end)s）已获批准。"), "booking.detail", booking_id="booking_id")
message("booking_rejected", _l("预约未获批准"),
        _l("您预约的 %(instrument)s（%(start)s–%(end)s）未获批准。原因：%(reason)s"), "booking.detail",
        booking_id="booking_id")
message("booking_cancelled", _l("预约已被企业取消"),
        _l("%(organization)s 取消了 %(instrument)s 的预约（%(start)s–%(end)s）。"), "booking.detail",
        booking_id="booking_id")
message("booking_cancelled_by_institution", _l("机构取消了您的预约"),
        _l("%(instrument)s（%(start)s–%(end)s）的预约已被机构取消。原因：%(reason)s"), "booking.detail",
        booking_id="booking_id")
message("booking_expired", _l("预约申请已失效"),
        _l("%(instrument)s（%(start)s–%(end)s）的预约在开始前未获审批，已自动失效。"), "booking.detail",
        booking_id="booking_id")
message("booking_no_show", _l("预约记为爽约"),
        _l("您预约的 %(instrument)s（%(start)s–%(end)s）未按时签到，已记为爽约。"), "booking.detail",
        booking_id="booking_id")
message("booking_completed", _l("使用已完成，欢迎评价"),
        _l("%(instrument)s 的使用已完成，欢迎对本次服务评价。"), "booking.detail", booking_id="booking_id")
message("booking_reminder", _l("预约提醒"),
        _l("您预约的 %(instrument)s 将于 %(start)s 开始，请准时到场签到。"), "booking.detail", booking_id="booking_id")
message("booking_auto_closed", _l("预约超时未签退"),
        _l("%(organization)s 在 %(instrument)s 的使用（%(start)s–%(end)s）未签退，系统已按预约结束时间结束，请核对实际时间。"),
        "booking.detail", booking_id="booking_id")
message("booking_cancelled_for_closure", _l("仪器停机，您的预约已取消"),
        _l("%(instrument)s 因停机安排，%(start)s–%(end)s 的预约已被机构取消（不计逾期取消）。原因：%(reason)s。请另选时段重新预约。"),
        "catalog.instrument", instrument_id="instrument_id")

# Recurring bookings: one notification for the whole series
message("series_confirmed", _l("重复预约成功"),
        _l("您在 %(instrument)s 的重复预约（自 %(start)s 起）已预约 %(created)s 次，另有 %(skipped)s 次未能预约。"),
        "series.detail", series_id="series_id")
message("series_received", _l("重复预约已提交"),
        _l("您在 %(instrument)s 的重复预约（自 %(start)s 起）已提交 %(created)s 次，等待机构审批；另有 %(skipped)s 次未能预约。"),
        "series.detail", series_id="series_id")
message("series_created", _l("新的重复预约"),
        _l("%(organization)s 在 %(instrument)s 重复预约了 %(created)s 次（自 %(start)s 起）。"),
        "series.detail", series_id="series_id")
message("series_requested", _l("新的重复预约申请"),
        _l("%(organization)s 申请在 %(instrument)s 重复预约 %(created)s 次（自 %(start)s 起），请审批。"),
        "series.detail", series_id="series_id")
message("series_made_for_you", _l("机构为您登记了重复预约"),
        _l("机构为贵单位登记了 %(instrument)s 的重复使用 %(created)s 次（自 %(start)s 起）。"),
        "series.detail", series_id="series_id")
message("series_cancelled", _l("重复预约已被企业取消"),
        _l("%(organization)s 取消了 %(instrument)s 的重复预约中自 %(start)s 起的 %(cancelled)s 次。"),
        "series.detail", series_id="series_id")
message("series_cancelled_by_institution", _l("机构取消了您的重复预约"),
        _l("%(instrument)s 的重复预约中自 %(start)s 起的 %(cancelled)s 次已被机构取消。原因：%(reason)s"),
        "series.detail", series_id="series_id")

# The waitlist
message("waitlist_offered", _l("候补时段空出来了"),
        _l("您候补的 %(instrument)s（%(start)s–%(end)s）现在可以预约，请在 %(expires)s 前确认，逾期将顺延给下一位。"),
        "waitlist.index")

message("calibration_expiring", _l("计量证书即将到期"),
        _l("%(instrument)s 的检定/校准证书将于 %(valid_until)s 到期（还有 %(days)s 天），到期后不能预约。"),
        "catalog.instrument", instrument_id="instrument_id")
message("calibration_affects_booking", _l("仪器证书到期将影响您的预约"),
        _l("%(instrument)s 的检定/校准证书将于 %(valid_until)s 到期，您在此之后的预约可能需要调整。"),
        "catalog.instrument", instrument_id="instrument_id")

# Orders
message("order_submitted", _l("新的检测委托"),
        _l("%(organization)s 提交了委托“%(title)s”（%(number)s），请报价或说明不能受理的原因。"), "orders.detail",
        order_id="order_id")
message("order_quoted", _l("机构已报价"),
        _l("委托“%(title)s”报价 %(amount)s，有效期至 %(valid_until)s，请确认。"), "orders.detail", order_id="order_id")
message("order_accepted", _l("企业已接受报价"),
        _l("%(organization)s 接受了委托“%(title)s”的报价，请安排收样。"), "orders.detail", order_id="order_id")
message("order_declined", _l("企业未接受报价"),
        _l("%(organization)s 未接受委托“%(title)s”的报价。%(reason)s"), "orders.detail", order_id="order_id")
message("order_rejected", _l("委托未被受理"),
        _l("%(institution)s 未能受理委托“%(title)s”。原因：%(reason)s"), "orders.detail", order_id="order_id")
message("order_cancelled", _l("委托已被企业取消"),
        _l("%(organization)s 取消了委托“%(title)s”。%(reason)s"), "orders.detail", order_id="order_id")
message("order_cancelled_by_institution", _l("机构取消了委托"),
        _l("委托“%(title)s”已被机构取消。原因：%(reason)s"), "orders.detail", order_id="order_id")
message("order_sample_received", _l("样品已收到"),
        _l("委托“%(title)s”的样品已收到，样品编号 %(sample_no)s。"), "orders.detail", order_id="order_id")
message("order_testing", _l("开始检测"), _l("委托“%(title)s”已开始检测。"), "orders.detail", order_id="order_id")
message("order_report_issued", _l("报告已出具"),
        _l("委托“%(title)s”的报告（%(report_no)s）已出具，可以下载，请确认完成。"), "orders.detail",
        order_id="order_id")
message("order_completed", _l("委托已完成"), _l("%(organization)s 确认委托“%(title)s”已完成。"), "orders.detail",
        order_id="order_id")
message("order_auto_completed", _l("委托已自动完成"),
        _l("委托“%(title)s”的报告出具已满 14 天，系统已将其标记为完成，欢迎评价。"), "orders.detail",
        order_id="order_id")
message("order_quote_expired", _l("报价已过期"),
        _l("委托“%(title)s”的报价已过有效期。如仍需检测，请重新提交委托。"), "orders.detail", order_id="order_id")
message("order_message", _l("委托有新留言"),
        _l("%(author)s（%(author_organization)s）在委托“%(title)s”（%(number)s）中留言：%(excerpt)s"), "orders.detail",
        order_id="order_id")
message("order_report_revised", _l("报告已修订"),
        _l("委托“%(title)s”的报告已修订为第 %(version)s 版（%(report_no)s）。修订原因：%(reason)s"), "orders.detail",
        order_id="order_id")
message("review_received", _l("收到新的评价"), _l("企业对“%(subject)s”给出了 %(score)s 分的评价。"))

# Pilot tables
message("pilot_table_submitted", _l("试点统计表已提交"), _l("%(district)s 提交了 %(year)s 年试点工作情况统计表，请审核。"),
        "stats.pilots")
message("pilot_table_accepted", _l("试点统计表已通过"), _l("%(year)s 年试点工作情况统计表已通过市局审核。"), "stats.pilots")
message("pilot_table_returned", _l("试点统计表被退回"), _l("%(year)s 年试点工作情况统计表被市局退回：%(comment)s"),
        "stats.pilots")

# Operator qualifications and training (上机资格)
message("qualification_granted_independent", _l("已取得独立上机资格"),
        _l("您已取得 %(instrument)s 的独立上机资格，可以预约自主上机（占用共享）。"), "catalog.instrument",
        instrument_id="instrument_id")
message("qualification_granted_assisted", _l("已取得上机资格"),
        _l("您已取得 %(instrument)s 的人员指导下上机资格，可以预约技术共享；自主上机须取得独立上机资格。"),
        "catalog.instrument", instrument_id="instrument_id")
message("qualification_revoked", _l("上机资格已被撤销"),
        _l("您在 %(instrument)s 上的上机资格已被机构撤销。原因：%(reason)s"), "catalog.instrument",
        instrument_id="instrument_id")
message("qualification_expired", _l("上机资格已到期"),
        _l("您在 %(instrument)s 上的上机资格已于 %(expires_on)s 到期。如需继续自主上机，请重新申请培训。"),
        "catalog.instrument", instrument_id="instrument_id")
message("qualification_lapsed", _l("上机资格因长期未使用失效"),
        _l("您已 %(days)s 天未自主使用 %(instrument)s，上机资格已失效。如需继续自主上机，请重新申请培训。"),
        "catalog.instrument", instrument_id="instrument_id")
message("qualification_lapse_reminder", _l("上机资格即将失效"),
        _l("您在 %(instrument)s 上的上机资格将于 %(date)s 因 %(days)s 天未使用而失效；在此之前完成一次自主上机即可继续保持。"),
        "catalog.instrument", instrument_id="instrument_id")
message("qualification_expiry_reminder", _l("上机资格即将到期"),
        _l("您在 %(instrument)s 上的上机资格有效期至 %(date)s，到期后须重新培训才能自主上机。"), "catalog.instrument",
        instrument_id="instrument_id")
message("training_requested", _l("新的上机培训申请"),
        _l("%(user)s（%(organization)s）申请 %(instrument)s 的上机培训，请安排培训时间。"), "qualifications.queue")
message("training_scheduled", _l("上机培训已安排"),
        _l("您申请的 %(instrument)s 上机培训安排在 %(start)s–%(end)s，请准时参加。"), "catalog.instrument",
        instrument_id="instrument_id")
message("training_failed", _l("上机培训未通过"),
        _l("您参加的 %(instrument)s 上机培训（%(start)s）未通过考核。如需再次培训，请重新申请。"), "catalog.instrument",
        instrument_id="instrument_id")
message("training_declined", _l("上机培训申请未受理"),
        _l("机构未能安排您在 %(instrument)s 上的上机培训。原因：%(reason)s"), "catalog.instrument",
        instrument_id="instrument_id")
# Settlement and innovation vouchers
message("voucher_issued", _l("获得科技创新券"),
        _l("%(issuer)s 向贵单位发放了科技创新券 %(code)s（%(programme)s）：额度 %(amount)s，补贴比例 %(percent)s%%，"
           "有效期至 %(valid_until)s。"), "settlement.vouchers_page")
message("voucher_expiring", _l("创新券即将到期"),
        _l("科技创新券 %(code)s 将于 %(valid_until)s 到期，剩余额度 %(balance)s，请在到期前使用。"), "settlement.vouchers_page")
message("voucher_revoked", _l("创新券已撤销"),
        _l("科技创新券 %(code)s 已被发放部门撤销，剩余额度不能再使用。原因：%(reason)s"), "settlement.vouchers_page")
message("voucher_applied", _l("企业使用了创新券"),
        _l("%(organization)s 对费用 #%(charge_id)s 使用了科技创新券 %(code)s，抵扣 %(voucher_amount)s，企业应付 %(net_amount)s。"),
        "settlement.charge", charge_id="charge_id")
message("adjustment_requested", _l("费用调整申请"),
        _l("%(organization)s 申请将费用 #%(charge_id)s 由 %(amount_before)s 调整为 %(amount)s。原因：%(reason)s"),
        "settlement.charge", charge_id="charge_id")
message("adjustment_approved", _l("费用调整已同意"),
        _l("%(institution)s 同意将费用 #%(charge_id)s 由 %(amount_before)s 调整为 %(amount)s。"),
        "settlement.charge", charge_id="charge_id")
message("adjustment_rejected", _l("费用调整未同意"),
        _l("%(institution)s 未同意费用 #%(charge_id)s 的调整申请。原因：%(reason)s"), "settlement.charge",
        charge_id="charge_id")
message("invoice_requested", _l("新的开票申请"),
        _l("%(organization)s 申请开具发票（%(count)s 笔费用，合计 %(total)s）。"), "settlement.invoices_page")
message("invoice_issued", _l("发票已开具"),
        _l("%(institution)s 已开具发票 %(invoice_no)s（%(issued_on)s），合计 %(total)s，将发送至 %(email)s。"),
        "settlement.invoices_page")

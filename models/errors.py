"""Domain exceptions. Each carries its HTTP status and API error code: this is the one table.

Models and services raise them; app/errors.py renders them as a page or as the API's JSON body.
Messages are lazy so they are translated in the language of whoever reads them.
"""
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("请求有误，请检查后重试。")
    details = {}  # more members of the API's error body, beside code, message and fields

    def __init__(self, message=None, fields=None):
        self.message = message or self.default_message
        self.fields = dict(fields or {})
        super().__init__(self.message)  # still lazy: can() builds refusals it never shows (str() translates)


class BadRequest(DomainError):
    status = 400
    code = "bad_request"
    default_message = _l("请求格式有误，请检查后重试。")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("请先登录。")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("您没有执行此操作的权限。")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("您要找的内容不存在，或您无权查看。")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("数据已被他人修改，请刷新后重试。")


class SlotUnavailable(DomainError):
    status = 409
    code = "slot_unavailable"
    default_message = _l("该时段已被预约，请选择其他时段。")


class BookingsAffected(DomainError):
    """A closure would cover active bookings: the error names them (the API's "booking_ids")."""

    status = 409
    code = "bookings_affected"
    default_message = _l("停机时段内有有效预约，请先取消这些预约（可选择“取消这些预约并通知企业”），再安排停机。")

    def __init__(self, bookings, message=None):
        super().__init__(message)
        self.bookings = list(bookings)
        self.details = {"booking_ids": [booking.id for booking in self.bookings]}


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    default_message = _l("当前状态下不能执行此操作，请刷新页面查看最新状态。")


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    default_message = _l("上传的内容过大。")


class ValidationError(DomainError):
    status = 422
    code = "validation_error"
    default_message = _l("提交的内容有误，请按提示修改。")


class InvalidToken(ValidationError):
    code = "invalid_token"
    default_message = _l("链接已失效或已被使用。请重新申请（重设密码的链接 1 小时内有效，只能使用一次）。")


class SlotAvailable(DomainError):
    status = 422
    code = "slot_available"
    default_message = _l("该时段现在就可以预约，无需候补，请直接预约。")


class Closed(DomainError):
    status = 422
    code = "closed"
    default_message = _l("该时段不开放（非开放时间、节假日或停机），请选择开放时段。")


class CalibrationExpired(DomainError):
    status = 422
    code = "calibration_expired"
    default_message = _l("该仪器的检定/校准证书在此时段已过期，暂不能预约。")


class NotBookable(DomainError):
    status = 422
    code = "not_bookable"
    default_message = _l("该仪器当前不可预约（维护中或已停用）。")


class PolicyViolation(DomainError):
    status = 422
    code = "policy_violation"
    default_message = _l("不符合该仪器的预约规则。")


class VoucherUnusable(DomainError):
    status = 422
    code = "voucher_unusable"
    default_message = _l("该创新券不能使用：已过期、已用完、已撤销，或不属于贵单位。")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _l("操作过于频繁，请稍后再试。")

    def __init__(self, message=None, retry_after=60):
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, int(retry_after)))}


class QualificationRequired(DomainError):
    status = 422
    code = "qualification_required"
    default_message = _l("自主上机须先取得该仪器的独立上机资格，请先申请培训，或改用技术共享（人员指导）。")

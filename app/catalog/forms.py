"""The instrument record as a form: the web, the API and the spreadsheet import validate with it."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FormField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import NumberRange

from models.instrument import CLOSURE_KINDS, DEFAULT_RULES, SERVICE_MODES, TRACEABILITY

from ..formtools import (
    ChoiceField,
    DateInput,
    DecimalInput,
    EmailAddress,
    IntegerInput,
    MultiChoiceField,
    StrictForm,
    StrictSubform,
    max_length,
    optional,
    positive_decimal,
    present,
    required,
    strip,
)
from ..labels import CLOSURE_KIND_LABELS, MODE_LABELS, NRII_CHOICES, STATUS_WORDS, TRACEABILITY_LABELS

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
BOOLEAN_TRUE, BOOLEAN_FALSE = ("y", "yes", "on", "true", "1"), ("false", "", "0", "off", "n", "no")


def _number(minimum, maximum, message=None):
    return NumberRange(min=minimum, max=maximum,
                       message=message or _l("应为 %(min)s 到 %(max)s 之间的整数。", min=minimum, max=maximum))


class ContactFields(StrictSubform):
    name = StringField(_l("联系人"), filters=[strip], validators=[optional, max_length(50)])
    phone = StringField(_l("联系电话"), filters=[strip], validators=[optional, max_length(30)])
    email = EmailField(_l("联系邮箱"), filters=[strip], validators=[
        optional, max_length(254), EmailAddress()])


class MetrologyFields(StrictSubform):
    measurement_range = StringField(_l("测量范围"), filters=[strip], validators=[optional, max_length(200)])
    accuracy = StringField(_l("准确度等级/不确定度"), filters=[strip], validators=[optional, max_length(200)])
    traceability = ChoiceField(_l("溯源方式"), validators=[optional],
                               choices=lambda: [("", "—")] + [(c, TRACEABILITY_LABELS[c]) for c in TRACEABILITY])
    certificate_no = StringField(_l("证书编号"), filters=[strip], validators=[optional, max_length(50)])
    certified_on = DateInput(_l("检定/校准日期"), format=DATE_FORMATS, validators=[optional])
    valid_until = DateInput(_l("有效期至"), format=DATE_FORMATS, validators=[optional])
    certifying_body = StringField(_l("检定/校准机构"), filters=[strip], validators=[optional, max_length(100)])

    def validate_valid_until(self, field):
        if field.data and self.certified_on.data and field.data < self.certified_on.data:
            raise ValidationError(_l("有效期不能早于检定/校准日期。"))


class RulesFields(StrictSubform):
    slot_minutes = IntegerInput(_l("预约时间粒度（分钟）"), default=DEFAULT_RULES["slot_minutes"],
                        validators=[present, _number(5, 240)])
    min_minutes = IntegerInput(_l("最短时长（分钟）"), default=DEFAULT_RULES["min_minutes"],
                       validators=[present, _number(5, 1440)])
    max_minutes = IntegerInput(_l("最长时长（分钟）"), default=DEFAULT_RULES["max_minutes"],
                       validators=[present, _number(5, 20160)])
    lead_minutes = IntegerInput(_l("最少提前（分钟）"), default=DEFAULT_RULES["lead_minutes"],
                        validators=[optional, _number(0, 43200)])
    max_advance_days = IntegerInput(_l("最多提前（天）"), default=DEFAULT_RULES["max_advance_days"],
                            validators=[present, _number(1, 365)])
    buffer_minutes = IntegerInput(_l("预约间隔缓冲（分钟）"), default=DEFAULT_RULES["buffer_minutes"],
                          validators=[optional, _number(0, 1440)])
    requires_approval = BooleanField(_l("预约需机构审批"), default=DEFAULT_RULES["requires_approval"])
    max_future_bookings_per_org = IntegerInput(_l("每家企业未来预约上限"),
                                       default=DEFAULT_RULES["max_future_bookings_per_org"],
                                       validators=[present, _number(1, 100)])
    cancel_free_hours = IntegerInput(_l("免费取消时限（小时）"), default=DEFAULT_RULES["cancel_free_hours"],
                             validators=[optional, _number(0, 720)])
    # Operator qualification (上机资格) ------------------------------------------------
    requires_qualification = BooleanField(_l("自主上机须取得上机资格"), default=DEFAULT_RULES["requires_qualification"],
                                          false_values=BOOLEAN_FALSE)
    qualification_lapse_days = IntegerInput(_l("资格失效天数（未自主上机）"),
                                            default=DEFAULT_RULES["qualification_lapse_days"],
                                            validators=[optional, _number(1, 3650)])

    def validate_requires_qualification(self, field):
        if field.raw_data and str(field.raw_data[0]).strip().lower() not in BOOLEAN_TRUE + BOOLEAN_FALSE:
            raise ValidationError(_l("应为“是”或“否”。"))
    # ----------------------------------------------------------------------------------

    def validate_min_minutes(self, field):
        slot = self.slot_minutes.data
        if field.data and slot and field.data % slot:
            raise ValidationError(_l("应为时间粒度的整数倍。"))

    def validate_max_minutes(self, field):
        if field.data and self.min_minutes.data and field.data < self.min_minutes.data:
            raise ValidationError(_l("最长时长不能小于最短时长。"))
        slot = self.slot_minutes.data
        if field.data and slot and field.data % slot:
            raise ValidationError(_l("应为时间粒度的整数倍。"))

    def validate_slot_minutes(self, field):
        if field.data and 1440 % field.data:
            raise ValidationError(_l("时间粒度应能整除一天（如 15、30、60 分钟）。"))


def _nrii_choices(name):
    return lambda: [("", "—")] + list(NRII_CHOICES[name].items())


class NriiFields(StrictSubform):
    """The national record's fields (重大科研基础设施和大型科研仪器国家网络管理平台) that nothing else needs."""

    ownership_type = ChoiceField(_l("归属类型"), validators=[optional], choices=_nrii_choices("ownership_type"))
    acquisition = ChoiceField(_l("仪器来源"), validators=[optional], choices=_nrii_choices("acquisition"))
    customs_supervised = BooleanField(_l("海关监管"), false_values=BOOLEAN_FALSE)
    usage_type = ChoiceField(_l("通用/专用"), validators=[optional], choices=_nrii_choices("usage_type"))
    subject_area = StringField(_l("学科领域"), filters=[strip], validators=[optional, max_length(100)])
    achievements = TextAreaField(_l("主要成果"), filters=[strip], validators=[optional, max_length(500)])
    funding_source = ChoiceField(_l("资金来源"), validators=[optional], choices=_nrii_choices("funding_source"))
    share_mode = ChoiceField(_l("共享模式"), validators=[optional], choices=_nrii_choices("share_mode"))
    service_url = StringField(_l("服务网址"), filters=[strip], validators=[optional, max_length(200)])
    postcode = StringField(_l("邮编"), filters=[strip], validators=[optional, max_length(6)])

    def validate_service_url(self, field):
        if field.data and not re.match(r"^https?://[^\s/]+\.[^\s]+$", field.data):
            raise ValidationError(_l("请填写以 http:// 或 https:// 开头的网址。"))

    def validate_postcode(self, field):
        if field.data and not re.fullmatch(r"\d{6}", field.data):
            raise ValidationError(_l("邮编应为 6 位数字。"))

    def validate_customs_supervised(self, field):
        if field.raw_data and str(field.raw_data[0]).strip().lower() not in BOOLEAN_TRUE + BOOLEAN_FALSE:
            raise ValidationError(_l("应为“是”或“否”。"))


def mode_choices():
    return [(mode, MODE_LABELS[mode]) for mode in SERVICE_MODES]


class InstrumentForm(StrictForm):
    name = StringField(_l("仪器名称"), filters=[strip], validators=[required, max_length(100)])
    name_en = StringField(_l("英文名称"), filters=[strip], validators=[optional, max_length(200)])
    internal_code = StringField(_l("内部编码"), filters=[strip], validators=[optional, max_length(50)])
    model = StringField(_l("规格型号"), filters=[strip], validators=[optional, max_length(100)])
    manufacturer = StringField(_l("生产制造商"), filters=[strip], validators=[optional, max_length(100)])
    country_of_origin = StringField(_l("产地国别"), filters=[strip], validators=[optional, max_length(50)])
    original_value_wan = DecimalInput(_l("原值（万元）"), places=2, validators=[
        optional, positive_decimal(2, maximum=10**8)])
    commissioned_on = DateInput(_l("启用日期"), format=DATE_FORMATS, validators=[optional],
                                earliest=date(1950, 1, 1))  # instruments older than 2000 are still shared
    category_code = StringField(_l("分类编码"), filters=[strip], validators=[required, max_length(6)])
    location = StringField(_l("安放地址"), filters=[strip], validators=[optional, max_length(200)])
    contact = FormField(ContactFields, label=_l("联系方式"))
    specs = TextAreaField(_l("主要技术指标"), filters=[strip], validators=[optional, max_length(500)])
    functions = TextAreaField(_l("主要功能"), filters=[strip], validators=[optional, max_length(300)])
    service_content = TextAreaField(_l("服务内容"), filters=[strip], validators=[optional, max_length(200)])
    sharing_rules = TextAreaField(_l("对外开放共享规定"), filters=[strip], validators=[optional, max_length(500)])
    metrology = FormField(MetrologyFields, label=_l("计量特性"))
    service_modes = MultiChoiceField(_l("服务方式"), choices=mode_choices, default=["self_operated"])
    hourly_rate = DecimalInput(_l("收费标准（元/小时）"), places=2, default=0, validators=[
        optional, positive_decimal(2, maximum=10**6)])
    sme_discount_percent = DecimalInput(_l("中小企业优惠（%）"), places=2, default=0, validators=[
        optional, positive_decimal(2, maximum=100)])
    rules = FormField(RulesFields, label=_l("预约规则"))
    open_on_holidays = BooleanField(_l("法定节假日开放"))
    nrii = FormField(NriiFields, label=_l("国家平台信息"))
    status = ChoiceField(_l("状态"), default="active",
                         choices=lambda: [(c, STATUS_WORDS[c]) for c in ("active", "maintenance", "retired")])



class OpeningHoursForm(StrictForm):
    """The week on one page: one text per weekday such as "09:00-12:00, 13:00-17:00"."""

    inherit = BooleanField(_l("使用机构默认开放时间"))
    day1 = StringField(_l("星期一"), filters=[strip])
    day2 = StringField(_l("星期二"), filters=[strip])
    day3 = StringField(_l("星期三"), filters=[strip])
    day4 = StringField(_l("星期四"), filters=[strip])
    day5 = StringField(_l("星期五"), filters=[strip])
    day6 = StringField(_l("星期六"), filters=[strip])
    day7 = StringField(_l("星期日"), filters=[strip])


class ClosureForm(StrictForm):
    start = StringField(_l("开始时间"), filters=[strip], validators=[required])
    end = StringField(_l("结束时间"), filters=[strip], validators=[required])
    kind = ChoiceField(_l("停机类型"), validators=[required],
                       choices=lambda: [(k, CLOSURE_KIND_LABELS[k]) for k in CLOSURE_KINDS])
    reason = StringField(_l("说明"), filters=[strip], validators=[optional, max_length(200)])
    # Offered once the closure was refused over bookings: they are cancelled with the reason above.
    cancel_bookings = BooleanField(_l("取消这些预约并通知企业"))

"""Booking forms for the pages (the API parses JSON with the same services)."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from models.reference import DISTRICTS, ENTERPRISE_SIZES, INDUSTRIES

from ..formtools import (
    ChoiceField,
    DateInput,
    IntegerInput,
    StrictForm,
    max_length,
    optional,
    required,
    strip,
)
from ..labels import MODE_LABELS

REPEAT_CHOICES = [("", _l("不重复")), ("daily", _l("每天")), ("weekly", _l("每周"))]


class BookingForm(StrictForm):
    start = StringField(_l("开始时间"), filters=[strip], validators=[required])
    end = StringField(_l("结束时间"), filters=[strip], validators=[required])
    service_mode = ChoiceField(_l("使用方式"), choices=[], validators=[required])
    purpose = TextAreaField(_l("用途说明"), filters=[strip], validators=[optional, max_length(500)],
                            description=_l("如：测试样品 3 件，检测项目……"))
    # 重复: a series of ordinary bookings, previewed before anything is booked.
    repeat = ChoiceField(_l("重复"), choices=REPEAT_CHOICES, validators=[optional], default="")
    repeat_interval = ChoiceField(_l("间隔"), choices=[(str(n), str(n)) for n in range(1, 5)], validators=[optional],
                                  default="1")
    repeat_count = IntegerInput(_l("次数"), validators=[optional])
    repeat_until = DateInput(_l("或截止日期"), validators=[optional])

    def repeat_rule(self):
        """The repeat fields as the series service reads them (booking/series.read_repeat)."""
        return {"freq": self.repeat.data, "interval": int(self.repeat_interval.data or 1),
                "count": self.repeat_count.data,
                "until": self.repeat_until.data.isoformat() if self.repeat_until.data else None}


def booking_form(instrument, formdata=None, form_class=None):
    """A booking form for one instrument (BookingForm unless told): the ways of use it offers are the choices."""
    form_class = form_class or BookingForm
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.service_mode.choices = [(m, MODE_LABELS[m]) for m in instrument.bookable_modes]
    return form


class SeriesCancelForm(StrictForm):
    since = DateInput(_l("从这一天起取消"), validators=[optional])
    reason = TextAreaField(_l("原因"), filters=[strip], validators=[optional, max_length(500)])


class ReasonForm(StrictForm):
    reason = TextAreaField(_l("原因"), filters=[strip], validators=[optional, max_length(500)])


class ActualTimeForm(StrictForm):
    at = StringField(_l("实际时间（留空为现在）"), filters=[strip], validators=[optional])


def _choices(pairs, prompt):
    return lambda: [("", prompt)] + [(code, label) for code, label in pairs]


class OnBehalfForm(BookingForm):
    """Institution staff book for an enterprise, including walk-in use already past."""

    uscc = StringField(_l("企业统一社会信用代码"), filters=[strip], validators=[required, max_length(18)])
    enterprise_name = StringField(_l("企业名称（首次登记时填写）"), filters=[strip], validators=[optional, max_length(200)])
    district_code = ChoiceField(_l("企业所在区"), validators=[optional],
                                choices=_choices([(c, label) for c, _n, label in DISTRICTS], _l("请选择")))
    industry = ChoiceField(_l("所属行业"), validators=[optional], choices=_choices(INDUSTRIES, _l("请选择")))
    size = ChoiceField(_l("企业规模"), validators=[optional], choices=_choices(ENTERPRISE_SIZES, _l("请选择")))
    operator_email = StringField(_l("上机人员的平台账号（邮箱）"), filters=[strip], validators=[optional, max_length(254)],
                                 description=_l("自主上机（占用共享）时必填：须是该企业已取得独立上机资格的用户。"))

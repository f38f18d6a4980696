"""The 委托单 as a form (web and API), and the institution's forms along the way."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, FormField, StringField, TextAreaField
from wtforms.validators import NumberRange

from models.order import DISPOSALS, KINDS

from ..formtools import (
    ChoiceField,
    DateInput,
    DecimalInput,
    IntegerInput,
    StrictForm,
    StrictSubform,
    max_length,
    optional,
    positive_decimal,
    present,
    required,
    strip,
)
from ..labels import DISPOSAL_LABELS, MODE_LABELS


class SampleFields(StrictSubform):
    name = StringField(_l("样品名称"), filters=[strip], validators=[required, max_length(100)])
    model = StringField(_l("规格型号"), filters=[strip], validators=[optional, max_length(100)])
    quantity = IntegerInput(_l("数量"), validators=[present, NumberRange(min=1, max=100000,
                                                                 message=_l("数量应为 1 到 100000 的整数。"))])
    unit = StringField(_l("单位"), filters=[strip], default="件", validators=[required, max_length(10)])
    disposal = ChoiceField(_l("检后处理"), default="return", validators=[required],
                           choices=lambda: [(d, DISPOSAL_LABELS[d]) for d in DISPOSALS])


class ItemFields(StrictSubform):
    name = StringField(_l("检测项目"), filters=[strip], validators=[optional, max_length(100)])
    standard = StringField(_l("检测依据（标准）"), filters=[strip], validators=[optional, max_length(100)],
                           description=_l("如 GB/T 10125-2021"))


class OrderForm(StrictForm):
    kind = ChoiceField(_l("委托类型"), default="test_by_proxy", validators=[required],
                       choices=lambda: [(k, MODE_LABELS[k]) for k in KINDS])
    institution_id = IntegerInput(_l("检测机构"), validators=[present])
    instrument_id = IntegerInput(_l("指定仪器（选填）"), validators=[optional])
    title = StringField(_l("委托名称"), filters=[strip], validators=[required, max_length(100)],
                        description=_l("如：电池外壳盐雾试验"))
    description = TextAreaField(_l("补充说明"), filters=[strip], validators=[optional, max_length(1000)],
                                description=_l("实验外包请说明实验方案、判定要求等"))
    sample = FormField(SampleFields, label=_l("样品"))
    items = FieldList(FormField(ItemFields), min_entries=3, max_entries=30, label=_l("检测项目"))
    needed_by = DateInput(_l("期望完成日期"), format=["%Y-%m-%d"], validators=[optional])
    confidential = BooleanField(_l("保密委托（监管部门统计时不显示名称与样品）"))


class QuoteForm(StrictForm):
    amount = DecimalInput(_l("报价（元）"), places=2, validators=[present, positive_decimal(2, maximum=10**8)])
    turnaround_days = IntegerInput(_l("检测周期（天）"), validators=[present, NumberRange(
        min=1, max=365, message=_l("检测周期应为 1 到 365 天。"))])
    valid_until = DateInput(_l("报价有效期至"), format=["%Y-%m-%d"], validators=[required])
    note = TextAreaField(_l("说明"), filters=[strip], validators=[optional, max_length(500)])


class ReportForm(StrictForm):
    report_no = StringField(_l("报告编号"), filters=[strip], validators=[required, max_length(50)])
    file = FileField(_l("报告文件（PDF）"))


class WorkForm(StrictForm):
    instrument_id = ChoiceField(_l("仪器"), coerce=int, choices=[], validators=[required])
    start = StringField(_l("开始时间"), filters=[strip], validators=[required])
    end = StringField(_l("结束时间"), filters=[strip], validators=[required])
    note = StringField(_l("说明"), filters=[strip], validators=[optional, max_length(200)])


class SampleDeliveryForm(StrictForm):
    """Where and how enterprises deliver samples to the institution."""

    sample_address = StringField(_l("送样地址"), filters=[strip], validators=[optional, max_length(200)])
    sample_contact = StringField(_l("收样联系人"), filters=[strip], validators=[optional, max_length(50)])
    sample_phone = StringField(_l("收样电话"), filters=[strip], validators=[optional, max_length(30)])
    sample_instructions = TextAreaField(_l("送样须知"), filters=[strip], validators=[optional, max_length(500)],
                                        description=_l("如收样时间、包装与标识要求、寄送注意事项"))

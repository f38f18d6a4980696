"""Settlement forms for the pages (the API reads the same values strictly in app/api/strict.py).

They check shape (a number, a date, a length); the services check the rules (an adjustment below the
amount, validity ≤ 92 days, the yearly cap, a valid 纳税人识别号).
"""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import NumberRange

from models.settlement import INVOICE_KINDS

from ..formtools import (
    ChoiceField,
    DateInput,
    DecimalInput,
    IntegerInput,
    StrictForm,
    max_length,
    positive_decimal,
    present,
    required,
    strip,
)
from ..labels import INVOICE_KIND_LABELS


class AdjustmentForm(StrictForm):
    amount = DecimalInput(_l("调整后的金额（元）"), places=2, validators=[present, positive_decimal(2)])
    reason = TextAreaField(_l("申请原因"), filters=[strip], validators=[required, max_length(500)],
                           description=_l("如：仪器中途故障停机半小时"))


class DecisionForm(StrictForm):
    reason = TextAreaField(_l("原因"), filters=[strip], validators=[max_length(500)])


class PaidForm(StrictForm):
    paid_on = DateInput(_l("付款日期"), format=["%Y-%m-%d"], validators=[required])


class InvoiceRequestForm(StrictForm):
    title = StringField(_l("发票抬头"), filters=[strip], validators=[required, max_length(100)])
    tax_no = StringField(_l("纳税人识别号"), filters=[strip], validators=[required, max_length(20)],
                         description=_l("统一社会信用代码，或 15 位、20 位税号"))
    kind = ChoiceField(_l("发票类型"), default="normal", validators=[required],
                       choices=lambda: [(k, INVOICE_KIND_LABELS[k]) for k in INVOICE_KINDS])
    email = StringField(_l("接收发票的电子邮箱"), filters=[strip], validators=[required, max_length(254)])


class IssueInvoiceForm(StrictForm):
    invoice_no = StringField(_l("发票号码"), filters=[strip], validators=[required, max_length(40)])
    issued_on = DateInput(_l("开票日期"), format=["%Y-%m-%d"], validators=[required])


class VoucherForm(StrictForm):
    uscc = StringField(_l("企业统一社会信用代码"), filters=[strip], validators=[required, max_length(20)])
    amount = DecimalInput(_l("额度（元）"), places=2, validators=[present, positive_decimal(2, allow_zero=False,
                                                                                            maximum=10**8)])
    subsidy_percent = IntegerInput(_l("补贴比例（%）"), default=50, validators=[present, NumberRange(
        min=1, max=100, message=_l("补贴比例应为 1 到 100 之间的整数。"))])
    valid_from = DateInput(_l("生效日期"), format=["%Y-%m-%d"], validators=[required])
    valid_until = DateInput(_l("失效日期"), format=["%Y-%m-%d"], validators=[required],
                            description=_l("有效期最长 92 天"))
    programme = StringField(_l("项目名称"), filters=[strip], validators=[required, max_length(100)],
                            description=_l("如：2026 年浦东新区中小企业科技创新券"))


class RevokeForm(StrictForm):
    reason = TextAreaField(_l("撤销原因"), filters=[strip], validators=[required, max_length(500)])

"""The pilot's manual columns (200-character limits), for the page and the API."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import NumberRange

from ..formtools import (
    DecimalInput,
    IntegerInput,
    MultiChoiceField,
    StrictForm,
    max_length,
    optional,
    positive_decimal,
    required,
    strip,
)

LIMIT = 200


class PilotForm(StrictForm):
    name = StringField(_l("试点项目名称"), filters=[strip], validators=[required, max_length(100)])
    institution_ids = MultiChoiceField(_l("参与服务的技术机构"), coerce=int, choices=[])
    basic_info = TextAreaField(_l("基本情况（200字以内）"), filters=[strip], validators=[optional, max_length(LIMIT)])
    funds_wan = DecimalInput(_l("本年度投入经费（万元）"), places=2, validators=[optional, positive_decimal(2, maximum=10**8)])
    expert_person_times = IntegerInput(_l("参与服务专家人次"), validators=[optional, NumberRange(
        min=0, max=10**6, message=_l("应为不小于 0 的整数。"))])
    main_content = TextAreaField(_l("服务主要内容"), filters=[strip], validators=[optional, max_length(LIMIT)],
                                 description=_l("留空则按平台记录自动填写"))
    main_industries = TextAreaField(_l("服务主要产业"), filters=[strip], validators=[optional, max_length(LIMIT)],
                                    description=_l("留空则按服务企业的行业自动填写"))
    pass_rate_improvement = TextAreaField(_l("服务产业产品质量合格率提升情况"), filters=[strip],
                                          validators=[optional, max_length(LIMIT)])
    profit_increase_wan = DecimalInput(_l("为企业增长利润（万元）"), places=2,
                                   validators=[optional, positive_decimal(2, maximum=10**8)])
    new_jobs = IntegerInput(_l("服务企业新增就业岗位数"), validators=[optional, NumberRange(
        min=0, max=10**7, message=_l("应为不小于 0 的整数。"))])
    quality_effect = TextAreaField(_l("服务企业质量提高成效"), filters=[strip], validators=[optional, max_length(LIMIT)])
    other_effects = TextAreaField(_l("其他成效（拉动投资，增加产值等，200字以内）"), filters=[strip],
                                  validators=[optional, max_length(LIMIT)])

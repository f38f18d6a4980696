"""The pages' forms for qualifications and training (the API reads JSON strictly, app/api/qualifications.py)."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField

from models.qualification import LEVELS

from ..formtools import ChoiceField, DateInput, StrictForm, max_length, optional, required, strip
from ..labels import LEVEL_LABELS


def level_choices():
    return [(level, LEVEL_LABELS[level]) for level in reversed(LEVELS)]


class TrainingRequestForm(StrictForm):
    note = TextAreaField(_l("说明"), filters=[strip], validators=[optional, max_length(500)],
                         description=_l("如：上机人员的经验、希望培训的内容和方便的时间。"))


class GrantForm(StrictForm):
    email = EmailField(_l("上机人员的平台账号（邮箱）"), filters=[strip], validators=[required, max_length(254)])
    level = ChoiceField(_l("资格级别"), choices=level_choices, default="independent", validators=[required])
    expires_on = DateInput(_l("有效期至（可不填）"), format=["%Y-%m-%d"], validators=[optional])


class ReasonForm(StrictForm):
    reason = TextAreaField(_l("原因"), filters=[strip], validators=[required, max_length(500)])


class ScheduleForm(StrictForm):
    start = StringField(_l("开始时间"), filters=[strip], validators=[required])
    end = StringField(_l("结束时间"), filters=[strip], validators=[required])


class OutcomeForm(StrictForm):
    level = ChoiceField(_l("授予资格"), choices=level_choices, default="independent", validators=[required])

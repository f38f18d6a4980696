from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField

from ..formtools import ChoiceField, StrictForm, max_length, optional, required, strip


class DayForm(StrictForm):
    day = DateField(_l("日期"), validators=[required])
    kind = ChoiceField(_l("类型"), validators=[required],
                       choices=lambda: [("holiday", _l("法定节假日（休息）")), ("workday", _l("调休上班日"))])
    name = StringField(_l("名称"), filters=[strip], validators=[optional, max_length(100)],
                       description=_l("如：春节、国庆节调休"))

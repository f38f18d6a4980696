"""The review form, shown under a completed booking and a completed order alike."""
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ..formtools import ChoiceField, StrictForm, max_length, optional, required, strip
from ..labels import REVIEW_WORDS


class ReviewForm(StrictForm):
    score = ChoiceField(_l("满意度"), coerce=int, validators=[required],
                        choices=lambda: sorted(REVIEW_WORDS.items(), reverse=True))
    comment = TextAreaField(_l("评价"), filters=[strip], validators=[optional, max_length(500)])

"""Reviews: once per completed booking or order, by the enterprise that used the service."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import Booking, audit, db
from models.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from models.order import Review

from ..labels import REVIEW_WORDS
from ..notify.services import notify_organization


def check(score, comment):
    fields = {}
    if not isinstance(score, int) or isinstance(score, bool) or score not in REVIEW_WORDS:
        fields["score"] = _l("评分应为 1（极差）到 5（非常满意）的整数。")
    if not isinstance(comment, str) or len(comment) > 500:
        fields["comment"] = _l("评价最多 500 字。")
    if fields:
        raise ValidationError(fields=fields)


def _review(actor, subject, institution_id, is_customer, completed, score, comment, now, **link):
    if not is_customer:
        raise Forbidden(_l("只有使用服务的企业可以评价。"))
    check(score, comment)
    if not completed:
        raise InvalidTransition(_l("服务完成后才能评价。"))
    if db.session.scalar(sa.select(Review.id).filter_by(**link)):
        raise Conflict(_l("您已经评价过这次服务。"))
    review = Review(organization_id=actor.organization_id, institution_id=institution_id, created_by=actor,
                    score=score, comment=comment.strip(), created_at=now, **link)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(review)
        db.session.flush()
    except IntegrityError:  # a colleague's review of the same service was saved a moment earlier
        savepoint.rollback()
        raise Conflict(_l("您已经评价过这次服务。")) from None
    savepoint.commit()
    audit.record(subject, "reviewed", actor=actor, at=now, details={"score": score})
    notify_organization(institution_id, "review_received", score=score, subject=getattr(subject, "title", None)
                        or subject.instrument.name, **{k: v for k, v in link.items()})
    return review


def review_booking(actor, booking, score, comment, now):
    return _review(actor, booking, booking.instrument.institution_id, booking.is_customer(actor),
                   booking.status == "completed", score, comment, now, booking_id=booking.id)


def review_order(actor, order, score, comment, now):
    return _review(actor, order, order.institution_id, order.is_customer(actor), order.status == "completed",
                   score, comment, now, order_id=order.id)


def review_of(booking=None, order=None):
    link = {"booking_id": booking.id} if booking is not None else {"order_id": order.id}
    return db.session.scalar(sa.select(Review).filter_by(**link))


def reviews_of_institution(institution_id, limit=20):
    """The newest reviews, each with its enterprise and what it reviewed (an instrument's use or an order)."""
    return db.session.scalars(sa.select(Review).where(Review.institution_id == institution_id)
                              .options(selectinload(Review.organization), selectinload(Review.order),
                                       selectinload(Review.booking).selectinload(Booking.instrument))
                              .order_by(Review.created_at.desc()).limit(limit)).all()

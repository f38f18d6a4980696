"""The waitlist: join a taken interval, list one's places in line, claim an offer, leave."""
from flask import request
from flask_babel import lazy_gettext as _l

from models import db
from models.errors import ValidationError
from models.instrument import Instrument
from models.timeutil import iso_local
from models.waitlist import ACTIONS, STATES, WaitlistEntry

from .. import clock
from ..policy import get_in_scope, scoped
from ..waitlist import services as waitlist
from .base import actor, bp, created, declared_body, json_body, listing
from .bookings import booking_json
from .declare import Body, Instant, Query, Text, operation


def entry_json(entry, viewer):
    now = clock.now()
    return {"id": entry.id, "instrument_id": entry.instrument_id, "instrument_name": entry.instrument.name,
            "organization": {"id": entry.organization_id, "name": entry.organization.name},
            "start": iso_local(entry.start_at), "end": iso_local(entry.end_at), "status": entry.status,
            "offered_at": iso_local(entry.offered_at), "offer_expires_at": iso_local(entry.offer_expires_at),
            "booking_id": entry.booking_id, "created_at": iso_local(entry.created_at),
            "actions": [a for a in ACTIONS if entry.can(a, viewer, now)]}


def _optional_text(body, name, limit):
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > limit or "\x00" in value):
        raise ValidationError(fields={name: _l("应为不超过 %(n)s 字的文本。", n=limit)})
    return value


@bp.post("/instruments/<instrument_id>/waitlist")
@operation("候补 · join the waitlist for a taken interval", body=Body(start=Instant(), end=Instant()), status=201)
def join_waitlist(instrument_id):
    who = actor()
    instrument = get_in_scope(Instrument, instrument_id, who)
    body = declared_body()
    entry = waitlist.join(who, instrument, body["start"], body["end"], clock.now())
    answer = entry_json(entry, who)
    db.session.commit()
    return created(answer)


@bp.get("/waitlist")
@operation("我的候补 · the actor's waitlist entries", query=Query(status=Text(20)), paged=True)
def list_waitlist():
    who = actor()
    stmt = scoped(WaitlistEntry, who)
    status = request.args.get("status")
    if status:
        if status not in STATES:
            raise ValidationError(fields={"status": _l("状态应为 %(states)s 之一。", states=", ".join(STATES))})
        stmt = stmt.where(WaitlistEntry.status == status)
    return listing(stmt.order_by(WaitlistEntry.created_at.desc(), WaitlistEntry.id.desc()),
                   lambda entry: entry_json(entry, who))


@bp.post("/waitlist/<entry_id>/claim")
@operation("认领候补 · claim an offered slot", status=201)
def claim_waitlist(entry_id):
    who = actor()
    entry = get_in_scope(WaitlistEntry, entry_id, who)
    body = json_body()
    booking = waitlist.claim(who, entry, clock.now(), purpose=_optional_text(body, "purpose", 500) or "",
                             service_mode=_optional_text(body, "service_mode", 20))
    answer = booking_json(booking, who)
    db.session.commit()
    return created(answer)


@bp.delete("/waitlist/<entry_id>")
@operation("退出候补 · leave the waitlist", returns="empty")
def leave_waitlist(entry_id):
    who = actor()
    waitlist.leave(who, get_in_scope(WaitlistEntry, entry_id, who), clock.now())
    db.session.commit()
    return "", 204

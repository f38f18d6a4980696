"""Concurrent grants of the same user on one instrument leave one active qualification, never two."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from models import ApiToken, AuditRecord, Qualification, db
from tests import factories

GRANTS = 12


@pytest.mark.committed
def test_concurrent_grants_leave_exactly_one_active_qualification(app):
    with app.app_context():
        staff = factories.create_user("institution")
        instrument = factories.create_instrument(staff.organization, requires_qualification=True)
        trainee = factories.create_user("enterprise")
        tokens = []
        for _ in range(GRANTS):
            row, token = ApiToken.issue(staff, factories.NOW, 30)
            db.session.add(row)
            tokens.append(token)
        db.session.commit()
        instrument_id, trainee_id = instrument.id, trainee.id
    together = threading.Barrier(GRANTS)

    def attempt(token):
        together.wait()
        response = app.test_client().post(f"/api/v1/instruments/{instrument_id}/qualifications",
                                          json={"user_id": trainee_id, "level": "independent"},
                                          headers={"Authorization": f"Bearer {token}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=GRANTS) as pool:
        statuses = list(pool.map(attempt, tokens))
    assert all(status in (201, 409) for status in statuses) and statuses.count(201) >= 1
    with app.app_context():
        active = db.session.scalars(sa.select(Qualification).where(
            Qualification.user_id == trainee_id, Qualification.status == "active")).all()
        granted = db.session.scalar(sa.select(sa.func.count(AuditRecord.id)).where(
            AuditRecord.object_type == "qualifications", AuditRecord.action == "granted"))
    assert len(active) == 1 and granted == 1

"""The voucher jobs through the scheduler's runner, and their e-mail: twice run, once done, in each reader's language."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.orders import services as orders
from models import Notification, db
from models.voucher import Voucher
from scheduler.jobs import JOBS_BY_ID
from scheduler.runner import run_job
from tests.settlement import TODAY, issue_voucher


def test_the_voucher_jobs_are_in_the_job_table():
    assert {"expire_vouchers", "voucher_reminders"} <= set(JOBS_BY_ID)


@pytest.mark.committed
def test_expiry_and_the_reminder_run_once_however_often_the_scheduler_runs(app, now):
    with app.app_context():
        from tests import factories

        world = factories.World.build()
        voucher_id = issue_voucher(world, days=10).id
        db.session.remove()
    seven_days_before = now + timedelta(days=3)
    assert run_job(app, "voucher_reminders", now=seven_days_before) == "voucher reminders 1"
    assert run_job(app, "voucher_reminders", now=seven_days_before) == "voucher reminders 0"
    after = now + timedelta(days=10)
    assert run_job(app, "expire_vouchers", now=after) == "expired vouchers 1"
    assert run_job(app, "expire_vouchers", now=after) == "expired vouchers 0"
    with app.app_context():
        assert db.session.get(Voucher, voucher_id).status == "expired"
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
            Notification.kind == "voucher_expiring")) == 1


@pytest.fixture
def mail_on(app, mail_config):
    saved = dict(app.config)

    def deliver_to(server, now):
        app.config.update(mail_config(server))
        return run_job(app, "deliver_outbox", now=now)

    yield deliver_to
    app.config.clear()
    app.config.update(saved)


def test_a_voucher_e_mail_is_in_the_readers_language_with_money_written_one_way(world, now, smtp, mail_on):
    world.sme_a.locale = "en"
    issue_voucher(world, amount="12500.00", percent=40)
    mail_on(smtp, now)
    message = next(m for m in smtp.inbox.messages if m["To"] == world.sme_a.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "[QI-Share] Innovation voucher granted"
    assert "¥12,500.00" in text and "40%" in text and "/settlement/vouchers" in text


def test_a_quote_e_mail_writes_the_amount_like_every_page(world, now, smtp, mail_on):
    from tests.functional.test_api_orders import order_body

    order = orders.submit(world.sme_a, {**order_body(world), "needed_by": None, "description": "",
                                        "sample": {"name": "外壳", "model": "", "quantity": 1, "unit": "件",
                                                   "disposal": "return"}}, now)
    orders.quote(world.lab_a, order, Decimal("1125.00"), 5, TODAY + timedelta(days=7), "", now)
    db.session.commit()
    mail_on(smtp, now)
    message = next(m for m in smtp.inbox.messages if m["To"] == world.sme_a.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "¥1,125.00" in text and "¥1125.00" not in text

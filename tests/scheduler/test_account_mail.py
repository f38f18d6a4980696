"""Account links reach a real SMTP server through the outbox, and the purge keeps the account tables small."""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.auth.sessions import begin_session, end_session
from models import AccountToken, ApiToken, UserSession, db
from scheduler.runner import run_job


def test_a_reset_link_is_mailed_to_the_address_and_sets_the_password(api, client, create_user, now, smtp, mail_on):
    user = create_user(email="reader@example.com", locale="en")
    assert api().post("/auth/password-reset", json={"email": user.email}).status_code == 202
    assert mail_on(smtp, now) == "sent 1, failed 0"
    message, = smtp.inbox.messages
    assert message["To"] == "reader@example.com" and message["Subject"] == "[QI-Share] Reset your password"
    text = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https://qishare\.example\.gov\.cn(/auth/password-reset/\S+)", text).group(1)
    done = client.post(path, data={"password": "violet-harbour-lantern", "password_confirm": "violet-harbour-lantern"})
    assert done.status_code == 302


def test_an_invitation_is_mailed_in_the_inviters_language(api, world, now, smtp, mail_on):
    api(world.sme_a).post("/organizations/me/invitations", json={"email": "colleague@example.com"})
    mail_on(smtp, now)
    message, = smtp.inbox.messages
    assert message["To"] == "colleague@example.com" and "甲精密机械" in message.get_body(("plain",)).get_content()


def test_the_purge_deletes_what_can_never_work_again_once(app, create_user, now):
    user = create_user()
    ended, live = begin_session(user, now - timedelta(days=3)), begin_session(user, now - timedelta(days=300))
    db.session.flush()
    end_session(UserSession.find_valid(ended), now - timedelta(days=2))
    row, _token = ApiToken.issue(user, now - timedelta(days=90), 30)
    db.session.add(row)
    AccountToken.issue("password_reset", user.email, now - timedelta(days=40), user=user)
    db.session.commit()
    summary = run_job(app, "purge_sessions", now=now)
    assert summary == "purged user_sessions 1, api_tokens 1, account_tokens 1, sign_in_attempts 0"
    assert UserSession.find_valid(live) is not None
    assert run_job(app, "purge_sessions", now=now) == \
        "purged user_sessions 0, api_tokens 0, account_tokens 0, sign_in_attempts 0"
    assert db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 1

"""A real SMTP server (aiosmtpd) for the mail tests."""
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """A port where nothing listens yet; start() brings the server up."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_config(app):
    def config(server):
        return dict(app.config, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False,
                    MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_TIMEOUT=5, MAIL_MAX_ATTEMPTS=3,
                    PUBLIC_BASE_URL="https://qishare.example.gov.cn")
    return config


@pytest.fixture
def mail_on(app, mail_config):
    """Point the app at a test SMTP server; deliver with the scheduler's own runner."""
    from scheduler.runner import run_job

    saved = dict(app.config)

    def deliver_to(server, now):
        app.config.update(mail_config(server))
        return run_job(app, "deliver_outbox", now=now)

    yield deliver_to
    app.config.clear()
    app.config.update(saved)

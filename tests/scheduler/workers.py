"""Entry point for scheduler processes spawned by the tests (a module, so `spawn` can import it)."""
from datetime import datetime


def run_job_in_new_process(database_url, upload_dir, job_id, now_iso, mail_port, go):
    from app import create_app
    from scheduler.runner import run_job

    settings = dict(SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=upload_dir)
    if mail_port:
        settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_port, MAIL_TIMEOUT=10)
    app = create_app("config.TestConfig", **settings)
    go.wait(30)
    run_job(app, job_id, now=datetime.fromisoformat(now_iso))

"""Backup and restore, for real: pg_dump/pg_restore or SQLite's backup API, real files, real counts."""
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.ops import backup
from models import ServiceOrder, db
from tests.demo_db import build_demo_app, demo_database_url

pytestmark = pytest.mark.committed
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def source(database_url, tmp_path_factory):
    return build_demo_app(database_url, tmp_path_factory.mktemp("backup-source"), suffix="backup")


def report_files(app):
    with app.app_context():
        names = db.session.scalars(sa.select(ServiceOrder.report_file).where(ServiceOrder.report_file.is_not(None)))
        return {name: (Path(app.config["UPLOAD_DIR"]) / "reports" / name).read_bytes() for name in names}


def run_script(name, *args, app, tmp_path):
    env = dict(os.environ, VENV=sys.prefix, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               UPLOAD_DIR=app.config["UPLOAD_DIR"], BACKUP_DIR=str(tmp_path / "archives"), SECRET_KEY="backup-test",
               INSTANCE_DIR=str(tmp_path))
    done = subprocess.run([str(ROOT / "deploy" / name), *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_deploy_scripts_restore_every_row_and_file_into_an_empty_database(source, database_url, tmp_path):
    output = run_script("backup.sh", app=source, tmp_path=tmp_path)
    archive = Path(output.strip().removeprefix("backup written: "))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(n.startswith("uploads/reports/") for n in names)

    target = demo_database_url(database_url, tmp_path, "restored")
    uploads = tmp_path / "restored-uploads"
    output = run_script("restore.sh", str(archive), "--database", target, "--uploads", str(uploads),
                        app=source, tmp_path=tmp_path)
    assert "restored the backup" in output
    assert backup.row_counts(target) == backup.row_counts(source.config["SQLALCHEMY_DATABASE_URI"])
    assert backup.row_counts(target)[1]["bookings"] > 1000
    for name, data in report_files(source).items():
        assert (uploads / "reports" / name).read_bytes() == data


def test_a_damaged_archive_is_refused_before_anything_is_touched(source, database_url, tmp_path):
    with source.app_context():
        archive = backup.create(source.config["SQLALCHEMY_DATABASE_URI"], source.config["UPLOAD_DIR"], tmp_path,
                                __import__("models").utcnow())
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    dump = next(p for p in unpacked.iterdir() if p.name.startswith("database."))
    dump.write_bytes(dump.read_bytes()[:-100] + b"\0" * 100)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for path in unpacked.iterdir():
            tar.add(path, path.name)
    target = demo_database_url(database_url, tmp_path, "untouched")
    with pytest.raises(backup.BackupError, match="checksum"):
        backup.restore(damaged, target, tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()

"""Backup and restore of the database and the uploaded files, as one archive.

An archive (qishare-<UTC time>.tar.gz) holds manifest.json (when, schema revision, database kind,
row counts, SHA-256 of the database file), the database (PostgreSQL: pg_dump custom format;
SQLite: a consistent copy through SQLite's backup API) and uploads/ (report PDFs). Restore checks
the checksum before touching anything, restores into the database URL it is given, unpacks the
uploads, and compares the row counts with the manifest; any difference is an error.
"""
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import sqlalchemy as sa

COUNTED = ("organizations", "users", "instruments", "bookings", "occupancies", "service_orders", "reviews",
           "closures", "pilots", "audit_records")


class BackupError(Exception):
    pass


def _libpq(url):
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url):
    return Path(sa.engine.make_url(url).database)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_counts(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            counts = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}
    finally:
        engine.dispose()
    return revision, counts


def _run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def create(url, upload_dir, destination, now):
    """Write one archive into `destination`; returns its path."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    archive = destination / f"qishare-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / ("database.pgdump" if kind == "postgresql" else "database.sqlite3")
        if kind == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), _libpq(url)])
        else:
            with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(dump) as target:
                source.backup(target)
        revision, counts = row_counts(url)
        manifest = {"created_at": now.isoformat(), "database": kind, "revision": revision, "counts": counts,
                    "database_file": dump.name, "sha256": _sha256(dump)}
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(Path(work) / "manifest.json", "manifest.json")
            tar.add(dump, dump.name)
            if Path(upload_dir).is_dir():
                tar.add(upload_dir, "uploads")
    return archive


def restore(archive, url, upload_dir):
    """Restore an archive into the (empty or disposable) database at `url` and into `upload_dir`."""
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
        manifest = json.loads((Path(work) / "manifest.json").read_text())
        dump = Path(work) / manifest["database_file"]
        if _sha256(dump) != manifest["sha256"]:
            raise BackupError("the database file does not match the manifest's checksum; archive damaged")
        kind = "postgresql" if url.startswith("postgresql") else "sqlite"
        if kind != manifest["database"]:
            raise BackupError(f"this archive holds a {manifest['database']} database, not {kind}")
        if kind == "postgresql":
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--dbname", _libpq(url),
                  str(dump)])
        else:
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(dump, target)
        uploads = Path(work) / "uploads"
        if uploads.is_dir():
            shutil.copytree(uploads, upload_dir, dirs_exist_ok=True)
    revision, counts = row_counts(url)
    if revision != manifest["revision"] or counts != manifest["counts"]:
        raise BackupError(f"restored database differs from the manifest: {counts} != {manifest['counts']}")
    return manifest

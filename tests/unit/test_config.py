"""Importing the configuration writes nothing; building the app makes the instance folder and keeps its key."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW_KEY = "from app import create_app; print(create_app().config['SECRET_KEY'])"


def run(code, instance):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL")}
    env["INSTANCE_DIR"] = str(instance)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_configuration_creates_no_folder_and_no_key(tmp_path):
    instance = tmp_path / "instance"
    assert run("import config; print(config.Config.SQLALCHEMY_DATABASE_URI)", instance).endswith(
        "instance/qishare.sqlite3")
    assert not instance.exists()


def test_with_nothing_set_the_app_keeps_one_secret_key_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    first, second = run(SHOW_KEY, instance), run(SHOW_KEY, instance)
    assert len(first) == 64 and first == second
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first and key_file.stat().st_mode & 0o777 == 0o600


def test_with_a_secret_key_set_the_app_still_makes_the_default_database_folder(tmp_path):
    instance = tmp_path / "instance"
    run("import os; os.environ['SECRET_KEY'] = 'set'; from app import create_app; create_app()", instance)
    assert instance.is_dir() and not (instance / "secret_key").exists()

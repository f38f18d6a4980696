"""A web worker starts without the libraries only a few requests need (issue 20: worker RSS ≤ 150 MB):
openpyxl, Pillow, pypdf, fpdf (with fontTools) and holidays weigh ~35 MB after import and load when a
workbook, a photo, a PDF or the official calendar is made."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONLY_WHEN_NEEDED = ("openpyxl", "PIL", "pypdf", "fpdf", "fontTools", "holidays")
LOADED = "import sys, wsgi; print(' '.join(sorted(m for m in {names} if m in sys.modules)))"


def test_importing_the_web_app_loads_no_spreadsheet_image_pdf_or_holiday_library(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
           "SECRET_KEY": "test"}
    env.pop("TEST_DATABASE_URL", None)
    loaded = subprocess.run([sys.executable, "-c", LOADED.format(names=ONLY_WHEN_NEEDED)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert loaded == []

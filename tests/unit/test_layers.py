"""Imports flow one way: models ← services ← {views, api, scheduler}. The API never imports a web view."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path):
    """Every module a file imports, spelled as written ("..calendar.views" reads as "calendar.views")."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" if base else alias.name for alias in node.names)


def views_imported_by(path):
    parts = (name.split(".") for name in imported_modules(path))
    return sorted({".".join(p[:p.index("views") + 1]) for p in parts if "views" in p})


def test_no_api_module_imports_a_web_view():
    modules = sorted((ROOT / "app" / "api").glob("*.py"))
    assert len(modules) > 5
    assert {m.name: views_imported_by(m) for m in modules if views_imported_by(m)} == {}


def test_the_import_reader_sees_a_view_imported_either_way(tmp_path):
    source = tmp_path / "face.py"
    source.write_text("from ..calendar.views import ics_response\nfrom ..booking import views\n", encoding="utf-8")
    assert views_imported_by(source) == ["booking.views", "calendar.views"]

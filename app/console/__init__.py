"""The institution's console: its instruments, calendars and spreadsheet imports."""
from . import calendar, imports, instruments, photos
from .blueprint import bp

__all__ = ["bp", "calendar", "imports", "instruments", "photos"]

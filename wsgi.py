"""The WSGI entry point (gunicorn wsgi:app). It never starts the scheduler."""
from app import create_app

app = create_app()

"""The WSGI entry point: `gunicorn wsgi:app`."""

from dps import create_app

app = create_app()

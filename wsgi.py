"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""
from lekwijzer.app import create_app

app = create_app()

"""The WSGI application for gunicorn: gunicorn scripts.newsroom.wsgi."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.newsroom.settings")
application = get_wsgi_application()

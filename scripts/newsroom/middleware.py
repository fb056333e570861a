"""A Content-Security-Policy on every response: no framing (frame-ancestors,
beside X-Frame-Options), forms posted only to the newsroom, scripts and
styles from the newsroom only (Django 5.2 has no CSP of its own). A view
that sets its own keeps it: the live preview's pages, which the newsroom's
own pages may frame (preview.py), and the pages that frame them."""
from django.conf import settings


class ContentSecurityPolicy:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.NEWSROOM_CSP)
        return response

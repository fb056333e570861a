"""Django settings of the newsroom, all from config.py (the environment).

Security: argon2 password hashes, sessions of 8 hours that end when the
browser closes, cookies Secure (except the local try-out on 127.0.0.1),
HttpOnly and SameSite, no framing, a strict CSP, django-axes locking an
account for 30 minutes after 5 failed logins, CSRF with the site's origin.
There is no self-registration: accounts are made by an administrator
(the admin pages or `python -m scripts.newsroom user add`).
"""
from __future__ import annotations

import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from . import config as _config

try:
    NEWSROOM = _config.load()
    SECRET_KEY = _config.secret_key(NEWSROOM)
except _config.ConfigError as e:
    raise ImproperlyConfigured(str(e)) from None

NEWSROOM_REPO = NEWSROOM.repo
NEWSROOM_DATA = NEWSROOM.data
NEWSROOM_PREVIEW = NEWSROOM.preview      # "127.0.0.1:PORT", or "" (preview.py)

DEBUG = NEWSROOM.debug
ALLOWED_HOSTS = NEWSROOM.allowed_hosts
CSRF_TRUSTED_ORIGINS = NEWSROOM.trusted_origins
if NEWSROOM.script_name:
    FORCE_SCRIPT_NAME = NEWSROOM.script_name

INSTALLED_APPS = [
    "scripts.newsroom.apps.NewsroomConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "scripts.newsroom.middleware.ContentSecurityPolicy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scripts.newsroom.urls"
WSGI_APPLICATION = "scripts.newsroom.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": NEWSROOM.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "newsroom.Account"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "newsroom:login"
LOGIN_REDIRECT_URL = "newsroom:mine"
LOGOUT_REDIRECT_URL = "newsroom:login"

# Sessions: a working day at most, and gone when the browser closes (shared PCs).
SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "newsroom_session"
CSRF_COOKIE_HTTPONLY = True            # no script of ours reads it
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_NAME = "newsroom_csrf"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not (NEWSROOM.local or NEWSROOM.debug)
CSRF_FAILURE_VIEW = "scripts.newsroom.views.csrf_failure"

# Behind the project's nginx, which terminates HTTPS and sets this header;
# gunicorn listens on 127.0.0.1 or a socket only, so nobody else can set it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
NEWSROOM_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

# django-axes: 5 failed logins lock the account for 30 minutes, whatever the
# address they come from (an address behind the unit's NAT is shared by many).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "newsroom/locked.html"
AXES_VERBOSE = False

SILENCED_SYSTEM_CHECKS = [
    # Not by address: behind nginx every request comes from 127.0.0.1, and a
    # unit's PCs share one address; a rate per address is nginx's limit_req.
    "axes.W006",
    # HTTPS, its redirect and HSTS are the project's nginx's (scripts/deploy/).
    "security.W004", "security.W008",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Filled by `collectstatic` (`init`, and the service on every start); nginx
# serves it. On a server it is NEWSROOM_STATIC (serverconf.py), outside the
# data folder, whose mode 700 keeps nginx out.
STATIC_ROOT = os.environ.get("NEWSROOM_STATIC") or str(NEWSROOM.data / "static")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"scripts.newsroom": {"handlers": ["console"], "level": "INFO"}},
}

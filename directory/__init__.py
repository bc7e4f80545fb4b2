"""Kiều bào Directory: the application factory."""

from __future__ import annotations

import importlib
import logging
import os

from flask import Flask, request

from directory import config as settings
from directory.extensions import babel, csrf, db, limiter, login_manager, migrate

# Modules whose models must be imported so that metadata (and Alembic) sees every table.
MODEL_MODULES = (
    "directory.reference.models",
    "directory.missions.models",
    "directory.accounts.models",
    "directory.people.models",
    "directory.associations.models",
    "directory.audit",
    "directory.search.outbox",
    "directory.core.mail_queue",
    "directory.representatives.models",
    "directory.imports.models",
    "directory.initiatives.models",
    "directory.needs.models",
    "directory.notices.models",
    "directory.contacts.models",
    "directory.businesses.models",
    "directory.savedsearch.models",
)


def import_models() -> None:
    """Import every model module (idempotent)."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _warn_without_base_url(app: Flask) -> None:
    """Emails link to BASE_URL, never to the host a request came in on: production needs it."""
    if app.config.get("PRODUCTION") and not app.config.get("BASE_URL_SET"):
        logging.getLogger("directory").warning(
            "BASE_URL is not set: links in emails will point to %s", app.config["BASE_URL"]
        )


def create_app(config: dict | None = None) -> Flask:
    """config -> extensions -> each domain's blueprints and cli -> errors."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH")
        or os.environ.get("INSTANCE_PATH")
        or os.path.join(root, "instance"),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
        if config.get("BASE_URL"):
            app.config["BASE_URL_SET"] = True
    _warn_without_base_url(app)

    from directory.core import logs

    # First: every later hook's log lines carry the request id.
    logs.init_app(app)
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a load balancer: the client's address (rate limits) and scheme (secure
        # cookies, links) from the X-Forwarded-* headers of that many trusted proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from directory import (
        accounts,
        admin,
        api,
        associations,
        businesses,
        contacts,
        core,
        dashboards,
        imports,
        initiatives,
        missions,
        needs,
        notices,
        people,
        reference,
        representatives,
        savedsearch,
        search,
        seed,
    )
    from directory.i18n import current_locale, select_locale, translation_directories

    import_models()
    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(root, "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    # Every domain, explicitly: its pages, API routes and CLI commands.
    core.init_app(app)
    accounts.init_app(app)
    missions.init_app(app)
    people.init_app(app)
    associations.init_app(app)
    search.init_app(app)
    savedsearch.init_app(app)
    notices.init_app(app)
    representatives.init_app(app)
    contacts.init_app(app)
    imports.init_app(app)
    initiatives.init_app(app)
    needs.init_app(app)
    businesses.init_app(app)
    dashboards.init_app(app)
    admin.init_app(app)
    reference.init_app(app)
    api.init_app(app)
    seed.init_app(app)

    from search_index import init_app as init_search

    init_search(app, search.search_source())

    from directory.core.errors import register_error_handlers
    from directory.core.templating import register_templating

    register_error_handlers(app)
    register_templating(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("PRODUCTION"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint and not request.path.startswith("/static/"):
            response.headers.setdefault("Content-Language", current_locale())
        return response

    @app.before_request
    def _pin_locale():
        # Flask-Babel caches the first answer for the request: asking now keeps a page in the
        # language it was requested in, even when the view changes session["lang"] (sign-up).
        current_locale()

    return app

"""Languages: Vietnamese first, English second; one catalog per domain, merged at run time.

Each domain keeps ``<domain>/translations/vi/LC_MESSAGES/messages.po`` (message ids are English),
so that domains never edit each other's catalogs. ``python -m directory.i18n`` compiles them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    """Every domain's translations folder."""
    return sorted(str(p) for p in PACKAGE_DIR.glob("**/translations") if p.is_dir())


def compile_catalogs(force: bool = False) -> int:
    """Compile every stale ``.po`` into its ``.mo``; returns how many were written."""
    written = 0
    for po in PACKAGE_DIR.glob("**/translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written += 1
    return written


def select_locale() -> str:
    """The user's choice (session, then account), then the browser, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the default language
        return languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or languages[0]


def current_locale() -> str:
    """The language to answer in now, ``"vi"`` or ``"en"``: the request's, or a forced one."""
    # Flask-Babel's get_locale honours force_locale (emails, background jobs); it is None
    # outside an application context, where the directory speaks Vietnamese.
    locale = get_locale()
    return "en" if locale is not None and str(locale).startswith("en") else "vi"


ROOT = PACKAGE_DIR.parent


def domain_sources(domain: str) -> list[Path]:
    """The code and templates whose messages live in ``domain``'s catalog."""
    if domain == "core":
        return [
            *(p for p in PACKAGE_DIR.glob("*.py")),
            PACKAGE_DIR / "core",
            PACKAGE_DIR / "reference",
            ROOT / "search_index",
            *(ROOT / "templates").glob("*.html"),
            ROOT / "templates" / "core",
            ROOT / "templates" / "errors",
        ]
    return [p for p in (PACKAGE_DIR / domain, ROOT / "templates" / domain) if p.exists()]


def extract(domain: str):
    """Extract the messages of one domain into a babel Catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file

    # Form labels use ``lazy_gettext as _l``: extract those too.
    # WTForms' own messages are marked with ``ngettext_noop`` (directory/core/form_messages.py).
    # Words with two meanings carry a context (``pgettext``, ``lazy_pgettext as _lp``).
    keywords = {
        **DEFAULT_KEYWORDS,
        "_l": None,
        "lazy_gettext": None,
        "_lp": ((1, "c"), 2),
        "lazy_pgettext": ((1, "c"), 2),
        "ngettext_noop": (1, 2),
    }
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}, "**.txt": {}}
    catalog = Catalog(project="kieubao-directory", locale=None)
    for path in domain_sources(domain):
        if path.is_dir():
            found = extract_from_dir(str(path), method_map, options, keywords=keywords)
            for filename, lineno, message, comments, context in found:
                catalog.add(
                    message,
                    None,
                    [(str(path / filename), lineno)],
                    auto_comments=comments,
                    context=context,
                )
        elif path.suffix in (".py", ".html", ".txt"):
            method = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}[path.suffix]
            for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=keywords
            ):
                catalog.add(
                    message, None, [(str(path), lineno)], auto_comments=comments, context=context
                )
    return catalog


def update(domain: str) -> Path:
    """Create or update ``<domain>/translations/vi/LC_MESSAGES/messages.po`` in place.

    Existing translations are kept; new messages are added untranslated (msgstr "").
    """
    from babel.messages.pofile import write_po

    template = extract(domain)
    po_path = PACKAGE_DIR / domain / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale="vi")
        catalog.update(template, no_fuzzy_matching=True)
    else:
        from babel.messages.catalog import Catalog

        catalog = Catalog(locale="vi", project="kieubao-directory")
        catalog.update(template, no_fuzzy_matching=True)
    with po_path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100, no_location=True)
    return po_path


def fill(domain: str, translations: dict[str, str]) -> int:
    """Set Vietnamese translations in ``domain``'s catalog from an {English: Vietnamese} dict."""
    from babel.messages.pofile import write_po

    po_path = PACKAGE_DIR / domain / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    count = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if message.context:  # a word with two meanings: "context|English"
            key = f"{message.context}|{key}"
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            count += 1
    with po_path.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100, no_location=True)
    return count


def missing_translations() -> dict[str, list[str]]:
    """Messages used in the code with no Vietnamese translation in any catalog, per domain."""
    translated: set = set()
    for po in PACKAGE_DIR.glob("**/translations/vi/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and all(strings) and not message.fuzzy:  # every plural form too
                    translated.add((message.context, message.id))
    missing: dict[str, list[str]] = {}
    domains = ["core"] + sorted(
        p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").exists() and p.name != "core"
    )
    for domain in domains:
        for message in extract(domain):
            if message.id and (message.context, message.id) not in translated:
                text = message.id if isinstance(message.id, str) else message.id[0]
                key = f"{message.context}|{text}" if message.context else text
                missing.setdefault(domain, []).append(key)
    return missing


def conflicting_translations() -> dict[tuple[str | None, str], dict[str, str]]:
    """Messages translated differently by two domains' catalogs: {(context, id): {domain:
    translation}}. The catalogs are merged at run time, so only one of the translations would
    ever be shown; a word with two meanings needs a context (``pgettext``) instead."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for po in sorted(PACKAGE_DIR.glob("**/translations/vi/LC_MESSAGES/messages.po")):
        domain = po.relative_to(PACKAGE_DIR).parts[0]
        with po.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if not message.id or not message.string or message.fuzzy:
                    continue
                text = message.id if isinstance(message.id, str) else message.id[0]
                string = message.string if isinstance(message.string, str) else message.string[0]
                seen.setdefault((message.context, text), {})[domain] = string
    return {key: found for key, found in seen.items() if len(set(found.values())) > 1}


def main(argv: list[str]) -> int:
    """``python -m directory.i18n compile | update DOMAIN… | fill DOMAIN FILE.json | check``."""
    command = argv[0] if argv else "compile"
    if command == "compile":
        print(f"compiled {compile_catalogs(force='--force' in argv)} catalog(s)")
    elif command == "update":
        for domain in argv[1:]:
            print(update(domain))
    elif command == "fill":
        import json

        with open(argv[2], encoding="utf-8") as fh:
            print(f"filled {fill(argv[1], json.load(fh))} message(s)")
    elif command == "check":
        missing = missing_translations()
        for domain, ids in missing.items():
            for msgid in ids:
                print(f"{domain}: {msgid}")
        conflicts = conflicting_translations()
        for (context, msgid), found in conflicts.items():
            shown = f"{context}|{msgid}" if context else msgid
            print(f"translated differently: {shown!r}: {found}")
        return 1 if missing or conflicts else 0
    else:
        print(main.__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Hypothesis-generated input through every HTML form, with CSRF on, as the user who fills it.

Each page below is read as its user; every ``<form method="post">`` on it is parsed (inputs,
text areas, selects, the CSRF token) and posted again and again with generated values: any
Unicode, control characters, NUL bytes, lone surrogates (sent as their UTF-8 bytes), empty and
blank text, very long text, unknown choices. Never a 5xx. When a form is accepted (a redirect),
what it stored must read back as it was typed (cleaned as the directory cleans text: NFC,
trimmed, spaces collapsed); a value with a NUL byte or a surrogate must have been refused.

The POST routes come from the app's URL map: each is either reached by a form found on these
pages or listed in NOT_FUZZED with the reason, so a new form cannot be forgotten.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from directory.text import clean_long_text, clean_text
from tests.factories import UserFactory
from tests.security.fuzzing import EXAMPLES, PHASES, first_failure, seed_world

pytestmark = pytest.mark.fuzz

# The POST routes not fuzzed here, and why.
NOT_FUZZED = {
    "accounts.logout": "ends the session the other forms need",
    "core.set_language": "a button switching the page language (no stored value)",
    "people.delete_account": "deletes the signed-in member: tested in tests/people",
    "people.download": "a button: the member's data as a file",
    "businesses.delete": "deletes the business the other forms edit: tested in tests/businesses",
    "accounts.claim": "needs an emailed claim token: tested in tests/accounts",
    "accounts.reset": "needs an emailed reset token: tested in tests/accounts",
    "accounts.login_code": "the second step of a sign-in: tested in tests/accounts",
    "accounts.two_factor_setup": "two-factor enrolment (a code from the secret shown): tested in "
    "tests/accounts",
    "accounts.recovery_codes_renew": "asks the password, then shows new recovery codes: tested in "
    "tests/accounts",
    "accounts.totp_disable": "shown only where two-factor is optional and on: tested in "
    "tests/accounts",
    "contacts.ask_business": "a business with an accepted contact person: tested in tests/contacts",
    "admin.user_reset_two_factor": "clears an enrolled user's second factor: tested in tests/admin",
    "associations.businesses": "a business association's business members: tested in "
    "tests/associations",
    "associations.remove_business": "needs a business member: tested in tests/associations",
    "savedsearch.save": "saves the search page's own query string: tested in tests/search",
    "savedsearch.rename": "needs a saved search: tested in tests/search",
    "savedsearch.delete": "needs a saved search: tested in tests/search",
    "imports.index": "a spreadsheet upload: hostile files are tested in tests/imports",
    "imports.commit": "needs an analysed batch: tested in tests/imports",
    "imports.invitations": "needs an analysed batch: tested in tests/imports",
    "imports.preview": "needs an analysed batch: tested in tests/imports",
    "imports.merge": "needs an analysed batch: tested in tests/imports",
    "admin.user_unlock": "shown only for a locked account: tested in tests/accounts",
    "associations.end_member": "needs an accepted membership: tested in tests/associations",
    "businesses.decide": "shown to the linked person only: tested in tests/businesses",
    "businesses.unlink": "needs a linked person: tested in tests/businesses",
    "needs.shortlist_remove": "needs a shortlisted person: tested in tests/needs",
    "needs.withdraw_interest": "shown only after an interest: tested in tests/needs",
    "needs.reopen": "shown only on a closed need: tested in tests/needs",
    "notices.mark_read": "a button on one notice",
    "notices.mark_all_read": "a button",
    "people.invite": "shown only for an unclaimed profile with an email: tested in tests/people",
    "initiatives.bulk": "the triage list's bulk buttons: tested in tests/initiatives",
    "accounts.revoke_token": "a button per token",
}


def pages(world) -> list[tuple[str, str]]:
    """(role, page) pairs: each page holds forms the role may fill."""
    cast, ids, _people = world
    association = ids["/api/v1/associations/"][0]
    business = ids["/api/v1/businesses/"][0]
    need = ids["/api/v1/needs/"][0]
    initiative = ids["/api/v1/initiatives/"][0]
    nomination = ids["/api/v1/nominations/"][0]
    contact = ids["/api/v1/contact-requests/"][0]
    return [
        ("anonymous", "/signup"),
        ("anonymous", "/login"),
        ("anonymous", "/reset"),
        ("owner", f"/people/{cast.owned.id}/edit"),
        ("owner", "/people/me/privacy"),
        ("owner", "/settings"),
        ("owner", "/tokens"),
        ("owner", "/initiatives/new"),
        ("owner", f"/needs/{need}"),
        ("member", "/inbox"),
        ("member", "/people/me"),
        ("member", "/contact-requests"),
        ("member", f"/contact-requests/{contact}"),
        ("embassy", "/associations/new"),
        ("embassy", f"/associations/{association}/edit"),
        ("embassy", f"/associations/{association}/members"),
        ("embassy", f"/associations/{association}"),
        ("embassy", "/businesses/new"),
        ("embassy", f"/businesses/{business}/edit"),
        ("embassy", f"/businesses/{business}"),
        ("embassy", "/people/register"),
        ("embassy", f"/people/{cast.unclaimed.id}/edit"),
        ("embassy", f"/people/{cast.unclaimed.id}"),
        ("officer", "/needs/new"),
        ("officer", f"/needs/{need}"),
        ("officer", f"/needs/{need}/edit"),
        ("approver", f"/needs/{need}"),  # last: it closes the need
        ("officer", f"/initiatives/{initiative}"),
        ("officer", f"/people/{cast.nominee_person.id}/nominate"),
        ("officer", f"/people/{cast.nominee_person.id}/contact-request"),
        ("officer", f"/nominations/{nomination}"),
        ("admin", "/admin/missions/new"),
        ("admin", f"/admin/missions/{cast.paris.id}"),
        ("admin", "/admin/users/new"),
        ("admin", f"/admin/users/{cast.member.id}"),
        ("nobody", "/people/me/new"),
    ]


# --- reading forms out of a page -------------------------------------------------------------


@dataclass
class Input:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, file, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    inputs: dict[str, Input] = field(default_factory=dict)

    def add(self, item: Input) -> None:
        known = self.inputs.get(item.name)
        if known is None:
            self.inputs[item.name] = item
        elif item.kind in ("checkbox", "radio"):
            known.options.extend(item.options)
            known.multiple = known.multiple or item.kind == "checkbox"


class FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Input | None = None
        self._textarea: Input | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action") or self.page)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("checkbox", "radio"):
                item = Input(name, kind, options=[a.get("value", "on")])
                item.value = a.get("value", "on") if "checked" in a else ""
                item.multiple = kind == "checkbox"
            else:
                item = Input(name, kind, a.get("value", ""))
            self._form.add(item)
        elif tag == "textarea":
            self._textarea = Input(name, "textarea")
            self._form.add(self._textarea)
        elif tag == "select":
            self._select = Input(name, "select", multiple="multiple" in a)
            self._form.add(self._select)

    def _option(self, a):
        value = a.get("value", "")
        self._select.options.append(value)
        if "selected" in a:
            self._select.value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops the line break right after <textarea>.
            value = self._textarea.value
            self._textarea.value = value[2:] if value.startswith("\r\n") else value
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None


def read_forms(client, page: str) -> list[Form]:
    response = client.get(page, headers={"Accept-Language": "en"})
    assert response.status_code == 200, (page, response.status_code)
    parser = FormParser(page)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


# --- generated values ---------------------------------------------------------------------------

SPECIAL = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "\ud800",
    "x \udfff y",
    "\u202egnp.exe",
    "\ufeffBOM",
    "Nguyễn\u0301",
    "<script>alert(1)</script>",
    "'; DROP TABLE people; --",
    "%s%n{0}{{7*7}}",
    "../../etc/passwd",
    "１２３",
    "-1",
    "99999999999999999999",
    "1e309",
    "2026-02-30",
]
LONG_SIZES = [121, 201, 256, 1001, 2001, 5001, 20_001, 100_001]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(
        alphabet=st.characters(codec=None, categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Cs"]),
        max_size=12,
    ),
    st.sampled_from(SPECIAL),
    st.tuples(st.sampled_from(LONG_SIZES), st.sampled_from(["a", "Ạ", "😀", "a b "])).map(
        lambda pair: (pair[1] * pair[0])[: pair[0]]
    ),
)
TEXT_KINDS = {"text", "textarea", "email", "url", "tel", "search", "number", "date", "password"}


def values_for(item: Input, draw) -> list[str]:
    """The values posted for one input (a list: checkboxes and multi-selects repeat)."""
    if item.kind == "hidden" and item.name == "csrf_token":
        return [item.value]
    if item.kind in ("checkbox", "radio") or (item.kind == "select" and item.multiple):
        options = sorted(set(item.options))
        chosen = (
            draw(st.lists(st.sampled_from(options), max_size=4, unique=True)) if options else []
        )
        if item.kind == "radio" or (item.kind == "checkbox" and not item.multiple):
            chosen = chosen[:1]
        if draw(st.integers(0, 9)) == 0:
            chosen.append(draw(HOSTILE_TEXT))
        return chosen
    if item.kind == "select":
        pick = st.sampled_from(item.options) if item.options else HOSTILE_TEXT
        return [draw(st.one_of(pick, pick, pick, HOSTILE_TEXT))]
    return [draw(st.one_of(st.just(item.value), HOSTILE_TEXT, HOSTILE_TEXT))]


def encode(pairs: list[tuple[str, str]]) -> bytes:
    """A form body; a lone surrogate goes as the bytes a careless client would send."""
    return "&".join(
        f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" for k, v in pairs
    ).encode("ascii")


def as_received(value: str) -> str:
    """What the app reads: Werkzeug decodes the bytes of a lone surrogate as U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


# --- the test ---------------------------------------------------------------------------------


def fuzz_form(client, page: str, form: Form, failures: list[str]):
    adapter = client.application.url_map.bind("localhost")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=PHASES,
    )
    @given(data=st.data())
    def run(data):
        sent: dict[str, list[str]] = {
            name: values_for(item, data.draw) for name, item in form.inputs.items()
        }
        pairs = [(name, value) for name, values in sent.items() for value in values]
        response = client.post(
            form.action,
            data=encode(pairs),
            content_type="application/x-www-form-urlencoded",
            headers={"Accept-Language": "en"},
        )
        where = f"{form.action} (from {page}) with {pairs!r:.600}"
        assert response.status_code < 500, f"{response.status_code} on {where}"
        if response.status_code not in (302, 303):
            return
        # Accepted: nothing unstorable, and an edit page shows back what was typed.
        for name, values in sent.items():
            item = form.inputs[name]
            if item.kind in TEXT_KINDS and values and values[0] != item.value:
                assert "\x00" not in values[0], f"accepted {name}={values[0]!r} on {where}"
        endpoint = adapter.match(urlsplit(form.action).path, "POST")[0]
        if endpoint not in READ_BACK or urlsplit(form.action).path != urlsplit(page).path:
            return
        again = {f.action: f for f in read_forms(client, page)}.get(form.action)
        assert again is not None, f"the form is gone after {where}"
        for name, values in sent.items():
            item = form.inputs[name]
            if item.kind not in ("text", "textarea") or not values or name not in again.inputs:
                continue
            if name in READ_BACK[endpoint]:
                continue
            shown = again.inputs[name].value
            typed = as_received(values[0])
            if shown not in (clean_text(typed), clean_long_text(typed), typed):
                raise AssertionError(f"{name}: typed {typed!r:.200}, reads back {shown!r:.200}")

    failure = first_failure(run)
    if failure:
        failures.append(failure)


# The edit forms whose accepted values are read back from the form shown again, each with the
# inputs whose stored value is meant to differ from what was typed (a list, a number, a code).
READ_BACK = {
    "people.privacy": (),
    "people.edit": ("other_names", "skills", "languages", "phone", "website", "email"),
    "associations.edit": ("website", "email", "phone"),
    "businesses.edit": ("other_names", "cities", "website", "email", "phone"),
    "needs.edit": ("deadline",),
    "admin.mission_edit": ("email", "phone"),
    "admin.user_edit": ("email",),
    "accounts.settings": ("email",),
}


def endpoint_of(app, action: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(action).path, "POST")[0]
    except (NotFound, MethodNotAllowed):
        return None


def test_every_form_survives_hostile_input(app, client, login):
    world = seed_world(client)
    cast = world[0]
    app.config["WTF_CSRF_ENABLED"] = True
    post_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    }
    reached: set[str] = set()
    failures: list[str] = []
    timings = []
    nobody = None
    for role, page in pages(world):
        if role == "nobody":  # a member without a profile yet
            nobody = nobody or UserFactory(role="member")
            login(nobody)
        elif role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
        else:
            login(cast[role])
        for form in read_forms(client, page):
            endpoint = endpoint_of(app, form.action)
            if endpoint is None or endpoint in NOT_FUZZED:
                continue
            reached.add(endpoint)
            started = time.monotonic()
            fuzz_form(client, page, form, failures)
            timings.append((time.monotonic() - started, endpoint))
            if role != "anonymous":
                login(cast[role] if role != "nobody" else nobody)
    for seconds, endpoint in sorted(timings, reverse=True)[:10]:
        print(f"{seconds:6.2f}s {endpoint}")
    assert not failures, "\n\n".join(failures)
    missed = sorted(post_routes - reached - set(NOT_FUZZED))
    assert missed == [], f"POST routes neither fuzzed nor listed in NOT_FUZZED: {missed}"
    assert not set(NOT_FUZZED) - post_routes, "NOT_FUZZED names a route that is gone"


def test_the_form_reader_sees_inputs_selects_and_text_areas():
    parser = FormParser("/here")
    parser.feed(
        '<form method="post"><input type="hidden" name="csrf_token" value="t">'
        '<input name="a" value="x &amp; y"><textarea name="b">\nline</textarea>'
        '<select name="c"><option value="1">1</option><option value="2" selected>2</option>'
        '</select><input type="checkbox" name="d" value="p" checked>'
        '<input type="checkbox" name="d" value="q"><button>Go</button></form>'
        '<form method="get"><input name="q"></form>'
    )
    (form,) = parser.forms
    assert form.action == "/here"
    assert form.inputs["a"].value == "x & y"
    assert form.inputs["b"].value == "line"
    assert (form.inputs["c"].options, form.inputs["c"].value) == (["1", "2"], "2")
    assert form.inputs["d"].options == ["p", "q"] and form.inputs["d"].multiple
    assert encode([("a", "\ud800\x00")]) == b"a=%ED%A0%80%00"
    assert as_received("a\ud800") == "a\ufffd\ufffd\ufffd"

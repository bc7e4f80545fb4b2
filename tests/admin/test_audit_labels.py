"""Every audit action code has a label in both languages.

The codes are collected from the ``audit.record(...)`` calls in ``directory/``: a literal code
(or either side of a conditional) is taken as it is; a code built at run time (an f-string or a
variable) must be listed in ``BUILT_CODES`` with the codes it can take, so that a new call site
fails here until its codes are labelled.
"""

from __future__ import annotations

import ast
import pathlib

from flask_babel import force_locale

from directory.admin.audit_labels import ACTION_LABELS, DETAIL_LABELS, OBJECT_TYPE_LABELS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _built_codes() -> dict[tuple[str, str], set[str]]:
    """(file, function) of each call building its code -> the codes it can build."""
    from directory.contacts.services import ACTIONS as CONTACT_ACTIONS
    from directory.initiatives.services import ACTIONS as INITIATIVE_ACTIONS
    from directory.initiatives.services import TRANSITIONS as INITIATIVE_TRANSITIONS
    from directory.representatives.states import TRANSITIONS as NOMINATION_TRANSITIONS

    return {
        ("directory/accounts/services.py", "update_user"): {"user.update", "user.deactivate"},
        ("directory/needs/services.py", "update_need"): {
            "need.update",
            "need.close",
            "need.reopen",
        },
        ("directory/contacts/services.py", "take_action"): {
            f"contact_request.{a}" for a in CONTACT_ACTIONS
        },
        ("directory/initiatives/services.py", "_record"): {
            f"initiative.{a}" for a in {"submit", *INITIATIVE_ACTIONS, *INITIATIVE_TRANSITIONS}
        },
        ("directory/representatives/events.py", "record"): {
            f"nomination.{a}" for a in {"create", *NOMINATION_TRANSITIONS}
        },
    }


def _constants(node) -> set[str] | None:
    """The codes an expression can be, when it is made of literals (None otherwise)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        return body | orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.JoinedStr):
        codes = {""}
        for part in node.values:
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            options = _constants(inner)
            if options is None:
                return None
            codes = {c + o for c in codes for o in options}
        return codes
    return None


def _calls():
    """(file, enclosing function, first argument) of every ``audit.record`` call."""
    for path in sorted((ROOT / "directory").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"
                ):
                    yield str(path.relative_to(ROOT)), func.name, node.args[0]


def recorded_codes() -> set[str]:
    built = _built_codes()
    codes, unknown = set(), []
    for path, function, arg in _calls():
        literal = _constants(arg)
        if literal is not None:
            codes |= literal
        elif (path, function) in built:
            codes |= built[(path, function)]
        else:
            unknown.append(f"{path} {function}(): {ast.unparse(arg)}")
    assert not unknown, "codes built at run time, list them in BUILT_CODES:\n" + "\n".join(unknown)
    return codes


def test_the_collector_finds_the_calls():
    codes = recorded_codes()
    assert {"person.verify", "nomination.approve", "initiative.note", "need.close"} <= codes
    assert {"association.member_accept", "association.member_decline"} <= codes
    assert len(codes) > 60


def test_every_recorded_action_code_has_a_label():
    missing = sorted(recorded_codes() - set(ACTION_LABELS))
    assert not missing, f"audit action codes without a label in audit_labels.py: {missing}"


def test_every_label_is_translated_into_vietnamese(app):
    labels = [*ACTION_LABELS.values(), *OBJECT_TYPE_LABELS.values(), *DETAIL_LABELS.values()]
    with app.test_request_context(), force_locale("vi"):
        untranslated = [label._args[0] for label in labels if str(label) == label._args[0]]
    assert not untranslated, f"labels without a Vietnamese translation: {untranslated}"

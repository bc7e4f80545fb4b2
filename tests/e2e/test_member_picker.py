"""The association member picker in a real browser: the Paris embassy officer types part of a
name without diacritics, picks the person from the list with the keyboard and adds them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS
from search_index.normalize import fold

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}


def _association_and_person(app, offset: int):
    """An association in France and a person (of a name nobody else has) not yet in it."""
    from directory.associations.models import Association, Membership
    from directory.extensions import db
    from directory.people.models import Person

    with app.app_context():
        association = db.session.scalar(
            sa.select(Association).where(Association.country == "FR").order_by(Association.id)
        )
        members = sa.select(Membership.person_id).where(Membership.association_id == association.id)
        everyone = db.session.scalars(sa.select(Person)).all()
        people = db.session.scalars(
            sa.select(Person)
            .where(
                Person.anonymised_at.is_(None),
                Person.id.not_in(members),
            )
            .order_by(Person.id)
        ).all()
        names = [p.full_name for p in everyone]
        people = [p for p in people if names.count(p.full_name) == 1]
        person = people[offset]
        out = association.id, person.id, person.full_name
        db.session.remove()
    return out


@pytest.mark.parametrize("width, offset", [(1280, 0), (390, 1)])
def test_the_officer_finds_a_person_by_name_and_adds_them(
    live_server, new_page, sign_in, width, offset
):
    association_id, person_id, name = _association_and_person(live_server.app, offset)
    page = new_page(viewport={"width": width, "height": 900})
    account = ACCOUNTS["paris"]
    sign_in(page, account.email, account.password)
    page.goto(f"{live_server.url}/associations/{association_id}/members")

    box = page.get_by_role("combobox", name="Tìm người theo tên")
    box.fill(fold(name))  # without diacritics: "nguyen van an"
    options = page.locator("#person-q-listbox [role=option]")
    options.first.wait_for()
    assert options.filter(has_text=name).count() == 1
    assert box.get_attribute("aria-expanded") == "true"
    index = [o.inner_text().startswith(name) for o in options.all()].index(True)
    for _ in range(index + 1):
        box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == f"person-option-{index}"
    box.press("Enter")
    assert page.locator("[data-picker-chosen]").inner_text().startswith(f"Đã chọn: {name}")
    assert page.locator("[data-picker-form] input[name=person]").input_value() == person_id
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    form = page.locator("[data-picker-form]")
    form.locator("select[name=role]").select_option("treasurer")
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, page.content()

    from directory.associations.models import Membership
    from directory.extensions import db

    with live_server.app.app_context():
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.association_id == association_id, Membership.person_id == person_id
            )
        )
        assert membership is not None and membership.role == "treasurer"
        db.session.remove()

"""factory_boy factories for the core models (domains add their own beside their tests)."""

from __future__ import annotations

from types import SimpleNamespace

import factory
from factory.alchemy import SQLAlchemyModelFactory

from directory.accounts.models import User
from directory.associations.models import Association, Membership
from directory.core.models import utcnow
from directory.extensions import db
from directory.missions.models import Mission, MissionCountry
from directory.people.models import Person
from search_index.normalize import name_key


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class MissionFactory(BaseFactory):
    class Meta:
        model = Mission

    code = factory.Sequence(lambda n: f"M{n:03d}")
    name = factory.Sequence(lambda n: f"Đại sứ quán số {n}")
    kind = "embassy"

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        for code in extracted or ["FR"]:
            obj.country_links.append(MissionCountry(country=code))
        if create:
            db.session.commit()


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    role = "member"
    email_verified_at = factory.LazyFunction(utcnow)
    locale = "vi"
    password_hash = None

    class Params:
        embassy = factory.Trait(role="embassy", mission=factory.SubFactory(MissionFactory))
        province_officer = factory.Trait(role="province", province_slug="da-nang")
        approver = factory.Trait(role="province", province_slug="da-nang", is_approver=True)
        admin = factory.Trait(role="admin")


class PersonFactory(BaseFactory):
    class Meta:
        model = Person

    full_name = factory.Iterator(
        ["Nguyễn Văn Dũng", "Trần Thị Hương", "Lê Minh Đức", "Phạm Thu Hà", "Đặng Quốc Bảo"]
    )
    kinds = factory.LazyFunction(lambda: ["expert"])
    fields = factory.LazyFunction(lambda: ["semiconductors"])
    languages = factory.LazyFunction(lambda: ["vi", "fr"])
    country = "FR"
    city = "Paris"
    hometown_province = "da-nang"
    hometown_as_given = "Đà Nẵng"
    organization = "CNRS"
    title = "Kỹ sư"
    email = factory.Sequence(lambda n: f"person{n}@example.net")
    phone = "+33612345678"
    bio = "Chuyên gia về thiết kế vi mạch."
    consent_listed = True
    consent_contact = True
    visibility_profile = "public"
    visibility_contact = "private"
    provenance = "self"
    name_key = factory.LazyAttribute(lambda o: name_key(o.full_name))


class AssociationFactory(BaseFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Hội đồng hương Đà Nẵng số {n}")
    kind = "hometown"
    province_slug = "da-nang"
    country = "FR"
    city = "Paris"


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    association = factory.SubFactory(AssociationFactory)
    person = factory.SubFactory(PersonFactory)
    role = "member"
    status = "accepted"  # established data; proposals are made through the service


# --- the cast of the role × action tests ---------------------------------------------------------

CAST_ROLES = (
    "anonymous",
    "owner",
    "member",
    "nominee",
    "embassy",
    "other_embassy",
    "officer",
    "other_officer",
    "approver",
    "other_approver",
    "admin",
)


class Cast(SimpleNamespace):
    """One user of each role and the records they act on.

    Everything is an attribute (``cast.embassy``, ``cast.owned``, ``cast.paris``); the users are
    also reached by role name (``cast["officer"]``, ``cast.items()``, ``cast.users``), the
    anonymous visitor being None.
    """

    def __getitem__(self, role: str):
        return self.users[role]

    def items(self):
        return self.users.items()


def make_cast() -> Cast:
    """The missions of Paris (France, Monaco) and Berlin (Germany), and:

    - ``owner``: a member whose profile (``owned``) lives in France, self-registered, contact
      details private;
    - ``member``: another member, whose profile (``member_person``) lives in France;
    - ``nominee``: a member whose profile (``nominee_person``, Nguyễn Văn Dũng) was registered and
      verified by the Paris embassy, the candidate of the representative workflow;
    - ``unclaimed``: registered by the Paris embassy, not listed, no account;
    - ``in_germany``: an unclaimed profile in Germany, registered by no mission;
    - ``embassy`` / ``other_embassy``: officers of Paris / Berlin;
    - ``officer`` / ``approver``: the Đà Nẵng province officer and approver; ``other_officer`` /
      ``other_approver``: their Hà Nội counterparts;
    - ``admin``; ``anonymous`` is None.
    """
    paris = MissionFactory(
        code="FR-PARIS", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR", "MC"]
    )
    berlin = MissionFactory(code="DE-BERLIN", name="Đại sứ quán Việt Nam tại Đức", countries=["DE"])
    owned = PersonFactory(full_name="Hoàng Minh Tuấn", phone="+33612345678")
    member_person = PersonFactory(full_name="Trần Thị Hương", country="FR")
    nominee_person = PersonFactory(
        full_name="Nguyễn Văn Dũng",
        verified_at=utcnow(),
        verified_by_mission_id=paris.id,
        provenance="mission",
        provenance_mission_id=paris.id,
    )
    unclaimed = PersonFactory(
        full_name="Lê Minh Đức",
        consent_listed=False,
        provenance="mission",
        provenance_mission_id=paris.id,
        phone="+33687654321",
    )
    in_germany = PersonFactory(
        full_name="Phạm Thu Hà", country="DE", city="Berlin", phone="+4915123456789"
    )
    users = {
        "anonymous": None,
        "owner": UserFactory(role="member", person_id=owned.id),
        "member": UserFactory(role="member", person_id=member_person.id),
        "nominee": UserFactory(person_id=nominee_person.id, email="dung@example.fr"),
        "embassy": UserFactory(embassy=True, mission=paris, email="officer@paris.example"),
        "other_embassy": UserFactory(embassy=True, mission=berlin),
        "officer": UserFactory(province_officer=True, email="officer@danang.gov.vn"),
        "other_officer": UserFactory(role="province", province_slug="ha-noi"),
        "approver": UserFactory(approver=True, email="approver@danang.gov.vn", locale="en"),
        "other_approver": UserFactory(role="province", province_slug="ha-noi", is_approver=True),
        "admin": UserFactory(admin=True),
    }
    assert tuple(users) == CAST_ROLES
    return Cast(
        paris=paris,
        berlin=berlin,
        owned=owned,
        member_person=member_person,
        nominee_person=nominee_person,
        unclaimed=unclaimed,
        in_germany=in_germany,
        people=[owned, member_person, nominee_person, unclaimed, in_germany],
        users=users,
        **users,
    )

"""factory_boy factories for the core models (domains add their own beside their tests)."""

from __future__ import annotations

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

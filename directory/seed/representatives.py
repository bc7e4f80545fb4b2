"""Demo representative nominations, through the nomination workflow's services.

Đà Nẵng has two representatives in Germany (one whose term ends within 90 days), an appointment
there waiting for its approver, a draft for a French city and a nomination the Paris embassy is
reviewing. Every step is taken by the account whose step it is (the Đà Nẵng officer and
approver, the Berlin and Paris embassy officers, the nominee) on its day.

No nomination touches the seat "Đà Nẵng in France" (the whole country): the browser journey of
the representatives appoints Lê Thị Thu Hà there itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from directory import policy
from directory.core.models import as_of
from directory.people.models import Person
from directory.people.services import verify_person
from directory.reference.provinces import vietnam_today
from directory.representatives import nominating, workflow
from directory.representatives.models import Nomination
from directory.seed.history import Actors, people, pick


@dataclass(frozen=True)
class DemoNomination:
    country: str
    whole_country: bool  # the seat is the country; else the nominee's city
    member: bool  # the nominee must have an account (to accept)
    days_ago: int  # drafted
    last_step: str  # draft, submit, accept (awaiting approval) or approve (active)
    term_end_in: int | None = None  # days from the seed's day (approve)
    rationale: str = ""


NOMINATIONS = (
    DemoNomination(
        "DE",
        True,
        True,
        420,
        "approve",
        term_end_in=45,
        rationale="Gắn bó lâu năm với cộng đồng người Việt tại Đức, kết nối doanh nghiệp Đức với "
        "Khu công nghệ cao Đà Nẵng.",
    ),
    DemoNomination(
        "DE",
        False,
        True,
        200,
        "approve",
        rationale="Đầu mối của Đà Nẵng với các trường đại học trong vùng, giới thiệu sinh viên "
        "sang thực tập.",
    ),
    DemoNomination(
        "DE",
        False,
        True,
        14,
        "accept",
        rationale="Chuyên gia được hội đồng hương giới thiệu, sẵn sàng hỗ trợ các đoàn công tác "
        "của thành phố.",
    ),
    DemoNomination(
        "FR",
        False,
        False,
        9,
        "submit",
        rationale="Người kết nối các doanh nghiệp kiều bào trong vùng với Đà Nẵng.",
    ),
    DemoNomination(
        "FR",
        False,
        False,
        4,
        "draft",
        rationale="Đề xuất của hội đồng hương; cần bổ sung thông tin trước khi gửi.",
    ),
)
ENDORSEMENT = "Hồ sơ đã được Đại sứ quán xác minh; uy tín tốt trong cộng đồng."


def _candidates(cast: Actors, spec: DemoNomination, seats: set[tuple], taken: set[str]):
    """The nominee for ``spec``: a profile the officer sees, living in the country, who agreed
    to be contacted (and listed, for the register), on a seat not used yet."""

    def fits(person: Person) -> bool:
        region = "" if spec.whole_country else (person.city or "")
        return (
            person.consent_contact
            and person.consent_listed
            and (spec.whole_country or region)
            and (spec.country, region) not in seats
            # On the register for a while (the nomination comes after the profile).
            and person.created_at <= cast.ago(30)
            and policy.can(cast.officer, "person.view", person)
        )

    found = people([Person.country == spec.country], member=spec.member, keep=fits)
    person = pick(found, taken)
    if person is not None:
        seats.add((spec.country, "" if spec.whole_country else person.city))
    return person


def _mission_officer(cast: Actors, country: str):
    return cast.paris if country in ("FR", "MC") else cast.berlin if country == "DE" else None


def seed_representatives(cast: Actors) -> list[Nomination]:
    """Draft, submit, endorse, accept and approve the demo nominations; returns them."""
    seats: set[tuple] = set()
    taken = {cast.member.person_id, cast.expert.person_id}
    made = []
    for spec in NOMINATIONS:
        embassy = _mission_officer(cast, spec.country)
        if embassy is None:
            continue
        person = _candidates(cast, spec, seats, taken)
        if person is None:
            continue
        made.append(_replay(cast, spec, person, embassy))
    return made


def _replay(cast: Actors, spec: DemoNomination, person: Person, embassy) -> Nomination:
    day = max(cast.ago(spec.days_ago, hours=4), person.created_at + timedelta(days=1))
    data = {"person_id": person.id, "country": spec.country, "rationale": spec.rationale}
    if not spec.whole_country:
        data["region"] = person.city
    with as_of(day):
        nomination = nominating.create_nomination(data, cast.officer)
    steps = ("submit", "endorse", "accept", "approve")
    if spec.last_step == "draft":
        return nomination
    for n, step in enumerate(steps[: steps.index(spec.last_step) + 1]):
        day += timedelta(days=1 + 2 * n, hours=1)
        with as_of(day):
            if step == "submit":
                workflow.submit(nomination, cast.officer)
            elif step == "endorse":
                if person.verified_at is None:
                    verify_person(person, embassy)
                workflow.endorse(nomination, embassy, ENDORSEMENT)
            elif step == "accept":
                workflow.accept(nomination, person.user)
            else:
                end: date | None = None
                if spec.term_end_in is not None:
                    end = vietnam_today() + timedelta(days=spec.term_end_in)
                workflow.approve(nomination, cast.approver, term_end=end)
    return nomination

"""Missions: embassies and consulates, with the countries they cover."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, new_id
from directory.extensions import db


class Mission(TimestampMixin, db.Model):
    __tablename__ = "missions"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="embassy")  # embassy | consulate
    city: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    country_links: Mapped[list[MissionCountry]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", order_by="MissionCountry.country"
    )

    @property
    def countries(self) -> list[str]:
        return [link.country for link in self.country_links]

    @property
    def main_country(self) -> str | None:
        """The country the mission is in, which forms offer first: the covered country whose
        ISO code starts the mission's code ("FR-PARIS" -> FR, not Monaco), else the only
        country it covers; None when neither says (the officer then chooses)."""
        countries = self.countries
        prefix = (self.code or "").split("-", 1)[0].upper()
        if prefix in countries:
            return prefix
        return countries[0] if len(countries) == 1 else None

    def covers(self, country: str | None) -> bool:
        return bool(country) and country in self.countries

    def __repr__(self) -> str:
        return f"<Mission {self.code}>"


class MissionCountry(db.Model):
    __tablename__ = "mission_countries"

    mission_id: Mapped[str] = mapped_column(
        sa.ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(sa.String(2), primary_key=True, index=True)
    mission: Mapped[Mission] = relationship(back_populates="country_links")

    def __repr__(self) -> str:
        return f"<MissionCountry {self.mission_id} {self.country}>"

"""Reference tables: provinces and their dated names, the field taxonomy (loaded from the
package's data files)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.extensions import db
from directory.reference.provinces import DatedNameMixin


class Province(db.Model):
    """A current provincial unit. Its names are dated (:class:`ProvinceName`): the name and
    kind it has today are derived from them, never stored twice."""

    __tablename__ = "provinces"

    slug: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    # The units of the 63-unit list (until 1 July 2025) it covers, and their ISO 3166-2 codes.
    legacy_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    legacy_iso_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    names: Mapped[list[ProvinceName]] = relationship(
        back_populates="province",
        cascade="all, delete-orphan",
    )

    def history(self) -> list[ProvinceName]:
        """Its names, oldest first."""
        return sorted(self.names, key=lambda n: n.valid_from or date.min)

    def name_on(self, day: date | None = None) -> ProvinceName | None:
        """The name valid on ``day`` (default: today in Vietnam), else the first one."""
        from directory.reference.provinces import vietnam_today

        day = day or vietnam_today()
        history = self.history()
        return next((n for n in history if n.valid_on(day)), history[0] if history else None)

    @property
    def name_vi(self) -> str:
        current = self.name_on()
        return current.name_vi if current else self.slug

    @property
    def name_en(self) -> str:
        current = self.name_on()
        return current.name_en if current else self.slug

    @property
    def kind(self) -> str | None:
        current = self.name_on()
        return current.kind if current else None

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" else self.name_vi

    def to_dict(self) -> dict:
        current, history = self.name_on(), self.history()
        earlier = history[: history.index(current)] if current else []
        former = [n.name_vi for n in earlier if n.name_vi != current.name_vi]
        return {
            "slug": self.slug,
            "name_vi": current.name_vi if current else self.slug,
            "name_en": current.name_en if current else self.slug,
            "kind": current.kind if current else None,
            # Every earlier wording: the legacy units it covers, then its own former names.
            "legacy_names": list(dict.fromkeys([*(self.legacy_names or []), *former])),
            "names": [n.to_dict() for n in history],
        }

    def __repr__(self) -> str:
        return f"<Province {self.slug}>"


class ProvinceName(DatedNameMixin, db.Model):
    """One name of a unit and the dates it applied: ``valid_from`` included, ``valid_to``
    excluded, NULL meaning open. Loaded from ``reference/data/province_names.csv``."""

    __tablename__ = "province_names"
    __table_args__ = (sa.UniqueConstraint("province_slug", "valid_from"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    province_slug: Mapped[str] = mapped_column(
        sa.ForeignKey("provinces.slug", ondelete="CASCADE"), index=True
    )
    name_vi: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))  # province | city (centrally-run)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    basis: Mapped[str | None] = mapped_column(sa.String(120))  # the legal act, when known
    province: Mapped[Province] = relationship(back_populates="names")

    def __repr__(self) -> str:
        return f"<ProvinceName {self.province_slug} {self.name_vi} from {self.valid_from}>"


class Field(db.Model):
    """One entry of the bilingual field taxonomy."""

    __tablename__ = "fields"

    code: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    group: Mapped[str] = mapped_column(sa.String(20))  # research | sector | theme
    label_vi: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120))
    synonyms: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    def label(self, locale: str = "vi") -> str:
        return self.label_en if locale == "en" else self.label_vi

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "label_vi": self.label_vi,
            "label_en": self.label_en,
            "synonyms": list(self.synonyms or []),
        }

    def __repr__(self) -> str:
        return f"<Field {self.code}>"

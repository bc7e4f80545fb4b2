"""Reference tables: provinces and the field taxonomy (loaded from the package's data files)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db


class Province(db.Model):
    __tablename__ = "provinces"

    slug: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    legacy_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    legacy_iso_codes: Mapped[list] = mapped_column(sa.JSON, default=list)

    def name(self, locale: str = "vi") -> str:
        return self.name_en if locale == "en" else self.name_vi

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "legacy_names": list(self.legacy_names or []),
        }

    def __repr__(self) -> str:
        return f"<Province {self.slug}>"


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

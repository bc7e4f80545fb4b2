"""The file's consent column and the officer's attestation for a batch."""

from __future__ import annotations

from collections.abc import Iterable

from directory.imports.analysis import AnalysedRow
from directory.imports.models import ImportBatch
from directory.people.consent import normalize_consent_evidence

# --- consent ------------------------------------------------------------------------------
#
# The file's consent column is recorded only when the officer attests, for the whole batch,
# how and when the people gave consent (source and date); otherwise it is ignored and every
# person is registered as not consenting, with a warning. The attestation is kept in the
# batch's details until the commit, which writes it into each consent record.


def consent_yes_rows(rows: Iterable[AnalysedRow]) -> int:
    """Rows without errors whose consent column says yes."""
    return sum(1 for r in rows if not r.has_errors and r.values.get("consent_listed"))


def has_consent_column(batch: ImportBatch) -> bool:
    return "consent_listed" in ((batch.details or {}).get("columns") or [])


def attest_consent(batch: ImportBatch, raw: dict | None, by) -> dict | None:
    """Keep the officer's attestation for the batch (None clears it); ValidationError if bad.

    ``raw`` is ``{"source", "date", "reference"}``; returns the normalised evidence.
    """
    evidence = normalize_consent_evidence(raw) if raw is not None else None
    details = dict(batch.details or {})
    if evidence is None:
        details.pop("consent_evidence", None)
    else:
        details["consent_evidence"] = {
            "source": evidence["source"],
            "date": evidence["date"].isoformat(),
            "reference": evidence.get("reference"),
            "by": getattr(by, "id", None),
        }
    batch.details = details
    return evidence


def batch_evidence(batch: ImportBatch) -> dict | None:
    """The attestation kept for the batch, as the people service's evidence, or None."""
    from datetime import date

    kept = (batch.details or {}).get("consent_evidence")
    if not kept:
        return None
    return {
        "source": kept["source"],
        "date": date.fromisoformat(kept["date"]),
        "reference": kept.get("reference"),
    }


def consent_audit(evidence: dict | None, listed: int, ignored: int) -> dict:
    """What the commit's audit event says about the file's consent column."""
    if evidence is not None:
        return {
            "consent": {
                "source": evidence["source"],
                "date": evidence["date"].isoformat(),
                "reference": evidence.get("reference"),
                "listed": listed,
            }
        }
    return {"consent_ignored": ignored} if ignored else {}

"""Only the people domain writes Person rows and their consent records."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "directory"
WRITES = re.compile(r"(?<![\w.])(Person|ConsentRecord)\(|bulk_insert\(\s*(Person|ConsentRecord)\b")


def test_only_the_people_domain_constructs_or_bulk_inserts_people_and_consents():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "people"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if WRITES.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert offenders == []

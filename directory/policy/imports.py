"""Who may import spreadsheets, see and act on a batch, and export contact lists."""

from __future__ import annotations

from directory.policy.core import is_admin, is_official, mission_covers, role, rule


def _officer_of(user, mission_id: str | None) -> bool:
    return role(user) == "embassy" and mission_id is not None and user.mission_id == mission_id


@rule("import.use")
def _import_use(user, _obj) -> bool:
    """The import pages: embassy officers with a mission, and the admin."""
    return is_admin(user) or (role(user) == "embassy" and user.mission_id is not None)


@rule("import.all_missions")
def _import_all_missions(user, _obj) -> bool:
    """Every mission's imports and lists (the admin chooses the mission on the upload form)."""
    return is_admin(user)


@rule("import.create")
def _import_create(user, mission) -> bool:
    """Import into ``mission``: its own officers, or the admin (who chooses a mission)."""
    if mission is None:
        return False
    return is_admin(user) or _officer_of(user, mission.id)


def _batch_access(user, batch) -> bool:
    return batch is not None and (is_admin(user) or _officer_of(user, batch.mission_id))


@rule("import.view")
def _import_view(user, batch) -> bool:
    """A batch is visible only to its mission's officers (and the admin)."""
    return _batch_access(user, batch)


# Deciding rows, merging and committing, then inviting: the batch's mission and the admin.
# Whether the batch's state allows the step is the import workflow's business
# (``ImportBatch.can_commit``, ``ImportBatch.is_done``).


@rule("import.commit")
def _import_commit(user, batch) -> bool:
    return _batch_access(user, batch)


@rule("import.invite")
def _import_invite(user, batch) -> bool:
    return _batch_access(user, batch)


@rule("import.exports")
def _exports(user, _obj) -> bool:
    """The page of the lists one may export: officials (each list still asks its own rule)."""
    return is_official(user)


@rule("import.export_mission")
def _export_mission(user, mission) -> bool:
    """A mission's contact list: its officers and the admin."""
    return mission is not None and (is_admin(user) or _officer_of(user, mission.id))


@rule("import.export_association")
def _export_association(user, association) -> bool:
    """An association's member list: officials responsible for it (mission, province) or admin."""
    if association is None:
        return False
    if is_admin(user) or mission_covers(user, association.country):
        return True
    return (
        role(user) == "province"
        and association.province_slug is not None
        and user.province_slug == association.province_slug
    )


@rule("import.export_search")
def _export_search(user, _obj) -> bool:
    """Search results: any official (each row still limited to what they may see)."""
    return is_official(user)

"""What the audit log shows for its codes: each action's label, each record type's, each
detail's, in the reader's language.

Every action code written by ``audit.record`` has a label here (``tests/admin/test_audit_labels.py``
collects the codes from the calls and fails on one without a label). An unknown code (an old
event whose action was renamed) is shown as its code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    # accounts
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.password_reset": _l("Password reset by email"),
    "user.password_change": _l("Password changed"),
    "user.totp_enable": _l("Two-factor sign-in turned on"),
    "user.totp_disable": _l("Two-factor sign-in turned off"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "account.delete": _l("Account deleted"),
    # people
    "person.register": _l("Profile registered by an official"),
    "person.create": _l("Own profile created"),
    "person.update": _l("Profile changed"),
    "person.verify": _l("Profile verified"),
    "person.consent": _l("Consent recorded"),
    "person.visibility": _l("Visibility changed"),
    "person.contact_view": _l("Contact details viewed"),
    "person.invite": _l("Claim invitation sent"),
    "person.claim": _l("Profile claimed by its member"),
    "person.export": _l("Personal data downloaded"),
    "person.delete": _l("Profile deleted"),
    "person.merge": _l("Imported row merged into a profile"),
    # associations
    "association.create": _l("Association registered"),
    "association.update": _l("Association changed"),
    "association.verify": _l("Association verified"),
    "association.member_add": _l("Member added to an association"),
    "association.member_propose": _l("Membership proposed"),
    "association.member_accept": _l("Membership accepted"),
    "association.member_decline": _l("Membership declined"),
    "association.member_end": _l("Membership ended"),
    # contact requests
    "contact_request.create": _l("Contact request sent"),
    "contact_request.accept": _l("Contact request accepted"),
    "contact_request.decline": _l("Contact request declined"),
    "contact_request.withdraw": _l("Contact request withdrawn"),
    "contact_request.expire": _l("Contact request expired"),
    "contact_request.contact_view": _l("Shared contact details viewed"),
    # imports and exports
    "import.upload": _l("Import file uploaded"),
    "import.commit": _l("Import committed"),
    "import.invite": _l("Claim invitations sent from an import"),
    "export": _l("People exported"),
    "dashboard.export": _l("Dashboard table downloaded"),
    "audit.export": _l("Audit log exported"),
    # missions
    "mission.create": _l("Mission created"),
    "mission.update": _l("Mission changed"),
    # needs
    "need.create": _l("Need published"),
    "need.update": _l("Need changed"),
    "need.close": _l("Need closed"),
    "need.reopen": _l("Need reopened"),
    "need.interest": _l("Interest in a need shown"),
    "need.interest_withdraw": _l("Interest in a need withdrawn"),
    "need.shortlist_add": _l("Added to a need's shortlist"),
    "need.shortlist_note": _l("Shortlist note changed"),
    "need.shortlist_remove": _l("Removed from a need's shortlist"),
    "need.shortlist_export": _l("Shortlist downloaded"),
    # initiatives
    "initiative.submit": _l("Initiative submitted"),
    "initiative.triage": _l("Initiative triaged"),
    "initiative.assign": _l("Initiative assigned"),
    "initiative.review": _l("Initiative under review"),
    "initiative.answer": _l("Initiative answered"),
    "initiative.adopt": _l("Initiative adopted"),
    "initiative.decline": _l("Initiative declined"),
    "initiative.withdraw": _l("Initiative withdrawn"),
    "initiative.forward": _l("Initiative forwarded"),
    "initiative.note": _l("Private note added to an initiative"),
    "initiative.remind_overdue": _l("Overdue initiative reminder sent"),
    # representatives
    "nomination.create": _l("Nomination drafted"),
    "nomination.submit": _l("Nomination submitted to the mission"),
    "nomination.withdraw": _l("Nomination withdrawn"),
    "nomination.endorse": _l("Nomination endorsed by the mission"),
    "nomination.object": _l("Mission objected to the nomination"),
    "nomination.accept": _l("Nominee accepted"),
    "nomination.decline": _l("Nominee declined"),
    "nomination.approve": _l("Appointment approved"),
    "nomination.reject": _l("Appointment rejected"),
    "nomination.revoke": _l("Appointment revoked"),
    "nomination.resign": _l("Representative resigned"),
    "nomination.expire": _l("Appointment term ended"),
    "nomination.remind": _l("Term-end reminder sent"),
}

# The record types events are about (``object_type``: table names, a few pseudo-types).
OBJECT_TYPE_LABELS = {
    "people": _l("Profile"),
    "users": _l("Account"),
    "api_tokens": _l("API token"),
    "associations": _l("Association"),
    "missions": _l("Mission"),
    "nominations": _l("Nomination"),
    "initiatives": _l("Initiative"),
    "needs": _l("Need"),
    "contact_requests": _l("Contact request"),
    "import_batches": _l("Import"),
    "dashboard": _l("Dashboard"),
    "search": _l("Search"),
    "audit": _l("Audit log"),
}

# The keys of ``details``; an unknown key is shown as it is.
DETAIL_LABELS = {
    "from": _l("From state"),
    "to": _l("To state"),
    "province": _l("Province"),
    "country": _l("Country"),
    "countries": _l("Countries"),
    "person_id": _l("Profile"),
    "user_id": _l("Account"),
    "need_id": _l("Need"),
    "membership_id": _l("Membership"),
    "note_id": _l("Note"),
    "token_id": _l("Invitation"),
    "batch": _l("Import"),
    "row": _l("Row"),
    "fields": _l("Changed fields"),
    "changed": _l("Changed fields"),
    "role": _l("Role"),
    "reason": _l("Reason"),
    "shared": _l("Shared"),
    "sessions_ended": _l("Sessions ended"),
    "tokens_revoked": _l("API tokens revoked"),
    "linked_person": _l("Linked to a profile"),
    "on_behalf": _l("On the member's behalf"),
    "bytes": _l("Size (bytes)"),
    "created": _l("Profiles created"),
    "merged": _l("Profiles merged"),
    "skipped": _l("Rows skipped"),
    "mission": _l("Mission"),
    "cli": _l("From the command line"),
    "consent": _l("Consent evidence"),
    "consent_ignored": _l("Consent column ignored"),
    "kind": _l("Kind"),
    "format": _l("Format"),
    "count": _l("Rows"),
    "rows": _l("Rows"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "remaining": _l("Remaining"),
    "code": _l("Code"),
    "added": _l("Added"),
    "removed": _l("Removed"),
    "audience": _l("Audience"),
    "days": _l("Days"),
    "term_end": _l("Term ends"),
    "listed": _l("Listed publicly"),
    "contact": _l("Agrees to be contacted"),
    "profile": _l("Profile visible to"),
    "provenance": _l("Provenance"),
    "granted": _l("Consent given"),
    "withdrawn": _l("Consent withdrawn"),
    "source": _l("Source"),
    "date": _l("Date"),
    "reference": _l("Reference"),
    "residence_exception": _l("Nominee lives elsewhere"),
    "dashboard": _l("Dashboard"),
    "table": _l("Table"),
    "filters": _l("Filters"),
    "assignee_id": _l("Assigned to"),
    "from_province": _l("From province"),
    "to_province": _l("To province"),
    "action": _l("Action"),
    "actor": _l("Actor"),
    "date_from": _l("From"),
    "date_to": _l("To"),
    "object_type": _l("Record type"),
    "object_id": _l("Record id"),
}

# The names of changed fields in ``fields`` / ``changed`` (profiles, associations, accounts,
# missions, needs); an unknown name is shown as it is.
FIELD_NAME_LABELS = {
    "full_name": _l("Full name"),
    "other_names": _l("Other names"),
    "kinds": _l("Kind"),
    "fields": _l("Fields of expertise"),
    "skills": _l("Skills"),
    "title": _l("Title or position"),
    "organization": _l("Organisation"),
    "sector": _l("Sector"),
    "education": _l("Education"),
    "languages": _l("Languages"),
    "country": _l("Country of residence"),
    "city": _l("City"),
    "hometown_province": _l("Hometown province"),
    "hometown_as_given": _l("Hometown as given"),
    "company": _l("Company"),
    "company_sector": _l("Company sector"),
    "company_size": _l("Company size"),
    "company_website": _l("Company website"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "website": _l("Website"),
    "links": _l("Professional links"),
    "bio": _l("Short biography"),
    "birth_year": _l("Year of birth"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "display_name": _l("Name"),
    "role": _l("Role"),
    "mission_id": _l("Mission"),
    "province_slug": _l("Province"),
    "is_approver": _l("Approver"),
    "is_active": _l("Active"),
    "code": _l("Code"),
    "kind": _l("Kind"),
    "countries": _l("Countries"),
    "description": _l("Description"),
    "status": _l("Status"),
    "deadline": _l("Deadline"),
    "milestones": _l("Milestones"),
    "type": _l("Type"),
    "audience": _l("Audience"),
}


def action_label(code: str | None) -> str:
    """The action's label in the current language (its code when it has none)."""
    label = ACTION_LABELS.get(code or "")
    return str(label) if label is not None else (code or "")


def object_type_label(object_type: str | None) -> str:
    label = OBJECT_TYPE_LABELS.get(object_type or "")
    return str(label) if label is not None else (object_type or "")


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")

"""The one place that answers "may this user do this to that record?".

HTML views and the JSON API both call :func:`can` / :func:`require`. Each rule is a plain
function ``(user, obj) -> bool`` registered under an action name; a domain adds its rules with
:func:`rule`. Unknown actions are refused, so a typo fails closed.

Visibility of a person's fields is decided by :func:`visible_groups`.

Rules live beside this file, one module per domain (``people``, ``associations``,
``nominations``, ``imports``, ``general``…), all imported at the bottom of this module so that
the policy is complete as soon as it is imported.
"""

from __future__ import annotations

# The rule modules register their actions when imported. Each domain's module is imported here,
# explicitly, so that the policy is complete as soon as this package is imported: a new domain
# adds its module beside this file and one line below.
from directory.policy import associations as _associations  # noqa: F401
from directory.policy import businesses as _businesses  # noqa: F401
from directory.policy import contacts as _contacts  # noqa: F401
from directory.policy import dashboards as _dashboards  # noqa: F401
from directory.policy import general as _general  # noqa: F401
from directory.policy import imports as _imports  # noqa: F401
from directory.policy import initiatives as _initiatives  # noqa: F401
from directory.policy import needs as _needs  # noqa: F401
from directory.policy import nominations as _nominations  # noqa: F401
from directory.policy import notices as _notices  # noqa: F401
from directory.policy import people as _people  # noqa: F401
from directory.policy import savedsearch as _savedsearch  # noqa: F401
from directory.policy.core import (  # noqa: F401 - the policy's public names
    LEVEL_ORDER,
    actions,
    can,
    is_admin,
    is_official,
    is_registering_mission,
    mission_covers,
    owns_person,
    require,
    role,
    rule,
    viewer_level,
    visible_groups,
)
from directory.policy.people import PREVIEW_AS, preview_viewer  # noqa: F401 - profile previews

"""Named permissions (``user.has_perm("regions.import_households", region)``), one per action in roles.py.

Each is the same predicate: a role that allows the action is held at the object's region or above.
"""

import rules

from .queries import can
from .roles import ACTIONS


def _holds_role_for(action: str):
    @rules.predicate(name=f"holds_role_for:{action}")
    def predicate(user, target=None) -> bool:
        return target is not None and can(user, action, target)

    return predicate


for _action in ACTIONS:
    rules.add_perm(_action, _holds_role_for(_action))

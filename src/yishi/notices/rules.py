"""The public board's rules, each with its source. A setting of the same name may override a default.

These are the city-wide defaults of the design brief's rules table; per-region values are for the rules issue.
"""

from django.conf import settings

# How long a notice stays posted when nothing else is said. Source: provincial 村务公开 rules
# (山东省村务公开条例: at least 5 days; 重庆: at least 10 days). The stricter 10 days is the default.
POSTING_DAYS = 10

# Residents may object to a notice within this many days of its posting, and staff reply within this many
# days of the objection, both publicly. Source: 山东省村务公开条例 (objections within 5 days, answered in 5).
OBJECTION_DAYS = 5
REPLY_DAYS = 5


def objection_days() -> int:
    return int(getattr(settings, "YISHI_OBJECTION_DAYS", OBJECTION_DAYS))


def reply_days() -> int:
    return int(getattr(settings, "YISHI_REPLY_DAYS", REPLY_DAYS))


def posting_days() -> int:
    return int(getattr(settings, "YISHI_POSTING_DAYS", POSTING_DAYS))

"""The meeting rules, each with its source: minimum notice per form, quorum, and the self sign-in window.

Defaults for the whole city. A deployment may override the notice periods with the setting
``YISHI_MEETING_NOTICE_DAYS`` (a dict form -> days, ``None`` for no minimum); per-region values are for the
``regions.RegionRule`` (see ``notice_days``). The design brief's rules table is the reference.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from yishi.regions.queries import RuleKey, rule_for

from .models import SessionForm


@dataclass(frozen=True)
class NoticeRule:
    days: int
    source: str


# The least number of days between the day a meeting is announced and the day it is held (calendar days in
# the site's time zone: announced on the 12th for the 15th is 3 days). Forms not listed have no minimum.
NOTICE_DAYS: dict[str, NoticeRule] = {
    # 村民委员会组织法 (2018) Art. 21: 召开村民会议，应当提前十天通知村民.
    SessionForm.VILLAGERS: NoticeRule(10, "村民委员会组织法 (2018) 第二十一条"),
    # Provincial rules on the representatives' assembly: the agenda is sent 3 days before (北京, 浙江, 重庆;
    # 山东 5 days).
    SessionForm.REPRESENTATIVES: NoticeRule(3, "北京、浙江、重庆村民代表会议规则（山东为5日）"),
    # The city's consultation procedure (明确协商时间地点及参与主体 → 发布公告): announced ahead like the
    # representatives' assembly. Our default, from the seed report's procedure.
    SessionForm.CONSULTATION: NoticeRule(3, "城乡社区协商议事程序（发布公告）"),
}


def _default_notice_days(form: str) -> int | None:
    overrides = getattr(settings, "YISHI_MEETING_NOTICE_DAYS", None) or {}
    if form in overrides:
        value = overrides[form]
        return None if value is None else int(value)
    rule = NOTICE_DAYS.get(form)
    return rule.days if rule else None


def _default_notice_source(form: str) -> str:
    overrides = getattr(settings, "YISHI_MEETING_NOTICE_DAYS", None) or {}
    if form in overrides:
        return str(_("set by this deployment"))
    rule = NOTICE_DAYS.get(form)
    return rule.source if rule else ""


def _notice_rule(form: str, region) -> tuple[int | None, str]:
    return rule_for(
        region, f"meeting_notice_days:{form}", (_default_notice_days(form), _default_notice_source(form))
    )


def notice_days(form: str, region=None) -> int | None:
    """The minimum notice in days for a meeting of ``form`` (in ``region``, which may set its own), or None."""
    if region is None:
        return _default_notice_days(form)
    return _notice_rule(form, region)[0]


def notice_source(form: str, region=None) -> str:
    if region is None:
        return _default_notice_source(form)
    return _notice_rule(form, region)[1]


def region_rules() -> list[RuleKey]:
    """The meeting rules a region may set for itself and below: the minimum notice of each form."""
    return [
        RuleKey(
            f"meeting_notice_days:{form.value}",
            _("Minimum notice for a %(form)s, in days") % {"form": form.label},
            "days",
            _default_notice_days(form.value),
            _default_notice_source(form.value),
        )
        for form in SessionForm
    ]


@dataclass(frozen=True)
class QuorumRule:
    basis: str  # "representatives": the community's representatives; "households": its households
    numerator: int
    denominator: int
    inclusive: bool  # True: at least n/d (以上); False: more than n/d (过半数)
    source: str

    def met(self, present: int, expected: int) -> bool:
        if expected <= 0:
            return False
        if self.inclusive:
            return present * self.denominator >= expected * self.numerator
        return present * self.denominator > expected * self.numerator

    def needed(self, expected: int) -> int:
        """The least number present that meets the rule."""
        if self.inclusive:
            return -(-expected * self.numerator // self.denominator)  # ceiling
        return expected * self.numerator // self.denominator + 1


# Bodies that may sit only with enough members present.
QUORUM: dict[str, QuorumRule] = {
    # 村民委员会组织法 (2018) Art. 26: 村民代表会议有三分之二以上的组成人员参加方可召开.
    SessionForm.REPRESENTATIVES: QuorumRule(
        "representatives", 2, 3, True, "村民委员会组织法 (2018) 第二十六条"
    ),
    # Art. 22: 村民会议 … 应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加. Ages are not
    # recorded, so the households branch is the one counted.
    SessionForm.VILLAGERS: QuorumRule("households", 2, 3, True, "村民委员会组织法 (2018) 第二十二条"),
}

# A participant's QR sign-in works from shortly before the start until some hours after it, while the meeting
# has not been closed. Staff may check people in at any time until the meeting is closed. Our choice.
SELF_SIGN_IN_OPENS_BEFORE = timedelta(hours=2)
SELF_SIGN_IN_CLOSES_AFTER = timedelta(hours=8)

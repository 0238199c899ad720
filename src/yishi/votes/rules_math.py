"""Vote rules as data and their arithmetic, in integers only: 以上 includes the bound (20 of 30 passes a 2/3 rule,
19 does not), 过半 does not (15 of 30 is not more than half, 16 is).

Pure Python: no database, no floats. The services count; ``decide`` judges the counts against the rule.

A rule has two separate parts, as the statutes have them:

* the **quorum**: the share of the electorate that must take part for the vote to count at all (none by default);
* the **threshold**: the share of a **base** that must be in favour. The base is the whole electorate (the
  eight-step model: "≥ 2/3 of all representatives"), those who took part ("present": 村民代表会议, 居民会议,
  owners' decisions), or the votes cast for or against (abstentions and blank ballots left out).

``strict`` chooses 过半 ("more than") over 以上 ("at least"). A vote among options may instead be decided by
**plurality**: the option with the most votes wins, and a tie for first place decides nothing. In **owners'
mode** (民法典 Art. 278) quorum and threshold are applied twice, to heads and to floor area, and both must hold.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # labels are lazy translations


def reaches(count: int, base: int, numerator: int, denominator: int) -> bool:
    """``count`` is at least ``numerator/denominator`` of ``base``, computed without floats."""
    if base <= 0 or denominator <= 0 or count < 0:
        return False
    return count * denominator >= base * numerator


def more_than(count: int, base: int, numerator: int, denominator: int) -> bool:
    """``count`` is more than ``numerator/denominator`` of ``base`` (过半: more than half)."""
    if base <= 0 or denominator <= 0 or count < 0:
        return False
    return count * denominator > base * numerator


def needed(base: int, numerator: int, denominator: int, strict: bool = False) -> int:
    """The smallest count that satisfies the fraction of ``base``: ⌈base·n/d⌉ inclusive, ⌊base·n/d⌋ + 1 strict."""
    if strict:
        return base * numerator // denominator + 1
    return -(-base * numerator // denominator)


class Base(StrEnum):
    ELECTORATE = "electorate"  # everyone entitled to vote
    PRESENT = "present"  # everyone who took part, abstaining and blank ballots included
    CAST = "cast"  # votes for and against; abstentions and blank ballots left out


class Method(StrEnum):
    THRESHOLD = "threshold"  # yes/no: in favour against a fraction of a base
    PLURALITY = "plurality"  # options: the most votes wins; a tie for first decides nothing


YES, NO, ABSTAIN = "yes", "no", "abstain"


@dataclass(frozen=True)
class Rule:
    method: Method = Method.THRESHOLD
    # Quorum: numerator 0 means none.
    quorum_numerator: int = 0
    quorum_denominator: int = 1
    quorum_strict: bool = False
    # Threshold, for Method.THRESHOLD: default ≥ 2/3 of the whole electorate.
    threshold_numerator: int = 2
    threshold_denominator: int = 3
    base: Base = Base.ELECTORATE
    strict: bool = False
    # Owners' mode: quorum and threshold hold by head and by floor area at once.
    by_area: bool = False

    def __post_init__(self):
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "base", Base(self.base))
        for name in (
            "quorum_numerator",
            "quorum_denominator",
            "threshold_numerator",
            "threshold_denominator",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number, zero or more")
        if self.quorum_denominator < 1 or self.threshold_denominator < 1:
            raise ValueError("a denominator must be at least 1")
        if self.quorum_numerator > self.quorum_denominator:
            raise ValueError("a quorum cannot exceed the whole electorate")
        if self.threshold_numerator > self.threshold_denominator:
            raise ValueError("a threshold cannot exceed the whole base")
        if self.method == Method.THRESHOLD and self.threshold_numerator == 0:
            raise ValueError("a threshold of zero passes everything")
        if self.method == Method.PLURALITY and self.by_area:
            raise ValueError("owners' decisions are yes/no decisions, not a plurality among options")

    @property
    def has_quorum(self) -> bool:
        return self.quorum_numerator > 0

    def describe(self) -> str:
        """The rule in words, for the vote's page and notice."""
        parts = []
        if self.has_quorum:
            text = (
                _("more than %(n)s/%(d)s of the electorate must take part")
                if self.quorum_strict
                else _("at least %(n)s/%(d)s of the electorate must take part")
            )
            parts.append(str(text % {"n": self.quorum_numerator, "d": self.quorum_denominator}))
        if self.method == Method.PLURALITY:
            parts.append(str(_("the option with the most votes wins; a tie decides nothing")))
        else:
            base = {
                Base.ELECTORATE: _("of all entitled to vote"),
                Base.PRESENT: _("of those taking part"),
                Base.CAST: _("of the votes cast for and against"),
            }[self.base]
            text = (
                _("more than %(n)s/%(d)s %(base)s in favour")
                if self.strict
                else _("at least %(n)s/%(d)s %(base)s in favour")
            )
            parts.append(
                str(text % {"n": self.threshold_numerator, "d": self.threshold_denominator, "base": base})
            )
        if self.by_area:
            parts.append(str(_("counted both by owners and by floor area")))
        return "; ".join(parts)


@dataclass(frozen=True)
class Preset:
    key: str
    label: "StrOrPromise"
    rule: Rule
    basis: "StrOrPromise"  # the statute and article, or our source where no statute rules
    members: "StrOrPromise"  # who sits in the body, as its result names them ("全体代表")

    @property
    def source(self) -> str:
        """The basis in the language of the moment (a page, the API and a notice each show it as text)."""
        return str(self.basis)


# Defaults per body, each with its source (DESIGN.md, "Rules and defaults"). A region may come to change them.
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "eight_step",
            _("Eight-step vote of the representatives (八步议事)"),
            Rule(threshold_numerator=2, threshold_denominator=3, base=Base.ELECTORATE),
            _(
                "The city's eight-step method (八步议事): the residents' vote decides; at least 2/3 of all representatives in favour"
            ),
            _("representatives"),
        ),
        Preset(
            "village_representatives",
            _("Villagers' representatives' meeting (村民代表会议)"),
            Rule(
                quorum_numerator=2,
                quorum_denominator=3,
                threshold_numerator=1,
                threshold_denominator=2,
                base=Base.PRESENT,
                strict=True,
            ),
            _(
                "Organic Law of the Villagers' Committees (2018), Art. 26: at least 2/3 of the members present; more than half of those present in favour"
            ),
            _("representatives"),
        ),
        Preset(
            "village_assembly",
            _("Villagers' meeting, counted by villagers (村民会议)"),
            Rule(
                quorum_numerator=1,
                quorum_denominator=2,
                quorum_strict=True,
                threshold_numerator=1,
                threshold_denominator=2,
                base=Base.PRESENT,
                strict=True,
            ),
            _(
                "Organic Law of the Villagers' Committees (2018), Art. 22: more than half of the villagers aged 18 or over present; more than half of those present in favour"
            ),
            _("villagers"),
        ),
        Preset(
            "village_assembly_households",
            _("Villagers' meeting, counted by households (村民会议)"),
            Rule(
                quorum_numerator=2,
                quorum_denominator=3,
                threshold_numerator=1,
                threshold_denominator=2,
                base=Base.PRESENT,
                strict=True,
            ),
            _(
                "Organic Law of the Villagers' Committees (2018), Art. 22: at least 2/3 of the households represented; more than half of those present in favour"
            ),
            _("household representatives"),
        ),
        Preset(
            "residents_assembly",
            _("Residents' meeting (居民会议)"),
            Rule(
                quorum_numerator=1,
                quorum_denominator=2,
                quorum_strict=True,
                threshold_numerator=1,
                threshold_denominator=2,
                base=Base.PRESENT,
                strict=True,
            ),
            _(
                "Organic Law of the Urban Residents' Committees (2018), Art. 9: more than half present; more than half of those present in favour"
            ),
            _("residents"),
        ),
        Preset(
            "owners_ordinary",
            _("Owners' decision, ordinary matter (业主共同决定)"),
            Rule(
                quorum_numerator=2,
                quorum_denominator=3,
                threshold_numerator=1,
                threshold_denominator=2,
                base=Base.PRESENT,
                strict=True,
                by_area=True,
            ),
            _(
                "Civil Code, Art. 278: owners of at least 2/3 of the floor area and at least 2/3 of the owners take part; more than half of the participating area and owners in favour"
            ),
            _("owners"),
        ),
        Preset(
            "owners_special",
            _("Owners' decision on renovation, change of use or the maintenance fund"),
            Rule(
                quorum_numerator=2,
                quorum_denominator=3,
                threshold_numerator=3,
                threshold_denominator=4,
                base=Base.PRESENT,
                by_area=True,
            ),
            _(
                "Civil Code, Art. 278: owners of at least 2/3 of the floor area and at least 2/3 of the owners take part; at least 3/4 of the participating area and owners in favour"
            ),
            _("owners"),
        ),
        Preset(
            "plurality",
            _("Choice among options by the most votes"),
            Rule(method=Method.PLURALITY),
            _(
                "A choice among options (such as bidders): the option with the most votes; no statute sets a rule"
            ),
            _("voters"),
        ),
    )
}


def threshold_key(preset: str) -> str:
    """The key of a preset's threshold among a region's rules (``/r/<id>/rules/``)."""
    # The eight-step key predates the others and names the procedure; regions have set it already.
    return "vote_threshold:eight_steps" if preset == "eight_step" else f"vote_threshold:{preset}"


def quorum_key(preset: str) -> str:
    """The key of a preset's quorum among a region's rules."""
    return f"vote_quorum:{preset}"


@dataclass(frozen=True)
class Counts:
    """What was counted. ``choices`` maps option keys to votes; the key "abstain" is an abstention.

    In owners' mode the ``*_weight`` fields carry floor area in whole hundredths of a square metre.
    """

    electorate: int
    present: int
    choices: Mapping[str, int]
    electorate_weight: int = 0
    present_weight: int = 0
    choice_weights: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self):
        numbers = [
            self.electorate,
            self.present,
            self.electorate_weight,
            self.present_weight,
            *self.choices.values(),
            *self.choice_weights.values(),
        ]
        if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in numbers):
            raise ValueError("counts are whole numbers, zero or more")
        if self.present > self.electorate:
            raise ValueError("more took part than are entitled to vote")
        if sum(self.choices.values()) > self.present:
            raise ValueError("more votes than people taking part")
        if self.present_weight > self.electorate_weight:
            raise ValueError("more area took part than there is")
        if sum(self.choice_weights.values()) > self.present_weight:
            raise ValueError("more area voted than took part")


@dataclass(frozen=True)
class Decision:
    passed: bool
    code: str  # passed | below_threshold | no_quorum | winner | tie | no_votes (+ "_area" in owners' mode)
    params: Mapping[str, object] = field(default_factory=dict)
    winner: str | None = None

    def reason(self, labels: Mapping[str, str] | None = None) -> str:
        """The decision in words, in the active language. ``labels`` names options by key."""
        p = dict(self.params)
        labels = labels or {}
        options = p.get("options")
        if isinstance(options, list | tuple):
            p["options"] = "、".join(str(labels.get(k, k)) for k in options)
        if self.winner is not None:
            p["option"] = labels.get(self.winner, self.winner)
        return str(_MESSAGES[self.code] % p)


_MESSAGES = {
    "passed": _("%(yes)s of %(base)s in favour, %(need)s needed: passed."),
    "below_threshold": _("%(yes)s of %(base)s in favour, %(need)s needed: not passed."),
    "passed_area": _(
        "%(yes)s of %(base)s in favour and %(yes_area)s of %(base_area)s m² in favour "
        "(%(need)s and %(need_area)s m² needed): passed."
    ),
    "below_threshold_area": _(
        "By floor area %(yes_area)s of %(base_area)s m² in favour, %(need_area)s m² needed: not passed."
    ),
    "no_quorum": _("Only %(present)s of %(electorate)s took part, %(need)s needed: the vote does not count."),
    "no_quorum_area": _(
        "Only %(present_area)s of %(electorate_area)s m² took part, %(need_area)s m² needed: "
        "the vote does not count."
    ),
    "winner": _("“%(option)s” has the most votes (%(n)s)."),
    "tie": _("%(options)s tied with %(n)s votes each: no option won. Hold a new vote between them."),
    "no_votes": _("No votes were cast: nothing was decided."),
}


def area_text(hundredths: int) -> str:
    """Whole hundredths of a square metre, written as square metres ("1234.50")."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _meets(count: int, base: int, numerator: int, denominator: int, strict: bool) -> bool:
    return (more_than if strict else reaches)(count, base, numerator, denominator)


def _base(rule: Rule, counts: Counts, *, area: bool) -> int:
    if rule.base == Base.ELECTORATE:
        return counts.electorate_weight if area else counts.electorate
    if rule.base == Base.PRESENT:
        return counts.present_weight if area else counts.present
    source = counts.choice_weights if area else counts.choices
    return source.get(YES, 0) + source.get(NO, 0)


def decide(rule: Rule, counts: Counts) -> Decision:
    """Judge ``counts`` by ``rule``: quorum first, then the threshold or the plurality."""
    if rule.has_quorum:
        qn, qd, qs = rule.quorum_numerator, rule.quorum_denominator, rule.quorum_strict
        if not _meets(counts.present, counts.electorate, qn, qd, qs):
            return Decision(
                False,
                "no_quorum",
                {
                    "present": counts.present,
                    "electorate": counts.electorate,
                    "need": needed(counts.electorate, qn, qd, qs),
                },
            )
        if rule.by_area and not _meets(counts.present_weight, counts.electorate_weight, qn, qd, qs):
            return Decision(
                False,
                "no_quorum_area",
                {
                    "present_area": area_text(counts.present_weight),
                    "electorate_area": area_text(counts.electorate_weight),
                    "need_area": area_text(needed(counts.electorate_weight, qn, qd, qs)),
                },
            )
    if rule.method == Method.PLURALITY:
        return _plurality(counts)
    n, d, strict = rule.threshold_numerator, rule.threshold_denominator, rule.strict
    yes, base = counts.choices.get(YES, 0), _base(rule, counts, area=False)
    if base == 0:
        return Decision(False, "no_votes")
    heads = {"yes": yes, "base": base, "need": needed(base, n, d, strict)}
    if not _meets(yes, base, n, d, strict):
        return Decision(False, "below_threshold", heads)
    if not rule.by_area:
        return Decision(True, "passed", heads)
    yes_area, base_area = counts.choice_weights.get(YES, 0), _base(rule, counts, area=True)
    area = {
        "yes_area": area_text(yes_area),
        "base_area": area_text(base_area),
        "need_area": area_text(needed(base_area, n, d, strict)),
    }
    if not _meets(yes_area, base_area, n, d, strict):
        return Decision(False, "below_threshold_area", area)
    return Decision(True, "passed_area", {**heads, **area})


def _plurality(counts: Counts) -> Decision:
    votes = {k: v for k, v in counts.choices.items() if k != ABSTAIN}
    top = max(votes.values(), default=0)
    if top == 0:
        return Decision(False, "no_votes")
    leaders = sorted(k for k, v in votes.items() if v == top)
    if len(leaders) > 1:
        return Decision(False, "tie", {"options": leaders, "n": top})
    return Decision(True, "winner", {"n": top}, winner=leaders[0])


# ---- double entry of paper and show-of-hands counts -------------------------------------------------------


class TallyState(StrEnum):
    NONE = "none"  # nothing entered
    PENDING = "pending"  # entered once; a second member of staff must enter it too
    MISMATCH = "mismatch"  # the two entries of the latest round disagree: count again, twice
    ACCEPTED = "accepted"  # two entries by two different people agree


@dataclass(frozen=True)
class Entry:
    round: int
    position: int  # 1 or 2 within its round
    entered_by: int
    counts: Mapping[str, int]


def tally_state(entries: list[Entry]) -> tuple[TallyState, Mapping[str, int] | None]:
    """The state of one channel's double entry, from its entries; the accepted counts when accepted.

    Entries come in rounds of two. The second entry of a round is by someone other than the first; when the
    two agree the count is accepted, when they differ both stay on record and a new round begins.
    """
    if not entries:
        return TallyState.NONE, None
    latest = max(e.round for e in entries)
    pair = sorted((e for e in entries if e.round == latest), key=lambda e: e.position)
    if len(pair) == 1:
        return TallyState.PENDING, None
    first, second = pair[0], pair[1]
    if first.entered_by != second.entered_by and dict(first.counts) == dict(second.counts):
        return TallyState.ACCEPTED, dict(first.counts)
    return TallyState.MISMATCH, None


# ---- a result in the statutes' words ----------------------------------------------------------------------

_CHINESE_NUMERALS = "零一二三四五六七八九十"


def _numeral(k: int) -> str:
    """A fraction's term as the statutes write it: 三分之二 in Chinese, 2/3 otherwise."""
    if (translation.get_language() or "").startswith("zh") and 0 <= k <= 10:
        return _CHINESE_NUMERALS[k]
    return str(k)


def share(numerator: int, denominator: int, strict: bool) -> str:
    """ "三分之二以上", "过半数": the share a rule asks for, in words."""
    if strict and (numerator, denominator) == (1, 2):
        return str(_("more than half"))
    fraction = _("%(n)s/%(d)s") % {"n": _numeral(numerator), "d": _numeral(denominator)}
    text = _("more than %(f)s") if strict else _("at least %(f)s")
    return str(text % {"f": fraction})


def statement(rule: Rule, counts: Counts, members) -> str:
    """The result as the statutes judge it, with every number a resident checks: "应到30人，实到25人，赞成19人；
    须全体代表三分之二以上即20人赞成：未通过". ``members``: who sits in the body (代表, 村民 …)."""
    yes = counts.choices.get(YES, 0)
    said = _("%(electorate)s entitled, %(present)s present, %(yes)s in favour") % {
        "electorate": counts.electorate,
        "present": counts.present,
        "yes": yes,
    }
    needs = []
    if rule.has_quorum:
        needs.append(
            _("%(share)s of all %(members)s present, that is %(need)s")
            % {
                "share": share(rule.quorum_numerator, rule.quorum_denominator, rule.quorum_strict),
                "members": members,
                "need": needed(
                    counts.electorate, rule.quorum_numerator, rule.quorum_denominator, rule.quorum_strict
                ),
            }
        )
    decision = decide(rule, counts)
    if rule.method == Method.THRESHOLD and decision.code != "no_quorum":
        base_words = {
            Base.ELECTORATE: _("all %(members)s") % {"members": members},
            Base.PRESENT: _("the %(members)s present") % {"members": members},
            Base.CAST: _("the votes cast for and against"),
        }[rule.base]
        needs.append(
            _("%(share)s of %(base)s in favour, that is %(need)s")
            % {
                "share": share(rule.threshold_numerator, rule.threshold_denominator, rule.strict),
                "base": base_words,
                "need": needed(
                    _base(rule, counts, area=False),
                    rule.threshold_numerator,
                    rule.threshold_denominator,
                    rule.strict,
                ),
            }
        )
    if decision.code == "no_quorum":
        verdict = _("too few present, the vote does not count")
    else:
        verdict = _("passed") if decision.passed else _("not passed")
    return str(
        _("%(said)s; %(needs)s: %(verdict)s")
        % {"said": said, "needs": str(_("; ")).join(str(n) for n in needs), "verdict": verdict}
    )

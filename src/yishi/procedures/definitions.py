"""Procedures as data (议事程序): each is a declared list of steps; a fourth procedure is a value, not code.

A step names the evidence that completes it (keys into ``procedures.evidence.CHECKS``), the earlier steps it
may return to (a failed vote returns to drafting) and the actions it enables (recording a tally is possible
only in the vote step). Pure Python: no database, unit-tested alone.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # labels are lazy translations


@dataclass(frozen=True)
class Step:
    key: str
    label: "StrOrPromise"
    evidence: tuple[str, ...] = ()
    returns_to: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    hint: "StrOrPromise" = ""
    # The bodies that may decide at a step that records a decision, each a vote rule's key
    # (``votes.rules_math.PRESETS``) carrying its statute; the first is the default.
    bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Procedure:
    key: str
    label: "StrOrPromise"
    steps: tuple[Step, ...]
    # A procedure that leaves out steps of the default may be chosen only with a recorded reason.
    needs_reason: bool = False
    description: "StrOrPromise" = ""

    def __post_init__(self):
        keys = [s.key for s in self.steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.key}: step keys repeat")
        for i, step in enumerate(self.steps):
            for target in step.returns_to:
                if target not in keys[:i]:
                    raise ValueError(
                        f"{self.key}.{step.key} may only return to an earlier step, not {target!r}"
                    )

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"{self.key} has no step {key!r}")

    def index(self, key: str) -> int:
        return [s.key for s in self.steps].index(key)

    def next_after(self, key: str) -> Step | None:
        i = self.index(key)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None

    def enables(self, step_key: str, action: str) -> bool:
        return action in self.step(step_key).actions

    @property
    def bodies(self) -> tuple[str, ...]:
        """The bodies that may take the procedure's decision (its step that names them), or none."""
        return next((s.bodies for s in self.steps if s.bodies), ())


EIGHT_STEPS = Procedure(
    key="eight_steps",
    label=_("Eight-step consultation (八步议事)"),
    description=_("The city's default procedure for a residents' matter."),
    steps=(
        Step(
            "raise",
            _("Raise the matter (多种渠道提议题)"),
            evidence=("screened",),
            actions=("matters.screen_matter",),
            hint=_("Residents raise it; the community screens it."),
        ),
        Step(
            "ideas",
            _("Gather ideas (多方恳谈出主意)"),
            evidence=("consultation_held",),
            actions=("procedures.record_session",),
            hint=_("Stakeholders, unit and resident representatives talk it through."),
        ),
        Step(
            "draft",
            _("Draft a plan (议事组织拟方案)"),
            evidence=("plan_drafted",),
            actions=("procedures.draft_plan",),
            hint=_("The deliberation council drafts the plan."),
        ),
        Step(
            "consensus",
            _("Reach consensus (多方协商达共识)"),
            evidence=("consensus_recorded",),
            returns_to=("draft",),
            actions=("procedures.record_consensus", "procedures.draft_plan", "procedures.record_session"),
            hint=_("A consultation meeting agrees on a named plan version."),
        ),
        Step(
            "review",
            _("Expert review (专家审查定公约)"),
            evidence=("review_approved",),
            returns_to=("draft",),
            actions=("procedures.review_plan",),
            hint=_("Legal and social-management experts review the agreed plan."),
        ),
        Step(
            "vote",
            _("Representatives vote (居民表决说了算)"),
            evidence=("vote_passed",),
            returns_to=("draft",),
            bodies=("eight_step",),
            actions=("procedures.record_vote",),
            hint=_("At least 2/3 of the representatives must agree."),
        ),
        Step(
            "implement",
            _("Carry it out (两委督促抓落实)"),
            evidence=("parts_assigned", "works_confirmed"),
            actions=("procedures.assign_work", "procedures.report_progress", "procedures.confirm_work"),
            hint=_(
                "Each part of the plan goes to a unit, the committee or a person; the residents who benefit "
                "confirm the work."
            ),
        ),
        Step(
            "publish",
            _("Publish the result (张榜公示全透明)"),
            evidence=("result_published",),
            actions=("procedures.publish_result",),
            hint=_("The result is posted on the public board."),
        ),
    ),
)

FOUR_AND_TWO = Procedure(
    key="four_and_two",
    label=_("Four deliberations, two disclosures (四议两公开)"),
    description=_(
        "For a village's major matters: proposed by the Party organisation, decided by the villagers."
    ),
    steps=(
        Step("raise", _("Raise the matter"), evidence=("screened",), actions=("matters.screen_matter",)),
        Step(
            "party_proposal",
            _("Proposed by the Party organisation (党组织提议)"),
            evidence=("plan_drafted",),
            actions=("procedures.draft_plan",),
        ),
        Step(
            "committees",
            _("Discussed by the two committees (两委商议)"),
            evidence=("consultation_held",),
            returns_to=("party_proposal",),
            actions=("procedures.record_session", "procedures.draft_plan"),
        ),
        Step(
            "party_members",
            _("Reviewed by the Party members' meeting (党员大会审议)"),
            evidence=("consensus_recorded",),
            returns_to=("party_proposal",),
            actions=("procedures.record_consensus",),
        ),
        Step(
            "resolution",
            _("Resolved by the representatives or villagers (村民代表会议或村民会议决议)"),
            evidence=("vote_passed",),
            returns_to=("party_proposal",),
            # 村民委员会组织法 Art. 24-26: the villagers' representatives' meeting, or the villagers' meeting
            bodies=("village_representatives", "village_assembly", "village_assembly_households"),
            actions=("procedures.record_vote",),
        ),
        Step(
            "publish_resolution",
            _("Resolution made public (决议公开)"),
            evidence=("resolution_published",),
            actions=("procedures.publish_result",),
        ),
        Step(
            "implement",
            _("Carried out"),
            evidence=("parts_assigned", "works_confirmed"),
            actions=("procedures.assign_work", "procedures.report_progress", "procedures.confirm_work"),
        ),
        Step(
            "publish",
            _("Results made public (实施结果公开)"),
            evidence=("result_published",),
            actions=("procedures.publish_result",),
        ),
    ),
)

SHORT_PATH = Procedure(
    key="short_path",
    label=_("Short path for a small matter"),
    description=_(
        "Raise, screen, consult, carry out, publish: no covenant, no vote. Taken only with a reason."
    ),
    needs_reason=True,
    steps=(
        Step("raise", _("Raise the matter"), evidence=("screened",), actions=("matters.screen_matter",)),
        Step(
            "consult",
            _("Consult and agree who does what"),
            evidence=("consultation_held", "plan_drafted", "consensus_recorded"),
            actions=("procedures.record_session", "procedures.draft_plan", "procedures.record_consensus"),
        ),
        Step(
            "implement",
            _("Carry it out"),
            evidence=("parts_assigned", "works_confirmed"),
            actions=("procedures.assign_work", "procedures.report_progress", "procedures.confirm_work"),
        ),
        Step(
            "publish",
            _("Publish the result"),
            evidence=("result_published",),
            actions=("procedures.publish_result",),
        ),
    ),
)

PROCEDURES: dict[str, Procedure] = {p.key: p for p in (EIGHT_STEPS, FOUR_AND_TWO, SHORT_PATH)}
DEFAULT = EIGHT_STEPS


def get(key: str) -> Procedure:
    try:
        return PROCEDURES[key]
    except KeyError:
        raise KeyError(f"unknown procedure {key!r}") from None

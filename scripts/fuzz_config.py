#!/usr/bin/env python
"""Write a schemathesis.toml whose dictionaries hold real ids of the database the fuzzed server runs on.

    .venv/bin/python scripts/fuzz_config.py OUT.toml     # used by scripts/fuzz-api

Random integers almost never name a matter or a vote, so without this nearly every call would stop at 404 and
the services behind it would go untested. Each id parameter is drawn from these lists most of the time and
generated freely otherwise, so 404s and malformed ids are still tried.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: How often an id parameter takes a real id rather than a generated one.
PROBABILITY = 0.8
#: A few ids of each kind are enough to reach the services; more only slow hypothesis down.
PER_KIND = 40

# dictionary name -> (app.Model, the parameters bound to it as schemathesis names them)
KINDS = {
    "regions": ("regions.Region", ["path.region_id", "query.region", "body.region"]),
    "households": ("regions.Household", ["body.household"]),
    "units": ("regions.Unit", ["body.unit"]),
    "matters": ("matters.Matter", ["path.matter_id", "query.exclude", "body.matter", "body.into"]),
    "works": ("works.Work", ["path.work_id"]),
    "meetings": ("meetings.Meeting", ["path.meeting_id", "body.meeting"]),
    "minutes": ("meetings.Minutes", ["path.minutes_id"]),
    "votes": ("votes.Vote", ["path.vote_id"]),
    "surveys": ("surveys.Survey", ["path.survey_id"]),
    "questions": ("surveys.Question", ["path.question_id"]),
    "responses": ("surveys.Response", ["path.response_id"]),
    "rules": ("funds.ChargeRule", ["path.rule_id"]),
    "charges": ("funds.Charge", ["path.charge_id"]),
    "payments": ("funds.Payment", ["path.payment_id"]),
    "entries": ("funds.FundEntry", ["path.entry_id"]),
    "exemptions": ("funds.Exemption", ["path.exemption_id"]),
    "notices": ("notices.Notice", ["path.notice_id"]),
    "objections": ("notices.Objection", ["path.objection_id"]),
    "comments": ("comments.Comment", ["path.comment_id"]),
}


def render() -> str:
    from django.apps import apps

    dictionaries, parameters = [], []
    for name, (label, bound) in KINDS.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # an app not there yet: its parameters stay free
            continue
        ids = list(model.objects.order_by("-pk").values_list("pk", flat=True)[:PER_KIND])
        if not ids:
            continue
        dictionaries.append(f"[dictionaries.{name}]\nvalues = {ids}\n")
        parameters += [f'"{key}" = {{ dictionary = "{name}", probability = {PROBABILITY} }}' for key in bound]
    return "\n".join(dictionaries) + "\n[parameters]\n" + "\n".join(parameters) + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yishi.settings")
    import django

    django.setup()
    Path(argv[0]).write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

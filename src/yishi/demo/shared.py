"""What the city (city.py) and the stories told in it (stories.py) share: the record of what was loaded, the
logins printed for it, and how staff are made."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from yishi.access.roles import Role
from yishi.access.services import assign_role
from yishi.people.services import register_person
from yishi.regions.models import Region

# The representatives (村民/居民代表) of each community: the city appoints them, the stories' votes count them.
REPRESENTATIVES = {"丽景社区": 15, "三角线社区": 30, "朝东社区": 12}


@dataclass
class Login:
    who: str
    phone: str
    role: str
    how: str


@dataclass
class Demo:
    regions: dict[str, Region] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    # The matters the stories made (see stories.py), in the order they were made: read them again for their state.
    matters: list = field(default_factory=list)
    started: datetime = field(default_factory=timezone.now)


def add_staff(demo, name, phone, role, region, title="", gender="", **kwargs):
    """A member of staff with a password login, holding ``role`` at ``region``."""
    person = register_person(actor=None, name=name, phone=phone, gender=gender)
    assign_role(actor=None, person=person, role=role, region=region, title=title, **kwargs)
    demo.logins.append(Login(name, phone, f"{title or Role(role).label} · {region.name}", "password"))
    return person

"""Fill a city to the report's scale (5,904 villages and communities) with streets, compounds and households.

Bulk inserts, no per-row audit entries: one entry records the generation itself. Deterministic per seed.
"""

import random
import time
from dataclasses import dataclass

from django.db import connection, transaction

from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.regions.models import Household, Level, Occupancy, Region
from yishi.regions.services import bulk_insert_regions

# 沧州市's counties and county-level cities with their official codes (the two districts are in the demo).
COUNTIES = [
    ("沧县", "130921"),
    ("青县", "130922"),
    ("东光县", "130923"),
    ("海兴县", "130924"),
    ("盐山县", "130925"),
    ("肃宁县", "130926"),
    ("南皮县", "130927"),
    ("吴桥县", "130928"),
    ("献县", "130929"),
    ("孟村回族自治县", "130930"),
    ("泊头市", "130981"),
    ("任丘市", "130982"),
    ("黄骅市", "130983"),
    ("河间市", "130984"),
]
URBAN_CODES = {"130902", "130903"}
TOWN_NAMES = "东西南北中新兴安和平丰泰宁福昌盛康乐华明光"
VILLAGE_WORDS = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"


@dataclass
class Generated:
    regions: int
    households: int
    seconds: float


def _unique(rng: random.Random, pool: str, taken: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(pool) + rng.choice(pool) + suffix
        if name not in taken:
            taken.add(name)
            return name


def generate(
    *, city: Region, communities: int = 5904, seed: int = 1, households_per_community: int = 80
) -> Generated:
    """Add districts, streets and communities under ``city`` until it holds ``communities`` of them."""
    started = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        # Another city (the figures' generator builds many) gets the same counties under its own code prefix.
        head = city.code[:4] if city.code else COUNTIES[0][1][:4]
        counties = [(name, head + code[4:]) for name, code in COUNTIES]
        urban_codes = {head + code[4:] for code in URBAN_CODES}
        districts = {r.code[:6]: r for r in city.children.all()}
        missing = [
            Region(parent=city, level=Level.DISTRICT, name=name, code=code.ljust(12, "0"))
            for name, code in counties
            if code not in districts
        ]
        for region in bulk_insert_regions(missing):
            districts[region.code[:6]] = region
        existing = Region.objects.subtree(city).filter(level=Level.COMMUNITY).count()
        to_make = max(0, communities - existing)
        per_district = -(-to_make // len(districts)) if to_make else 0

        streets: list[Region] = []
        for prefix, district in sorted(districts.items()):
            used_codes = set(Region.objects.filter(parent=district).values_list("code", flat=True))
            taken = set(Region.objects.filter(parent=district).values_list("name", flat=True))
            n_streets = max(1, per_district // 30)
            urban = prefix in urban_codes
            n = 0
            for i in range(1, 1000):
                if n == n_streets:
                    break
                code = f"{prefix}{(i if urban else 100 + i):03d}000"
                if code in used_codes:
                    continue
                suffix = "街道" if urban else rng.choice(["镇", "乡"])
                streets.append(
                    Region(
                        parent=district,
                        level=Level.STREET,
                        name=_unique(rng, TOWN_NAMES, taken, suffix),
                        code=code,
                        rural=not urban,
                    )
                )
                n += 1
        streets = bulk_insert_regions(streets)

        made, villages, per_street = 0, [], -(-to_make // max(1, len(streets)))
        for street in streets:
            taken: set[str] = set()
            for i in range(1, per_street + 1):
                if made == to_make:
                    break
                rural = street.rural
                name = _unique(rng, VILLAGE_WORDS, taken, "村" if rural else "社区")
                villages.append(
                    Region(
                        parent=street,
                        level=Level.COMMUNITY,
                        name=name,
                        rural=rural,
                        code=f"{street.code[:9]}{(200 + i) if rural else i:03d}",
                    )
                )
                made += 1
        villages = bulk_insert_regions(villages)

        # Urban communities get two compounds; villages keep their households directly.
        compounds = bulk_insert_regions(
            [
                Region(parent=c, level=Level.COMPOUND, name=f"{c.name[:2]}{k}号院")
                for c in villages
                if not c.rural
                for k in (1, 2)
            ]
        )
        homes_of = {c.pk: [c] for c in villages if c.rural}
        for compound in compounds:
            homes_of.setdefault(compound.parent_id, []).append(compound)
        batch: list[Household] = []
        n_households = 0
        for places in homes_of.values():
            count = max(10, int(rng.gauss(households_per_community, households_per_community / 4)))
            for h in range(count):
                place = places[h % len(places)]
                batch.append(
                    Household(
                        region=place,
                        unit=str(1 + h // 40),
                        room=f"{h % 40 + 1:03d}",
                        occupancy=Occupancy.VACANT if rng.random() < 0.1 else Occupancy.OCCUPIED,
                        floor_area=rng.randrange(45, 160),
                    )
                )
            if len(batch) >= 20000:
                n_households += len(Household.objects.bulk_create(batch, batch_size=5000))
                batch = []
        n_households += len(Household.objects.bulk_create(batch, batch_size=5000))
        n_regions = len(missing) + len(streets) + len(villages) + len(compounds)
        record(
            actor=None,
            action=Action.DEMO_GENERATE_CITY,
            target=city,
            data={"regions": n_regions, "households": n_households, "communities": communities, "seed": seed},
        )
    # Fresh statistics, or the planner guesses the new half-million rows wrong (seen: 25 ms → 2 ms).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Generated(n_regions, n_households, time.monotonic() - started)

"""The eight steps read in Chinese exactly as the city's report names them (八步议事), on every page."""

from django.utils import translation

from yishi.procedures import definitions

# The report: 多种渠道"提议题"、多方恳谈"出主意"、议事组织"拟方案"、多方协商"达共识"、专家审查"定公约"、
# 居民表决"说了算"、村(社区)"两委"督促"抓落实"、张榜公示"全透明".
REPORT = [
    "多种渠道提议题",
    "多方恳谈出主意",
    "议事组织拟方案",
    "多方协商达共识",
    "专家审查定公约",
    "居民表决说了算",
    "两委督促抓落实",
    "张榜公示全透明",
]


def test_the_eight_steps_carry_the_reports_names():
    with translation.override("zh-hans"):
        assert [str(s.label) for s in definitions.EIGHT_STEPS.steps] == REPORT
    # The English labels keep the Chinese name beside the translation, for staff reading either language.
    with translation.override("en"):
        for step, name in zip(definitions.EIGHT_STEPS.steps, REPORT, strict=True):
            assert name in str(step.label)


def test_the_matter_page_names_the_steps_as_the_report_does(client, place):
    from tests.procedures import flows

    html = client.get(f"/m/{flows.raise_flood(place).pk}/").content.decode()
    positions = [html.index(f"<strong>{name}</strong>") for name in REPORT]
    assert positions == sorted(positions)

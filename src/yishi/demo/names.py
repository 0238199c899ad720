"""Plausible Chinese names for demo residents, drawn deterministically."""

import random

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN_F = [
    "桂兰",
    "秀英",
    "淑珍",
    "丽",
    "敏",
    "静",
    "秀兰",
    "玉兰",
    "海燕",
    "丽娟",
    "红梅",
    "艳",
    "娜",
    "雪梅",
    "慧",
    "婷",
    "凤英",
    "秀云",
    "春梅",
    "晓燕",
]
GIVEN_M = [
    "建国",
    "建华",
    "国强",
    "志强",
    "伟",
    "强",
    "军",
    "磊",
    "洋",
    "勇",
    "明",
    "德福",
    "振华",
    "永刚",
    "海涛",
    "立新",
    "文斌",
    "宝山",
    "长青",
    "国庆",
]


def draw_name(rng: random.Random, gender: str) -> str:
    given = GIVEN_F if gender == "F" else GIVEN_M
    return rng.choice(SURNAMES) + rng.choice(given)

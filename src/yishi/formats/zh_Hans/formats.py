"""Simplified Chinese formats: a date reads 2026年10月15日 everywhere, never 2026-10-15 or 10/15/2026.

Django's own zh_Hans module is the base; it differs in MONTH_DAY_FORMAT (Django writes 09月5日, with a zero
that nobody writes by hand) and in the input formats (Django's "%Y年%n月%j日" is not a strptime pattern).
"""

DATE_FORMAT = "Y年n月j日"  # 2026年10月15日
TIME_FORMAT = "H:i"  # 09:30
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年10月15日 09:30
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年10月
MONTH_DAY_FORMAT = "n月j日"  # 10月15日
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
FIRST_DAY_OF_WEEK = 1  # 星期一

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-10-15 (what a date field sends)
    "%Y/%m/%d",  # 2026/10/15
    "%Y年%m月%d日",  # 2026年10月15日 (strptime takes 10月5日 without the zero too)
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # what a datetime-local field sends
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

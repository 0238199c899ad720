"""How the site writes dates and money, one place for each.

Dates: ``FORMAT_MODULE_PATH`` points here, so in zh-hans every ``|date`` and ``formats.date_format`` gives
2026年10月15日 (``zh_Hans/formats.py``); English keeps Django's English formats. Money: ``yuan()`` (the template
filter ``|yuan``) writes ¥150.00 in both languages — the sign and two places are how a receipt reads.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def yuan(value) -> str:
    """An amount as ¥1234.50: the yuan sign and always two places, no grouping (as the fee ledgers and the
    Excel exports write it); "" for no amount.

    A negative amount keeps its sign in front (-¥50.00), as a ledger prints a spending. Floats are refused
    upstream (``funds.apportion``); one slipping through is written from its shortest decimal text.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):.2f}"

"""Vote thresholds in integer arithmetic: 以上 includes the bound (20 of 30 passes a 2/3 rule, 19 does not)."""


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

"""Template filters every template has (a builtin, see settings.TEMPLATES): one way to write money."""

from django import template

from yishi.formats import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """``{{ amount|yuan }}`` → ¥150.00 (an empty string for no amount)."""
    return _yuan(value)

from django import template

from yishi.reminders.queries import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many unread notifications ``user`` has (0 for visitors): the header shows it."""
    return unread_count(user)

"""Links and labels repeated down a list: worked out once per page, not once per row.

``{% url %}`` reverses the pattern again for every row, and ``get_<field>_display`` rebuilds the field's choices
(translating every label) for every row: on a resident's home of fifty matters, two fifths of its rendering. These
tags give the same text: the pattern is reversed once with a mark in the id's place, the labels translated once,
both kept in the render context, so nothing outlives the page being rendered.
"""

from django import template
from django.urls import reverse

from yishi.works.presenters import responsible_shown

register = template.Library()

# Stands in for the id while the pattern is reversed; no row has it, and it is what each row's id replaces.
_MARK = "987654321987654321"


@register.simple_tag(takes_context=True)
def link(context, name: str, pk) -> str:
    """``{% url name pk %}`` for a list's rows, where ``pk`` is a row's id (an ``<int:pk>`` pattern)."""
    if type(pk) is not int:
        return reverse(name, args=[pk])
    key = ("yishi.web.link", name)
    pattern = context.render_context.get(key)
    if pattern is None:
        pattern = reverse(name, args=[int(_MARK)])
        # A converter that changes the id on its way into the URL would not keep the mark: reverse each row then.
        context.render_context[key] = pattern = pattern if pattern.count(_MARK) == 1 else ""
    return pattern.replace(_MARK, str(pk)) if pattern else reverse(name, args=[pk])


@register.simple_tag(takes_context=True)
def label(context, obj, field_name: str):
    """``obj.get_<field_name>_display()`` for a list's rows."""
    field = obj._meta.get_field(field_name)
    key = ("yishi.web.label", field)
    labels = context.render_context.get(key)
    if labels is None:
        labels = context.render_context[key] = {value: str(text) for value, text in field.flatchoices}
    value = getattr(obj, field.attname)
    return labels.get(value, value)


@register.simple_tag(takes_context=True)
def responsible(context, work) -> str:
    """Whom ``work`` is given to, as the viewer may read it (``works.presenters.responsible_shown``)."""
    request = context.get("request")
    return responsible_shown(work, getattr(request, "user", None))

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key], or None (for tables keyed by code and year)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None

"""`{% load newsroom_audit %}{% if user|may_audit %}`: the menu's 审核记录
link only for those whom the page lets in (audit_views.may_audit)."""
from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def may_audit(user) -> bool:
    from ..audit_views import may_audit as allowed
    return allowed(user)

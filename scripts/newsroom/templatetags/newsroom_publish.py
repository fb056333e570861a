"""`{% load newsroom_publish %}{% if user|may_publish %}`: the menu's 发布网站
link only for those whom the page lets in (views.may_publish) and only when
the newsroom publishes (NEWSROOM_DEPLOY_TARGET)."""
from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def may_publish(user) -> bool:
    from ..roles import PUBLISHERS
    if not settings.NEWSROOM.deploy_target or not user.is_authenticated:
        return False
    return user.groups.filter(name__in=PUBLISHERS).exists()

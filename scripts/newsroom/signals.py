"""The 管理员 role opens the admin pages (Django's is_staff), kept in step
with the groups so that an administrator only ever manages roles."""
from __future__ import annotations

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Account
from .roles import ADMIN


@receiver(m2m_changed, sender=Account.groups.through)
def _staff_follows_admin_role(sender, instance, action, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # From the account's side, or from the group's (pk_set: the accounts).
    accounts = [instance] if not reverse else list(Account.objects.filter(pk__in=kwargs.get("pk_set") or []))
    for account in accounts:
        staff = account.is_superuser or account.groups.filter(name=ADMIN).exists()
        if account.is_staff != staff:
            Account.objects.filter(pk=account.pk).update(is_staff=staff)
            account.is_staff = staff

"""Accounts in the browser: Django's admin (in Chinese), for holders of the
管理员 role. Roles are the groups; units are ties to unit records."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import Account, UnitTie


class UnitTieInline(admin.TabularInline):
    model = UnitTie
    extra = 1


class AccountCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Account
        fields = ("username", "full_name")


class AccountChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Account


@admin.register(Account)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    inlines = [UnitTieInline]
    list_display = ("username", "full_name", "roles", "units", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email")}),
        ("角色", {"fields": ("is_active", "groups"),
                  "description": "角色：撰稿、编辑、初审、复审、终审、管理员，可兼任多个。停用的账号不能登录。"}),
        ("记录", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("username", "full_name", "usable_password", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(obj.groups.order_by("name").values_list("name", flat=True))

    @admin.display(description="所属单位")
    def units(self, obj):
        return "、".join(obj.unit_ties.values_list("unit_id", flat=True))

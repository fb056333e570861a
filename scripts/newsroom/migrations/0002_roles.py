"""The roles as groups (names fixed here, not imported: a migration must not
change when the code does). 管理员 gets the permissions on accounts and
their units, for the admin pages."""
from django.db import migrations

ROLES = ("撰稿", "编辑", "初审", "复审", "终审", "管理员")
ADMIN_MODELS = (("newsroom", "account"), ("newsroom", "unittie"), ("auth", "group"))


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    for config in apps.get_app_configs():
        # Permissions are made after all migrations by default: needed now.
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    admin = Group.objects.get(name="管理员")
    for app, model in ADMIN_MODELS:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label=app, content_type__model=model))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_roles, remove_roles)]

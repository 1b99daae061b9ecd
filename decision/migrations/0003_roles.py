"""The clinician and reviewer groups with their permissions (issue 5, roles).

The permission table is filled by a post_migrate signal, which has not run yet on a fresh
database; create_permissions fills it now. The permission lists are copied here, not imported:
a migration must not change when the code does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "clinician": (
        "add_consultation",
        "change_consultation",
        "view_consultation",
        "add_feedback",
        "change_feedback",
        "view_feedback",
    ),
    "reviewer": (
        "view_consultation",
        "view_feedback",
        "view_historicalconsultation",
        "view_historicalfeedback",
    ),
}


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("decision")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        permissions = Permission.objects.using(db).filter(
            content_type__app_label="decision", codename__in=codenames
        )
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=list(GROUP_PERMISSIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("decision", "0002_history_feedback"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

"""Creator lists leave the campaigns app for their own (``lists``); the tables and rows stay.

What names the models by app moves with them: their content types (and so their permissions and the
admin's log entries) and the audit log's ``app_label.model`` strings, in its target and its action.
"""

from django.db import migrations

LIST_MODELS = ("creatorlist", "creatorlistitem", "listcollaborator", "listexport")


def _relabel(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    admin_action = apps.get_model("adminpanel", "AdminAction")
    for model in LIST_MODELS:
        # A content type the new label already has (made by a post-migrate signal) gives way to the
        # old one, which the permissions and log entries point at.
        if content_type.objects.filter(app_label=old, model=model).exists():
            content_type.objects.filter(app_label=new, model=model).delete()
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)
        admin_action.objects.filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")
        for entry in admin_action.objects.filter(action__startswith=f"{old}.{model}."):
            entry.action = f"{new}.{model}." + entry.action[len(f"{old}.{model}."):]
            entry.save(update_fields=["action"])


def content_types_to_lists(apps, schema_editor) -> None:
    _relabel(apps, "campaigns", "lists")


def content_types_to_campaigns(apps, schema_editor) -> None:
    _relabel(apps, "lists", "campaigns")


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_search_resumed_activity'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('adminpanel', '0001_initial'),
        ('lists', '0001_creator_lists_from_campaigns'),
    ]

    operations = [
        migrations.RunPython(content_types_to_lists, content_types_to_campaigns),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='listcollaborator',
                name='creator_list',
            ),
            migrations.RemoveField(
                model_name='listexport',
                name='creator_list',
            ),
            migrations.RemoveField(
                model_name='creatorlistitem',
                name='creator_list',
            ),
            migrations.RemoveField(
                model_name='creatorlistitem',
                name='added_by',
            ),
            migrations.RemoveField(
                model_name='creatorlistitem',
                name='creator',
            ),
            migrations.RemoveField(
                model_name='listcollaborator',
                name='invited_by',
            ),
            migrations.RemoveField(
                model_name='listcollaborator',
                name='user',
            ),
            migrations.RemoveField(
                model_name='listexport',
                name='user',
            ),
            migrations.DeleteModel(
                name='CreatorList',
            ),
            migrations.DeleteModel(
                name='CreatorListItem',
            ),
            migrations.DeleteModel(
                name='ListCollaborator',
            ),
            migrations.DeleteModel(
                name='ListExport',
            ),
        ]),
    ]

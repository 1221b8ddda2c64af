"""Creator lists become an app of their own (label ``lists``) on the tables they already have."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaigns', '0003_search_resumed_activity'),
        ('scraping', '0002_scrapingjob_campaign'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables stay where the campaigns app created them (``campaigns_*``, with their rows, indexes
    # and constraints): this migration only tells Django that the lists app owns them now.
    # campaigns 0004 takes them out of the campaigns app's state and moves the content types.
    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='CreatorList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('description', models.TextField(blank=True, max_length=2000)),
                ('list_type', models.CharField(choices=[('campaign', 'Campaign'), ('favorites', 'Favorites'), ('industry', 'Industry'), ('research', 'Research'), ('contacted', 'Contacted'), ('custom', 'Custom')], default='custom', max_length=16)),
                ('tags', models.JSONField(blank=True, default=list, help_text='Short labels, as a list of strings.')),
                ('bucket_labels', models.JSONField(blank=True, default=dict, help_text="This list's names for the buckets, by bucket key; missing keys use the default names.")),
                ('archived_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='creator_lists', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'campaigns_creatorlist',
                'ordering': ['-updated_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CreatorListItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bucket', models.CharField(choices=[('backlog', 'Backlog'), ('shortlist', 'Shortlist'), ('contacted', 'Contacted'), ('booked', 'Booked')], default='backlog', max_length=16)),
                ('position', models.PositiveIntegerField(default=0)),
                ('notes', models.TextField(blank=True, max_length=5000)),
                ('pinned', models.BooleanField(default=False)),
                ('last_contacted_at', models.DateTimeField(blank=True, null=True)),
                ('snapshot', models.JSONField(blank=True, default=dict, help_text="The creator's followers, engagement and email status when added.")),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('creator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='list_items', to='scraping.creatorprofile')),
                ('creator_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='lists.creatorlist')),
            ],
            options={
                'db_table': 'campaigns_creatorlistitem',
                'ordering': ['creator_list', 'bucket', 'position'],
            },
        ),
        migrations.CreateModel(
            name='ListCollaborator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('role', models.CharField(choices=[('editor', 'Editor'), ('viewer', 'Viewer')], default='viewer', max_length=16)),
                ('invited_at', models.DateTimeField(auto_now_add=True)),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('creator_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='collaborators', to='lists.creatorlist')),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='list_memberships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'campaigns_listcollaborator',
                'ordering': ['invited_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ListExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row_count', models.PositiveIntegerField()),
                ('filename', models.CharField(max_length=120)),
                ('filters', models.JSONField(blank=True, default=dict, help_text='The bucket, platform and email filters used.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('creator_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to='lists.creatorlist')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'campaigns_listexport',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='creatorlist',
            index=models.Index(fields=['owner', '-updated_at'], name='creatorlist_owner_recent'),
        ),
        migrations.AddIndex(
            model_name='creatorlistitem',
            index=models.Index(fields=['creator_list', 'bucket', 'position'], name='list_item_board_order'),
        ),
        migrations.AddIndex(
            model_name='creatorlistitem',
            index=models.Index(fields=['creator_list', 'pinned'], name='list_item_pinned'),
        ),
        migrations.AddConstraint(
            model_name='creatorlistitem',
            constraint=models.UniqueConstraint(fields=('creator_list', 'creator'), name='list_item_unique_creator'),
        ),
        migrations.AddIndex(
            model_name='listcollaborator',
            index=models.Index(condition=models.Q(('user__isnull', True)), fields=['email'], name='list_invitation_pending_email'),
        ),
        migrations.AddConstraint(
            model_name='listcollaborator',
            constraint=models.UniqueConstraint(fields=('creator_list', 'email'), name='list_collaborator_unique_email'),
        ),
    ])]

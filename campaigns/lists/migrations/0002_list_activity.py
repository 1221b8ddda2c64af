
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lists', '0001_creator_lists_from_campaigns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ListActivity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('actor_email', models.CharField(blank=True, help_text='Kept if the account is deleted.', max_length=254)),
                ('kind', models.CharField(choices=[('added', 'Added creators'), ('moved', 'Moved creators'), ('removed', 'Removed creators'), ('noted', "Changed a creator's notes, pin or last contact"), ('exported', 'Exported'), ('shared', 'Shared the list')], max_length=16)),
                ('message', models.CharField(max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('creator_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activity', to='lists.creatorlist')),
            ],
            options={
                'verbose_name_plural': 'list activity',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['creator_list', '-created_at'], name='list_activity_recent')],
            },
        ),
    ]

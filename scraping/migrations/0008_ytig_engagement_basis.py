from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scraping", "0006_trial_rows_end_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="creatorprofile",
            name="engagement_basis",
            field=models.CharField(blank=True, choices=[("post", "From the post this search found"), ("recent_posts", "Average of the creator's recent posts")], help_text="What the engagement rate was computed from.", max_length=16),
        ),
        migrations.AddField(
            model_name="creatorprofile",
            name="engagement_posts",
            field=models.PositiveSmallIntegerField(blank=True, help_text="Recent posts averaged, when it is an average.", null=True),
        ),
        migrations.AlterField(
            model_name="creatorprofile",
            name="engagement_rate",
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Percent: interactions per view (or per follower).", max_digits=7, null=True),
        ),
    ]

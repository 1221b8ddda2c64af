from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scraping", "0007_tiktok_engagement_basis_similar_topics"),
    ]

    operations = [
        migrations.AddField(
            model_name="creatorprofile",
            name="engagement_posts",
            field=models.PositiveSmallIntegerField(blank=True, help_text="avg of recent posts: how many posts.", null=True),
        ),
        migrations.AlterField(
            model_name="creatorprofile",
            name="engagement_basis",
            field=models.CharField(blank=True, choices=[("post", "per post"), ("recent_posts", "avg of recent posts"), ("all_posts", "avg of all posts")], help_text="per post: interactions per view of the post a search saw; avg of recent posts: the mean of that over the creator's latest posts; avg of all posts: lifetime likes per post per follower.", max_length=16),
        ),
    ]

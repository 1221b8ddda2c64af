"""How the API shows a creator: the one output every endpoint that lists creators shares."""

from __future__ import annotations

from rest_framework import serializers

from .images.signing import creator_avatar_proxy_url
from .models import Platform

API_AVATAR_PIXELS = 256


class CreatorEmailOutput(serializers.Serializer):
    address = serializers.CharField()
    source = serializers.CharField(help_text="profile, bio or link")


class CreatorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField()
    display_name = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True, help_text="Percent: interactions per view, or per "
                                             "follower where views are unknown.")
    engagement_basis = serializers.CharField(
        help_text="How engagement_rate was computed: post (the post the search found), recent_posts (the mean "
                  "over the creator's recent posts), or empty when there is no figure.")
    engagement_posts = serializers.IntegerField(allow_null=True, help_text="Recent posts averaged (recent_posts).")
    verified = serializers.BooleanField()
    avatar_url = serializers.CharField(help_text="The platform's own URL: it expires and may refuse other sites.")
    avatar_proxy_url = serializers.SerializerMethodField(
        help_text=f"The avatar through our image proxy ({API_AVATAR_PIXELS} px JPEG or WebP): it keeps loading after "
                  "the platform's URL has expired, and answers an initial when there is no picture.")
    profile_url = serializers.CharField()
    bio = serializers.CharField()
    links = serializers.ListField(child=serializers.CharField())
    emails = CreatorEmailOutput(many=True)
    has_email = serializers.BooleanField()

    def get_avatar_proxy_url(self, creator) -> str:
        name = (creator.display_name or creator.handle or "?").strip()
        path = creator_avatar_proxy_url(creator, size=API_AVATAR_PIXELS, name=name)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request is not None else path

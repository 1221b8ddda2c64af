"""The search wizard suggests keywords from the brand description and the creators already found."""

from itertools import count

import pytest
from django.urls import reverse

from campaigns.services import campaign_create
from campaigns.suggestions import (
    description_keywords,
    keywords_merge,
    search_keyword_suggestions,
    shared_creator_terms,
)
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob

_numbers = count(1)


def found(user, *creators: tuple[list[str], str], keywords=("skincare",)) -> ScrapingJob:
    """A finished search of ``user`` that found creators with these post hashtags and bios."""
    job = ScrapingJob.objects.create(user=user, platform="tiktok", search_type="keyword", keywords=list(keywords),
                                     target_results=max(len(creators), 1), status=JobStatus.COMPLETED,
                                     found_count=len(creators))
    for rank, (hashtags, bio) in enumerate(creators, start=1):
        n = next(_numbers)
        creator = CreatorProfile.objects.create(platform="tiktok", external_id=f"suggest-{n}", handle=f"maker{n}",
                                                display_name=f"Maker {n}", bio=bio)
        JobCreator.objects.create(job=job, creator=creator, keyword=keywords[0], rank=rank, post_hashtags=hashtags)
    return job


def test_description_keywords_are_its_noun_phrases_not_its_filler():
    keywords = description_keywords(
        "Clean skincare for sensitive skin. We want beauty and wellness creators in the US."
    )
    assert keywords == ["clean skincare", "sensitive skin", "beauty", "wellness"]


def test_description_keywords_put_what_it_repeats_first_and_split_long_runs():
    keywords = description_keywords(
        "We sell organic vegan protein powder to runners. Marathon runners love it; so do runners who lift!"
    )
    assert keywords[0] == "runners"
    # Four words in a row would find little as one search: their two-word pieces stand instead.
    assert {"organic vegan", "vegan protein", "protein powder"} <= set(keywords)
    assert "organic vegan protein powder" not in keywords
    assert "marathon runners" in keywords
    assert not {"sell", "love", "who", "we"} & set(keywords)


def test_description_keywords_keep_hashtags_but_not_platform_filler():
    keywords = description_keywords("Cozy home decor #slowliving #fyp")
    assert keywords == ["cozy home decor", "#slowliving"]


def test_description_keywords_of_an_empty_or_filler_description_are_none():
    assert description_keywords("") == []
    assert description_keywords("We are looking for creators and influencers for our brand.") == []


def test_shared_creator_terms_need_two_creators_and_count_each_once():
    terms = shared_creator_terms([
        (["skincare", "fyp", "skincare"], "Skincare lover | dermatologist in NYC"),
        (["Skincare", "glassskin"], "Board-certified dermatologist sharing skincare tips"),
        (["glassskin"], "Mum of two"),
        (["oneoff"], "Dermatologist"),
    ])
    # dermatologist: 3 creators; #skincare: 2 (a bio's "skincare" is the same term); #glassskin: 2.
    assert terms[:3] == ["dermatologist", "#glassskin", "#skincare"]
    assert "#oneoff" not in terms and "#fyp" not in terms and "mum" not in terms


def test_shared_creator_terms_leave_out_a_word_that_only_comes_in_a_shared_phrase():
    terms = shared_creator_terms([([], "Vegan recipes, daily"), ([], "Easy vegan recipes"), ([], "Vegan mum")])
    assert terms == ["vegan", "vegan recipes"]  # "recipes" never comes without "vegan"


def test_keywords_merge_drops_repeats_in_any_spelling_and_what_was_searched():
    merged = keywords_merge(["clean skincare", "Beauty"], ["#cleanskincare", "#Beauty", "#vegans", "#vegan", "#tea",
                                                           "#coffee"], exclude=["beauty"], limit=3)
    assert merged == ["clean skincare", "#vegans", "#tea"]


@pytest.mark.django_db
def test_search_keyword_suggestions_come_from_the_description_then_the_found_creators(make_subscriber):
    user = make_subscriber(brand_description="Clean skincare for sensitive skin; beauty creators.")
    other = make_subscriber(brand_description="Gaming chairs for streamers.")
    found(user, (["glassskin", "fyp"], "Esthetician"), (["glassskin"], "Esthetician and mum"),
          keywords=("clean skincare",))
    found(other, (["esports"], "Pro gamer"), (["esports"], "Pro gamer"))

    suggestions = search_keyword_suggestions(user=user)

    # "clean skincare" was searched already; the other account's creators are not this one's.
    assert suggestions == ["sensitive skin", "beauty", "#glassskin", "esthetician"]


def wizard_page(client, user) -> str:
    campaign = campaign_create(user=user, name="Launch")
    client.force_login(user)
    return client.get(reverse("search_new", args=[campaign.pk])).content.decode()


@pytest.mark.django_db
def test_search_wizard_shows_suggestions_as_buttons_that_fill_the_keyword_input(client, make_subscriber):
    page = wizard_page(client, make_subscriber(brand_description="Handmade ceramic mugs for coffee lovers."))

    assert "Suggested from your brand" in page
    assert 'data-keyword="handmade ceramic mugs"' in page and 'data-keyword="coffee lovers"' in page


@pytest.mark.django_db
def test_search_wizard_without_anything_to_go_on_suggests_nothing(client, make_subscriber):
    page = wizard_page(client, make_subscriber(brand_description="We are looking for creators for our brand."))

    assert "Suggested from your brand" not in page and "data-keyword" not in page

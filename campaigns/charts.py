"""The dashboard's and the analytics pages' charts, drawn by the shared server-side bar chart
(influencer_platform.charts)."""

from __future__ import annotations

from influencer_platform.charts import Series, StackedBarChart, stacked_bar_chart
from scraping.models import Platform
from scraping.selectors import ActivityDay

from .analytics import CampaignFigures

BRAND = "#5b47e0"


def activity_chart(days: list[ActivityDay]) -> StackedBarChart:
    """Searches started per day, with the creators they found in each bar's title; every 5th day labelled."""
    return stacked_bar_chart(
        title=f"Searches per day over the last {len(days)} days",
        series=[Series("searches", "Searches", BRAND)],
        slots=[(f"{day.day:%b %-d}", {"searches": day.searches}) for day in days],
        notes=[f"{day.creators:,} creators" for day in days],
    )


# Campaign analytics

WITH_EMAIL, WITHOUT_EMAIL = "#5b47e0", "#c9c2f6"
PLATFORM_COLOURS = {"tiktok": "#14162b", "instagram": "#d6409f", "youtube": "#e5484d"}
CREATORS = [Series("creators", "Creators", BRAND)]
# The analytics pages draw their charts two to a row (one on a phone).
HALF = {"width": 480, "height": 200}


def _credits(value: float) -> str:
    return f"{value:,.2f}"


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def _categories(title: str, heading: str, counts: list[tuple[str, int]]) -> StackedBarChart:
    return stacked_bar_chart(title=title, series=CREATORS, unit="creators", label_every=1, label_heading=heading,
                             slots=[(label, {"creators": count}) for label, count in counts], **HALF)


def campaign_charts(figures: CampaignFigures) -> dict[str, StackedBarChart]:
    """The charts of one campaign's analytics page, by the name the template shows them under."""
    return {
        "platforms": stacked_bar_chart(
            title="Creators per platform, with and without a contact email", unit="creators", label_every=1,
            label_heading="Platform",
            series=[Series("with_email", "With email", WITH_EMAIL), Series("without_email", "No email", WITHOUT_EMAIL)],
            slots=[(platform.label, {"with_email": platform.with_email,
                                     "without_email": platform.creators - platform.with_email})
                   for platform in figures.platforms], **HALF),
        "followers": _categories("Creators by followers", "Followers", figures.followers),
        "engagement": _categories("Creators by engagement rate", "Engagement rate", figures.engagement),
        "keywords": _categories("Creators found per keyword", "Keyword", figures.top_keywords),
        "credits": stacked_bar_chart(
            title="Credits per creator, per search", unit="creators found", label_every=1, label_heading="Search",
            ratio=True, value_format=_credits, series=[Series("credits", "Credits per creator", BRAND)],
            slots=[(search.label, {"credits": float(search.credits_per_creator or 0)}) for search in figures.searches],
            **HALF),
    }


def comparison_charts(compared: list[CampaignFigures]) -> dict[str, StackedBarChart]:
    """The charts comparing campaigns, one bar per campaign in the order given."""
    names = [figures.campaign.name for figures in compared]
    return {
        "creators": stacked_bar_chart(
            title="Creators per campaign, by platform", unit="creators", label_every=1, label_heading="Campaign",
            series=[Series(key, label, PLATFORM_COLOURS[key], noun=label) for key, label in Platform.choices],
            slots=[(name, {platform.platform: platform.creators for platform in figures.platforms})
                   for name, figures in zip(names, compared)], **HALF),
        "email": stacked_bar_chart(
            title="Share of creators with a contact email", unit="with a contact email", label_every=1,
            label_heading="Campaign", value_format=_percent, series=[Series("share", "With email", WITH_EMAIL)],
            slots=[(name, {"share": figures.email_share}) for name, figures in zip(names, compared)], **HALF),
        "credits": stacked_bar_chart(
            title="Credits per creator", unit="creators found", label_every=1, label_heading="Campaign",
            ratio=True, value_format=_credits, series=[Series("credits", "Credits per creator", BRAND)],
            slots=[(name, {"credits": float(figures.credits_per_creator or 0)})
                   for name, figures in zip(names, compared)], **HALF),
    }

"""CSV downloads of a search's or a campaign's creators, shared by the pages and the API, and of
the campaign analytics figures.

Both check the plan (``csv_export``), scope the rows to the user (someone else's id is a 404),
and cap trial accounts at the rows they may see. An export is recorded (on the campaign's activity
log, in a list's export history) by a POST, which answers with a signed download link: the GET of
that link only streams the file, so a page elsewhere that makes a browser fetch an export URL
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from billing.models import Feature
from billing.selectors import result_row_limit
from billing.services import feature_check
from influencer_platform.formatting import plural
from scraping.export import BOM, LINE_END, csv_cell, csv_rows, export_filename, export_link_token
from scraping.models import JobCreator
from scraping.selectors import campaign_results, job_get, job_results

from .analytics import campaign_figures, campaigns_compared, comparison_rows, share_percent
from .selectors import campaign_get
from .services import campaign_export_record


@dataclass(frozen=True)
class ExportExtent:
    """How much of a search or campaign a CSV holds: a trial's holds the rows it is shown."""

    total: int
    exported: int

    @property
    def partial(self) -> bool:
        return self.exported < self.total

    @property
    def note(self) -> str:
        return f"first {self.exported:,} of {self.total:,}" if self.partial else ""


def export_extent(*, user: User, rows: QuerySet[JobCreator]) -> ExportExtent:
    limit = result_row_limit(user=user)
    total = rows.order_by().count()
    return ExportExtent(total=total, exported=total if limit is None else min(total, limit))


def search_export_extent(*, user: User, job_id: int) -> ExportExtent | None:
    """What a trial's CSV of this search would hold; None when it holds everything without asking."""
    if result_row_limit(user=user) is None:
        return None
    return export_extent(user=user, rows=job_results(user=user, job_id=job_id))


def campaign_export_extent(*, user: User, campaign_id: int) -> ExportExtent | None:
    if result_row_limit(user=user) is None:
        return None
    return export_extent(user=user, rows=campaign_results(user=user, campaign_id=campaign_id))


def _content_disposition(name: str) -> str:
    """An ASCII ``filename`` for every client, and the name in its own script (RFC 6266) when it has one."""
    day = timezone.localdate()
    filename, unicode_filename = export_filename(name, day), export_filename(name, day, allow_unicode=True)
    header = f'attachment; filename="{filename}"'
    if unicode_filename != filename:
        header += f"; filename*=UTF-8''{quote(unicode_filename)}"
    return header


def _csv_response(rows: QuerySet[JobCreator], *, limit: int | None, name: str,
                  extent: ExportExtent) -> StreamingHttpResponse:
    if extent.partial:
        # The file says what it holds: "glow-launch-first-25-of-584-2026-12-04.csv".
        name = f"{name} {extent.note}"
    return StreamingHttpResponse(
        csv_rows(rows, limit=limit),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _content_disposition(name)},
    )


def _search_name(job) -> str:
    # Named after the campaign and the query, so two searches of one campaign download apart.
    return f"{job.campaign.name} {job.query_label}" if job.campaign_id else f"search-{job.query_label}"


def search_export_start(*, user: User, job_id: int) -> str:
    """Record an export of one search on its campaign's activity; the token downloads it."""
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    job = job_get(user=user, job_id=job_id)
    if job.campaign_id:
        extent = export_extent(user=user, rows=job_results(user=user, job_id=job.pk))
        campaign_export_record(campaign=job.campaign, actor=user,
                               rows=f"{plural(extent.exported, 'creator')} from the search for {job.query_label}")
    return export_link_token(user=user, kind="search", target_id=job.pk)


def search_export_response(*, user: User, job_id: int) -> StreamingHttpResponse:
    """One search's creators in the results' order, named after its campaign and its query. Writes nothing."""
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    job = job_get(user=user, job_id=job_id)
    rows = job_results(user=user, job_id=job.pk)
    extent = export_extent(user=user, rows=rows)
    return _csv_response(rows, limit=result_row_limit(user=user), name=_search_name(job), extent=extent)


def campaign_export_start(*, user: User, campaign_id: int) -> str:
    """Record an export of the campaign's creators on its activity; the token downloads it."""
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    extent = export_extent(user=user, rows=campaign_results(user=user, campaign_id=campaign.pk))
    campaign_export_record(campaign=campaign, actor=user, rows=plural(extent.exported, "creator"))
    return export_link_token(user=user, kind="campaign", target_id=campaign.pk)


def campaign_export_response(*, user: User, campaign_id: int) -> StreamingHttpResponse:
    """Every creator the campaign's searches found, once each. Writes nothing."""
    feature_check(user=user, feature=Feature.CSV_EXPORT).raise_if_denied()
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    rows = campaign_results(user=user, campaign_id=campaign.pk)
    extent = export_extent(user=user, rows=rows)
    return _csv_response(rows, limit=result_row_limit(user=user), name=campaign.name, extent=extent)


# The analytics figures (plans with advanced analytics)


def _figures_csv(lines: list[tuple]) -> HttpResponse:
    body = BOM + "".join(",".join(_figure_cell(value) for value in line) + LINE_END for line in lines)
    return HttpResponse(body, content_type="text/csv; charset=utf-8")


def _figure_cell(value) -> str:
    # Our own numbers go out as numbers; names and keywords people typed are neutralised.
    if value is None:
        return ""
    return str(value) if isinstance(value, int | Decimal) else csv_cell(str(value))


def campaign_figures_export_response(*, user: User, campaign_id: int) -> HttpResponse:
    """One campaign's figures, one per line: figure, group, creators, share of the campaign's creators."""
    feature_check(user=user, feature=Feature.ADVANCED_ANALYTICS).raise_if_denied()
    figures = campaign_figures(user=user, campaign=campaign_get(user=user, campaign_id=campaign_id))

    def share(count: int) -> int:
        return share_percent(count, figures.creators)

    lines: list[tuple] = [("Figure", "Group", "Value", "Share of creators (%)"),
                          ("Creators", "All", figures.creators, 100 if figures.creators else 0),
                          ("With a contact email", "All", figures.with_email, figures.email_share)]
    for platform in figures.platforms:
        lines.append(("Creators per platform", platform.label, platform.creators, share(platform.creators)))
        lines.append(("With a contact email, per platform", platform.label, platform.with_email,
                      platform.email_share))
    lines += [("Followers", label, count, share(count)) for label, count in figures.followers]
    lines += [("Engagement rate", label, count, share(count)) for label, count in figures.engagement]
    lines += [("Creators found per keyword", keyword, count, share(count)) for keyword, count in figures.keywords]
    lines += [("Credits per creator", search.label, search.credits_per_creator, None) for search in figures.searches]
    lines.append(("Credits per creator", "All searches", figures.credits_per_creator, None))
    response = _figures_csv(lines)
    response["Content-Disposition"] = _content_disposition(f"{figures.campaign.name} analytics")
    return response


def campaigns_compared_export_response(*, user: User) -> HttpResponse:
    """Every campaign that has searched, one per line, on the same figures as its analytics page."""
    feature_check(user=user, feature=Feature.ADVANCED_ANALYTICS).raise_if_denied()
    compared = campaigns_compared(user=user)
    rows = comparison_rows(compared)
    lines: list[tuple] = [("Campaign", *[figure for figure, _values in rows])]
    for index, figures in enumerate(compared):
        lines.append((figures.campaign.name, *[values[index] for _figure, values in rows]))
    response = _figures_csv(lines)
    response["Content-Disposition"] = _content_disposition("campaign comparison")
    return response

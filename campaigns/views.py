from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import user_profile_get
from adminpanel.config import config_get
from billing.models import Feature
from billing.selectors import paywall, plan_for_user, plan_list, result_row_limit, trial_days
from billing.services import PlanLimitError, campaign_create_check, creators_check, feature_check
from influencer_platform.errors import ApplicationError
from scraping.export import ExportLinkError, export_link_check
from scraping.filters import ResultFilterForm
from scraping.models import EndReason
from scraping.selectors import (
    campaign_results,
    job_get,
    job_result_rows,
    recent_jobs,
    result_page,
    search_activity,
    search_totals,
)

from .analytics import campaign_figures, campaigns_compared, comparison_rows
from .charts import activity_chart, campaign_charts, comparison_charts
from .exports import (
    campaign_export_extent,
    campaign_export_response,
    campaign_export_start,
    campaign_figures_export_response,
    campaigns_compared_export_response,
    search_export_extent,
    search_export_response,
    search_export_start,
)
from .forms import CampaignForm, SearchWizardForm
from .lists.selectors import list_overview, lists_for_adding
from .models import CampaignStatus
from .results_table import result_table_rows
from .selectors import CAMPAIGN_SORTS, campaign_counts, campaign_get, campaign_list, campaign_searches, campaign_timeline
from .services import (
    campaign_archive,
    campaign_create,
    campaign_delete,
    campaign_restore,
    campaign_search_cancel,
    campaign_search_resume,
    campaign_search_start,
    campaign_update,
)
from .suggestions import search_keyword_suggestions

# Placeholder rows drawn under a trial user's visible results, so the page shows there is more.
BLURRED_ROWS = 6


def landing(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "campaigns/landing.html", {"plans": plan_list(paid_only=True), "trial_days": trial_days()})


@login_required
def dashboard(request):
    user = user_profile_get(user_id=request.user.pk)
    activity = search_activity(user=user, days=30)
    return render(request, "campaigns/dashboard.html", {
        "profile_user": user,
        "totals": search_totals(user=user),
        "campaign_counts": campaign_counts(user=user),
        "recent": recent_jobs(user=user),
        "chart": activity_chart(activity),
        "activity_total": sum(day.searches for day in activity),
        "lists": list_overview(user=user),
    })


# Campaigns


@login_required
def campaign_index(request):
    status = request.GET.get("status", "")
    status = status if status in CampaignStatus.values else ""
    # PostgreSQL text cannot hold NUL, so a pasted one would fail the query instead of matching nothing.
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    sort = request.GET.get("sort", "newest")
    sort = sort if sort in CAMPAIGN_SORTS else "newest"
    campaigns = campaign_list(user=request.user, status=status, text=text, sort=sort)
    page = Paginator(campaigns, 20).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {
        "page": page,
        "status": status,
        "text": text,
        "sort": sort,
        "query_string": urlencode({"status": status, "q": text, "sort": sort}),
        "sorts": [(key, label) for key, (_o, label) in CAMPAIGN_SORTS.items()],
        "statuses": CampaignStatus.choices,
        "counts": campaign_counts(user=request.user),
    })


@login_required
def campaign_new(request):
    user = user_profile_get(user_id=request.user.pk)
    allowed = campaign_create_check(user=user)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(user=user, **form.cleaned_data)
        except PlanLimitError as exc:
            allowed = campaign_create_check(user=user)
            form.add_error(None, exc.message)
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created. Start your first search.")
            return redirect("search_new", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "allowed": allowed})


@login_required
def campaign_detail(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "searches": campaign_searches(campaign=campaign),
        "timeline": campaign_timeline(campaign=campaign),
        "can_export": feature_check(user=request.user, feature="csv_export").allowed,
        "export_extent": campaign_export_extent(user=request.user, campaign_id=campaign.pk),
        "can_analyse": feature_check(user=request.user, feature=Feature.BASIC_ANALYTICS).allowed,
    })


@login_required
def campaign_edit(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    # The form gets the values, not the campaign itself: validating a bound ModelForm writes the
    # posted values onto its instance, and the service would then see nothing to change.
    form = CampaignForm(request.POST or None, initial=model_to_dict(campaign, fields=CampaignForm._meta.fields))
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_archive_toggle(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    if campaign.archived_at:
        campaign_restore(campaign=campaign, actor=request.user)
        messages.success(request, f"“{campaign.name}” is back in your campaigns.")
    else:
        campaign_archive(campaign=campaign, actor=request.user)
        messages.success(request, f"“{campaign.name}” archived. Its searches and results are kept.")
    return redirect("campaign_detail", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_remove(request, campaign_id: int):
    campaign = campaign_get(user=request.user, campaign_id=campaign_id)
    campaign_delete(campaign=campaign)
    messages.success(request, f"“{campaign.name}” and its searches were deleted.")
    return redirect("campaign_list")


# Searches


@login_required
def search_new(request, campaign_id: int):
    user = user_profile_get(user_id=request.user.pk)
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    if campaign.archived_at:
        messages.warning(request, "This campaign is archived. Restore it to run new searches.")
        return redirect("campaign_detail", campaign_id=campaign.pk)
    quota = creators_check(user=user, count=1)
    recommended = quota.as_extra().get("recommended_plan")
    initial = {"tile": f"tiktok:{campaign.search_type}", "target": "100"}
    form = SearchWizardForm(request.POST or None, initial=initial, remaining=quota.remaining)
    if request.method == "POST" and not form.is_valid() and form.over_quota:
        recommended = creators_check(user=user, count=form.over_quota).as_extra().get("recommended_plan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = campaign_search_start(
                user=user, campaign=campaign, platform=data["platform"], search_type=data["search_type"],
                target_results=data["target_results"], keywords=data["keywords"], username=data["username"],
            )
        except PlanLimitError as exc:
            form.add_error("target" if exc.code == "creator_limit" else None, exc.message)
            recommended = exc.extra.get("recommended_plan")
        except ApplicationError as exc:
            form.add_error(SearchWizardForm.FIELD_FOR_INPUT.get(exc.extra.get("field")), exc.message)
        else:
            return redirect("search_detail", job_id=job.pk)
    return render(request, "campaigns/search_new.html", {
        "campaign": campaign,
        "form": form,
        "quota": quota,
        "recommended": recommended,
        "plan": plan_for_user(user=user),
        "keyword_suggestions": search_keyword_suggestions(user=user),
    })


def _results_context(request, rows, *, user, base_url: str) -> dict:
    form = ResultFilterForm(request.GET or None)
    rows = rows(form.filters())
    limit = result_row_limit(user=user)
    results = result_page(rows, number=request.GET.get("page"), per_page=form.rows_per_page(), limit=limit)
    page, total, shown = results.page, results.total, results.shown
    limited = total > shown
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "page": page,
        "rows": result_table_rows(page.object_list),
        "total": total,
        "limit": limit,
        "limited": limited,
        "hidden_count": total - shown,
        "paywall": paywall(user=user, total=total) if limited else None,
        "blurred_rows": range(BLURRED_ROWS) if limited and not page.has_next() else (),
        "query_string": query.urlencode(),
        "results_url": base_url,
        # The "add to list" bar: how many rows "select all" takes, and where they can go.
        "selectable_total": shown,
        "add_lists": lists_for_adding(user=user),
    }


@login_required
def search_detail(request, job_id: int):
    user = user_profile_get(user_id=request.user.pk)
    job = job_get(user=user, job_id=job_id)
    context = _results_context(request, lambda filters: job_result_rows(job=job, filters=filters),
                               user=user, base_url=reverse("search_detail", args=[job.pk]))
    context.update(_progress_context(job, user=user), job=job,
                   can_export=feature_check(user=user, feature="csv_export").allowed,
                   export_extent=search_export_extent(user=user, job_id=job.pk))
    template = "campaigns/_results.html" if request.htmx and request.htmx.target == "results" else \
        "campaigns/search_detail.html"
    return render(request, template, context)


def _progress_context(job, *, user) -> dict:
    # A trial's search that stopped at the rows a trial sees resumes once its owner subscribes.
    waits_for_plan = job.end_reason == EndReason.TRIAL_ROWS and result_row_limit(user=user) is not None
    return {
        "job": job,
        "poll_seconds": max(1, int(config_get("ui.progress_poll_interval").total_seconds())),
        "can_resume": job.is_finished and job.is_resumable and not waits_for_plan,
        "resume_paywall": paywall(user=user, total=job.target_results, to_find=True) if waits_for_plan else None,
    }


@login_required
def search_progress(request, job_id: int):
    """The progress block; htmx polls it while the search runs and stops once it has ended."""
    job = job_get(user=request.user, job_id=job_id)
    response = render(request, "campaigns/_progress.html", _progress_context(job, user=request.user))
    seen = request.GET.get("seen", "")
    if seen.isdigit() and len(seen) <= 18 and int(seen) != job.found_count or job.is_finished:
        # The results table listens for this and reloads itself with its current filters.
        response["HX-Trigger"] = "results-changed"
    return response


def _search_action(request, job_id: int, action, done: str):
    """Run ``action`` on the user's search, say how it went, and go back to the search's page."""
    job = job_get(user=request.user, job_id=job_id)
    try:
        action(user=request.user, job=job)
    except ApplicationError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("search_detail", job_id=job.pk)


@login_required
@require_POST
def search_cancel(request, job_id: int):
    return _search_action(request, job_id, campaign_search_cancel,
                          "Search cancelled. The creators found so far are kept.")


@login_required
@require_POST
def search_resume(request, job_id: int):
    return _search_action(request, job_id, campaign_search_resume,
                          "Search resumed from where it stopped. Creators it already found are not counted again.")


@login_required
def campaign_results_view(request, campaign_id: int):
    user = user_profile_get(user_id=request.user.pk)
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    context = _results_context(
        request, lambda filters: campaign_results(user=user, campaign_id=campaign.pk, filters=filters),
        user=user, base_url=reverse("campaign_results", args=[campaign.pk]))
    context.update(campaign=campaign, can_export=feature_check(user=user, feature="csv_export").allowed,
                   export_extent=campaign_export_extent(user=user, campaign_id=campaign.pk),
                   merged=True)
    template = "campaigns/_results.html" if request.htmx and request.htmx.target == "results" else \
        "campaigns/campaign_results.html"
    return render(request, template, context)


# Exports


def _export_or_explain(request, make_response, back_url: str):
    try:
        return make_response()
    except PlanLimitError as exc:
        plan = exc.extra.get("recommended_plan")
        hint = f" {plan['name']} includes it." if plan else ""
        messages.warning(request, f"{exc.message}{hint}")
        return redirect(back_url)
    except ExportLinkError as exc:
        messages.warning(request, exc.message)
        return redirect(back_url)


def _export_download_url(name: str, target_id: int, token: str) -> str:
    return f"{reverse(name, args=[target_id])}?{urlencode({'link': token})}"


@login_required
@require_POST
def search_export_start_view(request, job_id: int):
    """Record the export, then send the browser to the file it may download."""
    return _export_or_explain(
        request, lambda: redirect(_export_download_url(
            "search_export", job_id, search_export_start(user=request.user, job_id=job_id))),
        reverse("search_detail", args=[job_id]))


@login_required
def search_export(request, job_id: int):
    def download():
        # Scope and plan first (someone else's search is a 404), then the link of a recorded export.
        response = search_export_response(user=request.user, job_id=job_id)
        export_link_check(user=request.user, kind="search", target_id=job_id, token=request.GET.get("link", ""))
        return response

    return _export_or_explain(request, download, reverse("search_detail", args=[job_id]))


@login_required
@require_POST
def campaign_export_start_view(request, campaign_id: int):
    return _export_or_explain(
        request, lambda: redirect(_export_download_url(
            "campaign_export", campaign_id, campaign_export_start(user=request.user, campaign_id=campaign_id))),
        reverse("campaign_detail", args=[campaign_id]))


@login_required
def campaign_export(request, campaign_id: int):
    def download():
        response = campaign_export_response(user=request.user, campaign_id=campaign_id)
        export_link_check(user=request.user, kind="campaign", target_id=campaign_id,
                          token=request.GET.get("link", ""))
        return response

    return _export_or_explain(request, download, reverse("campaign_detail", args=[campaign_id]))


# Analytics


@login_required
def campaign_analytics(request, campaign_id: int):
    """A campaign's figures as charts (basic analytics); plans with advanced analytics also get
    the CSV of them and the way to the comparison."""
    user = user_profile_get(user_id=request.user.pk)
    campaign = campaign_get(user=user, campaign_id=campaign_id)
    basic = feature_check(user=user, feature=Feature.BASIC_ANALYTICS)
    context = {"campaign": campaign, "denied": basic if not basic.allowed else None,
               "advanced": feature_check(user=user, feature=Feature.ADVANCED_ANALYTICS)}
    if basic.allowed:
        figures = campaign_figures(user=user, campaign=campaign)
        context.update(figures=figures, charts=campaign_charts(figures))
    return render(request, "campaigns/campaign_analytics.html", context, status=200 if basic.allowed else 403)


@login_required
def campaign_comparison(request):
    """The user's campaigns side by side on the same figures (advanced analytics)."""
    user = user_profile_get(user_id=request.user.pk)
    advanced = feature_check(user=user, feature=Feature.ADVANCED_ANALYTICS)
    context = {"denied": advanced if not advanced.allowed else None}
    if advanced.allowed:
        compared = campaigns_compared(user=user)
        context.update(compared=compared, rows=comparison_rows(compared),
                       charts=comparison_charts(compared) if compared else {})
    return render(request, "campaigns/campaign_comparison.html", context, status=200 if advanced.allowed else 403)


@login_required
def campaign_analytics_export(request, campaign_id: int):
    return _export_or_explain(
        request, lambda: campaign_figures_export_response(user=request.user, campaign_id=campaign_id),
        reverse("campaign_analytics", args=[campaign_id]))


@login_required
def campaign_comparison_export(request):
    return _export_or_explain(
        request, lambda: campaigns_compared_export_response(user=request.user), reverse("campaign_comparison"))

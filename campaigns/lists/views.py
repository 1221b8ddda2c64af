"""Creator list pages: the lists, a list's board and table, sharing, exports, and adding from results.

Each view fetches the list with ``list_get`` at the access its action needs (read, edit, own), so
anything a user may not do to a list answers 404, exactly like a list that does not exist.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.middleware import onboarding_not_required
from billing.models import Feature
from billing.selectors import result_row_limit
from billing.services import PlanLimitError, feature_check
from influencer_platform.errors import ApplicationError, NotFoundError
from influencer_platform.formatting import plural
from scraping.export import ExportLinkError, export_link_check

from .exports import list_export_response, list_export_start
from .forms import (
    BulkForm,
    CollaboratorForm,
    CreatorListForm,
    ItemFilterForm,
    ItemMoveForm,
    ItemUpdateForm,
    ListAddForm,
    ListIndexFilterForm,
    ShareForm,
)
from .selectors import (
    ListAccess,
    bucket_counts,
    can,
    list_activity,
    list_board,
    list_collaborators,
    list_exports,
    list_get,
    list_item_get,
    list_items,
    list_list,
    lists_counted,
    lists_for_adding,
    result_creator_ids,
)
from .services import (
    list_add_creators,
    list_archive,
    list_collaborator_remove,
    list_collaborator_update,
    list_create,
    list_create_with_creators,
    list_delete,
    list_duplicate,
    list_item_change,
    list_item_move,
    list_items_move,
    list_items_remove,
    list_leave,
    list_restore,
    list_share,
    list_update,
)
from .models import CreatorList, CreatorListItem, ListRole, ListType

TABLE_PAGE_SIZE = 50


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


def _errors_text(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@onboarding_not_required
@login_required
def list_index(request):
    filters = ListIndexFilterForm(request.GET)
    archived = filters.value("status") == "archived"
    text, list_type = filters.value("q"), filters.value("type")
    lists = list_list(user=request.user, archived=archived, text=text, list_type=list_type)
    page = Paginator(lists, 24).get_page(request.GET.get("page"))
    page.object_list = lists_counted(page.object_list)
    return render(request, "lists/list_index.html", {
        "page": page,
        "archived": archived, "status": "archived" if archived else "", "text": text,
        "list_type": list_type, "types": ListType.choices,
    })


@login_required
def list_new(request):
    form = CreatorListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            creator_list = list_create(owner=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, f"List “{creator_list.name}” created. "
                                      "Add creators to it from any search's results.")
            return redirect("list_board", list_id=creator_list.pk)
    return render(request, "lists/form.html", {"form": form})


def _list_context(request, creator_list, *, tab: str) -> dict:
    counts = bucket_counts(creator_list)
    return {
        "creator_list": creator_list,
        "tab": tab,
        "can_edit": can(creator_list, ListAccess.EDIT) and not creator_list.is_archived,
        "is_owner": can(creator_list, ListAccess.OWN),
        "can_export": feature_check(user=request.user, feature=Feature.CSV_EXPORT).allowed,
        "counts": counts,
        "item_total": sum(count for _key, _label, count in counts),
        "collaborators": list_collaborators(creator_list=creator_list),
    }


def _filter_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _board_context(request, creator_list) -> dict:
    filter_form = ItemFilterForm(request.GET or None, creator_list=creator_list)
    context = _list_context(request, creator_list, tab="board")
    context.update(filter_form=filter_form, filter_query=_filter_query(request),
                   columns=list_board(creator_list=creator_list, filters=filter_form.filters()))
    return context


def _list_view(request, list_id: int, *, view: str, context_for) -> HttpResponse:
    """The board or the table: the whole page, or only the view when htmx redraws it in place."""
    creator_list = list_get(user=request.user, list_id=list_id)
    context = context_for(request, creator_list)
    if request.htmx and request.htmx.target == "list-view":
        return render(request, f"lists/_{view}.html", context)
    return render(request, f"lists/{view}.html", context)


@onboarding_not_required
@login_required
def list_board_view(request, list_id: int):
    return _list_view(request, list_id, view="board", context_for=_board_context)


def _table_context(request, creator_list) -> dict:
    filter_form = ItemFilterForm(request.GET or None, creator_list=creator_list)
    items = list_items(creator_list=creator_list, filters=filter_form.filters())
    context = _list_context(request, creator_list, tab="table")
    context.update(filter_form=filter_form, filter_query=_filter_query(request),
                   page=Paginator(items, TABLE_PAGE_SIZE).get_page(request.GET.get("page")))
    return context


@onboarding_not_required
@login_required
def list_table_view(request, list_id: int):
    return _list_view(request, list_id, view="table", context_for=_table_context)


@login_required
def list_edit(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
    form = CreatorListForm(request.POST or None, creator_list=creator_list)
    if request.method == "POST" and form.is_valid():
        try:
            list_update(creator_list=creator_list, **form.service_kwargs())
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, "List saved.")
            return redirect("list_board", list_id=creator_list.pk)
    return render(request, "lists/form.html", {"form": form, "creator_list": creator_list})


@login_required
@require_POST
def list_duplicate_view(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id)
    copy = list_duplicate(creator_list=creator_list, actor=request.user)
    messages.success(request, f"“{copy.name}” is your copy of “{creator_list.name}”.")
    return redirect("list_board", list_id=copy.pk)


@login_required
@require_POST
def list_archive_toggle(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
    if creator_list.archived_at:
        list_restore(creator_list=creator_list)
        messages.success(request, f"“{creator_list.name}” is back in your lists.")
    else:
        list_archive(creator_list=creator_list)
        messages.success(request, f"“{creator_list.name}” archived. Restore it to change it again.")
    return redirect("list_board", list_id=creator_list.pk)


@login_required
@require_POST
def list_remove(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
    list_delete(creator_list=creator_list)
    messages.success(request, f"“{creator_list.name}” and its creators were deleted.")
    return redirect("list_index")


@onboarding_not_required
@login_required
@require_POST
def list_leave_view(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id)
    try:
        list_leave(creator_list=creator_list, user=request.user)
    except ApplicationError as exc:
        messages.warning(request, exc.message)
        return redirect("list_board", list_id=creator_list.pk)
    messages.success(request, f"You left “{creator_list.name}”.")
    return redirect("list_index")


# Items


@onboarding_not_required
@login_required
@require_POST
def list_move(request, list_id: int):
    """Drop a card on the board (or pick a bucket on it): answers with the board, redrawn as it now is."""
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
    form = ItemMoveForm(request.POST)
    error = announcement = ""
    if form.is_valid():
        try:
            item = list_item_move(creator_list=creator_list, actor=request.user, item_id=form.cleaned_data["item"],
                                  bucket=form.cleaned_data["bucket"], before_item_id=form.cleaned_data["before"],
                                  position=form.cleaned_data["position"])
            announcement = _move_announcement(creator_list, item)
        except ApplicationError as exc:
            # Someone removed the card or archived the list meanwhile: the redrawn board shows why.
            error = exc.message
    else:
        error = "That move was not understood; the board shows where everything is now."
    if not request.htmx:
        if error:
            messages.warning(request, error)
        elif announcement:
            messages.success(request, announcement)
        return redirect(_safe_next(request, reverse("list_board", args=[creator_list.pk])))
    context = _board_context(request, creator_list)
    context.update(board_error=error, board_announcement=announcement)
    # htmx swaps only successful answers, and the board must be redrawn either way.
    return render(request, "lists/_board.html", context)


def _move_announcement(creator_list: CreatorList, item: CreatorListItem) -> str:
    """What a screen reader says after a card moved: where it is now."""
    total = next(count for key, _label, count in bucket_counts(creator_list) if key == item.bucket)
    return (f"Moved @{item.creator.handle} to {creator_list.bucket_label(item.bucket)}, "
            f"{item.position + 1} of {total}.")


@onboarding_not_required
@login_required
@require_POST
def list_bulk(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
    form = BulkForm(request.POST)
    done = problem = ""
    if not form.is_valid():
        problem = _errors_text(form)
    else:
        data = form.cleaned_data
        try:
            if data["action"] == "move":
                moved = list_items_move(creator_list=creator_list, actor=request.user, item_ids=data["item"],
                                        bucket=data["bucket"])
                done = f"Moved {plural(moved, 'creator')} to {creator_list.bucket_label(data['bucket'])}."
            else:
                removed = list_items_remove(creator_list=creator_list, actor=request.user, item_ids=data["item"])
                done = f"Removed {plural(removed, 'creator')} from the list."
        except ApplicationError as exc:
            problem = exc.message
    if request.htmx:
        # The table redrawn in place (with the filters of the page it came from), the outcome read out.
        context = _table_context(request, creator_list)
        context.update(table_announcement=done or problem, table_error=problem)
        return render(request, "lists/_table.html", context)
    if problem:
        messages.warning(request, problem)
    else:
        messages.success(request, done)
    return redirect(_safe_next(request, reverse("list_table", args=[creator_list.pk])))


@onboarding_not_required
@login_required
@require_POST
def list_item_edit(request, list_id: int, item_id: int):
    """One change from a table row (bucket, notes or pin); htmx gets the row back, redrawn."""
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.EDIT)
    form = ItemUpdateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            list_item_change(creator_list=creator_list, actor=request.user, item_id=item_id,
                             bucket=form.cleaned_data.get("bucket") or None, **form.changes())
        except NotFoundError:
            raise  # answered 404 by the error middleware
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _errors_text(form)
    if not request.htmx:
        if error:
            messages.warning(request, error)
        return redirect(_safe_next(request, reverse("list_table", args=[creator_list.pk])))
    # htmx swaps only successful answers, and the row must come back either way.
    return render(request, "lists/_item_row.html", {
        "item": list_item_get(creator_list=creator_list, item_id=item_id), "creator_list": creator_list,
        "can_edit": True, "row_error": error,
    })


# Adding from results


def _selection(user, form: ListAddForm) -> list[int]:
    data = form.cleaned_data
    source = {"job_id": data["job"]} if data.get("job") else {"campaign_id": data["campaign"]}
    # The table's filters and the trial's row limit decide both "select all" and what could be ticked.
    return result_creator_ids(user=user, filters=form.result_filters(), limit=result_row_limit(user=user),
                              creator_ids=None if data.get("all_matching") else data["creator"], **source)


@login_required
@require_POST
def list_add_results(request):
    """Add ticked rows, or every row matching the table's filters, to an existing or a new list."""
    form = ListAddForm(request.POST)
    outcome, error = None, ""
    if form.is_valid():
        try:
            creator_ids = _selection(request.user, form)
            if not creator_ids:
                error = "None of the selected creators are in these results any more."
            elif form.cleaned_data.get("target"):
                creator_list = list_get(user=request.user, list_id=form.cleaned_data["target"],
                                        access=ListAccess.EDIT)
                outcome = list_add_creators(creator_list=creator_list, actor=request.user, creator_ids=creator_ids)
            else:
                outcome = list_create_with_creators(owner=request.user, name=form.cleaned_data["new_list_name"],
                                                    creator_ids=creator_ids)
        except NotFoundError:
            raise  # answered 404 by the error middleware
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _errors_text(form)
    if request.htmx:
        return render(request, "lists/_add_result.html", {
            "outcome": outcome, "error": error, "add_lists": lists_for_adding(user=request.user),
        })
    if outcome:
        messages.success(request, outcome.message)
    else:
        messages.warning(request, error)
    return redirect(_safe_next(request, reverse("list_index")))


# Sharing and exports


@onboarding_not_required
@login_required
def list_share_view(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collaborator = list_share(creator_list=creator_list, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            if collaborator.is_pending:
                messages.success(request, f"Invitation sent to {collaborator.email}. They get access once they "
                                          "sign up with that address and confirm it.")
            else:
                verb = "edit" if collaborator.role == ListRole.EDITOR else "view"
                messages.success(request, f"{collaborator.email} can now {verb} this list.")
            return redirect("list_share", list_id=creator_list.pk)
    context = _list_context(request, creator_list, tab="share")
    context["form"] = form
    return render(request, "lists/share.html", context)


@login_required
@require_POST
def list_collaborator_edit(request, list_id: int, collaborator_id: int):
    creator_list = list_get(user=request.user, list_id=list_id, access=ListAccess.OWN)
    form = CollaboratorForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["action"] == "remove":
                list_collaborator_remove(creator_list=creator_list, collaborator_id=collaborator_id)
                messages.success(request, "Access removed.")
            else:
                list_collaborator_update(creator_list=creator_list, collaborator_id=collaborator_id,
                                         role=form.cleaned_data["role"])
                messages.success(request, "Role changed.")
        except NotFoundError:
            raise  # answered 404 by the error middleware
        except ApplicationError as exc:
            messages.warning(request, exc.message)
    return redirect("list_share", list_id=creator_list.pk)


@onboarding_not_required
@login_required
@require_POST
def list_export_start_view(request, list_id: int):
    """Record the export (with the filters of the page's query string), then send the browser to the file."""
    filters = ItemFilterForm(request.GET or None).filters()
    try:
        token = list_export_start(user=request.user, list_id=list_id, filters=filters, query=request.GET.urlencode())
    except PlanLimitError as exc:
        plan = exc.extra.get("recommended_plan")
        messages.warning(request, exc.message + (f" {plan['name']} includes it." if plan else ""))
        return redirect("list_board", list_id=list_id)
    return redirect(f"{reverse('list_export', args=[list_id])}?{urlencode({'link': token})}")


@onboarding_not_required
@login_required
def list_export(request, list_id: int):
    """The file an export recorded; the filters are the ones it was recorded with."""
    try:
        list_get(user=request.user, list_id=list_id)  # someone else's list is a 404, link or not
        query = export_link_check(user=request.user, kind="list", target_id=list_id, token=request.GET.get("link", ""))
        filters = ItemFilterForm(QueryDict(query) or None).filters()
        return list_export_response(user=request.user, list_id=list_id, filters=filters)
    except (PlanLimitError, ExportLinkError) as exc:
        messages.warning(request, exc.message)
        return redirect("list_board", list_id=list_id)


@onboarding_not_required
@login_required
def list_exports_view(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id)
    context = _list_context(request, creator_list, tab="exports")
    context["exports"] = list_exports(creator_list=creator_list)[:100]
    return render(request, "lists/exports.html", context)


@onboarding_not_required
@login_required
def list_activity_view(request, list_id: int):
    creator_list = list_get(user=request.user, list_id=list_id)
    context = _list_context(request, creator_list, tab="activity")
    context["activity"] = list_activity(creator_list=creator_list)
    return render(request, "lists/activity.html", context)


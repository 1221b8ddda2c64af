"""Customer data in the console: campaigns with their searches and activity, lists with their items,
buckets, collaborators, invitations, activity and export history.

Everything is read-only: support looks, and changes only through the audited actions here
(restore an archived list or campaign, give a list to another account, resend an invitation),
each one a ``do_*`` service. Every changelist loads its related rows with the page's one query
(``list_select_related``, annotations), so its query count does not grow with the rows shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from campaigns.lists.models import CreatorList, CreatorListItem, ListActivity, ListCollaborator, ListExport
from campaigns.models import Campaign, CampaignActivity
from influencer_platform.errors import ApplicationError
from influencer_platform.formatting import plural
from scraping.models import ScrapingJob

from . import services


def _link(admin_site: admin.AdminSite, obj, text: str | None = None) -> SafeString | str:
    if obj is None:
        return "—"
    url = reverse(f"{admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else str(obj))


def _changelist(admin_site: admin.AdminSite, model, query: str, text: str) -> SafeString:
    url = reverse(f"{admin_site.name}:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


class ViewOnly:
    """Customer data is the customer's: the console shows it and changes it only through actions."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ViewOnly, admin.ModelAdmin):
    def _each(self, request: HttpRequest, queryset, change, *, done: str) -> None:
        """Run ``change(pk)`` per selected row; ``done`` reads like "Restored {rows}"."""
        changed, refused = 0, []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                change(pk)
            except ApplicationError as exc:
                refused.append(exc.message)
            else:
                changed += 1
        if changed:
            self.message_user(request, done.replace("{rows}", plural(changed, self.model._meta.verbose_name))
                              + ".", messages.SUCCESS)
        for reason in dict.fromkeys(refused):
            self.message_user(request, reason, messages.WARNING)


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


# Campaigns


class CampaignSearchInline(ReadOnlyInline):
    model = ScrapingJob
    fk_name = "campaign"
    verbose_name = "search"
    verbose_name_plural = "Searches"
    fields = ("platform", "search_type", "keywords", "target_username", "status", "end_reason", "found_count",
              "target_results", "credits_spent", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)


class CampaignActivityInline(ReadOnlyInline):
    model = CampaignActivity
    verbose_name_plural = "Activity"
    fields = ("created_at", "actor", "kind", "message", "job")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CampaignActivity]:
        return super().get_queryset(request).select_related("actor", "job").order_by("-created_at")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer", "search_type", "search_count", "archived_at", "created_at")
    list_select_related = ("user",)
    list_filter = ("search_type", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "user__email", "=id")
    date_hierarchy = "created_at"
    actions = ("restore_selected",)
    fields = ("name", "customer", "description", "search_type", "archived_at", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (CampaignSearchInline, CampaignActivityInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).annotate(search_total=Count("searches", distinct=True))

    @admin.display(description="Customer", ordering="user__email")
    def customer(self, campaign: Campaign) -> SafeString | str:
        return _link(self.admin_site, campaign.user, campaign.user.email)

    @admin.display(description="Searches", ordering="search_total")
    def search_count(self, campaign: Campaign) -> int:
        return campaign.search_total

    @admin.action(description="Restore selected archived campaigns")
    def restore_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, lambda pk: services.do_campaign_restore(actor=request.user, campaign_id=pk),
                   done="Restored {rows}")


# Lists


class CollaboratorInline(ReadOnlyInline):
    model = ListCollaborator
    verbose_name = "collaborator or invitation"
    verbose_name_plural = "Collaborators and invitations"
    fields = ("email", "role", "user", "invited_by", "invited_at", "accepted_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListCollaborator]:
        return super().get_queryset(request).select_related("user", "invited_by")


class ListExportInline(ReadOnlyInline):
    model = ListExport
    verbose_name_plural = "Export history"
    fields = ("created_at", "user", "row_count", "filename", "filters")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListExport]:
        return super().get_queryset(request).select_related("user")


class TransferForm(forms.Form):
    email = forms.EmailField(label="Give the list to", help_text="The email address of an existing account.")


@admin.register(CreatorList)
class CreatorListAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer", "list_type", "item_count", "collaborator_count", "archived_at",
                    "updated_at")
    list_select_related = ("owner",)
    list_filter = ("list_type", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "owner__email", "=id", "collaborators__email")
    date_hierarchy = "updated_at"
    actions = ("restore_selected",)
    fields = ("name", "customer", "description", "list_type", "tags", "buckets_display", "items_link",
              "activity_link", "archived_at", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (CollaboratorInline, ListExportInline)
    change_form_template = "admin/lists/creatorlist/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CreatorList]:
        return super().get_queryset(request).annotate(
            item_total=Count("items", distinct=True), collaborator_total=Count("collaborators", distinct=True))

    def get_urls(self):
        transfer = path("<int:list_id>/transfer/", self.admin_site.admin_view(self.transfer_view),
                        name="lists_creatorlist_transfer")
        return [transfer, *super().get_urls()]

    @admin.display(description="Owner", ordering="owner__email")
    def customer(self, creator_list: CreatorList) -> SafeString | str:
        return _link(self.admin_site, creator_list.owner, creator_list.owner.email)

    @admin.display(description="Creators", ordering="item_total")
    def item_count(self, creator_list: CreatorList) -> int:
        return creator_list.item_total

    @admin.display(description="Shared with", ordering="collaborator_total")
    def collaborator_count(self, creator_list: CreatorList) -> int:
        return creator_list.collaborator_total

    @admin.display(description="Buckets")
    def buckets_display(self, creator_list: CreatorList) -> SafeString:
        counts = dict(creator_list.items.values_list("bucket").annotate(n=Count("pk")).order_by())
        return format_html_join(mark_safe("<br>"), "{}", (
            (_changelist(self.admin_site, CreatorListItem,
                         f"creator_list__id__exact={creator_list.pk}&bucket__exact={key}",
                         f"{label}: {counts.get(key, 0)}"),)
            for key, label in creator_list.buckets))

    @admin.display(description="Creators on the list")
    def items_link(self, creator_list: CreatorList) -> SafeString:
        return _changelist(self.admin_site, CreatorListItem, f"creator_list__id__exact={creator_list.pk}",
                           f"All {plural(creator_list.items.count(), 'creator')}")

    @admin.display(description="Activity")
    def activity_link(self, creator_list: CreatorList) -> SafeString:
        return _changelist(self.admin_site, ListActivity, f"creator_list__id__exact={creator_list.pk}",
                           "Who changed what on this list")

    @admin.action(description="Restore selected archived lists")
    def restore_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, lambda pk: services.do_list_restore(actor=request.user, list_id=pk),
                   done="Restored {rows}")

    def transfer_view(self, request: HttpRequest, list_id: int):
        creator_list = CreatorList.objects.select_related("owner").filter(pk=list_id).first()
        if creator_list is None:
            raise Http404("No such list.")
        form = TransferForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.do_list_transfer(actor=request.user, list_id=list_id,
                                          new_owner_email=form.cleaned_data["email"])
            except ApplicationError as exc:
                form.add_error("email", exc.message)
            else:
                self.message_user(request, f"The list “{creator_list.name}” now belongs to "
                                           f"{form.cleaned_data['email']}; {creator_list.owner.email} stays "
                                           "on it as an editor.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:lists_creatorlist_change", args=[list_id]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Give “{creator_list.name}” to another account",
            "opts": self.model._meta,
            "original": creator_list,
            "form": form,
        }
        return TemplateResponse(request, "admin/lists/creatorlist/transfer.html", context)


@admin.register(CreatorListItem)
class CreatorListItemAdmin(ReadOnlyAdmin):
    list_display = ("creator_link", "list_link", "bucket", "position", "pinned", "last_contacted_at", "added_by",
                    "added_at")
    list_select_related = ("creator", "creator_list", "creator_list__owner", "added_by")
    list_filter = ("bucket", "pinned")
    search_fields = ("creator__handle", "notes", "=creator_list__id")
    ordering = ("creator_list", "bucket", "position")
    fields = ("creator_link", "list_link", "bucket", "position", "pinned", "notes", "last_contacted_at",
              "snapshot", "added_by", "added_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="Creator", ordering="creator__handle")
    def creator_link(self, item: CreatorListItem) -> SafeString | str:
        return _link(self.admin_site, item.creator, f"@{item.creator.handle} ({item.creator.platform})")

    @admin.display(description="List", ordering="creator_list__name")
    def list_link(self, item: CreatorListItem) -> SafeString | str:
        return _link(self.admin_site, item.creator_list, f"{item.creator_list.name} ({item.creator_list.owner.email})")


@admin.register(ListCollaborator)
class ListCollaboratorAdmin(ReadOnlyAdmin):
    list_display = ("email", "list_link", "role", "state", "invited_by", "invited_at", "accepted_at")
    list_select_related = ("creator_list", "creator_list__owner", "invited_by", "user")
    list_filter = ("role", ("user", admin.EmptyFieldListFilter))
    search_fields = ("email", "creator_list__name", "creator_list__owner__email")
    actions = ("resend_selected",)
    readonly_fields = ("email", "list_link", "role", "user", "invited_by", "invited_at", "accepted_at")
    fields = readonly_fields

    @admin.display(description="List", ordering="creator_list__name")
    def list_link(self, collaborator: ListCollaborator) -> SafeString | str:
        creator_list = collaborator.creator_list
        return _link(self.admin_site, creator_list, f"{creator_list.name} ({creator_list.owner.email})")

    @admin.display(description="State")
    def state(self, collaborator: ListCollaborator) -> str:
        return "Invitation pending" if collaborator.is_pending else "Has access"

    @admin.action(description="Resend the selected pending invitations")
    def resend_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset,
                   lambda pk: services.do_list_invitation_resend(actor=request.user, collaborator_id=pk),
                   done="Resent {rows}")


@admin.register(ListExport)
class ListExportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "filename", "list_link", "user", "row_count")
    list_select_related = ("creator_list", "creator_list__owner", "user")
    search_fields = ("filename", "creator_list__name", "user__email")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "filename", "list_link", "user", "row_count", "filters")
    fields = readonly_fields
    list_link = ListCollaboratorAdmin.list_link


@admin.register(ListActivity)
class ListActivityAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_email", "kind", "message", "list_link")
    list_select_related = ("creator_list", "creator_list__owner")
    list_filter = ("kind",)
    search_fields = ("actor_email", "message", "=creator_list__id")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "actor_email", "kind", "message", "list_link")
    fields = readonly_fields
    list_link = ListCollaboratorAdmin.list_link


def customer_data_counts(user_id: int) -> dict[str, int]:
    """How much a customer has, for the links on their page: one query per table, none per row."""
    lists = CreatorList.objects.filter(owner_id=user_id).aggregate(
        total=Count("pk"), archived=Count("pk", filter=Q(archived_at__isnull=False)))
    campaigns = Campaign.objects.filter(user_id=user_id).aggregate(
        total=Count("pk"), archived=Count("pk", filter=Q(archived_at__isnull=False)))
    return {
        "campaigns": campaigns["total"], "campaigns_archived": campaigns["archived"],
        "lists": lists["total"], "lists_archived": lists["archived"],
        "shared_with": ListCollaborator.objects.filter(user_id=user_id).count(),
        "searches": ScrapingJob.objects.filter(user_id=user_id).count(),
    }


"""Creator list writes: collaborators, invitations by email and their acceptance."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.emails import email_render_in_layout, email_send_rendered
from adminpanel.config import feature_on
from influencer_platform.errors import NotFoundError, SwitchedOffError

from ..models import CreatorList, ListActivityKind, ListCollaborator, ListRole
from .activity import list_activity_record
from .lists import ListError, list_locked

logger = logging.getLogger(__name__)

MAX_COLLABORATORS = 50


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ListError("Enter a valid email address.", extra={"field": "email"}) from None
    return email


def _clean_role(role: str) -> str:
    if role not in ListRole.values:
        raise ListError("Choose editor or viewer.", extra={"field": "role"})
    return role


INVITATION_SUBJECT = "{{ inviter }} shared the list “{{ list_name }}” with you"


def _invitation_path(collaborator: ListCollaborator, *, has_account: bool) -> str:
    """The list itself for someone with an account; otherwise sign-up with the invited address filled
    in, landing on the list once the address is confirmed (that is when the invitation is accepted)."""
    board = reverse("list_board", args=[collaborator.creator_list_id])
    if has_account:
        return board
    return reverse("account_signup") + "?" + urlencode({"email": collaborator.email, "next": board})


def _send_invitation(collaborator_id: int, *, idempotency_key: str = "") -> None:
    collaborator = ListCollaborator.objects.select_related("creator_list", "invited_by").filter(
        pk=collaborator_id).first()
    if collaborator is None:
        return
    creator_list = collaborator.creator_list
    has_account = bool(collaborator.user_id)
    context = {
        "inviter": collaborator.invited_by.display_name if collaborator.invited_by else "Someone",
        "list_name": creator_list.name,
        "role_verb": "edit" if collaborator.role == ListRole.EDITOR else "view",
        "invited_email": collaborator.email,
        "has_account": has_account,
        "url": settings.SITE_URL + _invitation_path(collaborator, has_account=has_account),
    }
    try:
        rendered = email_render_in_layout(name="list_invitation", subject=INVITATION_SUBJECT, context=context)
        email_send_rendered(to=collaborator.email, rendered=rendered, idempotency_key=idempotency_key or f"list-invitation-{collaborator.pk}")
    except Exception:
        # The invitation stands without the email: it shows as pending on the sharing page and
        # is accepted at sign-up all the same. Failing the owner's request after commit would not undo it.
        logger.exception("list invitation email failed", extra={"collaborator_id": collaborator_id})


@transaction.atomic
def list_share(*, creator_list: CreatorList, actor: User, email: str, role: str) -> ListCollaborator:
    """Invite ``email`` with ``role``; someone with an account has access at once, anyone else after sign-up.

    Inviting an address again changes its role and sends no second email.
    """
    if not feature_on("list_sharing"):
        raise SwitchedOffError("Sharing lists is switched off for now; people already on the list keep their access.",
                               extra={"field": "email"})
    email, role = _clean_email(email), _clean_role(role)
    locked = list_locked(creator_list)
    if email == locked.owner.email:
        raise ListError("You own this list already.", extra={"field": "email"})
    collaborator = ListCollaborator.objects.filter(creator_list=locked, email=email).first()
    if collaborator is not None:
        if collaborator.role != role:
            collaborator.role = role
            collaborator.save(update_fields=["role"])
            list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.SHARED,
                                 message=f"made {email} {_role_label(role)}")
        return collaborator
    if ListCollaborator.objects.filter(creator_list=locked).count() >= MAX_COLLABORATORS:
        raise ListError(f"A list can be shared with at most {MAX_COLLABORATORS} people.", extra={"field": "email"})
    user = User.objects.filter(email=email).first()
    collaborator = ListCollaborator.objects.create(
        creator_list=locked, email=email, user=user, role=role, invited_by=actor,
        accepted_at=timezone.now() if user else None,
    )
    list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.SHARED,
                         message=f"shared the list with {email} as {_role_label(role)}")
    transaction.on_commit(lambda: _send_invitation(collaborator.pk))
    return collaborator


def _role_label(role: str) -> str:
    return "an editor" if role == ListRole.EDITOR else "a viewer"



def _collaborator(creator_list: CreatorList, collaborator_id: int) -> ListCollaborator:
    collaborator = ListCollaborator.objects.filter(creator_list=creator_list, pk=collaborator_id).first()
    if collaborator is None:
        raise NotFoundError("No such collaborator.")
    return collaborator


@transaction.atomic
def list_collaborator_update(*, creator_list: CreatorList, collaborator_id: int, role: str) -> ListCollaborator:
    role = _clean_role(role)
    collaborator = _collaborator(list_locked(creator_list), collaborator_id)
    collaborator.role = role
    collaborator.save(update_fields=["role"])
    return collaborator


@transaction.atomic
def list_collaborator_remove(*, creator_list: CreatorList, collaborator_id: int) -> None:
    """Withdraw an invitation or a collaborator's access."""
    _collaborator(list_locked(creator_list), collaborator_id).delete()


@transaction.atomic
def list_leave(*, creator_list: CreatorList, user: User) -> None:
    """A collaborator takes themselves off a list shared with them."""
    locked = list_locked(creator_list)
    if locked.owner_id == user.pk:
        raise ListError("You own this list, so you cannot leave it; delete it instead.")
    ListCollaborator.objects.filter(creator_list=locked, user=user).delete()


@transaction.atomic
def list_invitation_resend(*, collaborator_id: int) -> ListCollaborator:
    """Send a pending invitation's email again (it was lost, or went to spam); nothing else changes."""
    collaborator = ListCollaborator.objects.select_related("creator_list").filter(pk=collaborator_id).first()
    if collaborator is None:
        raise NotFoundError("No such invitation.")
    if not collaborator.is_pending:
        raise ListError(f"{collaborator.email} has accepted the invitation already.", code="invitation_accepted",
                        status_code=409)
    # A key of its own, or the email service would take it for the first send and drop it.
    key = f"list-invitation-{collaborator.pk}-resend-{uuid.uuid4().hex}"
    transaction.on_commit(lambda: _send_invitation(collaborator.pk, idempotency_key=key))
    return collaborator


@transaction.atomic
def list_transfer(*, creator_list: CreatorList, new_owner: User, actor: User | None) -> CreatorList:
    """Give the list to another account; the previous owner stays on it as an editor, so nothing
    they were working on disappears for them without a word."""
    locked = list_locked(creator_list)
    previous = locked.owner
    if new_owner.pk == previous.pk:
        raise ListError(f"{new_owner.email} owns this list already.", code="no_change", extra={"field": "email"})
    ListCollaborator.objects.filter(creator_list=locked, email=new_owner.email.lower()).delete()
    ListCollaborator.objects.filter(creator_list=locked, user=new_owner).delete()
    locked.owner = new_owner
    locked.save(update_fields=["owner", "updated_at"])
    ListCollaborator.objects.update_or_create(
        creator_list=locked, email=previous.email.lower(),
        defaults={"user": previous, "role": ListRole.EDITOR, "invited_by": new_owner, "accepted_at": timezone.now()},
    )
    list_activity_record(creator_list=locked, actor=actor, kind=ListActivityKind.SHARED,
                         message=f"gave the list to {new_owner.email}; {previous.email} stays as an editor")
    return locked


def _confirmed_addresses(user: User) -> set[str]:
    """The addresses the user has shown they own, lowercased.

    Signing up with an address proves nothing while confirmation is optional, and an invitation
    opens a list (contact emails, notes) to whoever holds its address: so only confirmed ones
    count. Where the site asks no confirmation, or for an account made outside sign-up (by an
    operator: it has no allauth address rows), the account's own address counts.
    """
    addresses = dict(EmailAddress.objects.filter(user=user).values_list("email", "verified"))
    if not addresses or allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.NONE:
        return {user.email.lower(), *(email.lower() for email in addresses)}
    return {email.lower() for email, verified in addresses.items() if verified}


@transaction.atomic
def list_invitations_accept(*, user: User) -> int:
    """Turn invitations sent to the user's confirmed addresses before they had an account into access.

    Called at every sign-in and when an address is confirmed, so it changes nothing the second time.
    """
    addresses = _confirmed_addresses(user)
    if not addresses:
        return 0
    return ListCollaborator.objects.filter(email__in=addresses, user__isnull=True).update(
        user=user, accepted_at=timezone.now())

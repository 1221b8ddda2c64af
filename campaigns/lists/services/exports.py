"""Creator list writes: the history of its CSV downloads."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from influencer_platform.formatting import plural

from ..models import CreatorList, ListActivityKind, ListExport
from .activity import list_activity_record


@transaction.atomic
def list_export_record(*, creator_list: CreatorList, actor: User, row_count: int, filename: str,
                       filters: dict) -> ListExport:
    export = ListExport.objects.create(creator_list=creator_list, user=actor, row_count=row_count,
                                       filename=filename[:120], filters=filters)
    list_activity_record(creator_list=creator_list, actor=actor, kind=ListActivityKind.EXPORTED,
                         message=f"exported {plural(row_count, 'creator')} as {export.filename}")
    return export

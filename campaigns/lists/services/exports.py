"""Creator list writes: the history of its CSV downloads."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from ..models import CreatorList, ListExport


@transaction.atomic
def list_export_record(*, creator_list: CreatorList, actor: User, row_count: int, filename: str,
                       filters: dict) -> ListExport:
    return ListExport.objects.create(creator_list=creator_list, user=actor, row_count=row_count,
                                     filename=filename[:120], filters=filters)

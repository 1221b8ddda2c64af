"""The schema class behind ``/api/schema/``: drf-spectacular's, filing each operation under its
section with its summary (see ``api_docs``)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from .api_docs import OPERATIONS, OTHER_TAG


class ApiSchema(AutoSchema):
    """drf-spectacular's schema with each operation's tag and summary from ``api_docs.OPERATIONS``;
    one given in ``extend_schema`` wins."""

    def get_tags(self) -> list[str]:
        tags = super().get_tags()
        # The default is the URL's first segment after the prefix: "v1" for everything here.
        if tags and tags != ["v1"]:
            return tags
        return [OPERATIONS.get(self.get_operation_id(), (OTHER_TAG, ""))[0]]

    def get_summary(self) -> str | None:
        return super().get_summary() or OPERATIONS.get(self.get_operation_id(), ("", ""))[1] or None

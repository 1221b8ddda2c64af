"""Covering indexes for the results pages' first step (ids of a page, and the count; see
``scraping.selectors.ResultRows``), so that it reads indexes only, never the wide rows.

- ``job_result_order_idx``: a search's rows in the default order (rank, then id) with the creator
  they join to, so the default sort is an index walk and the other sorts and the creator filters
  join without reading a result row.
- ``creator_result_keys_idx``: what the filters and sorts read of a creator, so joining a search's
  rows to their creators skips the profile rows with their bios.

PostgreSQL only (``INCLUDE`` and ``CONCURRENTLY``): built without locking out the workers that
write results, hence outside a transaction. SQLite (``make run``) keeps its small tables as they are.
Declared in the database only; the models' ``Meta`` does not list them.
"""

from django.db import migrations

INDEXES = {
    "job_result_order_idx": "scraping_jobcreator (job_id, rank, id) INCLUDE (creator_id)",
    "creator_result_keys_idx": "scraping_creatorprofile (id) INCLUDE (followers, engagement_rate, has_email, verified)",
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY {name} ON {definition}")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("scraping", "0003_creatorprofile_stored_avatar"),
    ]

    operations = [migrations.RunPython(indexes_create, indexes_drop, elidable=False)]

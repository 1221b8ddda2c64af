from django.urls import path

from . import views

urlpatterns = [
    path("lists/", views.list_index, name="list_index"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/add/", views.list_add_results, name="list_add_results"),
    path("lists/<int:list_id>/", views.list_board_view, name="list_board"),
    path("lists/<int:list_id>/table/", views.list_table_view, name="list_table"),
    path("lists/<int:list_id>/edit/", views.list_edit, name="list_edit"),
    path("lists/<int:list_id>/duplicate/", views.list_duplicate_view, name="list_duplicate"),
    path("lists/<int:list_id>/archive/", views.list_archive_toggle, name="list_archive"),
    path("lists/<int:list_id>/delete/", views.list_remove, name="list_delete"),
    path("lists/<int:list_id>/leave/", views.list_leave_view, name="list_leave"),
    path("lists/<int:list_id>/move/", views.list_move, name="list_move"),
    path("lists/<int:list_id>/items/bulk/", views.list_bulk, name="list_bulk"),
    path("lists/<int:list_id>/items/<int:item_id>/", views.list_item_edit, name="list_item_edit"),
    path("lists/<int:list_id>/share/", views.list_share_view, name="list_share"),
    path("lists/<int:list_id>/share/<int:collaborator_id>/", views.list_collaborator_edit,
         name="list_collaborator"),
    path("lists/<int:list_id>/export/", views.list_export_start_view, name="list_export_start"),
    path("lists/<int:list_id>/export.csv", views.list_export, name="list_export"),
    path("lists/<int:list_id>/exports/", views.list_exports_view, name="list_exports"),
    path("lists/<int:list_id>/activity/", views.list_activity_view, name="list_activity"),
]

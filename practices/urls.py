from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("<slug:practice_slug>/", views.PracticeDetailView.as_view(), name="detail"),
    path("<slug:practice_slug>/profile/", views.PracticeProfileEditView.as_view(), name="profile"),
    path("<slug:practice_slug>/members/", views.MembersView.as_view(), name="members"),
    path(
        "<slug:practice_slug>/members/<int:membership_id>/role/",
        views.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        "<slug:practice_slug>/members/<int:membership_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        "<slug:practice_slug>/invitations/<int:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("<slug:practice_slug>/api-keys/", views.ApiKeysView.as_view(), name="api_keys"),
    path(
        "<slug:practice_slug>/api-keys/<str:practiceapikey_id>/revoke/",
        views.ApiKeyRevokeView.as_view(),
        name="api_key_revoke",
    ),
]

def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def lazy():
        from practices.selectors import memberships_of_user

        return {
            "memberships": list(memberships_of_user(user=user)),
            "can_view_directory": user.has_perm("practices.view_member_directory"),
            "can_view_audit": user.has_perm("coalition.view_audit_trail"),
        }

    return {"nav": lazy()}

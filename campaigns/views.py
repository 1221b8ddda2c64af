from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import user_profile_get
from billing.selectors import plan_list


def landing(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "campaigns/landing.html", {"plans": plan_list(paid_only=True)})


@login_required
def dashboard(request):
    user = user_profile_get(user_id=request.user.pk)
    return render(request, "campaigns/dashboard.html", {"profile_user": user})


@login_required
def campaign_list(request):
    return render(request, "campaigns/campaign_list.html")


@login_required
def list_index(request):
    return render(request, "campaigns/list_index.html")

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def signup(request):
    return HttpResponse("")


@login_required
def settings_profile(request):
    return HttpResponse("")

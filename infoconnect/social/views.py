from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def notifications(request):
    return HttpResponse("")


def search(request):
    return HttpResponse("")


def profile(request, username):
    return HttpResponse("")

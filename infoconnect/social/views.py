from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def notifications(request):
    return HttpResponse("")


def search(request):
    return HttpResponse("")


def profile(request, username):
    return HttpResponse("")


def tag(request, name):
    return HttpResponse("")


def post_detail(request, post_id):
    return HttpResponse("")

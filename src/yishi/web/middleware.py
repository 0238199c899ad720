from django.utils.functional import SimpleLazyObject

ELDERLY_COOKIE = "yishi_elderly"


class ElderlyModeMiddleware:
    """Elderly mode (适老化) is a cookie, so it holds before login and on a shared phone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.elderly = SimpleLazyObject(lambda: request.COOKIES.get(ELDERLY_COOKIE) == "1")
        return self.get_response(request)

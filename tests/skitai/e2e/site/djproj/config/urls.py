from django.http import JsonResponse
from django.urls import path


def where(request):
    return JsonResponse(
        {"script_name": request.META["SCRIPT_NAME"], "path": request.path, "path_info": request.path_info}
    )


def echo(request):
    return JsonResponse({"method": request.method, "size": len(request.body), "q": request.GET.get("q")})


urlpatterns = [path("where", where), path("echo", echo)]

from django.urls import path

app_name = "regions"
urlpatterns: list = [
    # Import pages are added here by the imports work.
]

from django.urls import path

from commerce.audit.api import views

app_name = "audit_api"
urlpatterns = [
    path("events/", views.EventListApi.as_view(), name="event_list"),
    path("streams/<str:stream_type>/<str:stream_id>/events/", views.StreamEventListApi.as_view(), name="stream_events"),
    path("customers/<id:customer_id>/journey/", views.CustomerJourneyApi.as_view(), name="customer_journey"),
]

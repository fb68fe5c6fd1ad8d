from django.urls import path

from logistics.api import deliveries, dispatch, driver, kpis, planning, proofs, routes

app_name = "logistics_api"
urlpatterns = [
    path("logistics/routes/", routes.RouteListApi.as_view(), name="route_list"),
    path("logistics/routes/<id:route_id>/", routes.RouteDetailApi.as_view(), name="route_detail"),
    path("logistics/routes/<id:route_id>/assign/", routes.RouteAssignApi.as_view(), name="route_assign"),
    path("logistics/routes/<id:route_id>/start/", routes.RouteStartApi.as_view(), name="route_start"),
    path("logistics/routes/<id:route_id>/complete/", routes.RouteCompleteApi.as_view(), name="route_complete"),
    path("logistics/routes/<id:route_id>/cancel/", routes.RouteCancelApi.as_view(), name="route_cancel"),
    path("logistics/routes/<id:route_id>/optimise/", planning.RouteOptimiseApi.as_view(), name="route_optimise"),
    path("logistics/drivers/<id:driver_id>/routes/", routes.DriverRouteListApi.as_view(), name="driver_routes"),
    path("logistics/me/routes/", routes.MyRouteListApi.as_view(), name="my_routes"),
    path("logistics/centres/<id:centre_id>/plan/", planning.CentrePlanApi.as_view(), name="centre_plan"),
    path("logistics/planning-runs/<id:run_id>/", planning.PlanningRunDetailApi.as_view(), name="planning_run_detail"),
    path("logistics/deliveries/", deliveries.DeliveryListApi.as_view(), name="delivery_list"),
    path("logistics/deliveries/<id:delivery_id>/", deliveries.DeliveryDetailApi.as_view(), name="delivery_detail"),
    path("logistics/deliveries/<id:delivery_id>/schedule/", deliveries.DeliveryScheduleApi.as_view(), name="delivery_schedule"),
    path("logistics/deliveries/<id:delivery_id>/status/", deliveries.DeliveryStatusApi.as_view(), name="delivery_status"),
    path("logistics/deliveries/<id:delivery_id>/complete/", deliveries.DeliveryCompleteApi.as_view(), name="delivery_complete"),
    path("logistics/deliveries/<id:delivery_id>/fail/", deliveries.DeliveryFailApi.as_view(), name="delivery_fail"),
    # the dispatch console's edits
    path("logistics/dispatch/stops/move/", dispatch.StopMoveApi.as_view(), name="dispatch_stop_move"),
    path("logistics/dispatch/stops/remove/", dispatch.StopRemoveApi.as_view(), name="dispatch_stop_remove"),
    path("logistics/dispatch/stops/lock/", dispatch.StopsLockApi.as_view(), name="dispatch_stops_lock"),
    path("logistics/centres/<id:centre_id>/reoptimise/", dispatch.DayReoptimiseApi.as_view(), name="dispatch_day_reoptimise"),
    path("logistics/stops/<id:stop_id>/proof/<str:kind>/", proofs.StopProofApi.as_view(), name="stop_proof"),
    # the driver app
    path("logistics/driver/routes/", driver.DriverTodayApi.as_view(), name="driver_today"),
    path("logistics/driver/routes/<id:route_id>/start/", driver.DriverRouteStartApi.as_view(), name="driver_route_start"),
    path("logistics/driver/routes/<id:route_id>/complete/", driver.DriverRouteCompleteApi.as_view(), name="driver_route_complete"),
    path("logistics/driver/stops/<id:stop_id>/arrive/", driver.DriverStopArriveApi.as_view(), name="driver_stop_arrive"),
    path("logistics/driver/stops/<id:stop_id>/complete/", driver.DriverStopCompleteApi.as_view(), name="driver_stop_complete"),
    path("logistics/driver/stops/<id:stop_id>/fail/", driver.DriverStopFailApi.as_view(), name="driver_stop_fail"),
    # KPIs
    *(path(f"logistics/kpis/{name}/", view.as_view(), name=f"kpi_{name.replace('-', '_')}") for name, view in kpis.KPI_VIEWS.items()),
]

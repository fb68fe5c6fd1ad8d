"""The recommender's training over REST (staff): start a retrain (202, the run queued on the
``recommendations`` queue), the runs with their progress, the model versions with their hold-out
figures, and activating a version (the one serving its purpose retires). The same permissions as
the back office: ``add_trainingrun`` to retrain, ``view_trainingrun`` / ``view_modelversion`` to
read, ``change_modelversion`` to activate (the Merchandisers group holds them)."""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import has_access
from commerce.api.schema import PAGE_NOT_FOUND, STAFF, answer, documented, error_example, error_response, invalid_filter, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from recommendations import engine
from recommendations.models import ModelVersion, Purpose, TrainingRun
from recommendations.selectors.engine import model_version_list, training_run_get, training_run_list
from recommendations.services.training import model_version_activate, training_run_queue

_staff = functools.partial(documented, tags=["recommendations"], access=STAFF)

CanRetrain = has_access("recommendations.add_trainingrun", "You need the add training run permission.")
CanViewRuns = has_access("recommendations.view_trainingrun", "You need the view training run permission.")
CanViewVersions = has_access("recommendations.view_modelversion", "You need the view model version permission.")
CanActivate = has_access("recommendations.change_modelversion", "You need the change model version permission.")

RUN_ID = OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Training run id.")
VERSION_ID = OpenApiParameter("version_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Model version id.")
RUN_NOT_FOUND = error_response("No such training run.", error_example("training_run_not_found", "No such training run."))
VERSION_NOT_FOUND = error_response("No such model version.", error_example("model_version_not_found", "No such model version."))
FIGURES = {"k": 10, "seed": 42, "chosen": "als", "candidates": {
    "als": {"precision": 0.42, "ndcg": 0.47, "coverage": 0.31, "users": 943, "fit_seconds": 2.1},
    "popularity": {"precision": 0.23, "ndcg": 0.25, "coverage": 0.02, "users": 943, "fit_seconds": 0.01}}}
RUN_EXAMPLE = {"id": 12, "purpose": "for_you", "algorithm": "", "activate": True, "status": "running",
               "phase": "training als", "progress_done": 6, "progress_total": 15, "percent": 40, "trigger": "api",
               "created_at": "2026-12-07T02:00:00Z", "started_at": "2026-12-07T02:00:01Z", "finished_at": None,
               "interactions": 0, "metrics": {}, "error": "", "version_ids": []}
VERSION_EXAMPLE = {"id": 7, "purpose": "for_you", "algorithm": "als", "state": "active", "params": {"factors": 64},
                   "metrics": FIGURES, "users": 943, "items": 1682, "interactions": 100000, "fit_seconds": 2.1,
                   "file_size": 842113, "training_run_id": 12, "created_at": "2026-12-07T02:01:10Z",
                   "activated_at": "2026-12-07T02:01:10Z"}


@extend_schema_serializer(component_name="RecommenderTrainingRun")
class RunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    algorithm = serializers.CharField(help_text="Blank: the best of the purpose's candidates, weighed on a hold-out.")
    activate = serializers.BooleanField(help_text="The trained version serves as soon as it is ready.")
    status = serializers.ChoiceField(choices=TrainingRun.Status.choices)
    phase = serializers.CharField(help_text="What it is doing now (reading interactions, weighing, training, ...).")
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Of the current phase.")
    trigger = serializers.CharField(help_text="admin, api, nightly, demo, command.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    interactions = serializers.IntegerField(help_text="Non-zeros of the matrix it trained on.")
    metrics = serializers.JSONField(help_text="Hold-out figures of every candidate weighed, and the one kept.")
    error = serializers.CharField(help_text="Why it failed (nothing else changed then).")
    version_ids = serializers.SerializerMethodField(help_text="The model versions it made.")

    def get_version_ids(self, run) -> list[int]:
        return sorted(v.pk for v in run.versions.all())


@extend_schema_serializer(component_name="RecommenderModelVersion")
class VersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    algorithm = serializers.CharField()
    state = serializers.ChoiceField(choices=ModelVersion.State.choices)
    params = serializers.JSONField()
    metrics = serializers.JSONField(help_text="Hold-out figures (precision@k, ndcg@k, coverage) it was chosen with.")
    users = serializers.IntegerField()
    items = serializers.IntegerField()
    interactions = serializers.IntegerField()
    fit_seconds = serializers.FloatField()
    file_size = serializers.IntegerField(help_text="Bytes of its file in the storage.")
    training_run_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)


class TrainingRunListApi(APIView):
    """``GET``: the runs, newest first; ``POST``: start a retrain."""

    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="RecommenderTrainingRunFilter")
    class FilterSerializer(QueryParamsSerializer):
        purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
        status = serializers.ChoiceField(choices=TrainingRun.Status.choices, required=False)

    @extend_schema_serializer(component_name="RecommenderRetrainInput")
    class InputSerializer(StrictInputSerializer):
        purpose = serializers.ChoiceField(choices=Purpose.choices)
        algorithm = serializers.ChoiceField(choices=list(engine.ALGORITHMS), required=False, allow_blank=True,
                                            help_text="Blank or left out: the best of the purpose's candidates.")
        activate = serializers.BooleanField(required=False, default=True,
                                            help_text="Serve the new version as soon as it is trained (default true).")

    def get_permissions(self):
        wanted = CanRetrain if self.request.method == "POST" else CanViewRuns
        return [IsAuthenticated(), wanted()]

    @_staff("recommendations_training_runs_list", "Training runs", ok=RunOutputSerializer(many=True),
            description="The recommender's training runs, newest first, with their phase and progress while they run.",
            parameters=[FilterSerializer],
            errors={**invalid_filter("A filter is not one of its choices.", error_example(
                "invalid", "Invalid input.", {"status": ['"late" is not a valid choice.']})), 404: PAGE_NOT_FOUND},
            examples=[answer("A run going on", RUN_EXAMPLE)])
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        runs = training_run_list(**filters.validated_data).prefetch_related("versions")
        return paginated_response(queryset=runs, serializer_class=RunOutputSerializer, request=request, view=self)

    @_staff("recommendations_training_runs_create", "Retrain a model", ok=RunOutputSerializer, status=202,
            request=InputSerializer,
            description="Queues a training run on the `recommendations` queue and answers at once with it (queued); "
                        "poll it by id. The active version keeps serving until the new one is ready; a failed run "
                        "changes nothing.",
            invalid=[error_example("invalid", "Invalid input.", {"purpose": ['"everything" is not a valid choice.']})],
            examples=[sent("The best for you", {"purpose": "for_you"}),
                      sent("ALS for similar, not activated", {"purpose": "similar", "algorithm": "als", "activate": False}),
                      answer("Queued", {**RUN_EXAMPLE, "status": "queued", "phase": "", "progress_done": 0,
                                        "progress_total": 0, "percent": 0, "started_at": None}, "202")])
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = training_run_queue(purpose=data["purpose"], algorithm=data.get("algorithm") or "", activate=data["activate"],
                                 trigger="api", requested_by=request.user)
        return Response(RunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class TrainingRunDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanViewRuns]

    @_staff("recommendations_training_runs_retrieve", "A training run", ok=RunOutputSerializer, parameters=[RUN_ID],
            description="Its status, phase and progress; once done its figures and the version it made.",
            errors={404: RUN_NOT_FOUND}, examples=[answer("Running", RUN_EXAMPLE)])
    def get(self, request, run_id: int):
        return Response(RunOutputSerializer(training_run_get(run_id=run_id)).data)


class ModelVersionListApi(APIView):
    permission_classes = [IsAuthenticated, CanViewVersions]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="RecommenderModelVersionFilter")
    class FilterSerializer(QueryParamsSerializer):
        purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
        state = serializers.ChoiceField(choices=ModelVersion.State.choices, required=False)

    @_staff("recommendations_model_versions_list", "Model versions", ok=VersionOutputSerializer(many=True),
            description="The trained versions, newest first, with the hold-out figures they were chosen with.",
            parameters=[FilterSerializer],
            errors={**invalid_filter("A filter is not one of its choices.", error_example(
                "invalid", "Invalid input.", {"state": ['"best" is not a valid choice.']})), 404: PAGE_NOT_FOUND},
            examples=[answer("The active one", VERSION_EXAMPLE)])
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        versions = model_version_list(purpose=filters.validated_data.get("purpose"))
        if filters.validated_data.get("state"):
            versions = versions.filter(state=filters.validated_data["state"])
        return paginated_response(queryset=versions, serializer_class=VersionOutputSerializer, request=request, view=self)


class ModelVersionActivateApi(APIView):
    permission_classes = [IsAuthenticated, CanActivate]

    @_staff("recommendations_model_versions_activate", "Activate a model version", ok=VersionOutputSerializer,
            request=None, parameters=[VERSION_ID],
            description="Makes this version the one serving its purpose, atomically (the one before it retires; "
                        "every serving process loads it on its next request). Its file is read first: one that "
                        "cannot be read is refused and nothing changes. Activating the active version changes nothing.",
            errors={404: VERSION_NOT_FOUND, 409: error_response("Its file cannot be read.", error_example(
                "model_file_unreadable", "Model version 7 cannot be read: no such file."))},
            examples=[answer("Activated", VERSION_EXAMPLE)])
    def post(self, request, version_id: int):
        return Response(VersionOutputSerializer(model_version_activate(version=version_id)).data)

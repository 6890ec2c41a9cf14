"""PSO pages. Practice pages (under /practices/<slug>/safety/) show the practice its own events
and de-identified coalition learning; staff pages (under /staff/pso/) are for PSO staff only:
analysts and purchasing staff get 403 there, and every read of an event is recorded."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from coalition import spreadsheets
from coalition.scoping import PracticeScopedView
from quality.pso import charts, exports, selectors, services
from quality.pso import vocabularies as V
from quality.pso.forms import (
    ActionForm,
    AnalysisForm,
    LessonForm,
    ReasonForm,
    ReportForm,
    StaffQueueFilter,
    TriageForm,
)
from quality.pso.models import Lesson, SafetyEvent

EVENTS_SHOWN = 200


def _apply_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


# --- practice pages ------------------------------------------------------------------------------
class PracticeSafetyPage(PracticeScopedView, TemplateView):
    scoped_model = SafetyEvent


class EventListView(PracticeSafetyPage):
    template_name = "pso/event_list.html"

    def get_context_data(self, **kwargs):
        events = selectors.practice_events(practice=self.practice).order_by("-discovered_on", "-id")
        return super().get_context_data(events=events[:EVENTS_SHOWN], **kwargs)


class ReportView(PracticeSafetyPage):
    """Any member may report (a viewer too): reporting is how a PSO learns."""

    template_name = "pso/report.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ReportForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            anonymous = data.pop("anonymous")
            try:
                event = services.safety_event_report(
                    practice=self.practice,
                    reporter=request.user,
                    anonymous=anonymous,
                    data=data,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Thank you: event {event.reference} is reported.")
                return redirect(
                    "pso:event", practice_slug=self.practice.slug, safetyevent_id=event.pk
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EventDetailView(PracticeSafetyPage):
    template_name = "pso/event_detail.html"

    def get_context_data(self, **kwargs):
        event = get_object_or_404(
            selectors.practice_events(practice=self.practice), pk=self.kwargs["safetyevent_id"]
        )
        return super().get_context_data(
            event=event,
            actions=selectors.event_actions(event=event),
            transitions=selectors.event_transitions(event=event),
            accesses=selectors.event_accesses(event=event)[:50],
            today=timezone.localdate(),
            **kwargs,
        )


class AccessLogView(PracticeSafetyPage):
    template_name = "pso/access_log.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            accesses=selectors.practice_access_log(practice=self.practice)[:500], **kwargs
        )


def _trend_context(trends, labels) -> dict:
    return {
        "trends": trends,
        "type_labels": labels,
        "harm_labels": dict(V.Harm.choices),
        "strength_labels": dict(V.ActionStrength.choices),
        "type_chart": charts.counts_by_year_chart(
            trends.by_type, trends.years, labels, title="Events by type and year"
        ),
        "harm_chart": charts.counts_by_year_chart(
            trends.by_harm, trends.years, dict(V.Harm.choices), title="Harm by year"
        ),
        "strength_chart": charts.share_chart(
            trends.by_strength, dict(V.ActionStrength.choices), title="Corrective action strength"
        ),
    }


class TrendsView(PracticeSafetyPage):
    """De-identified coalition trends with the practice's own counts beside them."""

    template_name = "pso/trends.html"

    def get_context_data(self, **kwargs):
        trends = selectors.coalition_trends(viewer_practice=self.practice)
        return super().get_context_data(
            **_trend_context(trends, selectors.event_type_labels()), staff=False, **kwargs
        )


class PracticeLessonsView(PracticeSafetyPage):
    template_name = "pso/lessons.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(lessons=selectors.published_lessons(), **kwargs)


# --- PSO staff pages -----------------------------------------------------------------------------
class PsoStaffPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = services.PSO_PERMISSION
    raise_exception = True


class QueueView(PsoStaffPage):
    template_name = "pso/staff/queue.html"

    def get_context_data(self, **kwargs):
        form = StaffQueueFilter(self.request.GET or None)
        events = selectors.staff_events().order_by("status", "-reported_at")
        if form.is_valid():
            for field in ("status", "harm", "severity"):
                if form.cleaned_data[field]:
                    events = events.filter(**{field: form.cleaned_data[field]})
            if form.cleaned_data["event_type"]:
                events = events.filter(event_type_id=form.cleaned_data["event_type"])
            if form.cleaned_data["year"]:
                events = events.filter(discovered_on__year=form.cleaned_data["year"])
        return super().get_context_data(
            form=form,
            events=events[:EVENTS_SHOWN],
            untriaged_days=services_untriaged_days(),
            **kwargs,
        )


def services_untriaged_days() -> int:
    from django.conf import settings

    return settings.PSO_UNTRIAGED_DAYS


class WorkspaceView(PsoStaffPage):
    """One event: triage, analysis (RCA-squared), corrective actions, workflow moves."""

    template_name = "pso/staff/workspace.html"

    def get_event(self) -> SafetyEvent:
        event = selectors.staff_event(event_id=self.kwargs["event_id"])
        if event is None:
            raise Http404
        return event

    def get_context_data(self, **kwargs):
        event = kwargs.pop("event", None) or self.get_event()
        if self.request.method == "GET":
            services.safety_event_access_record(event=event, user=self.request.user)
        return super().get_context_data(
            event=event,
            actions=selectors.event_actions(event=event),
            transitions=selectors.event_transitions(event=event),
            triage_form=kwargs.pop("triage_form", None) or TriageForm(),
            analysis_form=kwargs.pop("analysis_form", None)
            or AnalysisForm(
                initial={
                    "team": event.rca_team,
                    "timeline": event.rca_timeline,
                    "causal_statements": event.rca_causal_statements,
                }
            ),
            action_form=kwargs.pop("action_form", None) or ActionForm(),
            reason_form=kwargs.pop("reason_form", None) or ReasonForm(),
            today=timezone.localdate(),
            next_statuses=V.TRANSITIONS[V.Status(event.status)],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        event = self.get_event()
        step = request.POST.get("step", "")
        forms_ = {}
        try:
            if step == "triage":
                form = forms_["triage_form"] = TriageForm(request.POST)
                if form.is_valid():
                    services.safety_event_triage(
                        event=event,
                        by=request.user,
                        likelihood=form.cleaned_data["likelihood"],
                        owner=form.cleaned_data["owner"],
                    )
            elif step == "start_analysis":
                services.safety_event_start_analysis(event=event, by=request.user)
            elif step == "analysis":
                form = forms_["analysis_form"] = AnalysisForm(request.POST)
                if form.is_valid():
                    services.safety_event_analysis_update(
                        event=event, by=request.user, **form.cleaned_data
                    )
            elif step == "action":
                form = forms_["action_form"] = ActionForm(request.POST)
                if form.is_valid():
                    services.corrective_action_add(
                        event=event, by=request.user, **form.cleaned_data
                    )
            elif step == "complete_action":
                action = get_object_or_404(
                    selectors.event_actions(event=event), pk=request.POST.get("action_id") or 0
                )
                services.corrective_action_complete(action=action, by=request.user)
            elif step == "plan":
                services.safety_event_plan_actions(event=event, by=request.user)
            elif step in ("close", "reopen"):
                form = forms_["reason_form"] = ReasonForm(request.POST)
                if form.is_valid():
                    move = (
                        services.safety_event_close
                        if step == "close"
                        else services.safety_event_reopen
                    )
                    move(event=event, by=request.user, reason=form.cleaned_data["reason"])
            else:
                return HttpResponse("Unknown step.", status=400)
        except ValidationError as error:
            target = next(iter(forms_.values()), None)
            if target is not None:
                _apply_errors(target, error)
            else:
                for text in error.messages:
                    messages.error(request, text)
                return self.render_to_response(
                    self.get_context_data(event=self.get_event()), status=400
                )
        if any(form.errors for form in forms_.values()):
            return self.render_to_response(
                self.get_context_data(event=self.get_event(), **forms_), status=400
            )
        messages.success(request, "Saved.")
        return redirect("staff_pso:event", event_id=event.pk)


class ActionTrackerView(PsoStaffPage):
    template_name = "pso/staff/actions.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            actions=selectors.open_actions_across_practices()[:500],
            today=timezone.localdate(),
            **kwargs,
        )


class StaffTrendsView(PsoStaffPage):
    template_name = "pso/trends.html"

    def get_context_data(self, **kwargs):
        trends = selectors.coalition_trends(viewer_practice=None, staff=True)
        return super().get_context_data(
            **_trend_context(trends, selectors.event_type_labels()), staff=True, **kwargs
        )


class StaffLessonsView(PsoStaffPage):
    permission_required = services.LESSON_PERMISSION
    template_name = "pso/staff/lessons.html"

    def get_context_data(self, **kwargs):
        initial = {}
        source = self.request.GET.get("event")
        if source and source.isdigit():
            event = selectors.staff_event(event_id=int(source))
            if event is not None:
                initial = {"event_type": event.event_type_id, "year": event.discovered_on.year}
        return super().get_context_data(
            lessons=selectors.staff_lessons(),
            form=kwargs.pop("form", None) or LessonForm(initial=initial),
            source_event=source if initial else "",
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = LessonForm(request.POST)
        if form.is_valid():
            source = request.POST.get("source_event", "")
            event = selectors.staff_event(event_id=int(source)) if source.isdigit() else None
            try:
                lesson = services.lesson_create(
                    by=request.user, source_event=event, **form.cleaned_data
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Draft saved. Send it for review when ready.")
                return redirect("staff_pso:lesson", lesson_id=lesson.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StaffLessonView(PsoStaffPage):
    permission_required = services.LESSON_PERMISSION
    template_name = "pso/staff/lesson.html"

    def get_lesson(self) -> Lesson:
        return get_object_or_404(Lesson, pk=self.kwargs["lesson_id"])

    def get_context_data(self, **kwargs):
        lesson = self.get_lesson()
        form = kwargs.pop("form", None) or LessonForm(
            initial={
                "title": lesson.title,
                "event_type": lesson.event_type_id,
                "year": lesson.year,
                "summary": lesson.summary,
                "recommendations": lesson.recommendations,
            }
        )
        return super().get_context_data(lesson=lesson, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        lesson = self.get_lesson()
        step = request.POST.get("step", "")
        form = None
        try:
            if step == "save":
                form = LessonForm(request.POST)
                if form.is_valid():
                    data = form.cleaned_data
                    services.lesson_update(
                        lesson=lesson,
                        by=request.user,
                        title=data["title"],
                        summary=data["summary"],
                        recommendations=data["recommendations"],
                    )
            elif step == "submit":
                services.lesson_submit(lesson=lesson, by=request.user)
            elif step in ("approve", "return"):
                services.lesson_review(lesson=lesson, by=request.user, approve=step == "approve")
            else:
                return HttpResponse("Unknown step.", status=400)
        except ValidationError as error:
            if form is not None:
                _apply_errors(form, error)
            else:
                for text in error.messages:
                    messages.error(request, text)
                return self.render_to_response(self.get_context_data(), status=400)
        if form is not None and form.errors:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, "Saved.")
        return redirect("staff_pso:lesson", lesson_id=lesson.pk)


class DeidentifiedExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = services.PSO_PERMISSION
    raise_exception = True

    def get(self, request, *args, **kwargs):
        fmt = kwargs["file_format"]
        if fmt == "csv":
            body, content_type = exports.deidentified_csv(), spreadsheets.CONTENT_TYPES["csv"]
        elif fmt == "json":
            body, content_type = exports.deidentified_json(), "application/json"
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="safety-events-deidentified.{fmt}"'
        return response

"""The advocate's reminders page: how they are reminded of hearings and deadlines (one email each
or a morning digest, or paused), what is coming, their calendar address, and for an organisation's
admin its time zone and the families with an event coming up that no legal staff member is
assigned to. And the calendar feed itself."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, ReminderMode, time_zones
from accounts.roles import CAN_MANAGE_MEMBERS
from accounts.selectors import current_membership

from config.celery import try_enqueue

from .services import calendar, reminders
from .tasks import plan_reminders


class ReminderForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("How you are reminded"), choices=ReminderMode.choices,
                             widget=forms.RadioSelect)
    paused = forms.BooleanField(label=gettext_lazy("Pause my reminders"), required=False,
                                help_text=gettext_lazy("While paused you get none; they start again when you "
                                                       "switch this off."))


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Your organisation's time zone"),
                                  choices=lambda: [(z, z) for z in sorted(time_zones())],
                                  help_text=gettext_lazy("Reminders go out in the morning of this zone; hearing "
                                                         "times in emails and the calendar are shown in it."))


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    membership = current_membership(request)
    is_admin = bool(membership) and membership.role in CAN_MANAGE_MEMBERS
    form = ReminderForm(initial={"mode": user.reminder_mode, "paused": user.reminders_paused})
    zone_form = TimeZoneForm(initial={"time_zone": membership.organization.time_zone}) if is_admin else None
    status = 200
    if request.method == "POST":
        if request.POST.get("do") in ("calendar-issue", "calendar-revoke"):
            if request.POST["do"] == "calendar-issue":
                calendar.feed_issue(user=user)
                messages.success(request, _("Your calendar address is ready. Any address you had before no longer "
                                            "works."))
            elif calendar.feed_revoke(user=user):
                messages.success(request, _("Your calendar address was ended: calendars subscribed to it get "
                                            "nothing more."))
            return HttpResponseRedirect(reverse("reminder-settings") + "#h-calendar")
        if request.POST.get("do") == "time-zone" and is_admin:
            zone_form = TimeZoneForm(request.POST)
            if zone_form.is_valid():
                Organization.objects.filter(pk=membership.organization_id).update(
                    time_zone=zone_form.cleaned_data["time_zone"])
                messages.success(request, _("Time zone saved."))
                return HttpResponseRedirect(reverse("reminder-settings"))
        else:
            form = ReminderForm(request.POST)
            if form.is_valid():
                user.reminder_mode, user.reminders_paused = form.cleaned_data["mode"], form.cleaned_data["paused"]
                user.save(update_fields=["reminder_mode", "reminders_paused"])
                # Paused: this user's waiting reminders are cancelled now (their families only).
                # Resumed: planned again by a worker (the beat does it within minutes if the
                # broker is away), not in this request: it reads every family's coming events.
                if user.reminders_paused:
                    reminders.plan(cases=user.reminders.filter(status="pending").values_list("case_id", flat=True))
                else:
                    try_enqueue(plan_reminders)
                messages.success(request, _("Reminders paused.") if user.reminders_paused else _("Reminder settings saved."))
                return HttpResponseRedirect(reverse("reminder-settings"))
        status = 400
    return render(request, "cases/reminders.html", {
        "section": "reminders", "form": form, "zone_form": zone_form,
        "upcoming": reminders.upcoming_for(user),
        "feed_url": calendar.feed_url(user.calendar_feed) if hasattr(user, "calendar_feed") else None,
        "unassigned": reminders.unassigned_cases(membership.organization) if is_admin else None,
    }, status=status)


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed a calendar app fetches: no session, the secret address is the key; an unknown,
    replaced or ended address is a 404 like any other."""
    feed = calendar.feed_for(secret)
    if feed is None:
        raise Http404
    response = HttpResponse(calendar.render_feed(feed, request=request), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hearings-and-deadlines.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response

"""The public action page: no login, phone first, English and Spanish.

GET shows the action, its live progress and the form; POST with "preview" shows the targets and
the letters exactly as they will be sent; POST submits. The thank-you page finds the supporter's
submission through a signed cookie, so nothing about them ever travels in a URL.
"""
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from django.middleware.csrf import get_token
from django.views.decorators.http import require_http_methods, require_POST

from .forms import SupporterForm
from .letters.render import FactsUnavailable, Supporter, facts_for
from .letters.render import render as render_letter
from .models import Action, Channel, Language, LetterStatus, Submission
from .ratelimit import Limit, over_limit
from .selectors import SUBMIT_READS, progress, public_actions
from .services.channels import choose_channel
from .services.submissions import action_accepts_letters, submit
from .targets import action_targets, districts_for_zip

THANKS_SALT = "advocacy.thanks"
THANKS_MAX_AGE = 24 * 3600


def _language(request: HttpRequest, action: Action) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or get_language_from_request(request)
    return Language.ES if (wanted or "").startswith("es") and Language.ES in action.languages else Language.EN


def _limited(request: HttpRequest, *, count_email: bool) -> bool:
    limits = [Limit("act-ip", request.META.get(settings.RATELIMIT_IP_META_KEY, ""), settings.SUBMISSION_RATE_PER_IP)]
    if count_email:
        limits.append(Limit("act-email", request.POST.get("email", "").strip().lower(),
                            settings.SUBMISSION_RATE_PER_EMAIL))
    return over_limit(*limits)


def _page(request: HttpRequest, action: Action, language: str, form: SupporterForm, *, status: int = 200,
          targets: list | None = None, previews: list | None = None, paused: bool = False) -> HttpResponse:
    context = {
        "action": action, "language": language, "form": form, "targets": targets, "previews": previews,
        "title": action.text("title", language), "intro": action.text("intro", language),
        "progress": progress(action), "open": action_accepts_letters(action) and not action.paused_reason,
        "paused": paused or bool(action.paused_reason), "other_language": _other_language(action, language),
    }
    response = render(request, "advocacy/act.html", context, status=status)
    if request.GET.get("lang") in Language.values:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _other_language(action: Action, language: str) -> dict | None:
    if Language.ES not in action.languages:
        return None
    other = Language.EN if language == Language.ES else Language.ES
    return {"code": other, "name": dict(Language.choices)[other]}


def _targets(form: SupporterForm) -> list | None:
    """The decision makers for the form's address, or None with the reason put on the form."""
    data = form.cleaned_data
    try:
        _congress, targets = action_targets(form.action, zip_code=data["zip_code"][:5], state=data["state"],
                                            district=data.get("district"))
    except ValidationError as exc:
        if "district" in getattr(exc, "error_dict", {}):
            form.set_districts(districts_for_zip(data["zip_code"][:5]))
        form.add_service_errors(exc)
        return None
    return targets


@require_http_methods(["GET", "HEAD", "POST"])
def act(request: HttpRequest, slug: str) -> HttpResponse:
    actions = public_actions()
    if request.method == "POST" and "preview" not in request.POST:
        # A successful submit reads only what decides whether and to whom it goes (an error page
        # loads the rest on demand).
        actions = actions.select_related(None).only(*SUBMIT_READS)
    action = get_object_or_404(actions, slug=slug)
    language = _language(request, action)
    with translation.override(language):
        if request.method != "POST":
            get_token(request)  # the form, and the htmx lookups it makes, post with this token's cookie
            form = SupporterForm(action=action, initial={"ref": request.GET.get("ref", "")[:16]})
            return _page(request, action, language, form)
        return _post(request, action, language)


def _post(request: HttpRequest, action: Action, language: str) -> HttpResponse:
    form = SupporterForm(request.POST, action=action)
    if form.is_bot:
        return HttpResponseRedirect(reverse("act-thanks", args=[action.slug]))
    if not action_accepts_letters(action):
        form.add_error(None, _("This action is no longer taking letters."))
        return _page(request, action, language, form, status=409)
    preview = "preview" in request.POST
    if _limited(request, count_email=not preview):
        form.add_error(None, _("Too many letters from this connection or address. Please try again later."))
        return _page(request, action, language, form, status=429)
    if not form.is_valid():
        return _page(request, action, language, form, status=400)
    targets = _targets(form)
    if targets is None:
        return _page(request, action, language, form, status=400)
    supporter = form.supporter(language)
    if preview:
        try:
            previews = _previews(action, supporter, targets, language)
        except FactsUnavailable:
            return _page(request, action, language, form, status=409, paused=True)
        return _page(request, action, language, form, targets=targets, previews=previews)
    try:
        submitted = submit(action=action, data=supporter, targets=targets)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _page(request, action, language, form, status=400)
    response = HttpResponseRedirect(reverse("act-thanks", args=[action.slug]) + f"?lang={language}")
    response.set_signed_cookie(f"act{action.pk}", submitted.submission.pk, salt=THANKS_SALT, max_age=THANKS_MAX_AGE,
                               httponly=True, samesite="Lax", secure=request.is_secure())
    return response


def _previews(action: Action, data, targets: list, language: str) -> list:  # noqa: ANN001
    supporter = Supporter(prefix=data.prefix, first_name=data.first_name, last_name=data.last_name,
                          street=data.street, city=data.city, state=data.state, zip=data.zip_code, email=data.email,
                          phone=data.phone, note=data.note if action.supporter_editing != "none" else "")
    facts = facts_for(action)
    return [(dm, render_letter(action=action, facts=facts, supporter=supporter, decision_maker=dm, language=language,
                        edited_body=data.edited_body)) for dm in targets]


@require_POST
def act_targets(request: HttpRequest, slug: str) -> HttpResponse:
    """htmx: who the letters will go to, as soon as the ZIP code (and state) are known."""
    action = get_object_or_404(public_actions(), slug=slug)
    language = _language(request, action)
    with translation.override(language):
        zip_code = request.POST.get("zip_code", "").strip()[:5]
        context: dict = {"action": action, "targets": None, "error": None, "districts": None}
        district = request.POST.get("district") or None
        try:
            _c, context["targets"] = action_targets(action, zip_code=zip_code, state=request.POST.get("state") or None,
                                                    district=int(district) if district and district.isdigit() else None)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {})
            if "district" in errors:
                context["districts"] = districts_for_zip(zip_code)
            context["error"] = " ".join(m for e in errors.values() for err in e for m in err.messages) or \
                " ".join(exc.messages)
        return render(request, "advocacy/_targets.html", context)


def _their_letters(action: Action, submission: Submission, language: str) -> list[dict]:
    """Who the supporter's letters go to, and how: from the letters once the worker made them,
    from their address until then. The letter text is shown only where the supporter sends it
    themselves (a contact form)."""
    letters = {letter.decision_maker_id: letter for letter in
               submission.letters.exclude(status=LetterStatus.CANCELLED).select_related("decision_maker")}
    try:
        _c, targets = action_targets(action, zip_code=submission.zip_code, state=submission.state,
                                     district=submission.district)
    except ValidationError:
        targets = [letter.decision_maker for letter in letters.values()]
    rows = []
    for dm in targets:
        letter = letters.get(dm.pk)
        row = {"decision_maker": dm, "channel": letter.channel if letter else choose_channel(dm), "body": ""}
        if row["channel"] == Channel.CONTACT_FORM:
            if letter and letter.body:
                row["body"] = letter.body
            else:
                try:
                    row["body"] = render_letter(
                        action=action, facts=facts_for(action), decision_maker=dm, language=language,
                        supporter=Supporter.of(submission, editing=action.supporter_editing),
                        edited_body=submission.edited_body).body
                except FactsUnavailable:
                    pass
        rows.append(row)
    return rows


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    action = get_object_or_404(public_actions(), slug=slug)
    language = _language(request, action)
    pk = request.get_signed_cookie(f"act{action.pk}", default=None, salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    submission = Submission.objects.filter(pk=pk, action=action).first() if pk else None
    letters = _their_letters(action, submission, language) if submission else []
    page = request.build_absolute_uri(reverse("act", args=[action.slug]))
    share_url = page + (f"?{urlencode({'ref': submission.referral_code})}" if submission else "")
    with translation.override(language):
        text = action.text("title", language)
        share = {
            "url": share_url,
            "email": f"mailto:?subject={quote(text)}&body={quote(share_url)}",
            "whatsapp": f"https://wa.me/?text={quote(text + ' ' + share_url)}",
            "x": f"https://twitter.com/intent/tweet?{urlencode({'text': text, 'url': share_url})}",
            "facebook": f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': share_url})}",
        }
        return render(request, "advocacy/thanks.html", {
            "action": action, "language": language, "title": text, "submission": submission, "letters": letters,
            "share": share, "progress": progress(action), "other_language": _other_language(action, language),
        })

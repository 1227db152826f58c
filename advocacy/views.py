"""The public action page: no login, phone first, English and Spanish.

GET shows the action, its live progress and the form; POST with "preview" shows the targets and
the letters exactly as they will be sent; POST submits. The thank-you page finds the supporter's
submission through a signed cookie, so nothing about them ever travels in a URL.
"""
from dataclasses import asdict
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.client_ip import client_ip

from .forms import SupporterForm
from .letters.render import FactsUnavailable, Supporter, facts_for, page_text, starting_letter
from .letters.render import render as render_letter
from .models import Action, Channel, Language, Letter, LetterStatus, SupporterEditing
from config.ratelimit import Limit, over_limit
from .selectors import SUBMIT_READS, progress, public_actions
from .letters.status import plan, status_words, submission_for_token
from .services.channels import choose_channel
from .services.submissions import SupporterInput, action_accepts_letters, owner_key, submit
from .targets import action_targets, districts_for_zip

THANKS_SALT = "advocacy.thanks"
THANKS_MAX_AGE = 24 * 3600


def _language(request: HttpRequest, action: Action) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or get_language_from_request(request)
    return Language.ES if (wanted or "").startswith("es") and Language.ES in action.languages else Language.EN


def _limited(request: HttpRequest, *, count_email: bool) -> bool:
    limits = [Limit("act-ip", client_ip(request), settings.SUBMISSION_RATE_PER_IP)]
    if count_email:
        limits.append(Limit("act-email", request.POST.get("email", "").strip().lower(),
                            settings.SUBMISSION_RATE_PER_EMAIL))
    return over_limit(*limits)


def _page(request: HttpRequest, action: Action, language: str, form: SupporterForm, *, status: int = 200,
          targets: list | None = None, previews: list | None = None, paused: bool = False) -> HttpResponse:
    context = {
        "action": action, "language": language, "form": form, "targets": targets, "previews": previews,
        "title": page_text(action, "title", language), "intro": page_text(action, "intro", language),
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
            initial = {"ref": request.GET.get("ref", "")[:16]}
            if action.supporter_editing == SupporterEditing.BODY:  # their own letter starts from ours
                initial["edited_body"] = starting_letter(action=action, language=language)
            form = SupporterForm(action=action, initial=initial)
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
    previous = _thanks_state(request, action)
    try:
        submitted = submit(action=action, data=supporter, targets=targets,
                           owner_token=previous.get("t") if previous else None)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _page(request, action, language, form, status=400)
    # The same answer whether the submission was new, updated or (someone else's email) unchanged:
    # the thank-you page is drawn from what was just typed, never from what is stored.
    if any(choose_channel(dm) == Channel.CONTACT_FORM for dm in targets):
        cache.set(_letter_cache_key(submitted.owner_token), asdict(supporter), THANKS_MAX_AGE)
    state = {"t": submitted.owner_token, "z": supporter.zip_code, "s": supporter.state, "d": supporter.district,
             "r": submitted.referral_code}
    response = HttpResponseRedirect(reverse("act-thanks", args=[action.slug]) + f"?lang={language}")
    response.set_cookie(f"act{action.pk}", signing.dumps(state, salt=THANKS_SALT, compress=True),
                        max_age=THANKS_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure())
    return response


def _thanks_state(request: HttpRequest, action: Action) -> dict | None:
    """What the supporter's browser holds about their last submission to this action: the owner
    token (the proof that lets them change it), their address's targets and their referral code."""
    try:
        return signing.loads(request.COOKIES.get(f"act{action.pk}", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except signing.BadSignature:
        return None


def _letter_cache_key(token: str) -> str:
    return f"act-letter:{owner_key(token)}"


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
                                                    district=int(district) if district and district.isascii()
                                                    and district.isdigit() and len(district) < 3 else None)
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {})
            if "district" in errors:
                context["districts"] = districts_for_zip(zip_code)
            context["error"] = " ".join(m for e in errors.values() for err in e for m in err.messages) or \
                " ".join(exc.messages)
        return render(request, "advocacy/_targets.html", context)


def _their_letters(action: Action, state: dict, language: str) -> list[dict]:
    """Who the letters go to and how, from the address the supporter typed. Where they send it
    themselves (a contact form), their letter, rendered now from what they typed: it states only
    what the families consent to today."""
    try:
        _c, targets = action_targets(action, zip_code=state["z"], state=state["s"], district=state["d"])
    except (ValidationError, KeyError):
        return []
    typed = cache.get(_letter_cache_key(state["t"]))
    statuses = _their_statuses(action, state["t"])
    rows = []
    for dm in targets:
        row = {"decision_maker": dm, "channel": choose_channel(dm), "body": ""}
        row["plan"] = plan(row["channel"], dm.salutation, action.organization.name)
        row["status"] = status_words(row["channel"], *statuses.get(dm.pk, (None, None)))
        if row["channel"] == Channel.CONTACT_FORM and typed:
            data = SupporterInput(**typed)
            try:
                row["body"] = render_letter(
                    action=action, facts=facts_for(action), decision_maker=dm, language=language,
                    supporter=Supporter(prefix=data.prefix, first_name=data.first_name, last_name=data.last_name,
                                        street=data.street, city=data.city, state=data.state, zip=data.zip_code,
                                        email=data.email, phone=data.phone,
                                        note=data.note if action.supporter_editing != "none" else ""),
                    edited_body=data.edited_body).body
            except FactsUnavailable:
                pass
        rows.append(row)
    return rows


def _their_statuses(action: Action, token: str) -> dict[int, tuple[str, object]]:
    """Where each of the supporter's own letters stands: found through the owner token their
    browser holds (only the browser that made the submission has it), never through what they
    typed. Empty before the worker made the letters, or for someone who typed another's email."""
    return {dm: (status, sent_at) for dm, status, sent_at in Letter.objects.filter(
        action=action, submission__owner_key=owner_key(token)).values_list("decision_maker_id", "status", "sent_at")}


@never_cache  # it can show the supporter's own letter: no shared cache keeps it
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    action = get_object_or_404(public_actions(), slug=slug)
    language = _language(request, action)
    state = _thanks_state(request, action)
    page = request.build_absolute_uri(reverse("act", args=[action.slug]))
    share_url = page + (f"?{urlencode({'ref': state['r']})}" if state and state.get("r") else "")
    with translation.override(language):
        letters = _their_letters(action, state, language) if state else []
        text = page_text(action, "title", language)
        share = {
            "url": share_url,
            "email": f"mailto:?subject={quote(text)}&body={quote(share_url)}",
            "whatsapp": f"https://wa.me/?text={quote(text + ' ' + share_url)}",
            "x": f"https://twitter.com/intent/tweet?{urlencode({'text': text, 'url': share_url})}",
            "facebook": f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': share_url})}",
        }
        return render(request, "advocacy/thanks.html", {
            "action": action, "language": language, "title": text, "letters": letters,
            "share": share, "progress": progress(action), "other_language": _other_language(action, language),
        })


@never_cache
@require_http_methods(["GET", "HEAD"])
def letters_status(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Where each of a supporter's letters stands, through the signed link in their email: the
    offices and the states only, never their name, address or letter. A link that was altered, or
    belongs to another action, is a 404."""
    action = get_object_or_404(public_actions(), slug=slug)
    submission = submission_for_token(token, action.pk)
    if submission is None:
        raise Http404
    language = submission.language if submission.language in action.languages else Language.EN
    with translation.override(language):
        rows = [{"decision_maker": letter.decision_maker, "plan": plan(letter.channel, letter.decision_maker.salutation,
                                                                      action.organization.name),
                 "status": status_words(letter.channel, letter.status, letter.sent_at)}
                for letter in submission.letters.exclude(status=LetterStatus.CANCELLED).select_related("decision_maker")
                .order_by("pk")]
        response = render(request, "advocacy/letters_status.html", {
            "action": action, "language": language, "title": page_text(action, "title", language), "letters": rows,
            "other_language": None})
    response["Referrer-Policy"] = "no-referrer"  # the link carries its token: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


KIT_LINES = 20


@require_http_methods(["GET", "HEAD"])
def kit(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable kit for handwritten letters (an action that collects them): how to take part,
    where the letters go (each fixed decision maker's postal address), and a lined letter page."""
    action = get_object_or_404(public_actions().filter(collects_handwritten=True), slug=slug)
    language = _language(request, action)
    with translation.override(language):
        recipients = [dm for dm in action.fixed_targets.filter(active=True).order_by("pk") if dm.postal_address]
        return render(request, "advocacy/kit.html", {
            "action": action, "language": language, "title": page_text(action, "title", language),
            "recipients": recipients, "writes_to_congress": action.target_senators or action.target_representative,
            "page_url": request.build_absolute_uri(reverse("act", args=[action.slug])), "lines": range(KIT_LINES),
            "other_language": _other_language(action, language),
        })

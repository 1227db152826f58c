"""The demo's families, modelled on the seed documents, dated from the day the demo is loaded.

Three organisations (a legal-services organisation that owns the families, a co-counsel legal
organisation, an advocacy organisation), one user for every role in each, reference places, and
families:

- 29 families presented at the Calexico-Mexicali port of entry on a Saturday a little over a month
  ago (the seed: "On Saturday March 2 ... detained for more than a month"): the Saturday 35 to 41
  days before the load. 17 of them are still in ICE custody (CBP from that Saturday, ICE from the
  Monday), each with a secured sponsor and a positive credible-fear interview; the other 12 are
  released, with a sponsor, in ORR care, reunified, removed or lost track of.
- A mother removed to Mexico after a traffic stop whose 14-year-old daughter stayed in the US
  with her aunt.
- A father removed four years ago, back on humanitarian parole for a family-court hearing on
  reunification with his children in state foster care, nine days after the load.
- A recent family whose negative credible-fear finding has an immigration-judge review deadline.

Every date is counted from the load's `today`, so the seed's sentences stay true whatever day
`make run` is first run on: children are children, hearings are ahead, nothing lies in the future
that has happened. Every person is fictional; only public places (ports, detention centres, courts, ICE field
offices) carry real names. Rows are written through the services, as the product writes them, so
history and permissions are those of real use. Loading is all or nothing, and skipped when the
demo organisation already exists (the history table refuses DELETE on PostgreSQL, so there is no
reset).
"""
import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as account_services
from accounts.models import Organization, User
from accounts.roles import Role
from accounts.two_factor import DEMO_NAME

from cases import services
from cases.models import Case, CustodianKind, Facility, FieldOffice, Person, Proceeding, ReleaseType, Sponsor

DEMO_PASSWORD = "demo-pass-2019"
DETAINED_FAMILIES = 17
PORT_FAMILIES = 29


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str
    domain: str


LEGAL = OrgSpec("Frontera Legal Aid (demo)", Organization.Kind.LEGAL, "frontera.demo")
CO_COUNSEL = OrgSpec("Bayside Immigrant Defense (demo)", Organization.Kind.LEGAL, "bayside.demo")
ADVOCACY = OrgSpec("Letters Home Coalition (demo)", Organization.Kind.ADVOCACY, "lettershome.demo")
ORGS = (LEGAL, CO_COUNSEL, ADVOCACY)


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    organization: str
    staff: bool = False

    @property
    def totp_key(self) -> str:
        """The demo login's authenticator secret (hex, as django-otp keeps it): fixed and public,
        like the demo password, so `make run` can print it and a newcomer can add it to an app."""
        return hashlib.sha1(f"demo authenticator {self.email}".encode()).hexdigest()  # noqa: S324 (not a hash of a secret)

    @property
    def totp_secret(self) -> str:
        """The same secret as authenticator apps take it (base32)."""
        return base64.b32encode(bytes.fromhex(self.totp_key)).decode()


@dataclass(frozen=True)
class DemoResult:
    created: bool
    logins: list[Login]
    cases: int


def demo_logins() -> list[Login]:
    return [
        Login(role, f"{role}@{org.domain}", DEMO_PASSWORD, org.name, staff=(org is LEGAL and role == Role.ADMIN))
        for org in ORGS
        for role in Role.values
    ]


def port_day(today: dt.date) -> dt.date:
    """The Saturday the 29 families presented at Calexico: a little over a month before `today`,
    between 35 and 41 days (so "detained for more than a month" holds on the day of loading)."""
    earliest = today - dt.timedelta(days=35)
    return earliest - dt.timedelta(days=(earliest.weekday() - 5) % 7)


def port_reference_prefix(today: dt.date) -> str:
    return f"CAL-{port_day(today).year}-"


def demo_authenticators() -> int:
    """Every demo login has its authenticator (an older demo database gets them too): admins and
    advocates must pass a second factor, and the others may. Returns how many were added."""
    added = 0
    for login in demo_logins():
        user = User.objects.filter(email=login.email).first()
        if user is not None and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_NAME, key=login.totp_key, confirmed=True)
            added += 1
    return added


def load_families(*, today: dt.date | None = None) -> DemoResult:
    """Create the demo organisations, users and families, or do nothing when they are there."""
    if Organization.objects.filter(name=LEGAL.name).exists():
        demo_authenticators()
        return DemoResult(created=False, logins=demo_logins(), cases=0)
    today = today or timezone.localdate()
    with transaction.atomic():
        orgs, users = _organisations_and_users()
        actor = users[(LEGAL.name, Role.ADVOCATE)]
        # Field offices and the shared facilities are reference data: the legal admin enters them.
        places = _places(users[(LEGAL.name, Role.ADMIN)])
        ctx = _Ctx(actor=actor, org=orgs[LEGAL.name], places=places, today=today, port=port_day(today))
        cases = [_port_family(ctx, n) for n in range(1, PORT_FAMILIES + 1)]
        cases += [_removed_mother(ctx), _paroled_father(ctx), _negative_finding(ctx)]
        services.share_create(actor=actor, case=cases[0], access="view", organization=orgs[CO_COUNSEL.name])
        volunteer = users[(LEGAL.name, Role.VOLUNTEER)]
        for case in (cases[1], cases[19]):
            services.assignment_create(actor=actor, case=case, user=volunteer)
        demo_authenticators()
    return DemoResult(created=True, logins=demo_logins(), cases=len(cases))


def _organisations_and_users() -> tuple[dict[str, Organization], dict[tuple[str, str], User]]:
    orgs = {spec.name: account_services.organization_create(name=spec.name, kind=spec.kind) for spec in ORGS}
    users: dict[tuple[str, str], User] = {}
    for login in demo_logins():
        user = User.objects.filter(email=login.email).first() or User.objects.create_user(
            login.email, login.password, first_name="Demo", last_name=login.role.title(), is_staff=login.staff
        )
        account_services.membership_add(
            organization=orgs[login.organization], user=user, role=login.role, actor=None
        )
        users[(login.organization, login.role)] = user
    return orgs, users


# --- Places -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Places:
    calexico_port: Facility
    san_ysidro_port: Facility
    detention: tuple[Facility, ...]  # Imperial, Otay Mesa, Adelanto
    immigration_court: dict[int, Facility]  # detention facility id -> its immigration court
    shelter: Facility
    family_court: Facility


def _field_office(actor: User, code: str, name: str, city: str) -> FieldOffice:
    return FieldOffice.objects.filter(code=code).first() or services.reference_create(
        actor=actor, model=FieldOffice, code=code, name=name, city=city, state="CA"
    )


def _facility(actor: User, name: str, kind: str, city: str, office: FieldOffice | None, address: str = "") -> Facility:
    return Facility.objects.filter(name=name, city=city, state="CA").first() or services.reference_create(
        actor=actor, model=Facility, name=name, kind=kind, city=city, state="CA", field_office=office,
        address=address,
    )


def _places(actor: User) -> Places:
    snd = _field_office(actor, "SND", "San Diego Field Office", "San Diego")
    los = _field_office(actor, "LOS", "Los Angeles Field Office", "Los Angeles")
    kind = Facility.Kind
    imperial = _facility(actor, "Imperial Regional Detention Facility", kind.ICE_DETENTION, "Calexico", snd,
                         "1572 Gateway Rd")
    otay = _facility(actor, "Otay Mesa Detention Center", kind.ICE_DETENTION, "San Diego", snd,
                     "7488 Calzada de la Fuente")
    adelanto = _facility(actor, "Adelanto ICE Processing Center", kind.ICE_DETENTION, "Adelanto", los,
                         "10400 Rancho Rd")
    courts = {
        imperial.pk: _facility(actor, "Imperial Immigration Court", kind.COURT, "Imperial", None),
        otay.pk: _facility(actor, "Otay Mesa Immigration Court", kind.COURT, "San Diego", None),
        adelanto.pk: _facility(actor, "Adelanto Immigration Court", kind.COURT, "Adelanto", None),
    }
    return Places(
        calexico_port=_facility(actor, "Calexico West Port of Entry", kind.PORT_OF_ENTRY, "Calexico", snd),
        san_ysidro_port=_facility(actor, "San Ysidro Port of Entry", kind.PORT_OF_ENTRY, "San Diego", snd),
        detention=(imperial, otay, adelanto),
        immigration_court=courts,
        # Fictional: ORR does not publish shelter locations.
        shelter=_facility(actor, "Casa Colibrí Children's Shelter (fictional)", kind.ORR_SHELTER, "San Diego", None),
        family_court=_facility(actor, "Imperial County Juvenile Court", kind.COURT, "El Centro", None),
    )


# --- Fictional people ---------------------------------------------------------------------------

MOTHERS = ["Marisol", "Yesenia", "Dania", "Karla", "Lourdes", "Iris", "Glenda", "Reina", "Sonia", "Elvia",
           "Brenda", "Ingrid", "Delmy", "Nohemí", "Wendy", "Xiomara", "Yolanda", "Maritza", "Zulma", "Ruth"]
FATHERS = ["Edwin", "Óscar", "Wilmer", "Nery", "Josué", "Elmer", "Denis", "Walter", "Santos", "Ulises"]
CHILDREN = ["Ashly", "Génesis", "Kevin", "Brayan", "Dayana", "Jefferson", "Angie", "Naomi", "Emily", "Jostin",
            "Keyla", "Allison", "Dilan", "Cristel", "Samuel", "Yeimi", "Anthony", "Dulce", "Isaac", "Mía",
            "Rubén", "Nataly", "Elías"]
SURNAMES = ["Reyes", "Maldonado", "Portillo", "Castellanos", "Amaya", "Funes", "Orellana", "Zelaya", "Mejía",
            "Cruz", "Aguilar", "Pineda", "Bonilla", "Cálix", "Velásquez", "Rosales", "Argueta", "Sorto", "Tobar",
            "Cardona", "Lemus", "Galeas", "Paz", "Ventura", "Osorio", "Barahona", "Alvarado", "Chinchilla", "Rivas"]
ORIGINS = [("Honduras", "Spanish"), ("Guatemala", "K'iche', Spanish"), ("El Salvador", "Spanish"),
           ("Guatemala", "Mam, Spanish"), ("Honduras", "Spanish, Garifuna"), ("Mexico", "Spanish")]
SPONSOR_KIN = [("sister", "2B"), ("brother", "2B"), ("aunt", "2B"), ("uncle", "2B"), ("cousin", "2B"),
               ("family friend", "3"), ("grandmother", "2A")]

# The 12 families that are no longer in ICE custody, and where they are (see _after_release).
RELEASED_STATES = {
    18: "paroled_child_with_sponsor", 19: "bond_child_with_sponsor", 20: "paroled_sponsor_pending",
    21: "paroled_children_in_shelter", 22: "reunified", 23: "atd_child_with_sponsor",
    24: "paroled_children_in_foster_care", 25: "removed_after_negative_finding",
    26: "paroled_hearing_soon", 27: "bond_child_with_sponsor", 28: "paroled_child_with_sponsor",
    29: "paroled_then_unknown",
}
# Every family the accompaniment group brought to Calexico agreed that its facts may be used in
# advocacy (the seed letter states them); six also let their story and first names be told. The
# recent arrival (OTM) has no consent on record yet.
STORY_CONSENT = {1, 2, 3, 8, 13, 22}
# Detained families with a hearing in the next two weeks: family number -> days from today.
UPCOMING_HEARINGS = {1: 2, 4: 5, 9: 11}


@dataclass(frozen=True)
class _Ctx:
    """Who writes the demo (the legal organisation's advocate), for which organisation, and when:
    the day of loading and the Saturday the port families presented."""

    actor: User
    org: Organization
    places: Places
    today: dt.date
    port: dt.date

    def after_port(self, days: int) -> dt.date:
        return self.port + dt.timedelta(days=days)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _person(actor: User, case: Case, role: str, first: str, last: str, dob: dt.date, origin: tuple[str, str],
            a_number: str = "") -> Person:
    return services.person_create(
        actor=actor, case=case, role=role, first_name=first, last_name=last, date_of_birth=dob,
        country_of_birth=origin[0], languages=origin[1], a_number=a_number,
    )


def _move(actor: User, person: Person, kind: str, on: dt.date, **kw) -> None:  # noqa: ANN003
    services.custody_transfer(actor=actor, person=person, kind=kind, on=on, **kw)


def _born(before: dt.date, years: int, days: int) -> dt.date:
    """A birthday `years` and `days` before `before`: an age that stays true whatever the date."""
    return _years_before(before, years) - dt.timedelta(days=days)


def _port_family(ctx: _Ctx, n: int) -> Case:
    actor, places, port = ctx.actor, ctx.places, ctx.port
    surname = SURNAMES[n - 1]
    origin = ORIGINS[n % len(ORIGINS)]
    case = services.case_create(
        actor=actor, organization=ctx.org, reference=f"{port_reference_prefix(ctx.today)}{n:03d}",
        separated_on=port, separation_place="Calexico-Mexicali port of entry", port_of_entry=places.calexico_port,
        summary=f"Presented at Calexico West on Saturday {port:%-d %B %Y} with the accompaniment group; parent "
                "and children were separated at processing.",
    )
    if n % 4 == 0:
        parent = _person(actor, case, "parent", FATHERS[(n // 4) % len(FATHERS)], surname,
                         _born(port, 27 + n % 12, (n * 31) % 360), origin, f"A2085550{n:02d}")
    else:
        parent = _person(actor, case, "parent", MOTHERS[n % len(MOTHERS)], surname,
                         _born(port, 24 + n % 11, (n * 47) % 360), origin, f"A2085550{n:02d}")
    # Children of 2 to 12 on the day they presented: children still, whenever the demo is loaded.
    children = [
        _person(actor, case, "child", CHILDREN[(n + k * 7) % len(CHILDREN)], surname,
                _born(port, 2 + (n + 3 * k) % 11, (n * 37 + k * 101) % 360), origin)
        for k in range(1 + (n % 3 == 0))
    ]
    detention = places.detention[n % 3]
    for person in (parent, *children):
        _move(actor, person, CustodianKind.CBP, port, facility=places.calexico_port)
    _move(actor, parent, CustodianKind.ICE_DETENTION, ctx.after_port(2), facility=detention)
    for child in children:
        _move(actor, child, CustodianKind.ORR_SHELTER, ctx.after_port(1), facility=places.shelter)

    kin, category = SPONSOR_KIN[n % len(SPONSOR_KIN)]
    if n <= DETAINED_FAMILIES:
        # The seed: "all 17 have a sponsor" - secured, that is ORR approved them.
        status = Sponsor.Status.APPROVED
    else:
        status = {20: Sponsor.Status.APPLICATION_SUBMITTED, 21: Sponsor.Status.HOME_STUDY,
                  24: Sponsor.Status.IDENTIFIED}.get(n, Sponsor.Status.APPROVED)
    first_names = FATHERS if kin in ("brother", "uncle") else MOTHERS
    sponsor = services.sponsor_create(
        actor=actor, case=case, name=f"{first_names[(n + 3) % len(first_names)]} {surname}", relationship=kin,
        category=category, status=status, contact=f"(619) 555-01{n:02d}",
    )

    fear = services.fear_process_create(actor=actor, person=parent, kind="credible",
                                        interview_on=ctx.after_port(9 + n % 6))
    if RELEASED_STATES.get(n) == "removed_after_negative_finding":
        services.interview_outcome_record(actor=actor, process=fear, outcome="negative", decided_on=ctx.after_port(16))
        services.ij_review_request(actor=actor, process=fear, requested_on=ctx.after_port(17))
        services.ij_review_record(actor=actor, process=fear, result="affirmed", decided_on=ctx.after_port(23))
    else:
        services.interview_outcome_record(actor=actor, process=fear, outcome="positive",
                                          decided_on=ctx.after_port(11 + n % 6))

    proceeding = services.proceeding_create(
        actor=actor, case=case, person=parent, kind="immigration_court",
        court=places.immigration_court[detention.pk], docket=f"CAL-IC-{port:%y}-{n:04d}",
    )
    held = services.hearing_schedule(actor=actor, proceeding=proceeding, scheduled_at=_at(ctx.after_port(30)),
                                     purpose="Master calendar", location=str(proceeding.court))
    services.hearing_update(actor=actor, hearing=held, version=held.version, status="held",
                            outcome="Continued for attorney preparation")
    if n in UPCOMING_HEARINGS:
        services.hearing_schedule(
            actor=actor, proceeding=proceeding, scheduled_at=_at(ctx.today + dt.timedelta(days=UPCOMING_HEARINGS[n])),
            purpose="Bond hearing" if n == 1 else "Individual hearing (asylum)", location=str(proceeding.court),
        )

    if n > DETAINED_FAMILIES:
        _after_release(ctx, n, case, parent, children, sponsor, proceeding)
    services.consent_record(actor=actor, case=case, level="story" if n in STORY_CONSENT else "anonymous")
    if n <= 3:
        services.note_create(actor=actor, case=case, body=f"Sponsor ({kin}) confirmed address and phone; "
                                                          "parole request packet sent to the field office.")
    return case


def _after_release(ctx: _Ctx, n: int, case: Case, parent: Person, children: list[Person], sponsor: Sponsor,
                   proceeding: Proceeding) -> None:
    """Where the 12 families that left ICE custody went."""
    actor, state = ctx.actor, RELEASED_STATES[n]
    if state == "removed_after_negative_finding":
        _move(actor, parent, CustodianKind.REMOVED, ctx.after_port(30), removed_to="Honduras")
    else:
        release = {"bond": ReleaseType.BOND, "atd": ReleaseType.ATD}.get(state.split("_")[0], ReleaseType.PAROLE)
        _move(actor, parent, CustodianKind.RELEASED, ctx.after_port(16 + n % 10), release_type=release)
    if state in ("paroled_sponsor_pending", "paroled_children_in_shelter"):
        return  # the children are still in the ORR shelter
    if state == "paroled_children_in_foster_care":
        for child in children:
            _move(actor, child, CustodianKind.ORR_FOSTER_CARE, ctx.after_port(13))
        return
    if state == "reunified":
        services.case_mark_reunified(actor=actor, case=case, on=ctx.after_port(31))
        return
    for child in children:
        services.release_to_sponsor(actor=actor, person=child, sponsor=sponsor, on=ctx.after_port(32))
    if state == "paroled_hearing_soon":
        services.hearing_schedule(
            actor=actor, proceeding=proceeding, scheduled_at=_at(ctx.today + dt.timedelta(days=12)),
            purpose="Master calendar (non-detained docket)", location=str(proceeding.court),
        )
    if state == "paroled_then_unknown":
        _move(actor, parent, CustodianKind.UNKNOWN, ctx.after_port(33))


def _removed_mother(ctx: _Ctx) -> Case:
    """Stopped at a 'papers, please' traffic checkpoint and removed to Mexico; her 14-year-old
    daughter stayed in the US with an aunt."""
    actor, today = ctx.actor, ctx.today
    stopped = today - dt.timedelta(days=90)
    case = services.case_create(
        actor=actor, organization=ctx.org, reference="FLA-TS-001", separated_on=stopped,
        separation_place="Traffic checkpoint, Escondido, CA",
        summary="Mother stopped at a traffic checkpoint, detained and removed to Mexico. Her daughter (14) "
                "stays with her maternal aunt in Chula Vista and goes to school there.",
    )
    mother = _person(actor, case, "parent", "Graciela", "Ortuño", _born(today, 41, 180), ("Mexico", "Spanish"),
                     "A208555101")
    daughter = _person(actor, case, "child", "Abril", "Ortuño", _born(today, 14, 120),
                       ("United States", "English, Spanish"))
    aunt = services.sponsor_create(actor=actor, case=case, person=daughter, name="Marta Ortuño",
                                   relationship="maternal aunt", category="2B",
                                   status=Sponsor.Status.APPROVED, contact="(619) 555-0177")
    _move(actor, mother, CustodianKind.ICE_DETENTION, stopped, facility=ctx.places.detention[1])
    _move(actor, mother, CustodianKind.REMOVED, today - dt.timedelta(days=60), removed_to="Mexico")
    _move(actor, daughter, CustodianKind.WITH_SPONSOR, stopped, sponsor=aunt)
    services.consent_record(actor=actor, case=case, level="story")
    # The seed's Esther and Eliza, told of this fictional family (the daughter is never named).
    services.story_save(actor=actor, case=case, approve=True, text=(
        'Graciela was stopped at a "papers, please" traffic checkpoint near Escondido, detained and deported to '
        "Mexico. Her 14-year-old daughter stayed behind with her aunt in Chula Vista, where she goes to school; "
        "Graciela calls her from Tijuana every Sunday."), text_es=(
        "A Graciela la detuvieron en un retén de tránsito de «papeles, por favor» cerca de Escondido y la "
        "deportaron a México. Su hija de 14 años se quedó con su tía en Chula Vista, donde va a la escuela; "
        "Graciela la llama desde Tijuana cada domingo."))
    services.note_create(actor=actor, case=case, body="Mother calls from Tijuana on Sundays; exploring a "
                                                       "humanitarian parole request.")
    return case


def _paroled_father(ctx: _Ctx) -> Case:
    """Removed four years ago; back on humanitarian parole for the family-court hearing that decides
    whether his children, in state foster care since, come home. The child-welfare agency moved
    from termination to reunification."""
    actor, today, court = ctx.actor, ctx.today, ctx.places.family_court
    arrested = _born(today, 4, 40)
    case = services.case_create(
        actor=actor, organization=ctx.org, reference="FLA-FC-001", separated_on=arrested,
        separation_place="Home, Brawley, CA (ICE arrest)",
        summary=f"Father removed in {arrested.year}; children placed in county foster care. ICE granted "
                "humanitarian parole so he can attend the reunification hearing.",
    )
    father = _person(actor, case, "parent", "Teodoro", "Villaseñor", _born(today, 46, 10), ("Mexico", "Spanish"),
                     "A208555102")
    kids = [_person(actor, case, "child", first, "Villaseñor", dob, ("United States", "English, Spanish"))
            for first, dob in (("Mateo", _born(today, 12, 288)), ("Camila", _born(today, 10, 91)))]
    _move(actor, father, CustodianKind.ICE_DETENTION, arrested, facility=ctx.places.detention[0])
    _move(actor, father, CustodianKind.REMOVED, arrested + dt.timedelta(days=52), removed_to="Mexico")
    _move(actor, father, CustodianKind.RELEASED, today - dt.timedelta(days=7),
          release_type=ReleaseType.HUMANITARIAN_PAROLE)
    for kid in kids:
        _move(actor, kid, CustodianKind.STATE_CHILD_WELFARE, arrested)
    proceeding = services.proceeding_create(
        actor=actor, case=case, person=father, kind="family_court", court=court, docket=f"JV-{arrested.year}-0412",
        agency_position="termination",
    )
    earlier = services.hearing_schedule(actor=actor, proceeding=proceeding,
                                        scheduled_at=_at(arrested + dt.timedelta(days=302)),
                                        purpose="Permanency hearing", location=str(court))
    services.hearing_update(actor=actor, hearing=earlier, version=earlier.version, status="held",
                            outcome="Continued; the father could not attend from Mexico")
    services.proceeding_update(actor=actor, proceeding=proceeding, version=proceeding.version,
                               agency_position="reunification")
    services.hearing_schedule(actor=actor, proceeding=proceeding, scheduled_at=_at(today + dt.timedelta(days=9), 10),
                              purpose="Review hearing: reunification plan", location=str(court))
    services.consent_record(actor=actor, case=case, level="story")
    # The seed's family-court hearing of a deported father, told of this fictional family.
    services.story_save(actor=actor, case=case, approve=True, text=(
        "Teodoro was deported four years ago, and his two children were placed in county foster care. ICE has let "
        "him return on humanitarian parole for the family-court hearing that decides whether they come home. The "
        "county's child-welfare agency, which once asked to end his parental rights, now says reunification is "
        "the plan; the judge has the final word."), text_es=(
        "Teodoro fue deportado hace cuatro años y sus dos hijos quedaron en hogares de acogida del condado. ICE le "
        "permitió volver con un permiso humanitario para la audiencia del tribunal de familia que decide si "
        "vuelven a casa. La agencia de protección de menores del condado, que antes pidió terminar su patria "
        "potestad, ahora dice que el plan es la reunificación; la última palabra la tiene el juez."))
    return case


def _negative_finding(ctx: _Ctx) -> Case:
    """A recent arrival: a negative credible-fear finding three days ago, with review by an
    immigration judge requested, so the review is due within the week."""
    actor, today, places = ctx.actor, ctx.today, ctx.places
    arrived = today - dt.timedelta(days=12)
    case = services.case_create(
        actor=actor, organization=ctx.org, reference=f"OTM-{arrived.year}-001", separated_on=arrived,
        separation_place="San Ysidro port of entry", port_of_entry=places.san_ysidro_port,
    )
    origin = ("Guatemala", "Q'eqchi', Spanish")
    mother = _person(actor, case, "parent", "Rosaura", "Benítez", _born(today, 31, 200), origin, "A208555103")
    child = _person(actor, case, "child", "Jade", "Benítez", _years_before(arrived, 6), origin)
    for person in (mother, child):
        _move(actor, person, CustodianKind.CBP, arrived, facility=places.san_ysidro_port)
    _move(actor, mother, CustodianKind.ICE_DETENTION, arrived + dt.timedelta(days=2), facility=places.detention[1])
    _move(actor, child, CustodianKind.ORR_SHELTER, arrived + dt.timedelta(days=1), facility=places.shelter)
    services.sponsor_create(actor=actor, case=case, person=child, name="Ofelia Benítez", relationship="cousin",
                            category="2B", status=Sponsor.Status.IDENTIFIED, contact="(619) 555-0188")
    fear = services.fear_process_create(actor=actor, person=mother, kind="credible",
                                        interview_on=today - dt.timedelta(days=4))
    services.interview_outcome_record(actor=actor, process=fear, outcome="negative",
                                      decided_on=today - dt.timedelta(days=3))
    # She asked for review by an immigration judge the same day: due 7 days from the finding.
    services.ij_review_request(actor=actor, process=fear, requested_on=today - dt.timedelta(days=3))
    return case

"""The demo's campaigns: the two actions the product grew from, dated from the day of loading.

- "Tell Congress - Reunite Families": the seed letter, its numbers written as merge fields over the
  29 demo families who presented at Calexico (29 families, 17 in ICE custody, each with a secured
  sponsor and a positive credible-fear interview - all read from the records when a letter renders).
- The holiday campaign: letters to the President alone, 10,000 wanted, 8,000 pledges already, a
  deadline on November 30.

Decision makers are public officials: the few members of Congress for the demo's ZIP codes (the
full roster comes from `import_legislators`, which upserts over these by bioguide id), the White
House and California's governor (`import_executives`), and the ICE
field office directors, under their office's name only. The families are the demo's fictional ones.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation

from accounts.models import Organization, User
from accounts.roles import Role
from advocacy.importers import add_zip_districts, import_executives, parse_legislators_csv, upsert_legislators
from advocacy.models import Action, DecisionMaker, DecisionMakerKind, TallyKind
from advocacy.services import actions as services
from cases.models import Case, FieldOffice

from .families import ADVOCACY, LEGAL, port_day, port_reference_prefix

SEED_SLUG = "tell-congress-reunite-families"
HOLIDAY_SLUG = "wish-for-the-holidays"

# Public contact data of the members of Congress for the demo ZIP codes, in the congress-legislators
# CSV format (only the columns the importer reads).
DEMO_LEGISLATORS_CSV = """\
last_name,first_name,full_name,type,state,district,senate_class,url,address,phone,contact_form,bioguide_id
Padilla,Alejandro,Alex Padilla,sen,CA,,3,https://www.padilla.senate.gov,331 Hart Senate Office Building Washington DC 20510,202-224-3553,https://www.padilla.senate.gov/contact/,P000145
Schiff,Adam,Adam B. Schiff,sen,CA,,1,https://www.schiff.senate.gov,112 Hart Senate Office Building Washington DC 20510,202-224-3841,,S001150
Ruiz,Raul,Raul Ruiz,rep,CA,25,,https://ruiz.house.gov,2342 Rayburn House Office Building Washington DC 20515-0525,202-225-5330,,R000599
Peters,Scott,Scott H. Peters,rep,CA,50,,https://scottpeters.house.gov,2369 Rayburn House Office Building Washington DC 20515-0550,202-225-0508,,P000608
Vargas,Juan,Juan Vargas,rep,CA,52,,https://vargas.house.gov,2467 Rayburn House Office Building Washington DC 20515-0552,202-225-8045,,V000130
"""
# Calexico and El Centro (CA-25), San Diego downtown (split between CA-50 and CA-52), San Ysidro (CA-52).
DEMO_ZIPS = {("92231", "CA", 25), ("92243", "CA", 25), ("92101", "CA", 50), ("92101", "CA", 52), ("92173", "CA", 52)}

SEED_SUBJECT = "Release the {{ families.in_ice_custody }} families detained since Calexico and reunite them"
SEED_BODY = """Dear [Decision Maker],

On {port_day}, {{ organization.name }} and its partners accompanied {{ families.count }} families to the {{ families.port_of_entry }}. These families were at serious risk of violence and had been separated from their children by the U.S. government. Staying in Mexico was not an option for them: They were in danger of becoming targets of human trafficking, organized crime, and extortion. The families presented themselves to seek their legal right to asylum, and urged Customs and Border Protection (CBP) officers to let them onto U.S. soil as soon as possible.

Asylum seekers who present themselves at ports of entry are regularly turned away, and are often forced to wait in Mexico for weeks or months, in cities that are among the most violent in the world.

After much negotiation with CBP officials, the families were finally processed. Right now, {{ families.in_ice_custody }} of them are in the custody of Immigration and Customs Enforcement (ICE): They have been detained for {{ detained.shortest_time }}. {% if detained.with_secured_sponsor == families.in_ice_custody and detained.with_positive_credible_fear == families.in_ice_custody %}All {{ families.in_ice_custody }} families have secured a sponsor in the U.S. and passed their credible fear interviews.{% else %}{{ detained.with_secured_sponsor }} of these families have secured a sponsor in the U.S., and {{ detained.with_positive_credible_fear }} have passed their credible fear interviews.{% endif %}

Although the Department of Homeland Security has said that it is now their priority to reunite these families, they are preventing these parents from being with their children.

I ask that you do whatever is in your power to urge ICE to release these families to their sponsor and reunite them with their children.

[Personal Note]

[Your Name]
[Your Address]
[City, State ZIP]
[Your Email]
"""
SEED_SUBJECT_ES = "Liberen a las {{ families.in_ice_custody }} familias detenidas desde Calexico y reúnanlas"
SEED_BODY_ES = """Estimado/a [Decision Maker]:

El {port_day}, {{ organization.name }} y sus aliados acompañaron a {{ families.count }} familias al {{ families.port_of_entry }}. Estas familias corrían un grave riesgo de violencia y el gobierno de los Estados Unidos las había separado de sus hijos. Quedarse en México no era una opción: corrían peligro de caer en manos de la trata de personas, el crimen organizado y la extorsión. Las familias se presentaron para ejercer su derecho legal a pedir asilo, y pidieron a los agentes de Aduanas y Protección Fronteriza (CBP) que las dejaran entrar en territorio estadounidense lo antes posible.

A quienes piden asilo en los puertos de entrada se les rechaza con frecuencia, y muchas veces deben esperar en México semanas o meses, en ciudades que están entre las más violentas del mundo.

Después de mucha negociación con la CBP, las familias por fin fueron procesadas. Hoy, {{ families.in_ice_custody }} de ellas siguen bajo la custodia del Servicio de Inmigración y Control de Aduanas (ICE): llevan {{ detained.shortest_time }} detenidas. {% if detained.with_secured_sponsor == families.in_ice_custody and detained.with_positive_credible_fear == families.in_ice_custody %}Las {{ families.in_ice_custody }} familias tienen un patrocinador en los Estados Unidos y pasaron su entrevista de miedo creíble.{% else %}{{ detained.with_secured_sponsor }} de estas familias tienen un patrocinador en los Estados Unidos y {{ detained.with_positive_credible_fear }} pasaron su entrevista de miedo creíble.{% endif %}

Aunque el Departamento de Seguridad Nacional ha dicho que reunir a estas familias es ahora su prioridad, sigue impidiendo que estos padres estén con sus hijos.

Le pido que haga todo lo que esté a su alcance para que ICE libere a estas familias con sus patrocinadores y las reúna con sus hijos.

[Personal Note]

[Your Name]
[Your Address]
[City, State ZIP]
[Your Email]
"""
# The seed: "All 17 families have secured a sponsor ... and passed their credible fear interviews" -
# said so only while it is true of every family in ICE custody.
ALL_SECURED = ("{% if detained.with_secured_sponsor == families.in_ice_custody"
               " and detained.with_positive_credible_fear == families.in_ice_custody %}")
# The page's intro states the letter's own facts (merge fields), so it never says "Seventeen" while
# the letter says 16.
SEED_INTRO = ("{{ families.in_ice_custody }} famil{{ families.in_ice_custody|pluralize:'y,ies' }} who asked for "
              "asylum at Calexico {{ families.in_ice_custody|pluralize:'has,have' }} been held by ICE for "
              "{{ detained.shortest_time }}, apart from their children"
              + ALL_SECURED + ", although each one has a sponsor waiting and has passed a credible-fear "
              "interview{% endif %}. Write to your Senators and your Representative: it takes a minute.")
SEED_INTRO_ES = ("{{ families.in_ice_custody }} familia{{ families.in_ice_custody|pluralize }} que "
                 "pidi{{ families.in_ice_custody|pluralize:'ó,eron' }} asilo en Calexico "
                 "lleva{{ families.in_ice_custody|pluralize:',n' }} {{ detained.shortest_time }} "
                 "detenida{{ families.in_ice_custody|pluralize }} por ICE, lejos de sus hijos"
                 + ALL_SECURED + ", aunque cada una tiene un patrocinador y pasó su entrevista de miedo "
                 "creíble{% endif %}. Escriba a sus senadores y a su representante: toma un minuto.")

HOLIDAY_SUBJECT = "This holiday season, keep families together"
HOLIDAY_BODY = """Dear [Decision Maker],

This holiday season, {{ families.count }} families our legal team works with will spend it apart because of detention and deportation{% if families.first_names %}, among them the family of {{ families.first_names }}{% endif %}. Parents who have lived here for years are being removed for a traffic stop, and children are left behind.

{% if families.stories %}{{ families.stories }}

{% endif %}Please use your voice to stop deporting parents and to bring separated families back together, starting now.

[Your Name]
[Your Address]
[City, State ZIP]
"""
HOLIDAY_BODY_ES = """Estimado/a [Decision Maker]:

Estas fiestas, {{ families.count }} familias con las que trabaja nuestro equipo legal las pasarán separadas por la detención y la deportación{% if families.first_names %}, entre ellas la familia de {{ families.first_names }}{% endif %}. Se deporta a madres y padres que llevan años aquí por una simple infracción de tránsito, y los niños se quedan atrás.

{% if families.stories %}{{ families.stories }}

{% endif %}Le pido que use su voz para dejar de deportar a madres y padres y para reunir a las familias separadas, empezando ahora.

[Your Name]
[Your Address]
[City, State ZIP]
"""
HOLIDAY_INTRO = ("Wish for the Holidays: write a letter with the children in your life asking the President to "
                 "stop separating families. 8,000 people have already pledged; help us reach 10,000 letters by November 30.")
HOLIDAY_INTRO_ES = ("Deseo para las fiestas: escriba con los niños de su vida una carta al Presidente para que deje "
                    "de separar familias. Ya se comprometieron 8,000 personas; ayúdenos a llegar a 10,000 cartas antes del "
                    "30 de noviembre.")


def _officials(organization: Organization) -> None:
    upsert_legislators(parse_legislators_csv(DEMO_LEGISLATORS_CSV), deactivate_missing=False)
    import_executives()  # the White House and California's governor
    add_zip_districts(DEMO_ZIPS)
    for code, city, address in (("SND", "San Diego", "880 Front Street, San Diego, CA 92101"),
                                ("LOS", "Los Angeles", "300 North Los Angeles Street, Los Angeles, CA 90012")):
        office = FieldOffice.objects.get(code=code)
        DecisionMaker.objects.get_or_create(
            kind=DecisionMakerKind.AGENCY_OFFICIAL, field_office=office, organization=organization,
            defaults={
                "name": f"Field Office Director, ICE {city} Field Office", "salutation": "Field Office Director",
                "state": "CA", "postal_address": f"ICE Enforcement and Removal Operations\n{address}",
                # Fictional: a reserved domain, so the demo never writes to a real inbox.
                "email": f"director.{code.lower()}@ice.example",
            },
        )


def _next_nov_30(now: dt.datetime) -> dt.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    year = now.astimezone(zone).year
    deadline = dt.datetime(year, 11, 30, 23, 59, tzinfo=zone)
    return deadline if deadline > now else deadline.replace(year=year + 1)


def _on_port_day(body: str, day: dt.date, language: str) -> str:
    """The seed's "On Saturday March 2", on the Saturday the demo's families presented."""
    with translation.override(language):
        return body.replace("{port_day}", formats.date_format(day, "l, F j" if language == "en" else r"l j \d\e F"))


def load_campaigns(*, today: dt.date | None = None) -> bool:
    """Create the demo actions, or do nothing when they exist. Needs the families loaded first."""
    today = today or timezone.localdate()
    if Action.objects.filter(slug=SEED_SLUG).exists():
        return False
    legal = Organization.objects.get(name=LEGAL.name)
    coalition = Organization.objects.get(name=ADVOCACY.name)
    organizer = User.objects.get(email=f"{Role.ORGANIZER}@{LEGAL.domain}")
    with transaction.atomic():
        _officials(legal)
        port_families = list(Case.objects.filter(organization=legal, reference__startswith=port_reference_prefix(today)).order_by("pk"))
        seed = services.action_create(
            actor=organizer, organization=legal, cases=port_families, slug=SEED_SLUG,
            title="Tell Congress - Reunite Families", title_es="Dígale al Congreso: reúnan a las familias",
            intro=SEED_INTRO, intro_es=SEED_INTRO_ES, letter_subject=SEED_SUBJECT,
            letter_body=_on_port_day(SEED_BODY, port_day(today), "en"),
            letter_subject_es=SEED_SUBJECT_ES, letter_body_es=_on_port_day(SEED_BODY_ES, port_day(today), "es"), languages=["en", "es"],
            supporter_editing="note", target_senators=True, target_representative=True, target_case_officials=True,
            goal=1000,
        )
        services.action_publish(actor=organizer, action=seed)
        services.tally_record(actor=organizer, action=seed, kind=TallyKind.OFFLINE_LETTER, count=36,
                              note="Letters written at the Sunday vigil")
        services.action_share_create(actor=organizer, action=seed, access="view", organization=coalition)

        separated = list(Case.objects.filter(organization=legal, reference__in=["FLA-TS-001", "FLA-FC-001"]))
        holiday = services.action_create(
            actor=organizer, organization=legal, cases=separated, slug=HOLIDAY_SLUG,
            title="Wish for the Holidays: keep families together",
            title_es="Deseo para las fiestas: mantengan unidas a las familias",
            intro=HOLIDAY_INTRO, intro_es=HOLIDAY_INTRO_ES, letter_subject=HOLIDAY_SUBJECT,
            letter_body=HOLIDAY_BODY, letter_subject_es="Estas fiestas, mantengan unidas a las familias",
            letter_body_es=HOLIDAY_BODY_ES, languages=["en", "es"], supporter_editing="body",
            # The seed's campaign writes to the President, and to him alone.
            target_senators=False, target_representative=False,
            fixed_targets=[DecisionMaker.objects.get(office_key="us-president")], goal=10_000,
            # The seed: 8,000 pledges so far, 10,000 *letters* wanted - pledges are shown, not counted.
            goal_counts_pledges=False, collects_handwritten=True,
            deadline=_next_nov_30(timezone.now()),
        )
        services.action_publish(actor=organizer, action=holiday)
        services.tally_record(actor=organizer, action=holiday, kind=TallyKind.PLEDGE, count=8000,
                              note="Pledges collected before the launch")
        services.action_share_create(actor=organizer, action=holiday, access="change", organization=coalition)
    return True

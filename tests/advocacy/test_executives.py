"""The President and governors: public offices in the shared directory, imported by office so a new
holder renames the row every action writes to; reached by post (the White House and the governors'
offices take no email: a contact form online, letters on paper), and an action can write to the
President alone, as the seed's holiday campaign does (letters to "President Obama")."""
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from advocacy.importers import EXECUTIVES_CSV
from advocacy.models import DecisionMaker, Letter
from advocacy.services import actions as action_services
from advocacy.services.decision_makers import decision_maker_create
from advocacy.staff import ActionForm

from .conftest import make_action, sign

pytestmark = pytest.mark.django_db

NEW_HOLDER = EXECUTIVES_CSV.replace("Donald J. Trump,President Trump", "Jane Q. Example,President Example")


@pytest.fixture
def executives(db):  # noqa: ANN001, ANN201
    call_command("import_executives", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return DecisionMaker.objects.get(office_key="us-president")


def test_the_white_house_is_reached_by_post_and_its_contact_form_never_by_email(executives):  # noqa: ANN001
    president = executives
    assert president.kind == "president" and president.organization is None and president.active
    assert president.salutation == "President Trump"
    assert president.postal_address.splitlines() == ["The White House", "1600 Pennsylvania Avenue NW",
                                                     "Washington, DC 20500"]
    assert president.contact_form_url == "https://www.whitehouse.gov/contact/"
    assert president.email == "" and president.cwc_office_code == ""
    governor = DecisionMaker.objects.get(office_key="governor-CA")
    assert (governor.kind, governor.state, governor.email) == ("governor", "CA", "")
    assert governor.postal_address.endswith("Sacramento, CA 95814")


def test_importing_twice_changes_nothing_and_a_new_holder_keeps_the_office(executives, olga, consented_case, tmp_path):  # noqa: ANN001
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        call_command("import_executives", stdout=stream)
    assert "0 created, 0 updated, 2 unchanged" in out.read_text()
    assert DecisionMaker.objects.filter(kind__in=["president", "governor"]).count() == 2

    action = make_action(olga, [consented_case], target_senators=False, target_representative=False,
                         fixed_targets=[executives])
    source = tmp_path / "executives.csv"
    source.write_text(NEW_HOLDER)
    with out.open("w") as stream:
        call_command("import_executives", str(source), stdout=stream)
    assert "0 created, 1 updated, 1 unchanged" in out.read_text()
    office = DecisionMaker.objects.get(office_key="us-president")
    assert office.pk == executives.pk and office.name == "Jane Q. Example"
    assert list(action.fixed_targets.all()) == [office]


def test_a_malformed_executives_file_is_refused_by_line_and_changes_nothing(executives, tmp_path):  # noqa: ANN001
    source = tmp_path / "bad.csv"
    source.write_text("office,state,name,salutation,contact_form,address,phone\n"
                      "governor,,Someone,Governor Someone,,,\n")
    before = list(DecisionMaker.objects.values_list("pk", "name", "version"))
    with pytest.raises(CommandError, match="line 2"):
        call_command("import_executives", str(source))
    assert list(DecisionMaker.objects.values_list("pk", "name", "version")) == before


def test_an_organisation_cannot_enter_a_president_of_its_own(executives, olga, alpha):  # noqa: ANN001
    with pytest.raises(ValidationError) as raised:
        decision_maker_create(actor=olga, organization=alpha, kind="president", name="Not The President",
                              salutation="Mr. President", postal_address="1 Fake Street")
    assert "kind" in raised.value.message_dict
    assert DecisionMaker.objects.filter(kind="president").count() == 1


def test_an_action_to_the_president_alone_writes_one_letter_by_post_wherever_the_supporter_lives(
        executives, olga, consented_case, congress):  # noqa: ANN001
    action = make_action(olga, [consented_case], target_senators=False, target_representative=False,
                         fixed_targets=[executives])
    action = action_services.action_publish(actor=olga, action=action)
    # A Calexico supporter (whose senators the directory knows), and one in a ZIP code the
    # district crosswalk does not hold: neither is asked for a district, each writes one letter.
    for changes in ({}, {"email": "sam@example.org", "city": "New York", "state": "NY", "zip_code": "10001"}):
        submission = sign(action, **changes)
        letters = list(Letter.objects.filter(submission=submission))
        assert [(letter.decision_maker_id, letter.channel) for letter in letters] == [(executives.pk, "print")]


def test_the_builder_names_every_target_in_full(executives, olga, alpha, director):  # noqa: ANN001
    from tests.factories import FieldOfficeFactory

    los = FieldOfficeFactory(code="LOS", name="Los Angeles Field Office", city="Los Angeles")
    DecisionMaker.objects.create(kind="agency_official", name="Field Office Director, ICE Los Angeles",
                                 salutation="Field Office Director", state="CA", organization=alpha, field_office=los)
    form = ActionForm(user=olga, organization_id=alpha.pk)
    labels = [label for _value, label in form.fields["fixed_targets"].choices]
    assert "The President (Donald J. Trump)" in labels
    assert "Governor, CA (Gavin Newsom)" in labels
    assert "Field Office Director, San Diego (SND)" in labels
    assert "Field Office Director, Los Angeles (LOS)" in labels
    assert len(labels) == len(set(labels))

"""On PostgreSQL the database itself refuses what the record must never hold, whatever path writes
it (ORM, admin, raw SQL from the application's role):

- one person's custody episodes never overlap: an exclusion constraint over the half-open date
  range [started_on, ended_on) (a transfer ends one episode and opens the next on the same day);
  btree_gist lets the person's id share the GiST index with the range;
- the custody fits the facility, the person and the sponsor: a trigger mirrors
  cases.models.people.CUSTODY_FACILITY_KINDS, the ORR age rule and the 'with sponsor' rule (the
  services check the same rules first and name the field; this is the last line for anything else).

The trigger fires on insert and when the custody itself changes (kind, facility, sponsor, person,
start), not when an episode is merely ended: ending a child's stay with a sponsor stays possible
even if that sponsor's status later changes. Creating btree_gist needs a role that may create
extensions (docs/domain-rules.md: migrating an existing database).

The record of changes to shared facilities and field offices is append-only, as the case history
is (migration 0002).
"""
from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cases_custodyepisode ADD CONSTRAINT custody_episodes_never_overlap
    EXCLUDE USING gist (person_id WITH =, daterange(started_on, ended_on, '[)') WITH &&);

CREATE OR REPLACE FUNCTION cases_custody_fits() RETURNS trigger AS $$
DECLARE
    facility_kind text;
    who record;
    sponsor record;
BEGIN
    IF NEW.facility_id IS NOT NULL THEN
        SELECT kind INTO facility_kind FROM cases_facility WHERE id = NEW.facility_id;
        IF NOT ((NEW.kind = 'cbp' AND facility_kind IN ('cbp_station', 'port_of_entry'))
                OR (NEW.kind = 'ice_detention' AND facility_kind = 'ice_detention')
                OR (NEW.kind IN ('orr_shelter', 'orr_foster_care') AND facility_kind = 'orr_shelter')
                OR (NEW.kind = 'state_child_welfare' AND facility_kind = 'other')) THEN
            RAISE EXCEPTION 'custody % cannot be at a facility of kind %', NEW.kind, facility_kind
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_fits_facility';
        END IF;
    END IF;
    SELECT case_id, role, date_of_birth INTO who FROM cases_person WHERE id = NEW.person_id;
    IF NEW.kind IN ('orr_shelter', 'orr_foster_care') THEN
        -- age() counts whole years as Python does (a 29 February birthday included).
        IF (who.date_of_birth IS NOT NULL AND date_part('year', age(NEW.started_on, who.date_of_birth)) >= 18)
           OR (who.date_of_birth IS NULL AND who.role <> 'child') THEN
            RAISE EXCEPTION 'ORR custody is for children'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_orr_only_for_children';
        END IF;
    END IF;
    IF NEW.kind = 'with_sponsor' THEN
        SELECT case_id, person_id, status INTO sponsor FROM cases_sponsor WHERE id = NEW.sponsor_id;
        IF sponsor.case_id IS DISTINCT FROM who.case_id
           OR (sponsor.person_id IS NOT NULL AND sponsor.person_id <> NEW.person_id)
           OR sponsor.status NOT IN ('approved', 'released_to_sponsor') THEN
            RAISE EXCEPTION 'with sponsor needs this person''s approved sponsor'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_with_approved_sponsor';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_custody_fits
    BEFORE INSERT OR UPDATE OF kind, facility_id, sponsor_id, person_id, started_on ON cases_custodyepisode
    FOR EACH ROW EXECUTE FUNCTION cases_custody_fits();

CREATE OR REPLACE FUNCTION cases_referencechange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reference history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_referencechange_append_only
    BEFORE UPDATE OR DELETE ON cases_referencechange
    FOR EACH ROW EXECUTE FUNCTION cases_referencechange_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS cases_referencechange_append_only ON cases_referencechange;
DROP FUNCTION IF EXISTS cases_referencechange_append_only();
DROP TRIGGER IF EXISTS cases_custody_fits ON cases_custodyepisode;
DROP FUNCTION IF EXISTS cases_custody_fits();
ALTER TABLE cases_custodyepisode DROP CONSTRAINT IF EXISTS custody_episodes_never_overlap;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: RAISE's % placeholders are PL/pgSQL's


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_rules_reference_history_form_token_subject")]
    operations = [migrations.RunPython(forwards, backwards)]

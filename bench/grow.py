"""Grow a benchmark world by many cases at once, in set-based SQL on PostgreSQL.

bench/generate.py builds cases in Python through the product's permission functions: about 50-80
cases a second, so a million would take hours. This module adds cases of the same shapes with
INSERT ... SELECT over generate_series, chunk by chunk (one transaction each), about a thousand
times faster. What it writes, per new case, is what generate.py (and the services) write:

- the case, owned by one of the world's organisations (the same skewed sizes; the measured "large"
  and "small" organisations take no new cases, the volunteer's takes 3 %, as in generate.py), a
  unique reference, a separation date and place, a port of entry and a consent level;
- 2-4 people: a parent and 1-3 children (born before the separation, so ORR custody holds only
  children, as the database trigger demands);
- each person's custody timeline: a closed CBP episode, usually a closed ICE (adult) or ORR shelter
  (child) episode, and one open episode, back to back, with detained_since worked out as the custody
  services do (back-to-back detention is one run), at facilities of the right kind;
- the owning organisation's role groups' rows (accounts.roles.OWNED_CASE_PERMS), as
  grant_owner_perms writes them;
- for about 3 % a share (CaseShare, and the recipient organisation's admin and advocate groups' rows,
  or one advocate's user rows: SHARE_PERMS), and for about 1 % an assignment of the owner's
  volunteer (Assignment and ASSIGNED_CASE_PERMS user rows), as share_create / assignment_create do.

Every row goes through the database's constraints and triggers (custody never overlaps, one open
episode per person, facilities fit the custody, ORR only for children), so the grown record is as
valid as one the services build. tests/cases/test_bench_grow.py checks the shapes against rows the
services write, on a small size. History entries are not written: the list and pages never read
another family's history.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from accounts.roles import ASSIGNED_CASE_PERMS, OWNED_CASE_PERMS, SHARE_PERMS, SHARE_RECIPIENT_ROLES
from cases.models import DETAINED_KINDS, ConsentLevel, Facility, ReleaseType
from cases.models.people import ORR_KINDS

from . import generate as g

CHUNK = 100_000
# Tables that take millions of rows: their secondary indexes and index-backed constraints are dropped
# while the chunks load and built again from their own definitions afterwards (building an index
# once is several times faster than growing it row by row on a 128 MB buffer cache). Building them
# again also checks every constraint over every row, old and new.
KEEP = tuple(os.environ.get("GROW_KEEP", "").split(",")) if os.environ.get("GROW_KEEP") else ()
BULK_TABLES = ("cases_case", "cases_person", "cases_custodyepisode", "cases_casegroupobjectpermission")
SLOTS = 10_000  # resolution of the weighted choice of an owner (one array slot = 0.01 %)


def _array(values: list) -> str:
    """A SQL array literal of plain words (every value here is one of our own constants)."""
    return "ARRAY[" + ",".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in values) + "]"


def _owner_slots(world: g.World, volunteer_share: float) -> list[int]:
    """Organisation ids laid out in SLOTS slots by weight: a random slot picks an owner."""
    fixed = {g.VOLUNTEER_ORG: volunteer_share}
    open_orgs = [i for i in range(len(world.orgs)) if i not in (g.LARGE, g.SMALL, g.VOLUNTEER_ORG)]
    total = sum(world.weights[i] for i in open_orgs)
    slots: list[int] = []
    for idx, share in fixed.items():
        slots += [world.orgs[idx].pk] * round(share * SLOTS)
    rest = SLOTS - len(slots)
    for i in open_orgs:
        slots += [world.orgs[i].pk] * max(1, round(world.weights[i] / total * rest))
    return slots


def _weighted(pairs: list[tuple[str, int]]) -> list[str]:
    return [value for value, weight in pairs for _ in range(weight)]


def _permission_ids(codes: set[str]) -> dict[str, int]:
    return dict(Permission.objects.filter(content_type__app_label="cases", content_type__model="case",
                                          codename__in=codes).values_list("codename", "pk"))


def _setup(cursor, world: g.World) -> None:  # noqa: ANN001
    """Session tables the chunks read: organisations, role rights and share rights."""
    perms = _permission_ids({c for codes in (*OWNED_CASE_PERMS.values(), *SHARE_PERMS.values()) for c in codes}
                            | set(ASSIGNED_CASE_PERMS))
    cursor.execute("DROP TABLE IF EXISTS grow_org, grow_role_perm, grow_share_perm, grow_grantee")
    cursor.execute("CREATE TEMP TABLE grow_org (org_id bigint PRIMARY KEY, idx int, admin_id bigint, "
                   "volunteer_id bigint, advocates bigint[])")
    cursor.executemany(
        "INSERT INTO grow_org VALUES (%s, %s, %s, %s, %s)",
        [(org.pk, i, world.admin_of(org.pk), world.volunteer_of(org.pk), world.advocates(org.pk))
         for i, org in enumerate(world.orgs)],
    )
    cursor.execute("CREATE TEMP TABLE grow_role_perm (role text, permission_id int)")
    cursor.executemany("INSERT INTO grow_role_perm VALUES (%s, %s)",
                       [(role, perms[c]) for role, codes in OWNED_CASE_PERMS.items() for c in codes])
    cursor.execute("CREATE TEMP TABLE grow_share_perm (access text, permission_id int)")
    cursor.executemany("INSERT INTO grow_share_perm VALUES (%s, %s)",
                       [(access, perms[c]) for access, codes in SHARE_PERMS.items() for c in codes]
                       + [("assigned", perms[c]) for c in ASSIGNED_CASE_PERMS])
    # Organisations that receive shares: never the measured ones (their users' counts are fixed).
    measured = {world.orgs[g.LARGE].pk, world.orgs[g.SMALL].pk}
    cursor.execute("CREATE TEMP TABLE grow_grantee (k int PRIMARY KEY, org_id bigint)")
    cursor.executemany("INSERT INTO grow_grantee VALUES (%s, %s)",
                       list(enumerate(o.pk for o in world.orgs if o.pk not in measured)))


def _chunk(cursor, world: g.World, m: int, owners: str) -> None:  # noqa: ANN001
    """Add m cases with their people, custody, permission rows, shares and assignments."""
    today = dt.date.today()
    fac = world.facilities
    open_kinds = _array(_weighted(g.OPEN_KINDS))
    detained = _array(sorted(DETAINED_KINDS))
    orr = _array(sorted(ORR_KINDS))
    first = world.case_count
    cursor.execute("DROP TABLE IF EXISTS grow_case, grow_person")
    cursor.execute(f"""
        CREATE TEMP TABLE grow_case AS
        SELECT nextval(pg_get_serial_sequence('cases_case', 'id')) AS id, s.n,
               o.org_id, o.idx, o.admin_id, o.volunteer_id, o.advocates,
               %(today)s::date - (20 + floor(random() * 2381))::int AS separated_on,
               random() AS share_roll, random() AS assign_roll, 1 + floor(random() * 3)::int AS children
        FROM (SELECT n, ({owners})[1 + floor(random() * {SLOTS})::int] AS org_id
              FROM generate_series(%(first)s + 1, %(first)s + %(m)s) n) s
        JOIN grow_org o ON o.org_id = s.org_id
    """, {"today": today, "first": first, "m": m})  # noqa: S608 - our own constants
    cursor.execute(f"""
        INSERT INTO cases_case (id, version, created_at, updated_at, reference, separated_on, separation_place,
                                summary, consent_level, organization_id, port_of_entry_id, status, closed_reason)
        SELECT id, 1, now(), now(), 'B' || lpad(idx::text, 3, '0') || '-' || lpad(n::text, 6, '0'), separated_on,
               ({_array(g.PLACES)})[1 + floor(random() * {len(g.PLACES)})::int], 'Synthetic benchmark family.',
               ({_array(ConsentLevel.values)})[1 + floor(random() * {len(ConsentLevel.values)})::int],
               org_id, ({_array(world.ports)})[1 + floor(random() * {len(world.ports)})::int], 'open', ''
        FROM grow_case ORDER BY id
    """)  # noqa: S608
    world.case_count += m
    # People: a parent and 1-3 children, born before the separation.
    cursor.execute("""
        CREATE TEMP TABLE grow_person AS
        SELECT nextval(pg_get_serial_sequence('cases_person', 'id')) AS id, c.id AS case_id, k > 0 AS child,
               c.separated_on,
               c.separated_on - (CASE WHEN k > 0 THEN 365 + floor(random() * 15 * 365)
                                      ELSE 20 * 365 + floor(random() * 35 * 365) END)::int AS born
        FROM grow_case c, generate_series(0, c.children) k  -- a column: random() here would be drawn once
    """)  # noqa: S608
    cursor.execute(f"""
        INSERT INTO cases_person (id, version, created_at, updated_at, case_id, role, first_name, last_name,
                                  date_of_birth, country_of_birth, languages, address, a_number, a_number_index)
        SELECT id, 1, now(), now(), case_id, CASE WHEN child THEN 'child' ELSE 'parent' END,
               ({_array(g.FIRST_NAMES)})[1 + floor(random() * {len(g.FIRST_NAMES)})::int],
               ({_array(g.LAST_NAMES)})[1 + floor(random() * {len(g.LAST_NAMES)})::int],
               born, ({_array(g.COUNTRIES)})[1 + floor(random() * {len(g.COUNTRIES)})::int], 'es', '', '', ''
        FROM grow_person ORDER BY id
    """)  # noqa: S608
    # Custody: CBP, usually ICE (adult) or an ORR shelter (child), then the open episode, back to back.
    # An adult is never in ORR custody and nobody is "with sponsor" without an approved sponsor row
    # (generate.py's rule: such a family is released); an open kind equal to the one before extends it.
    cursor.execute(f"""
        WITH plan AS (
            SELECT p.id, p.separated_on AS s,
                   least(p.separated_on + 1 + floor(random() * 90)::int, %(today)s::date) AS e1,
                   1 + floor(random() * 90)::int AS d2,
                   CASE WHEN random() < 0.8 THEN CASE WHEN p.child THEN 'orr_shelter' ELSE 'ice_detention' END
                   END AS mid,
                   CASE WHEN k.kind = ANY({orr}) AND NOT p.child THEN 'ice_detention'
                        WHEN k.kind = 'with_sponsor' THEN 'released' ELSE k.kind END AS open_kind
            FROM grow_person p,
                 LATERAL (SELECT ({open_kinds})[1 + floor(random() * {len(_weighted(g.OPEN_KINDS))})::int]
                          AS kind WHERE p.id IS NOT NULL) k
        ), paths AS (
            SELECT id, s,
                   CASE WHEN mid IS NULL AND open_kind = 'cbp' THEN ARRAY['cbp']
                        WHEN mid IS NULL OR open_kind = mid THEN ARRAY['cbp', open_kind]
                        ELSE ARRAY['cbp', mid, open_kind] END AS kinds,
                   CASE WHEN mid IS NULL AND open_kind = 'cbp' THEN ARRAY[s]
                        WHEN mid IS NULL OR open_kind = mid THEN ARRAY[s, e1]
                        ELSE ARRAY[s, e1, least(e1 + d2, %(today)s::date)] END AS starts
            FROM plan
        )
        INSERT INTO cases_custodyepisode (version, updated_at, person_id, kind, started_on, ended_on,
                                          detained_since, facility_id, release_type, removed_to, sponsor_id)
        SELECT 1, now(), e.id, e.kind, e.started_on, e.starts[e.pos + 1],
               CASE WHEN e.kind = ANY({detained}) THEN e.s END,
               CASE e.kind
                   WHEN 'cbp' THEN ({_array(fac[Facility.Kind.CBP_STATION])})
                       [1 + floor(random() * {len(fac[Facility.Kind.CBP_STATION])})::int]
                   WHEN 'ice_detention' THEN ({_array(fac[Facility.Kind.ICE_DETENTION])})
                       [1 + floor(random() * {len(fac[Facility.Kind.ICE_DETENTION])})::int]
                   WHEN 'orr_shelter' THEN ({_array(fac[Facility.Kind.ORR_SHELTER])})
                       [1 + floor(random() * {len(fac[Facility.Kind.ORR_SHELTER])})::int]
                   WHEN 'orr_foster_care' THEN ({_array(fac[Facility.Kind.ORR_SHELTER])})
                       [1 + floor(random() * {len(fac[Facility.Kind.ORR_SHELTER])})::int]
               END,
               CASE WHEN e.kind = 'released' THEN ({_array(ReleaseType.values)})
                   [1 + floor(random() * {len(ReleaseType.values)})::int] ELSE '' END,
               CASE WHEN e.kind = 'removed' THEN ({_array(g.COUNTRIES)})
                   [1 + floor(random() * {len(g.COUNTRIES)})::int] ELSE '' END,
               NULL
        FROM (SELECT p.id, p.s, p.starts, u.kind, u.started_on, u.pos
              FROM paths p, unnest(p.kinds, p.starts) WITH ORDINALITY u(kind, started_on, pos)) e
        ORDER BY e.id, e.pos
    """, {"today": today})  # noqa: S608
    # The owner's role groups' rights (grant_owner_perms).
    cursor.execute("""
        INSERT INTO cases_casegroupobjectpermission (content_object_id, group_id, permission_id)
        SELECT c.id, og.group_id, rp.permission_id
        FROM grow_case c
        JOIN accounts_organizationgroup og ON og.organization_id = c.org_id
        JOIN grow_role_perm rp ON rp.role = og.role
    """)
    # Shares (share_create): 60 % to another organisation, 40 % to one of its advocates; view or change.
    cursor.execute("DROP TABLE IF EXISTS grow_share")
    cursor.execute(f"""
        CREATE TEMP TABLE grow_share AS
        SELECT c.id AS case_id, c.admin_id, g2.org_id AS other, random() < 0.6 AS to_org,
               CASE WHEN random() < 0.5 THEN 'view' ELSE 'change' END AS access,
               o.advocates[1 + floor(random() * array_length(o.advocates, 1))::int] AS advocate
        FROM grow_case c
        JOIN grow_grantee g2
          ON g2.k = floor(c.share_roll / {g.SHARE_RATE} * (SELECT count(*) FROM grow_grantee))::int
        JOIN grow_org o ON o.org_id = g2.org_id
        WHERE c.share_roll < {g.SHARE_RATE} AND g2.org_id <> c.org_id
    """)  # noqa: S608
    cursor.execute("""
        INSERT INTO cases_caseshare (case_id, organization_id, user_id, access, created_at, created_by_id)
        SELECT case_id, CASE WHEN to_org THEN other END, CASE WHEN to_org THEN NULL ELSE advocate END,
               access, now(), admin_id
        FROM grow_share
    """)
    recipients = _array(list(SHARE_RECIPIENT_ROLES))
    cursor.execute(f"""
        INSERT INTO cases_casegroupobjectpermission (content_object_id, group_id, permission_id)
        SELECT s.case_id, og.group_id, sp.permission_id
        FROM grow_share s
        JOIN accounts_organizationgroup og ON og.organization_id = s.other AND og.role = ANY({recipients})
        JOIN grow_share_perm sp ON sp.access = s.access
        WHERE s.to_org
    """)  # noqa: S608
    cursor.execute("""
        INSERT INTO cases_caseuserobjectpermission (content_object_id, user_id, permission_id)
        SELECT s.case_id, s.advocate, sp.permission_id
        FROM grow_share s JOIN grow_share_perm sp ON sp.access = s.access
        WHERE NOT s.to_org
    """)
    # Assignments of the owner's volunteer (assignment_create).
    cursor.execute(f"""
        WITH a AS (
            INSERT INTO cases_assignment (case_id, user_id, created_at)
            SELECT id, volunteer_id, now() FROM grow_case WHERE assign_roll < {g.ASSIGN_RATE}
            RETURNING case_id, user_id
        )
        INSERT INTO cases_caseuserobjectpermission (content_object_id, user_id, permission_id)
        SELECT a.case_id, a.user_id, sp.permission_id FROM a JOIN grow_share_perm sp ON sp.access = 'assigned'
    """)  # noqa: S608


def _drop_indexes(cursor) -> tuple[list[tuple[str, str, str]], list[str]]:  # noqa: ANN001
    """Drop the bulk tables' unique and exclusion constraints and their other secondary indexes;
    return what rebuilds them."""
    cursor.execute("""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'x', 'f') AND NOT conname = ANY(%s)
        ORDER BY contype DESC, oid
    """, [list(BULK_TABLES), list(KEEP)])
    constraints = cursor.fetchall()
    cursor.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY i.indexrelid
    """, [list(BULK_TABLES)])
    indexes = cursor.fetchall()
    for table, name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return constraints, [ddl for _, ddl in indexes]


def _rebuild_indexes(cursor, constraints: list[tuple[str, str, str]], indexes: list[str]) -> None:  # noqa: ANN001
    for ddl in indexes:
        cursor.execute(ddl)
    for table, name, ddl in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')


def grow(world: g.World, n: int, *, chunk: int = CHUNK, seed: float = 0.2019,
         log: Callable[[str], None] = print) -> float:
    """Add n cases to the world's database in chunks; return the seconds it took."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench/grow.py writes PostgreSQL SQL; point DATABASE_URL at PostgreSQL.")
    started = time.perf_counter()
    owners = _array(_owner_slots(world, g.VOLUNTEER_ORG_CASES / 10_000))
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("SET maintenance_work_mem = '1GB'")
        _setup(cursor, world)
        # Checked now, not at commit: a deferred check still pending would forbid the ALTER TABLEs
        # (only inside an outer transaction, as in the tests; each chunk commits on its own).
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            saved = _drop_indexes(cursor)
        try:
            done = 0
            while done < n:
                m = min(chunk, n - done)
                with transaction.atomic():
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    _chunk(cursor, world, m, owners)
                done += m
                log(f"  {world.case_count:,} cases ({time.perf_counter() - started:.0f} s)")
        finally:
            t0 = time.perf_counter()
            with transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                _rebuild_indexes(cursor, *saved)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            log(f"  indexes and constraints built again and checked over every row in "
                f"{time.perf_counter() - t0:.0f} s")
        cursor.execute("DROP TABLE IF EXISTS grow_org, grow_role_perm, grow_share_perm, grow_grantee, "
                       "grow_case, grow_person, grow_share")
        cursor.execute("RESET synchronous_commit; RESET maintenance_work_mem")
    return time.perf_counter() - started


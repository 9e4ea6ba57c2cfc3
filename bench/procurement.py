"""Company purchasing: submitting a 50-line requisition from 5 merchants, and placing its
orders after the last approval, in a company of 2,000 members with 100,000 past requisitions.

The company has 50 departments, 2,000 members (buyers over their department, some of them
approvers), 20 approval rules (thresholds, merchant and department scopes, an over-budget
level), a year's budget for the requester's department and a funded company wallet. 100,000
past requisitions with two lines each are spread over the last year; the measured requester
has 1,000 of them, a third submitted within the last 30 days (what the rolling totals read).
The data is built once with set-based SQL and reused.

procurement.submit_p99_ms: actions.submission.submit_requisition of a fresh 50-line draft
(made untimed before each submit): the checks, current prices, rules with rolling 30-day
totals, stock holds, the round's steps, assignees and notices. baseline = the same reads and
writes as the simplest hand-written SQL, on a draft of its own: the requisition and
membership locks, the lines with their SKUs, the rules, the rolling-total SELECT (its index
procurement_req_rolling), the budget, the requisition UPDATE, 50 stock UPDATEs, the lines'
hold, the step INSERTs, the first step's assignees and an event.

procurement.place_orders_p99_ms: actions.approvals.approve_requisition by the last level's
approver (the earlier levels approved untimed), which commits the budget and places 5 orders
paid from the company wallet. baseline = hand-written SQL placing the same: 5 orders with
their 10 lines each, each order's ledger transaction, the two balance UPDATEs and the two
entries, the requisition's orders, its lines released, the budget spent and the requisition
marked ordered.

The two are alternated PROCUREMENT_ROUNDS times (the machine is shared); ratio =
baseline / value (1.0: as fast as the hand-written SQL).
"""

import os
import sys
import time
from datetime import date, timedelta

import invoicing_pdf
import procurement_pricing
import procurement_statements
from common import emit, percentile, setup_django

ROUNDS = int(os.environ.get("PROCUREMENT_ROUNDS", "200"))
WARMUP = 10
DEPARTMENTS = 50
MEMBERS = 2_000
PAST = 100_000
MERCHANTS = 5
SKUS_PER_MERCHANT = 10
PREFIX = "pr_"
USCC_BODY = "911101089000000"  # + 2 digits; the check digit is computed
THRESHOLD = 50_000  # ¥500.00: the company-wide rule fires for every measured requisition


def log(message: str) -> None:
    print(f"# procurement: {message}", file=sys.stderr, flush=True)


def series(vendor: str, count: int) -> tuple[str, str]:
    """(prefix, source) for `INSERT … {prefix} SELECT … FROM {source}` over i = 1..count."""
    if vendor == "postgresql":
        return "", f"generate_series(1, {int(count)}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count)})",
        "s",
    )


def insert_select(model, count: int, exprs: dict[str, tuple[str, list]]) -> None:
    """``count`` rows of ``model`` in one statement; ``exprs`` gives SQL over ``i`` for some
    columns, every other column takes its field default (or its database default)."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in exprs:
            sql, sql_params = exprs[field.column]
            values.append(sql)
            params.extend(sql_params)
        elif field.primary_key or field.has_db_default():
            continue  # the id, or a column the database fills itself
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        columns.append(connection.ops.quote_name(field.column))
    prefix, source = series(connection.vendor, count)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"{prefix} SELECT {', '.join(values)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def max_id(model) -> int:
    from django.db.models import Max

    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def uscc_code() -> str:
    from stdnum.cn import uscc

    body = f"{USCC_BODY}{42:02d}"
    return body + uscc.calc_check_digit(body)


def timestamp_sql(vendor: str, minutes_ago: str) -> tuple[str, list]:
    """SQL for `now - minutes_ago minutes` (an SQL expression over i)."""
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    if vendor == "postgresql":
        return f"%s::timestamptz - make_interval(mins => ({minutes_ago})::int)", [now]
    return (
        f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '-' || ({minutes_ago}) || ' minutes')",
        [now.strftime("%Y-%m-%d %H:%M:%S")],
    )


def make_merchant(username: str):
    from infoconnect.accounts.models import MerchantProfile, User

    merchant = User.objects.create_user(username, kind="merchant", is_verified_merchant=True)
    MerchantProfile.objects.create(
        user=merchant,
        shop_name=f"{username} shop",
        company_name=f"{username} Trading Co., Ltd.",
        business_license_number="91310000MA1FL8TQ3X",
        contact_phone="13800138000",
        status=MerchantProfile.Status.VERIFIED,
    )
    return merchant


def build(vendor: str) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from infoconnect.accounts.models import User
    from infoconnect.procurement.actions import companies, members, rules
    from infoconnect.procurement.actions.rules import ApproverSpec, LevelSpec
    from infoconnect.procurement.models import (
        Budget,
        Department,
        Membership,
        Requisition,
        RequisitionLine,
        RoleAssignment,
        ShipToAddress,
    )
    from infoconnect.shop import actions as shop_actions

    started = time.perf_counter()
    admin = User.objects.create_user(f"{PREFIX}admin", kind="person")
    operator = User.objects.create_user(f"{PREFIX}operator", is_staff=True, is_superuser=True)
    company = companies.register_company(
        user=admin, legal_name="Bench Purchasing Co., Ltd.", uscc=uscc_code()
    )
    companies.verify_company(operator=operator, company_id=company.pk)
    departments = []
    for n in range(DEPARTMENTS):
        department = Department.objects.create(company=company, name=f"Department {n + 1}")
        department.path = f"/{department.pk}/"
        department.save(update_fields=["path"])
        departments.append(department)
    home = departments[0]
    ShipToAddress.objects.create(
        department=home,
        label="Head office",
        recipient_name="Wang Fang",
        province="BJ",
        city="Beijing",
        district="Haidian",
        street="1 Zhongguancun Street",
        mobile="13912345678",
    )
    people = {}
    for name, role, department in [
        ("buyer", "buyer", home),
        ("approver", "approver", None),
        ("finance", "finance", None),
    ]:
        person = User.objects.create_user(f"{PREFIX}{name}", kind="person")
        members.add_member(admin_user=admin, company_id=company.pk, username=person.username)
        members.grant_role(
            admin_user=admin,
            company_id=company.pk,
            member_user_id=person.pk,
            role=role,
            department_id=department.pk if department else None,
        )
        people[name] = person
    merchants = [make_merchant(f"{PREFIX}shop{m}") for m in range(MERCHANTS)]
    others = [make_merchant(f"{PREFIX}other{m}") for m in range(3)]
    skus = []
    for m, merchant in enumerate(merchants):
        for k in range(SKUS_PER_MERCHANT):
            product = shop_actions.create_product(
                merchant=merchant, title=f"Supply {m}-{k}", max_per_order=99
            )
            skus.append(
                shop_actions.add_sku(
                    merchant=merchant,
                    product_id=product.pk,
                    attributes={"size": "standard"},
                    price=1_000 + 100 * k + 10 * m,  # ¥10.00 to ¥19.40
                    stock=1_000_000,
                )
            )
            shop_actions.publish_product(merchant=merchant, product_id=product.pk)
    log(f"company, people, {len(skus)} SKUs in {time.perf_counter() - started:.1f}s")

    now = timezone.now()
    with transaction.atomic():
        u = max_id(User)
        insert_select(
            User,
            MEMBERS,
            {
                "id": (f"{u} + i", []),
                "username": (f"'{PREFIX}m' || i", []),
                "email": (f"'{PREFIX}m' || i || '@example.com'", []),
                "password": ("'!'", []),
                "display_name": ("'Member ' || i", []),
                "date_joined": ("%s", [now]),
            },
        )
        m0 = max_id(Membership)
        insert_select(
            Membership,
            MEMBERS,
            {
                "id": (f"{m0} + i", []),
                "company_id": (str(company.pk), []),
                "user_id": (f"{u} + i", []),
                "invited_by_id": (str(admin.pk), []),
                "joined_at": ("%s", [now]),
                "ended_at": ("NULL", []),
                "ended_by_id": ("NULL", []),
            },
        )
        d0 = home.pk
        # Each member buys for one department; every 50th approves for it too.
        insert_select(
            RoleAssignment,
            MEMBERS,
            {
                "membership_id": (f"{m0} + i", []),
                "role": ("'buyer'", []),
                "department_id": (f"{d0} + (i %% {DEPARTMENTS})", []),
                "granted_by_id": (str(admin.pk), []),
                "granted_at": ("%s", [now]),
            },
        )
        insert_select(
            RoleAssignment,
            MEMBERS // 50,
            {
                "membership_id": (f"{m0} + i * 50", []),
                "role": ("'approver'", []),
                "department_id": (f"{d0} + (i %% 10)", []),
                "granted_by_id": (str(admin.pk), []),
                "granted_at": ("%s", [now]),
            },
        )
    log(f"{MEMBERS} members in {time.perf_counter() - started:.1f}s")

    # 20 rules: the company-wide threshold (two levels) and one on the first merchant fire
    # for the measured requisition; the others are scoped elsewhere or have the over-budget
    # level.
    approver_level = LevelSpec(mode="any", approvers=[ApproverSpec(role="approver")])
    finance_level = LevelSpec(mode="any", approvers=[ApproverSpec(user_id=people["finance"].pk)])
    specs = [
        {"name": "Over ¥500.00", "min_total": THRESHOLD, "levels": [approver_level, finance_level]},
        {
            "name": "First supplier",
            "min_total": 10_000,
            "merchant_id": merchants[0].pk,
            "levels": [approver_level],
        },
        {
            "name": "Over budget",
            "levels": [
                LevelSpec(
                    mode="any",
                    is_over_budget=True,
                    approvers=[ApproverSpec(user_id=people["finance"].pk)],
                )
            ],
        },
    ]
    for n in range(17):
        scope = (
            {"department_id": departments[1 + n].pk}
            if n % 2 == 0
            else {"merchant_id": others[n % len(others)].pk}
        )
        specs.append(
            {
                "name": f"Scoped {n + 1}",
                "min_total": 100_000 * (n + 1),
                "levels": [approver_level],
                **scope,
            }
        )
    for spec in specs:
        rules.create_rule(user=admin, company_id=company.pk, **spec)
    today = timezone.localdate()
    Budget.objects.create(
        company=company,
        department=home,
        period=Budget.Period.YEAR,
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year + 1, 1, 1),
        amount=10**13,
    )

    # 100,000 past requisitions, two lines each, over the last year. Requisition i belongs to
    # the measured buyer when i % 100 = 0 (a third of those within 30 days), otherwise to
    # member i % 2000. Every 10th was rejected, every 20th cancelled, the rest ordered.
    buyer_membership = Membership.objects.get(company=company, user=people["buyer"])
    r0 = max_id(Requisition)
    minutes = "CASE WHEN i %% 300 = 0 THEN (i * 7) %% 43000 ELSE 43200 + (i * 7919) %% 480000 END"
    submitted = timestamp_sql(vendor, minutes)
    is_buyer = "i %% 100 = 0"
    with transaction.atomic():
        insert_select(
            Requisition,
            PAST,
            {
                "id": (f"{r0} + i", []),
                "company_id": (str(company.pk), []),
                "requester_id": (f"CASE WHEN {is_buyer} THEN {people['buyer'].pk}"
                                 f" ELSE {u} + 1 + (i %% {MEMBERS}) END", []),
                "membership_id": (f"CASE WHEN {is_buyer} THEN {buyer_membership.pk}"
                                  f" ELSE {m0} + 1 + (i %% {MEMBERS}) END", []),
                "department_id": (f"CASE WHEN {is_buyer} THEN {d0}"
                                  f" ELSE {d0} + ((1 + (i %% {MEMBERS})) %% {DEPARTMENTS}) END",
                                  []),
                "ship_to_id": ("NULL", []),
                "po_number": ("'PO-' || i", []),
                "state": ("CASE WHEN i %% 10 = 1 THEN 'rejected' WHEN i %% 20 = 3"
                          " THEN 'cancelled' ELSE 'ordered' END", []),
                "total": ("2500", []),
                "round": ("1", []),
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted,
                "hold_expires_at": ("NULL", []),
                "approved_at": ("NULL", []),
                "ordered_at": ("NULL", []),
                "closed_at": ("NULL", []),
            },
        )  # fmt: skip
        first_sku = skus[0].pk
        for offset in (0, 1):
            index = f"((i + {offset} * 7) %% {len(skus)})"
            merchant_of = " ".join(f"WHEN {j} THEN {merchants[j].pk}" for j in range(MERCHANTS))
            insert_select(
                RequisitionLine,
                PAST,
                {
                    "requisition_id": (f"{r0} + i", []),
                    "sku_id": (f"{first_sku} + {index}", []),
                    "product_id": ("NULL", []),
                    "merchant_id": (f"CASE {index} / {SKUS_PER_MERCHANT} {merchant_of} END", []),
                    "category_id": ("NULL", []),
                    "title": ("'Past supply'", []),
                    "attributes": ("'{}'", []),
                    "unit_price": ("1250", []),
                    "quantity": ("1", []),
                    "added_at": ("%s", [now]),
                },
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    log(f"{PAST} past requisitions in {time.perf_counter() - started:.1f}s")


def reset_sequences(vendor: str) -> None:
    """The set-based inserts chose their ids: PostgreSQL's sequences continue after them."""
    if vendor != "postgresql":
        return
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("accounts_user", "procurement_membership", "procurement_requisition"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT MAX(id) FROM {table}))"
            )


def company_and_people():
    from infoconnect.accounts.models import User
    from infoconnect.procurement.models import Company, Requisition

    company = Company.objects.filter(uscc=uscc_code()).first()
    if company is None:
        return None
    if Requisition.objects.filter(company=company).count() < PAST:
        raise SystemExit(
            "procurement: the benchmark database holds an incomplete data set; "
            "delete it (.bench/ or the *_bench PostgreSQL database) and run again"
        )
    people = {
        name: User.objects.get(username=f"{PREFIX}{name}")
        for name in ("admin", "buyer", "approver", "finance")
    }
    return company, people


def prepare_run(company, people) -> dict:
    """Fresh stock, a wallet that pays for every round, no draft left from an earlier run."""
    from django.db import connection, transaction
    from django.utils import timezone

    from infoconnect.procurement.models import Department, Membership, Requisition, ShipToAddress
    from infoconnect.shop.models import Sku
    from infoconnect.wallet import actions as wallet_actions
    from infoconnect.wallet.models import AccountKind, LedgerAccount

    skus = list(
        Sku.objects.select_related("product")
        .filter(product__merchant__username__startswith=f"{PREFIX}shop")
        .order_by("pk")
    )
    Sku.objects.filter(pk__in=[s.pk for s in skus]).update(stock=1_000_000)
    with transaction.atomic(), connection.cursor() as cursor:
        drafts = list(
            Requisition.objects.filter(company=company, state="draft").values_list("pk", flat=True)
        )
        if drafts:
            marks = ", ".join(["%s"] * len(drafts))
            cursor.execute(
                f"DELETE FROM procurement_requisitionline WHERE requisition_id IN ({marks})",
                drafts,
            )
            cursor.execute(f"DELETE FROM procurement_requisition WHERE id IN ({marks})", drafts)
    # Earlier runs' requisitions stay out of the rolling window.
    Requisition.objects.filter(
        company=company,
        po_number__startswith="PO-BENCH-",
        submitted_at__gte=timezone.now() - timedelta(days=31),
    ).update(submitted_at=timezone.now() - timedelta(days=60))
    need = 2 * (ROUNDS + WARMUP) * sum(s.price for s in skus) + 1
    wallet, _ = LedgerAccount.objects.get_or_create(
        kind=AccountKind.COMPANY_WALLET, owner_id=company.pk, currency="CNY"
    )
    escrow, _ = LedgerAccount.objects.get_or_create(
        kind=AccountKind.COMPANY_ESCROW, owner_id=company.pk, currency="CNY"
    )
    topped = 0
    while wallet.balance + topped < need:
        amount = min(wallet_actions.MAX_BANK_TRANSFER, need - wallet.balance - topped)
        transfer = wallet_actions.open_bank_transfer(
            user=people["admin"], company_id=company.pk, amount=amount
        )
        wallet_actions.simulate_bank_transfer(
            code=transfer.code,
            amount=amount,
            payer_name=company.legal_name,
            notification_id=f"evt_bench_{transfer.code}",
        )
        topped += amount
    home = Department.objects.filter(company=company).order_by("pk").first()
    return {
        "skus": skus,
        "home": home,
        "ship_to": ShipToAddress.objects.get(department=home),
        "membership": Membership.objects.get(
            company=company, user=people["buyer"], ended_at__isnull=True
        ),
        "wallet_id": wallet.pk,
        "escrow_id": escrow.pk,
    }


def new_draft(company, people, ctx, n: int):
    """The buyer's draft: one line of each of the 50 SKUs (untimed)."""
    from infoconnect.procurement.models import Requisition, RequisitionLine

    requisition = Requisition.objects.create(
        company=company,
        requester=people["buyer"],
        membership=ctx["membership"],
        department=ctx["home"],
        ship_to=ctx["ship_to"],
        po_number=f"PO-BENCH-{n}",
        note="Office supplies",
    )
    RequisitionLine.objects.bulk_create(
        RequisitionLine(
            requisition=requisition,
            sku_id=sku.pk,
            product_id=sku.product_id,
            merchant_id=sku.product.merchant_id,
            category_id=sku.product.category_id,
            title=sku.product.title,
            attributes=sku.attributes,
            unit_price=sku.price,
            quantity=1,
        )
        for sku in ctx["skus"]
    )
    return requisition


def run_action(company, people, ctx, n: int) -> tuple[float, float]:
    """Submit (timed), approve every level but the last (untimed), approve the last (timed)."""
    from infoconnect.procurement.actions import approvals, submission
    from infoconnect.procurement.actions.rounds import current_step
    from infoconnect.procurement.models import Requisition, StepAssignee

    requisition = new_draft(company, people, ctx, n)
    start = time.perf_counter()
    submission.submit_requisition(user=people["buyer"], requisition_id=requisition.pk)
    submit_ms = (time.perf_counter() - start) * 1000
    place_ms = 0.0
    while True:
        requisition = Requisition.objects.get(pk=requisition.pk)
        if requisition.state != "pending":
            break
        step = current_step(requisition)
        assignee = (
            StepAssignee.objects.filter(step=step).order_by("pk").values_list("user", flat=True)
        )[0]
        user = people["finance"] if assignee == people["finance"].pk else people["approver"]
        assert user.pk == assignee, (assignee, step.rule_name)
        last = not Requisition.objects.filter(
            pk=requisition.pk, steps__round=requisition.round, steps__state="queued"
        ).exists()
        start = time.perf_counter()
        approvals.approve_requisition(user=user, requisition_id=requisition.pk)
        if last:
            place_ms = (time.perf_counter() - start) * 1000
    assert requisition.state == "ordered", requisition.state
    assert requisition.orders.count() == MERCHANTS
    age(requisition.pk)
    return submit_ms, place_ms


# --- the baseline: the same reads and writes, hand-written ---------------------------------


def baseline_submit(vendor: str, company, people, ctx, requisition) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    buyer = people["buyer"].pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, state, round, department_id, ship_to_id FROM procurement_requisition"
            f" WHERE id = %s{lock}",
            [requisition.pk],
        )
        cursor.fetchone()
        cursor.execute(
            f"SELECT id FROM procurement_membership WHERE id = %s{lock}", [ctx["membership"].pk]
        )
        cursor.fetchone()
        cursor.execute(
            "SELECT l.id, l.sku_id, l.quantity, l.merchant_id, s.price, s.is_active, p.status"
            " FROM procurement_requisitionline l JOIN shop_sku s ON s.id = l.sku_id"
            " JOIN shop_product p ON p.id = s.product_id WHERE l.requisition_id = %s"
            " ORDER BY l.id",
            [requisition.pk],
        )
        lines = cursor.fetchall()
        total = sum(price * quantity for _l, _s, quantity, _m, price, _a, _p in lines)
        cursor.execute(
            "SELECT id, min_total, merchant_id, department_id FROM procurement_approvalrule"
            " WHERE company_id = %s AND active ORDER BY position",
            [company.pk],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT SUM(l.unit_price * l.quantity) FROM procurement_requisitionline l"
            " JOIN procurement_requisition r ON r.id = l.requisition_id"
            " WHERE r.company_id = %s AND r.requester_id = %s AND r.submitted_at >= %s"
            " AND r.state IN ('pending', 'approved', 'ordered') AND r.id <> %s",
            [company.pk, buyer, adapt(now - timedelta(days=30)), requisition.pk],
        )
        cursor.fetchone()
        cursor.execute(
            "SELECT id, amount, committed, spent, over_approved FROM procurement_budget"
            " WHERE department_id = %s AND starts_on <= %s AND ends_on > %s",
            [ctx["home"].pk, now.date(), now.date()],
        )
        cursor.fetchall()
        cursor.execute(
            "UPDATE procurement_requisition SET state = 'pending', round = round + 1,"
            " total = %s, submitted_at = %s, hold_expires_at = %s, updated_at = %s"
            " WHERE id = %s",
            [total, adapt(now), adapt(now + timedelta(days=7)), adapt(now), requisition.pk],
        )
        for _l, sku_id, quantity, *_rest in sorted(lines, key=lambda row: row[1]):
            cursor.execute(
                "UPDATE shop_sku SET stock = stock - %s WHERE id = %s AND stock >= %s",
                [quantity, sku_id, quantity],
            )
        cursor.execute(
            "UPDATE procurement_requisitionline SET held = quantity WHERE requisition_id = %s",
            [requisition.pk],
        )
        steps = [("waiting", adapt(now), adapt(now + timedelta(hours=48)))] + [
            ("queued", None, None)
        ] * 2
        rows = ", ".join(["(%s, 1, %s, 'Rule', '', '{}', 'any', %s, %s, 48, %s, %s, %s)"] * 3)
        false = False if vendor == "postgresql" else 0
        params = []
        for position, (state, activated, due) in enumerate(steps, start=1):
            params += [requisition.pk, position, false, false, state, activated, due]
        cursor.execute(
            "INSERT INTO procurement_approvalstep (requisition_id, round, position, rule_name,"
            " explanation, explanations, mode, is_over_budget, allow_self_approval,"
            " deadline_hours, state,"
            " activated_at, due_at) VALUES " + rows,
            params,
        )
        cursor.execute(
            "SELECT id FROM procurement_approvalstep WHERE requisition_id = %s AND position = 1",
            [requisition.pk],
        )
        step_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO procurement_stepassignee (step_id, user_id, via, added_at)"
            " SELECT %s, m.user_id, 'role', %s FROM procurement_roleassignment a"
            " JOIN procurement_membership m ON m.id = a.membership_id"
            " WHERE a.role = 'approver' AND m.company_id = %s AND m.ended_at IS NULL"
            " AND (a.department_id IS NULL OR a.department_id = %s)",
            [step_id, adapt(now), company.pk, ctx["home"].pk],
        )
        cursor.execute(
            "INSERT INTO procurement_requisitionevent (requisition_id, actor_id, kind,"
            " from_state, to_state, note, created_at) VALUES (%s, %s, 'submit', 'draft',"
            " 'pending', '', %s)",
            [requisition.pk, buyer, adapt(now)],
        )


def baseline_place(vendor: str, company, people, ctx, requisition) -> None:
    import json

    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    address = json.dumps(ctx["ship_to"].snapshot(), ensure_ascii=False)
    by_merchant: dict[int, list] = {}
    for sku in ctx["skus"]:
        by_merchant.setdefault(sku.product.merchant_id, []).append(sku)
    buyer = people["buyer"].pk
    orders = []
    with transaction.atomic(), connection.cursor() as cursor:
        for merchant_id in sorted(by_merchant):
            group = by_merchant[merchant_id]
            total = sum(sku.price for sku in group)
            cursor.execute(
                "INSERT INTO shop_order (buyer_id, merchant_id, state, currency, total,"
                " commission, shipping_address, campaign_id, checkout_key, carrier,"
                " tracking_number, created_at, expires_at, paid_at, company_id, requisition_id,"
                " company_name, department_name, po_number) VALUES (%s, %s, 'paid', 'CNY', %s,"
                " 0, %s, NULL, %s, '', '', %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [buyer, merchant_id, total, address, f"requisition-{requisition.pk}", at, at,
                 at, company.pk, requisition.pk, company.legal_name, ctx["home"].name,
                 requisition.po_number],
            )  # fmt: skip
            order_id = cursor.fetchone()[0]
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, 1)"] * len(group))
            params = []
            for sku in group:
                params += [order_id, sku.pk, sku.product_id, sku.product.title,
                           json.dumps(sku.attributes), sku.price]  # fmt: skip
            cursor.execute(
                "INSERT INTO shop_orderline (order_id, sku_id, product_id, title, attributes,"
                " unit_price, quantity) VALUES " + rows,
                params,
            )
            cursor.execute(
                "INSERT INTO wallet_ledgertransaction (kind, reference, user_id, amount,"
                " currency, created_at) VALUES ('order_payment', %s, %s, %s, 'CNY', %s)"
                " RETURNING id",
                [str(order_id), buyer, total, at],
            )
            txn_id = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE wallet_ledgeraccount SET balance = balance - %s WHERE id = %s"
                " AND balance >= %s RETURNING balance",
                [total, ctx["wallet_id"], total],
            )
            wallet_after = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE wallet_ledgeraccount SET balance = balance + %s WHERE id = %s"
                " RETURNING balance",
                [total, ctx["escrow_id"]],
            )
            escrow_after = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO wallet_ledgerentry (account_id, transaction_id, amount,"
                " balance_after, created_at) VALUES (%s, %s, %s, %s, %s), (%s, %s, %s, %s, %s)",
                [ctx["wallet_id"], txn_id, -total, wallet_after, at,
                 ctx["escrow_id"], txn_id, total, escrow_after, at],
            )  # fmt: skip
            orders.append((order_id, merchant_id, total))
        rows = ", ".join(["(%s, %s, %s, %s, 0)"] * len(orders))
        cursor.execute(
            "INSERT INTO procurement_requisitionorder (requisition_id, order_id, merchant_id,"
            " total, released) VALUES " + rows,
            [v for order_id, m, t in orders for v in (requisition.pk, order_id, m, t)],
        )
        cursor.execute(
            "UPDATE procurement_requisitionline SET held = 0 WHERE requisition_id = %s",
            [requisition.pk],
        )
        cursor.execute(
            "UPDATE procurement_budget SET spent = spent + %s WHERE department_id = %s"
            " AND starts_on <= %s AND ends_on > %s",
            [sum(t for _o, _m, t in orders), ctx["home"].pk, now.date(), now.date()],
        )
        cursor.execute(
            "UPDATE procurement_requisition SET state = 'ordered', approved_at = %s,"
            " ordered_at = %s, updated_at = %s WHERE id = %s",
            [at, at, at, requisition.pk],
        )


def age(requisition_id: int) -> None:
    """Move a measured requisition out of the rolling window (untimed), so every round reads
    the same past requisitions, on later runs too."""
    from django.db import connection
    from django.utils import timezone

    old = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=60))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_requisition SET submitted_at = %s WHERE id = %s",
            [old, requisition_id],
        )


def run_baseline(vendor: str, company, people, ctx, n: int) -> tuple[float, float]:
    requisition = new_draft(company, people, ctx, n)
    start = time.perf_counter()
    baseline_submit(vendor, company, people, ctx, requisition)
    submit_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    baseline_place(vendor, company, people, ctx, requisition)
    place_ms = (time.perf_counter() - start) * 1000
    age(requisition.pk)
    return submit_ms, place_ms


def main() -> int:
    vendor = setup_django()
    found = company_and_people()
    if found is None:
        build(vendor)
        found = company_and_people()
    company, people = found
    reset_sequences(vendor)
    ctx = prepare_run(company, people)
    for n in range(WARMUP):
        run_action(company, people, ctx, n)
        run_baseline(vendor, company, people, ctx, n)
    samples = {"submit": [], "place": [], "base_submit": [], "base_place": []}
    tag = int(time.time())
    for n in range(ROUNDS):
        submit_ms, place_ms = run_action(company, people, ctx, f"{tag}-{n}")
        base_submit_ms, base_place_ms = run_baseline(vendor, company, people, ctx, f"{tag}-b{n}")
        samples["submit"].append(submit_ms)
        samples["place"].append(place_ms)
        samples["base_submit"].append(base_submit_ms)
        samples["base_place"].append(base_place_ms)
    for name, key, target in [
        ("procurement.submit_p99_ms", "submit", 50),
        ("procurement.place_orders_p99_ms", "place", 100),
    ]:
        value = percentile(samples[key], 99)
        base = percentile(samples[f"base_{key}"], 99)
        emit(
            name,
            value,
            "ms",
            base,
            base / value,
            vendor=vendor,
            runs=ROUNDS,
            p50=round(percentile(samples[key], 50), 3),
            baseline_p50=round(percentile(samples[f"base_{key}"], 50), 3),
            target_ms=target,
        )
    # Company terms: contract prices, a month's statement, a merged invoice's PDF.
    for part in (procurement_pricing, procurement_statements, invoicing_pdf):
        for result in part.run(vendor):
            emit(**result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Registering a company (the code, its check, uniqueness), the operator's waiver, the licence
image and the review moves with their audit trail."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import companies as actions
from infoconnect.procurement.actions import members
from infoconnect.procurement.lifecycle import companies
from infoconnect.procurement.models import Company, CompanyReview, Membership, RoleAssignment
from infoconnect.procurement.tests.factories import (
    VALID,
    VALID_2,
    WRONG_CHECK,
    add,
    image_bytes,
    image_upload,
    make_company,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def nothing_written() -> bool:
    return (Company.objects.count(), Membership.objects.count(), CompanyReview.objects.count()) == (
        0,
        0,
        0,
    )


# --- registering ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [VALID, VALID_2])
def test_a_person_registers_a_company_and_becomes_its_admin(alice, code):
    company = actions.register_company(user=alice, legal_name="华夏设计有限公司", uscc=code)
    stored = Company.objects.get()
    assert (stored.legal_name, stored.uscc, stored.status, stored.registered_by) == (
        "华夏设计有限公司",
        code,
        "pending",
        alice,
    )
    assert company.pk == stored.pk and not stored.uscc_check_waived
    membership = Membership.objects.get()
    assert (membership.user, membership.invited_by, membership.ended_at) == (alice, alice, None)
    assert list(membership.roles.values_list("role", "department")) == [("admin", None)]
    # Registration is not a review: the trail starts with the operator.
    assert CompanyReview.objects.count() == 0


def test_the_code_is_stored_upper_case_without_spaces_or_hyphens(alice):
    company = actions.register_company(
        user=alice, legal_name="  Huaxia   Design  ", uscc=" 9135 0100m0-00100y43 "
    )
    assert (company.uscc, company.legal_name) == (VALID, "Huaxia Design")


@pytest.mark.parametrize(
    "code",
    [
        WRONG_CHECK,
        "91350100M000100I43",
        "91350100M000100O43",
        "91350100M000100Z43",
        "91350100M000100S43",
        "91350100M000100V43",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "A1350100M000100Y43",
        "91350100M000100Y4.",
        "",
    ],
    ids=["check", "I", "O", "Z", "S", "V", "short", "long", "letter-prefix", "dot", "empty"],
)
def test_an_invalid_code_is_refused_and_nothing_is_written(alice, code):
    with pytest.raises(DomainError) as refused:
        actions.register_company(user=alice, legal_name="Huaxia", uscc=code)
    assert (refused.value.code, refused.value.status) == ("invalid_uscc", 422)
    assert refused.value.fields == {
        "uscc": ["Enter a valid 18-character unified social credit code."]
    }
    assert nothing_written()


@pytest.mark.parametrize("name", ["", "A", "   ", "x" * 201])
def test_the_legal_name_has_2_to_200_characters(alice, name):
    with pytest.raises(DomainError) as refused:
        actions.register_company(user=alice, legal_name=name, uscc=VALID)
    assert (refused.value.code, refused.value.status) == ("legal_name_invalid", 422)
    assert nothing_written()


def test_a_code_already_registered_is_taken(alice, make_user):
    make_company(alice)
    with pytest.raises(DomainError) as refused:
        actions.register_company(user=make_user("bob"), legal_name="Other", uscc=VALID.lower())
    assert (refused.value.code, refused.value.status) == ("uscc_taken", 409)
    assert (Company.objects.count(), Membership.objects.count()) == (1, 1)


def test_a_lost_race_on_the_unique_index_is_taken_too(alice, make_user, monkeypatch):
    make_company(alice)
    # As if the other registration committed between the check and the insert.
    monkeypatch.setattr(
        actions.Company.objects, "filter", lambda **kw: Company.objects.none(), raising=False
    )
    with pytest.raises(DomainError) as refused:
        actions.register_company(user=make_user("bob"), legal_name="Other", uscc=VALID)
    assert refused.value.code == "uscc_taken"
    monkeypatch.undo()
    assert (Company.objects.count(), Membership.objects.count()) == (1, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_registering_one_code_at_once_make_one_company(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    people = [make_user("alice"), make_user("bob")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(person) -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.register_company(user=person, legal_name="Huaxia", uscc=VALID)
            outcomes.append("created")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "uscc_taken"]
    assert (Company.objects.count(), Membership.objects.count()) == (1, 1)


# --- the operator's waiver of the check character -----------------------------------------------


def test_an_operator_accepts_a_code_failing_its_check_with_a_reason(operator, alice):
    company = actions.register_company_waiving_check(
        operator=operator,
        legal_name="Pilot Co.",
        uscc=WRONG_CHECK.lower(),
        reason="Early pilot code, confirmed with the registry.",
        registered_by=alice,
    )
    assert (company.uscc, company.status, company.uscc_check_waived) == (
        WRONG_CHECK,
        "pending",
        True,
    )
    review = CompanyReview.objects.get()
    assert (
        review.company,
        review.action,
        review.actor,
        review.from_status,
        review.to_status,
        review.reason,
    ) == (
        company,
        "waive_check",
        operator,
        "",
        "pending",
        "Early pilot code, confirmed with the registry.",
    )
    membership = Membership.objects.get()
    assert membership.user == alice
    assert list(membership.roles.values_list("role", flat=True)) == ["admin"]


@pytest.mark.parametrize(
    ("code", "reason", "error"),
    [
        (WRONG_CHECK, "", "reason_required"),
        (WRONG_CHECK, "   ", "reason_required"),
        (WRONG_CHECK, "x" * 1001, "reason_required"),
        ("91350100M000100I44", "Pilot", "invalid_uscc"),
        ("91350100M000100Y4", "Pilot", "invalid_uscc"),
        (VALID, "Pilot", "uscc_check_passes"),
    ],
)
def test_a_waiver_needs_a_reason_and_a_code_in_the_right_format(
    operator, alice, code, reason, error
):
    with pytest.raises(DomainError) as refused:
        actions.register_company_waiving_check(
            operator=operator, legal_name="Pilot", uscc=code, reason=reason, registered_by=alice
        )
    assert (refused.value.code, refused.value.status) == (error, 422)
    assert nothing_written()


def test_only_an_operator_waives_the_check(alice, make_user):
    with pytest.raises(DomainError) as refused:
        actions.register_company_waiving_check(
            operator=alice,
            legal_name="Pilot",
            uscc=WRONG_CHECK,
            reason="Pilot",
            registered_by=make_user("bob"),
        )
    assert (refused.value.code, refused.value.status) == ("not_operator", 403)
    assert nothing_written()


def test_a_waived_code_is_unique_too(operator, alice, make_user):
    def waive(person):
        return actions.register_company_waiving_check(
            operator=operator,
            legal_name="Pilot",
            uscc=WRONG_CHECK,
            reason="Pilot",
            registered_by=person,
        )

    waive(alice)
    with pytest.raises(DomainError) as refused:
        waive(make_user("bob"))
    assert refused.value.code == "uscc_taken"
    assert (Company.objects.count(), CompanyReview.objects.count()) == (1, 1)


# --- the review ---------------------------------------------------------------------------------


def trail(company) -> list[tuple]:
    return list(
        CompanyReview.objects.filter(company=company)
        .order_by("pk")
        .values_list("action", "from_status", "to_status", "actor__username", "reason")
    )


def test_verify_suspend_and_reinstate_are_audited(operator, alice):
    company = make_company(alice)
    verified = actions.verify_company(operator=operator, company_id=company.pk)
    assert verified.status == "verified" and verified.verified_at is not None
    actions.suspend_company(operator=operator, company_id=company.pk, reason="Licence expired.")
    actions.reinstate_company(operator=operator, company_id=company.pk, reason="New licence.")
    assert Company.objects.get().status == "verified"
    assert trail(company) == [
        ("verify", "pending", "verified", "op", ""),
        ("suspend", "verified", "suspended", "op", "Licence expired."),
        ("reinstate", "suspended", "verified", "op", "New licence."),
    ]


def test_a_pending_company_can_be_suspended(operator, alice):
    company = make_company(alice)
    actions.suspend_company(operator=operator, company_id=company.pk, reason="Fake licence.")
    assert Company.objects.get().status == "suspended"


@pytest.mark.parametrize("reason", ["", "  ", "x" * 1001])
def test_suspending_needs_a_reason(operator, alice, reason):
    company = make_company(alice)
    with pytest.raises(DomainError) as refused:
        actions.suspend_company(operator=operator, company_id=company.pk, reason=reason)
    assert (refused.value.code, refused.value.status) == ("reason_required", 422)
    assert Company.objects.get().status == "pending" and trail(company) == []


def test_a_move_the_review_does_not_allow_is_refused(operator, alice):
    company = make_company(alice)
    with pytest.raises(DomainError) as refused:
        actions.reinstate_company(operator=operator, company_id=company.pk)
    assert (refused.value.code, refused.value.status) == ("company_invalid_state", 409)
    actions.verify_company(operator=operator, company_id=company.pk)
    with pytest.raises(DomainError):
        actions.verify_company(operator=operator, company_id=company.pk)
    assert [row[0] for row in trail(company)] == ["verify"]


def test_only_an_operator_reviews(alice):
    company = make_company(alice)
    for review in (actions.verify_company, actions.reinstate_company):
        with pytest.raises(DomainError) as refused:
            review(operator=alice, company_id=company.pk)
        assert refused.value.code == "not_operator"
    with pytest.raises(DomainError):
        actions.suspend_company(operator=alice, company_id=company.pk, reason="Mine")
    assert Company.objects.get().status == "pending" and trail(company) == []


def test_reviewing_an_unknown_company(operator):
    with pytest.raises(DomainError) as refused:
        actions.verify_company(operator=operator, company_id=987654)
    assert (refused.value.code, refused.value.status) == ("company_not_found", 404)


# --- the business licence -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_the_admin_uploads_the_licence(alice, fmt, ext):
    company = make_company(alice)
    actions.set_licence(
        user=alice, company_id=company.pk, upload=image_upload(fmt=fmt, name=f"l.{ext}")
    )
    stored = Company.objects.get()
    assert stored.licence.name.startswith("companies/licences/")
    assert stored.licence.name.endswith(f".{ext}")
    with Image.open(stored.licence.path) as image:
        assert (image.format, image.size) == (fmt, (400, 300))


def test_the_licence_loses_its_exif(alice):
    company = make_company(alice)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0112] = 6  # turned: stored upright
    upload = image_upload(fmt="JPEG", name="l.jpg", exif=exif)
    actions.set_licence(user=alice, company_id=company.pk, upload=upload)
    with Image.open(Company.objects.get().licence.path) as stored:
        assert dict(stored.getexif()) == {}
        assert stored.size == (300, 400)


def test_a_new_licence_replaces_the_old_file_once_committed(
    alice, django_capture_on_commit_callbacks
):
    company = make_company(alice)
    actions.set_licence(user=alice, company_id=company.pk, upload=image_upload())
    old = Company.objects.get().licence.name
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_licence(user=alice, company_id=company.pk, upload=image_upload(fmt="WEBP"))
    new = Company.objects.get().licence.name
    assert new != old and default_storage.exists(new) and not default_storage.exists(old)


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("l.png", b"<html>not a picture</html>"), "licence_not_image"),
        (image_upload(fmt="GIF", name="l.gif"), "licence_not_image"),
        (SimpleUploadedFile("cut.png", image_bytes()[:100]), "licence_not_image"),
        (None, "licence_not_image"),
        (
            SimpleUploadedFile("big.png", image_bytes() + b"\0" * (8 * 1024 * 1024)),
            "licence_too_large",
        ),
        (image_upload(6001, 10), "licence_too_many_pixels"),
    ],
    ids=["html", "gif", "truncated", "missing", "over-8mb", "too-wide"],
)
def test_a_bad_licence_is_refused_and_the_company_keeps_none(alice, upload, code):
    company = make_company(alice)
    with pytest.raises(DomainError) as refused:
        actions.set_licence(user=alice, company_id=company.pk, upload=upload)
    assert (refused.value.code, refused.value.status) == (code, 422)
    assert list(refused.value.fields) == ["licence"]
    assert Company.objects.get().licence.name == ""


def test_only_a_current_admin_uploads_the_licence(alice, make_user):
    company = make_company(alice)
    viewer, buyer, stranger, former = (
        make_user(name) for name in ("viewer", "buyer", "stranger", "former")
    )
    add(company, alice, viewer, "viewer")
    add(company, alice, buyer, "buyer")
    add(company, alice, former, "admin")
    members.remove_member(admin_user=alice, company_id=company.pk, member_user_id=former.pk)
    other = make_company(stranger, code=VALID_2)
    expected = {viewer: "role_required", buyer: "role_required", stranger: "not_a_member"}
    expected[former] = "not_a_member"
    for person, code in expected.items():
        with pytest.raises(DomainError) as refused:
            actions.set_licence(user=person, company_id=company.pk, upload=image_upload())
        assert refused.value.code == code
    assert Company.objects.get(pk=company.pk).licence.name == ""
    assert other.licence.name == ""
    assert RoleAssignment.objects.filter(membership__user=former).exists()


def test_a_company_is_born_only_by_an_edge_that_makes_one(alice):
    with pytest.raises(LookupError):
        companies.create("verify", legal_name="X", uscc=VALID, registered_by=alice)
    assert companies.sources("verify") == ("pending",)
    assert companies.targets("register", "register_waiving_check") == ("pending",)
    assert Company.objects.count() == 0

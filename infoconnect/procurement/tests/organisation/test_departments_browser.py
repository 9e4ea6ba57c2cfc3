"""In Chromium: a company admin builds Design with its Studio cost centre and gives Design a
ship-to address; a viewer, on a phone, reads the same tree with no controls to change it."""

import pytest

from infoconnect.procurement.models import Department, Role, ShipToAddress
from infoconnect.procurement.tests.organisation.conftest import SHIP_TO


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_builds_the_tree_and_a_viewer_reads_it(
    browser, live_server, page, login, company, company_admin, member
):
    from playwright.sync_api import expect

    member(role=Role.VIEWER, username="wang")
    login(company_admin.username)
    page.goto(f"/companies/{company.pk}/departments/")
    expect(page.get_by_test_id("no-departments")).to_have_text("No departments yet.")

    page.get_by_text("Add a department").click()
    top = page.get_by_test_id("add-top-level")
    top.get_by_label("Name").fill("Design")
    top.get_by_label("Code (optional)").fill("DES")
    top.get_by_role("button", name="Add").click()
    expect(page.locator(".flash-success")).to_have_text("Department “Design” added.")
    design = Department.objects.get(name="Design")
    node = page.locator(f"#department-{design.pk}")
    expect(node.get_by_test_id("department-name")).to_have_text("Design")
    expect(node.get_by_test_id("department-code")).to_have_text("DES")

    node.get_by_text("Change Design").click()
    node.get_by_text("Add under Design").click()
    form = node.get_by_test_id("department-form")
    form.get_by_label("Name").fill("Studio")
    form.get_by_label("Kind").select_option(label="Cost centre")
    form.get_by_role("button", name="Add").click()
    expect(page.locator(".flash-success")).to_have_text("Cost centre “Studio” added.")
    studio = Department.objects.get(name="Studio")
    assert (studio.parent_id, studio.kind, studio.path) == (
        design.pk,
        "cost_centre",
        f"/{design.pk}/{studio.pk}/",
    )
    studio_node = page.locator(f"#department-{studio.pk}")
    expect(studio_node.get_by_test_id("department-kind")).to_have_text("Cost centre")
    expect(studio_node).to_have_attribute("data-depth", "1")
    # A cost centre holds nothing: nothing can be added under it.
    studio_node.get_by_text("Change Studio").click()
    expect(studio_node.get_by_text("Add under Studio")).to_have_count(0)

    node = page.locator(f"#department-{design.pk}")
    node.get_by_text("Change Design").click()
    node.get_by_text("Add a ship-to address").click()
    address_form = node.get_by_test_id("ship-to-form")
    address_form.get_by_label("Label (optional)").fill(SHIP_TO["label"])
    address_form.get_by_label("Recipient").fill(SHIP_TO["recipient_name"])
    address_form.get_by_label("Mobile").fill(SHIP_TO["mobile"])
    address_form.get_by_label("Province").select_option(label="Shanghai")
    address_form.get_by_label("City").fill(SHIP_TO["city"])
    address_form.get_by_label("District").fill(SHIP_TO["district"])
    address_form.get_by_label("Street address").fill(SHIP_TO["street"])
    address_form.get_by_role("button", name="Save address").click()
    expect(page.locator(".flash-success")).to_have_text("Ship-to address added.")
    expect(page.locator(f"#department-{design.pk}").get_by_test_id("ship-to")).to_contain_text(
        "Front desk · Wang Fang, 13912345678"
    )
    assert ShipToAddress.objects.get().department_id == design.pk

    phone = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
    )
    viewer = phone.new_page()
    login("wang", target=viewer)
    viewer.goto(f"/companies/{company.pk}/departments/")
    expect(viewer.get_by_test_id("department-name")).to_have_text(["Design", "Studio"])
    expect(viewer.get_by_test_id("department-kind")).to_have_text(["Department", "Cost centre"])
    expect(viewer.get_by_test_id("ship-to")).to_contain_text(
        ["Front desk · Wang Fang, 13912345678 Shanghai Shanghai Xuhui 1200 Caoxi North Road"]
    )
    expect(viewer.get_by_test_id("manage-department")).to_have_count(0)
    expect(viewer.get_by_test_id("add-top-level")).to_have_count(0)
    expect(viewer.locator("main form")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Edit")).to_have_count(0)
    # Readable on a phone: Studio sits indented under Design, and nothing runs off the side.
    design_box = viewer.locator(f"#department-{design.pk}").bounding_box()
    studio_box = viewer.locator(f"#department-{studio.pk}").bounding_box()
    assert studio_box["x"] > design_box["x"]
    assert viewer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.close()

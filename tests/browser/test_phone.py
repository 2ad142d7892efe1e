"""On a 360-px phone the PKS kanban is one column of stages, top to bottom, and a wide table scrolls inside its
own labelled region, never the page."""

from tests.browser.conftest import PHONE


def test_kanban_stacks_vertically_on_a_phone(login_page):
    page = login_page("kerjasama.solok", viewport=PHONE, java_script_enabled=False)
    page.goto("/pks/papan?semua=1")
    boxes = [s.bounding_box() for s in page.locator(".kanban > section").all()]
    assert len(boxes) > 3
    assert len({round(b["x"]) for b in boxes}) == 1, boxes  # one column
    assert all(a["y"] + a["height"] <= b["y"] + 1 for a, b in zip(boxes, boxes[1:], strict=False)), boxes
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_wide_table_scrolls_inside_its_region(login_page):
    page = login_page("operator.solok", viewport=PHONE, java_script_enabled=False)
    page.goto("/sidilan/")
    region = page.get_by_role("region", name="Daftar orang")
    assert region.get_attribute("tabindex") == "0"
    sizes = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
    assert sizes[0] > sizes[1], "the list fits: nothing to scroll"  # it needs the room, and gets it in place
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

"""The grid worker app on a phone without signal: a report with a photo is kept, then sent once."""

import struct
import zlib

from sqlalchemy import func, select

from app.channels.grid.models import GridReport, GridReportCapture
from app.extensions import db
from app.workflow.models import HumanTask
from tests.browser.test_phone_layout import PHONE, assert_fits
from tests.helpers import sign_in_page


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame")


def png(width: int = 2400, height: int = 1800) -> bytes:
    """A plain PNG standing in for a camera photo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((200, (x * 3) % 256, 40)) * 1 + b"\x80\x40\x20" * (width - 1)
                    for x in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def reports() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GridReport))


def test_a_report_made_offline_arrives_once_with_its_photo(live_server, browser, screenshot, processes,  # noqa: F811
                                                           tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                  permissions=["geolocation"],
                                  geolocation={"latitude": 38.9326, "longitude": 100.4551, "accuracy": 15})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in_page(page, live_server, "grid")
    page.goto(f"{live_server}/grid/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert_fits(page, screenshot, "grid-app")

    context.set_offline(True)
    page.get_by_label("安全隐患").check()
    page.get_by_label("网格").select_option(label="梁家墩镇第1村第1网格")
    page.get_by_label("标题").fill("自建房外墙开裂")
    page.get_by_label("情况描述").fill("村民自建房外墙出现贯穿裂缝，雨后有掉落风险。")
    page.get_by_label("责任部门").select_option(value="housing")
    photo = tmp_path / "photo.png"
    photo.write_bytes(png())
    page.get_by_label("现场照片").set_input_files(str(photo))
    page.wait_for_selector("#photo-preview:not([hidden])")
    page.get_by_role("button", name="获取当前位置").click()
    page.wait_for_selector("#position:has-text('已定位')")
    page.get_by_role("button", name="上报").click()
    page.wait_for_selector("#queue-count:text-is('1')")
    assert "当前无网络" in page.locator("#net-state").inner_text()
    assert_fits(page, screenshot, "grid-app-offline-queued")
    page.wait_for_timeout(500)
    assert reports() == 0

    context.set_offline(False)
    page.wait_for_selector("#queue-count:text-is('0')", timeout=30000)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second flush finds nothing to send
    page.wait_for_timeout(500)
    assert reports() == 1
    report = db.session.scalar(select(GridReport))
    capture = db.session.get(GridReportCapture, report.id)
    assert capture.photo.startswith(b"\xff\xd8\xff") and capture.photo_type == "image/jpeg"  # compressed
    assert jpeg_size(capture.photo) == (1600, 1200)  # a 2400×1800 camera photo, drawn smaller
    assert abs(capture.latitude - 38.9326) < 1e-6 and report.external_id.startswith("app-")
    assert report.status == "task_opened"
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.process_id == "grid_hazard")) == 1
    screenshot(page, "phone-grid-app-sent")
    context.close()

"""The editors' workbench, as an editor uses it, in real Chromium and offline:
`make edit` started as a subprocess on a copy of the test fixture's content
(tests/fixtures/site: the source's real records and a few samples; its
model carries one field more than the project's, to show that the forms
follow the model); the CMS in Chinese; a new unit with an honour, a member
chosen by name, a photo uploaded from a phone (with its GPS position) and
the draft status, saved; the file on disk in the model's order, passing the
check, its page in the preview pane, the photo stored under its name and a
hash of its bytes; a member with another photo of the same file name, which
leaves the unit's photo byte for byte; the same photo again, refused in
Chinese; a red SMS and a figure edited the same way; a typo (风彩) shown in
the browser; Ctrl+C stops everything. Every request of the browser is
recorded: none leaves 127.0.0.1; the page's Content-Security-Policy blocks
nothing Decap needs.

Screenshots of each step go to .build/screenshots/workbench/ (copied into docs/screenshots/workbench/ by `python -m scripts.dev.screenshots --docs`, for 编辑指南.md):
编辑指南.md shows them.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml
from PIL import Image
from playwright.sync_api import expect

from scripts.check.photos_gps import has_location
from scripts.records.schema import SCHEMA_FILE, SCHEMA_PATH, schema_for
from tests.browser.decap_form import field, retype, save

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".build" / "screenshots" / "workbench"
UNIT = "exemplars/units/moumou-shequ-dangwei.md"
SMS = "exemplars/sms/sample-sms-01.yml"
FIGURE = "exemplars/figures/peizhi-dianxing.yml"
TIMEOUT = 60_000


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def phone_photo(path: Path) -> bytes:
    im = Image.new("RGB", (1600, 1200))
    im.putdata([(180 + x % 60, 30 + y % 40, 40) for y in range(1200) for x in range(1600)])
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "HUAWEI", "P40"
    exif[0x8825] = {1: "N", 2: (48.0, 0.0, 30.0), 3: "E", 4: (122.0, 44.0, 6.0)}
    im.save(path, "JPEG", quality=90, exif=exif)
    return path.read_bytes()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").tobytes()


def front(path: Path) -> dict:
    """A record file's fields."""
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1] if text.startswith("---") else text) or {}


def check(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo), "check"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture(scope="module")
def workbench(tmp_path_factory):
    """`make edit` on a copy of the fixture content (known records, whatever
    the live content holds), until the module ends; then Ctrl+C (SIGINT to
    its process group, as a terminal sends it)."""
    from tests.conftest import Repo

    repo = tmp_path_factory.mktemp("workbench") / "repo"
    repo.mkdir()
    Repo(repo, with_content=True)
    shutil.copytree(ROOT / "wording", repo / "wording")
    model = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    model["kinds"]["unit"]["fields"]["contact"] = {"type": "string", "max": 30, "label": "联系人",
                                                   "help": "党组织的联系人（这个字段只在本测试的模型里）。"}
    (repo / SCHEMA_PATH).parent.mkdir(parents=True)
    (repo / SCHEMA_PATH).write_text(yaml.safe_dump(model, allow_unicode=True, sort_keys=False), encoding="utf-8")
    log = repo.parent / "edit.log"
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "-s", "-C", str(ROOT), "edit", f"REPO={repo}", "ADDRESS=127.0.0.1:0"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        address = None
        while address is None and time.monotonic() - started < 300:
            m = re.search(r"编辑工作台：(http://127\.0\.0\.1:\d+/)", log.read_text(encoding="utf-8"))
            address = m and m[1]
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        assert address, log.read_text(encoding="utf-8")
        print(f"\nworkbench started in {time.monotonic() - started:.1f} s")
        yield repo, address, proc, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def requests_seen():
    return []


@pytest.fixture
def cms(workbench, browser, requests_seen):
    """A browser page on the workbench, its requests recorded; entered."""
    _, address, _, _ = workbench
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.on("request", lambda r: requests_seen.append(r.url))
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    ours = urllib.parse.urlsplit(address).netloc

    def blocked(message):
        # The workbench page's own policy (the live preview in its frame has its own).
        where = urllib.parse.urlsplit(message.location.get("url") or address).netloc
        if "Content Security Policy" in message.text and where == ours:
            errors.append(message.text)

    page.on("console", blocked)
    page.set_default_timeout(TIMEOUT)
    page.goto(address)
    page.get_by_role("button", name="进入编辑工作台").click()
    page.get_by_role("link", name="先进典型").first.wait_for()
    yield page
    context.close()
    assert not [e for e in errors if e.strip() not in ("", "undefined")], errors


def pane(page):
    return page.frame_locator("#preview-pane")


def wait_for_checked(page, timeout=TIMEOUT):
    """The preview pane, once the check and the preview have caught up with the save."""
    pane(page).locator("#zlt-preview-frame").wait_for(timeout=timeout)
    return pane(page)


def test_the_cms_speaks_chinese_and_upper_cases_nothing(cms):
    page = cms
    text = page.locator("body").inner_text()
    for words in ("记录类型", "先进典型", "优秀共产党员", "专题片", "红色短信", "数说党建", "工作动态", "新建先进典型"):
        assert words in text, words
    page.get_by_role("link", name="新建先进典型").click()
    field(page, "名称").wait_for()
    text = page.locator("body").inner_text()
    for english in ("Publish", "Save", "Collections", "Quick add", "Media", "Choose", "Optional", "Delete",
                    "Strikethrough", "field"):
        assert english not in text, english
    assert "发布" not in page.get_by_role("button", name="保存", exact=True).first.inner_text()
    label = page.locator("label", has_text="名称").first
    assert label.evaluate("e => getComputedStyle(e).textTransform") == "none"
    field(page, "状态").click()
    assert [o.inner_text() for o in page.get_by_role("option").all()] == ["草稿", "待审", "已发布"]
    page.keyboard.press("Escape")
    shot(page, "1-new-unit")


def test_a_new_unit_with_honours_a_member_a_photo_and_draft_status(cms, workbench, tmp_path):
    repo, _, _, _ = workbench
    page = cms
    started = time.monotonic()
    page.get_by_role("link", name="新建先进典型").click()
    retype(field(page, "名称"), "某某社区党委")
    expect(field(page, "编号")).to_have_value("moumou-shequ-dangwei")  # pinyin, as `make new`
    field(page, "领域").click()
    page.get_by_role("option", name="社区", exact=True).click()
    retype(field(page, "所在苏木乡镇或街道"), "某某街道")
    page.get_by_role("button", name="新增荣誉").click()
    retype(field(page, "荣誉名称"), "全国“五好”党组织风采大赛")
    retype(field(page, "年份"), "2010")
    field(page, "级别").click()
    page.get_by_role("option", name="国家级", exact=True).click()
    field(page, "相关党员").click()
    page.keyboard.type("姜天")
    page.get_by_role("option", name="姜天佑").click()                   # chosen by name
    original = phone_photo(tmp_path / "支部活动 照片.jpg")
    page.get_by_role("button", name="选择图片").first.click()
    page.locator("input[type=file]").set_input_files(str(tmp_path / "支部活动 照片.jpg"))
    page.get_by_role("button", name="选用选中的文件").click()
    retype(field(page, "照片说明").first, "社区党委书记在党员活动室讲党课")
    retype(field(page, "联系人"), "张三")              # the model's extra field
    field(page, "状态").click()
    page.get_by_role("option", name="草稿", exact=True).click()
    body = page.locator('[aria-label="markdown 输入项"] [contenteditable="true"]')
    body.click()
    page.keyboard.type("## 基本情况")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("社区党委组织党员入户走访。")
    shot(page, "2-unit-filled")
    save(page)
    page.wait_for_url(re.compile(r"/entries/moumou-shequ-dangwei$"))
    checked = wait_for_checked(page)
    assert "检查通过" in checked.locator("#zlt-problems").inner_text()
    frame = checked.frame_locator("#zlt-preview-frame")
    frame.get_by_role("heading", name=re.compile("某某社区党委")).wait_for()
    assert "草稿，尚未发布" in frame.locator("body").inner_text()
    shot(page, "3-unit-saved")
    print(f"\nnew unit: form to page in the preview {time.monotonic() - started:.1f} s")

    # The file: the model's order, nothing empty, the photo cleaned, the check passing.
    path = repo / UNIT
    data = front(path)
    model = list(schema_for(repo).kinds["unit"].fields)
    assert list(data) == [f for f in model if f in data]
    stored = f"media/photos/支部活动-照片-{hashlib.sha256(original).hexdigest()[:8]}.jpg"   # no other photo's name
    assert data == {"name": "某某社区党委", "sector": "社区", "town": "某某街道",
                    "honours": [{"title": "全国“五好”党组织风采大赛", "year": 2010, "level": "国家级"}],
                    "members": ["jiang-tianyou"], "photo": stored,
                    "photo_alt": "社区党委书记在党员活动室讲党课", "contact": "张三", "status": "draft"}
    assert "## 基本情况\n\n社区党委组织党员入户走访。" in path.read_text(encoding="utf-8")
    photo = repo / stored
    assert not has_location(photo) and b"HUAWEI" not in photo.read_bytes()
    assert pixels(photo.read_bytes()) == pixels(original)
    done = check(repo)
    assert done.returncode == 0, done.stdout


def test_another_photo_of_the_same_name_leaves_the_first_one_byte_for_byte(cms, workbench, tmp_path):
    """The review's case: a new member, a different photo also called
    支部活动 照片.jpg. Before, Decap asked in English whether to replace the
    file, and on OK the unit's photo was silently replaced."""
    repo, _, _, _ = workbench
    page = cms
    unit_photo = front(repo / UNIT)["photo"]
    kept = (repo / unit_photo).read_bytes()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    new_member = page.url.split("#")[0] + "#/collections/member/new"
    page.goto(new_member)
    retype(field(page, "姓名"), "某某")
    expect(field(page, "编号")).to_have_value("moumou")
    other = tmp_path / "支部活动 照片.jpg"
    Image.new("RGB", (800, 600), (20, 90, 160)).save(other, "JPEG", quality=90)
    page.get_by_role("button", name="选择图片").first.click()
    page.locator("input[type=file]").set_input_files(str(other))
    page.get_by_role("button", name="选用选中的文件").click()
    retype(field(page, "照片说明").first, "某某在走访群众")
    save(page)
    page.wait_for_url(re.compile(r"/entries/moumou$"))
    member = repo / "exemplars/members/moumou.md"
    end = time.monotonic() + TIMEOUT / 1000
    while not member.is_file() or "photo" not in front(member):
        assert time.monotonic() < end, "the member was not saved"
        time.sleep(0.1)
    stored = front(member)["photo"]
    assert stored == f"media/photos/支部活动-照片-{hashlib.sha256(other.read_bytes()).hexdigest()[:8]}.jpg"
    assert stored != unit_photo and (repo / unit_photo).read_bytes() == kept
    assert pixels((repo / stored).read_bytes()) == pixels(other.read_bytes())
    assert not [m for m in dialogs if "already exists" in m or "replace" in m]

    # The same photo once more: already there, said in Chinese, nothing replaced.
    page.goto(new_member)
    field(page, "姓名").wait_for()
    page.get_by_role("button", name="选择图片").first.click()
    page.locator("input[type=file]").set_input_files(str(other))
    end = time.monotonic() + 10
    while not dialogs and time.monotonic() < end:
        page.wait_for_timeout(100)
    assert dialogs and "已经在库中" in dialogs[-1] and "replace" not in dialogs[-1], dialogs
    assert (repo / unit_photo).read_bytes() == kept
    assert check(repo).returncode == 0


def edit_field(page, path: Path, collection: str, label: str, name: str, text: str) -> None:
    """Open a record in the workbench, retype one field, save, and wait for the file."""
    page.goto(page.url.split("#")[0] + f"#/collections/{collection}/entries/{path.stem}")
    retype(field(page, label), text)
    save(page)
    end = time.monotonic() + TIMEOUT / 1000
    while front(path).get(name) != text:
        assert time.monotonic() < end, f"{path} was not saved"
        time.sleep(0.1)


def test_a_red_sms_edited_and_saved(cms, workbench):
    repo, _, _, _ = workbench
    page = cms
    note = "# 编辑部备注：这条短信的作者待核实。\n"          # written by hand: kept by the workbench
    (repo / SMS).write_text(note + (repo / SMS).read_text(encoding="utf-8"), encoding="utf-8")
    before = front(repo / SMS)
    edit_field(page, repo / SMS, "sms", "短信内容", "text", "示例短信：初心如磐守岗位，使命在肩惠民生。")
    after = front(repo / SMS)
    assert after == {**before, "text": "示例短信：初心如磐守岗位，使命在肩惠民生。"}
    assert (repo / SMS).read_text(encoding="utf-8").startswith(note)
    assert list(after) == [f for f in schema_for(repo).kinds["sms"].fields if f in after]
    frame = wait_for_checked(page).frame_locator("#zlt-preview-frame")
    frame.get_by_text("初心如磐守岗位").wait_for()
    assert check(repo).returncode == 0
    shot(page, "4-sms-saved")


def test_a_figure_edited_and_saved(cms, workbench):
    repo, _, _, _ = workbench
    page = cms
    before = front(repo / FIGURE)
    edit_field(page, repo / FIGURE, "figure", "名称", "label", "培植党建工作典型")
    after = front(repo / FIGURE)
    assert after == {**before, "label": "培植党建工作典型"}          # rank, chart, featured kept
    assert list(after) == [f for f in schema_for(repo).kinds["figure"].fields if f in after]
    frame = wait_for_checked(page).frame_locator("#zlt-preview-frame")
    frame.get_by_text("培植党建工作典型").first.wait_for()
    assert check(repo).returncode == 0


def test_a_typo_is_shown_in_the_browser(cms, workbench):
    repo, _, _, _ = workbench
    page = cms
    edit_field(page, repo / "exemplars/sms/sample-sms-02.yml", "sms", "短信内容", "text",
               "示例短信：党员风彩耀网格，服务送到家门口。")
    problems = wait_for_checked(page).locator("#zlt-problems")
    problems.get_by_text("风彩").wait_for()
    text = problems.inner_text()
    assert "风采" in text and "第 1 行" in text and "错误" in text
    frame = pane(page).frame_locator("#zlt-preview-frame")
    assert "风采" in frame.locator("#zlt-preview-problems").inner_text()   # the preview's banner too
    shot(page, "5-typo-shown")
    assert check(repo).returncode == 1


def test_no_request_left_the_machine(requests_seen):
    assert len(requests_seen) > 50
    for url in requests_seen:
        parts = urllib.parse.urlsplit(url)
        assert parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1", url


def test_ctrl_c_stops_everything(workbench):
    repo, address, proc, log = workbench
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(30)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("a process of the workbench is still running")
    assert "已关闭编辑工作台" in log.read_text(encoding="utf-8")

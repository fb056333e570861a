"""mkdocs.yml's settings, for the steps that need them before MkDocs runs: the
fixed nav (网站地图), the Markdown extensions (body check) and the footer's
`extra:` (release check).

Read with MkDocs' own YAML loader, so that these steps see what the build will
see (!ENV resolved, !!python/name: imported, INHERIT merged); !relative only
means something while MkDocs renders a page, and is read as None here.

The department's settings (the site's address, the footer's items) are in a
file of their own, SETTINGS_FILE, which mkdocs.yml inherits (INHERIT): Chinese
comments, no Python tags, a form in the workbench. SETTINGS lists them, for
the form (editor/decap.py), the file's layout (editor/settings_file.py) and the
release check; `setting_line` says where a setting is written, for messages.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = "网站设置.yml"


@dataclass(frozen=True)
class Setting:
    key: str                 # "site_url", or "extra.contact" under extra:
    label: str               # the form's and the messages' name
    hint: str                # the file's comment above it and the form's hint
    required: bool = False   # make release refuses to publish without it
    widget: str = "string"   # string, image or links

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]


SETTINGS = (
    Setting("site_url", "网站正式网址",
            "网站的正式网址，以 https:// 开头、以 / 结尾，如 https://dangjian.zhalantun.gov.cn/。\n"
            "网页的规范链接、sitemap.xml、RSS 订阅和分享链接都由它生成。正式网址确定前，\n"
            "这里是本机预览地址，不是真实网址。", required=True),
    Setting("extra.sponsor", "主办单位", "主办单位：页脚“主办单位”和“版权所有”都显示它。", required=True),
    Setting("extra.motto", "报头标语", "报头标语（出自《扎兰屯市坚持“三动”工作法……》）。"),
    Setting("extra.contact", "联系方式", "联系我们：联系方式（电话，必填）、通信地址和电子邮箱（可不填）。", required=True),
    Setting("extra.address", "通信地址", ""),
    Setting("extra.email", "电子邮箱", ""),
    Setting("extra.icp_beian", "ICP 备案号",
            "ICP 备案号，如 蒙ICP备XXXXXXXX号-1（页脚链接到 https://beian.miit.gov.cn/）。", required=True),
    Setting("extra.police_beian", "公安机关备案号", "公安机关备案号，如 蒙公网安备 XXXXXXXXXXXXXX号。", required=True),
    Setting("extra.site_code", "网站标识码", "网站标识码（政府网站的 10 位标识码）。", required=True),
    Setting("extra.gov_badge", "党政机关网站标识",
            "党政机关网站标识：标识图片放在 content/ 下，这里写它的位置，如 assets/gov-badge.png。",
            required=True, widget="image"),
    Setting("extra.links", "相关链接", "相关链接：页脚列出的上级党组织和政府网站（名称和网址）。", widget="links"),
)


def site_config(root: Path) -> dict:
    """mkdocs.yml of `root` as a dict, the settings file merged in ({} if there
    is none or it is not a mapping).

    Raises mkdocs.exceptions.ConfigurationError if it is not valid YAML. Read
    once per version of the files; the dict is shared: do not change it."""
    path = (root / "mkdocs.yml").resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    try:
        inherited = (root / SETTINGS_FILE).stat()
        version = (inherited.st_mtime_ns, inherited.st_size)
    except FileNotFoundError:
        version = None
    return _read(path, stat.st_mtime_ns, stat.st_size, version)


@functools.lru_cache(maxsize=16)
def _read(path: Path, mtime_ns: int, size: int, settings_version) -> dict:
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load
    loader = get_yaml_loader()
    loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    with open(path, encoding="utf-8") as f:
        config = yaml_load(f, loader)
    return config if isinstance(config, dict) else {}


def setting_line(root: Path, key: str, section: str = "") -> tuple[str, int]:
    """(file, line) where a setting is written: the settings file's line, else
    mkdocs.yml's; where neither has it, the line of its section (or 1) of the
    settings file if there is one. The parsed config has no line numbers."""
    files = [name for name in (SETTINGS_FILE, "mkdocs.yml") if (root / name).is_file()] or ["mkdocs.yml"]
    fallback = None
    for name in files:
        try:
            lines = (root / name).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        in_section = not section
        for n, line in enumerate(lines, 1):
            if section and re.match(r"\S", line) and not line.lstrip().startswith("#"):
                in_section = line.startswith(f"{section}:")
                if in_section and fallback is None:
                    fallback = (name, n)
                continue
            if in_section and re.match(rf"\s+{key}\s*:" if section else rf"{key}\s*:", line):
                return name, n
    return fallback or (files[0], 1)

"""Synthetic content repositories for scale tests and `make bench`.

    python -m scripts.dev.synth --count 10000 --out /tmp/synth-10k

writes a whole content repository (mkdocs.yml, templates/, the shipped
hand-written pages of content/, and N generated records of every kind of the
model) that the real pipeline builds: `python -m scripts --root /tmp/synth-10k build`.

The records are made from the model alone (scripts/records/schema.yaml, or
`--model` another one): every field from its type, enum values, references,
required flag, bounds and maximum length, so that a kind added to the model
is generated, checked and benchmarked like the others with no change here.
Optional fields are filled except media (there are no files to point at)
and what describes them (photo_alt beside photo), patterned text no
candidate fits, and the editors' notes and 三审 records; a required media
field gets a small placeholder file.

Every record is `sample: true` and every title says 示例: the text is put
together from a vocabulary of party-building phrases, with no real names.
The output depends only on (model, count, seed).
"""
from __future__ import annotations

import math

import argparse
import random
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from ..records.schema import SCHEMA_PATH, Field, Kind, Schema, Struct, schema_for

ROOT = Path(__file__).resolve().parents[2]

# Share of each kind in N records: roughly the mix of a decade of a county
# site (many news posts and members, fewer units and films, few figures). A
# kind of the model not named here gets DEFAULT_SHARE; the shares are then
# scaled to sum to one, so today's kinds keep today's counts.
SHARES = {"news": 0.30, "member": 0.30, "unit": 0.15, "video": 0.08, "sms": 0.14, "figure": 0.01, "notice": 0.02}
DEFAULT_SHARE = 0.05
# The share of records with an item in each optional list of structs (honours,
# broadcasts): about one in four, as in the shipped content (at 10,000 records,
# the honours list has as many pages as it had when a third of the units and
# a quarter of the members were honoured); and with their optional list of
# references.
LIST_SHARE = 0.275
REFS_SHARE = 0.5
FEATURED = 3          # the first records of each kind are featured (the home page)
FIRST_DAY, DAYS = date(2016, 1, 1), 3650    # dates spread over a decade

PLACES = ["向阳", "红旗", "团结", "前进", "胜利", "幸福", "和平", "光明", "新华", "东升",
          "青松", "长青", "兴安", "富民", "太平", "丰收", "永安", "建设", "民主", "繁荣"]
SUBJECTS = ["党支部", "党员干部", "驻村工作队", "网格党小组", "党员志愿服务队", "第一书记",
            "党员中心户", "“两新”组织党组织", "机关党员", "社区党委"]
ACTIONS = ["坚持以党建引领基层治理", "深入开展党员积分制管理", "认真落实“三会一课”制度",
           "扎实推进党建功能区建设", "建立党员联系服务群众制度", "开展“主题党日”活动",
           "推行“一编三定”党员管理办法", "把支部建在产业链上", "实行党务村务财务公开",
           "利用远程教育终端组织党员学习", "落实“一把手”抓党建工作责任", "开展结对帮扶活动",
           "组织党员设岗定责", "开展红色短信征集活动", "推进党建工作定期汇报制度"]
RESULTS = ["群众满意度明显提升", "基层党组织的凝聚力和战斗力不断增强", "带动周边农户增收致富",
           "形成了全面抓党建、全员抓党建、全程抓党建的格局", "党员先锋模范作用充分发挥",
           "一批群众关心的难题得到解决", "党建工作与中心工作深度融合", "服务群众“最后一公里”全面打通",
           "集体经济收入逐年增加", "党员队伍结构进一步优化"]
DETAILS = ["每月固定开展一次集中学习", "建立了党员先锋岗和责任区", "定期走访困难党员和群众",
           "把群众的意见建议记录在册、逐条办理", "邀请老党员讲述入党故事", "在农忙时节组织党员帮工",
           "通过微信群及时发布政策信息", "为留守老人和儿童提供志愿服务", "组织党员参加技能培训",
           "设立党员示范田和示范户", "开展“亮身份、作表率”活动", "推动党员在防汛和防火中冲在一线"]
# A list of short texts (news categories) is what lists are grouped by: a
# few values, as editors use, so that each group has many records.
TAGS = ["党建动态", "基层党建", "组织工作", "干部教育", "人才工作", "远程教育"]
HEADINGS = ["基本情况", "主要做法", "取得成效", "经验启示"]
# Placeholder files for required media fields, by media type.
PLACEHOLDERS = {"image": ("synth.png", None), "video": ("synth.mp4", b""), "subtitles": ("synth.vtt", b"WEBVTT\n")}
MEDIA_DIR = "media/synth"
# Optional fields no generated record carries: the editors' notes, and 三审,
# which only people give (samples need none).
LEFT_OUT = {"note", "review"}


class Writer:
    """Deterministic text from the vocabulary above."""

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def pick(self, items):
        return self.rnd.choice(items)

    def sentence(self) -> str:
        r = self.rnd
        return f"{r.choice(SUBJECTS)}{r.choice(ACTIONS)}，{r.choice(DETAILS)}，{r.choice(RESULTS)}。"

    def paragraph(self, n: int = 3) -> str:
        return "".join(self.sentence() for _ in range(self.rnd.randint(n, n + 2)))

    def body(self, sections: int) -> str:
        parts = []
        for heading in HEADINGS[:sections]:
            parts.append(f"## {heading}\n\n{self.paragraph()}\n\n{self.paragraph()}\n")
        return "\n".join(parts)

    def summary(self) -> str:
        return f"示例记录：{self.pick(ACTIONS)}，{self.pick(RESULTS)}。"


def _chosen(number: int, share: float) -> bool:
    """Whether record `number` (1, 2, …) is one of the `share` of its kind:
    evenly spread, exactly int(N × share) of the first N."""
    return int(number * share) > int((number - 1) * share)


def _fit(text: str, limit: float | None) -> str:
    return text[: int(limit)] if limit else text


@dataclass
class _Record:
    """What a field's value may depend on."""
    kind: Kind
    number: int          # 1-based, within its kind
    count: int           # records of its kind


class Generator:
    def __init__(self, out: Path, schema: Schema, counts: dict[str, int], seed: int):
        self.out, self.schema, self.counts = out, schema, counts
        self.w = Writer(seed)
        self.ids = {name: [record_id(name, i) for i in range(1, n + 1)] for name, n in counts.items()}

    # --- one value per field type -------------------------------------------

    def value(self, f: Field, rec: _Record, required: bool) -> Any:
        """A valid value for `f`, or None to leave the field out."""
        w, n = self.w, rec.number
        t = f.type
        if t in ("string", "text"):
            if f.pattern:
                return self.patterned(f, rec, required)
            if f.name == rec.kind.title_field:
                return self.title(f, rec)
            if t == "text":
                text = w.summary() if (f.max or 0) <= 300 else w.paragraph(1)
                return _fit(text, f.max)
            return _fit(f"示例{w.pick(PLACES)}{w.pick(SUBJECTS)}", f.max)
        if t in ("int", "number"):
            low = f.min if f.min is not None else 1
            high = f.max if f.max is not None else low + 499
            if low >= 1900 and high >= 2022:     # a year: within the decade the dates span
                low, high = max(low, 2008), min(high, 2022)
            # Whole numbers within the bounds (a fractional minimum rounds up).
            return w.rnd.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))
        if t == "bool":
            return n <= FEATURED
        if t == "date":
            return self.day(rec).isoformat()
        if t == "enum":
            return f.values[n % len(f.values)] if f.values else None
        if t in ("ref", "ref_or_text"):
            targets = [i for k in f.kinds for i in self.ids.get(k, [])]
            if targets:
                return w.pick(targets)
            return _fit(f"示例{w.pick(SUBJECTS)}", f.max or 60) if t == "ref_or_text" else None
        if t == "media":
            return self.placeholder(f.media) if required else None
        if t == "struct":
            return self.struct(f.items, rec)
        if t == "list":
            return self.list_value(f, rec, required)
        raise ValueError(f"synth: unknown field type {t!r} of {f.name}")

    def title(self, f: Field, rec: _Record) -> str:
        suffix = f"（{rec.number:05d}）"
        if f.type == "text":
            return _fit(f"示例{self.w.sentence()}", f.max)
        room = int(f.max) - len(suffix) if f.max else 40
        return (f"示例{rec.kind.label}：{self.w.pick(SUBJECTS)}{self.w.pick(ACTIONS)}"[:max(room, 2)] + suffix
                if room > 2 else f"示例{rec.number}"[: int(f.max)])

    def patterned(self, f: Field, rec: _Record, required: bool) -> str | None:
        """The first of a few plausible values that fits the field's pattern
        (a duration, an id, a number, a year…); None when none does and the
        field may be left out."""
        n = rec.number
        candidates = [f"{10 + n % 20}:{n % 60:02d}", f"synth-{n}", str(n), f"示例{n}", self.day(rec).isoformat(),
                      f"{2008 + n % 15}", f"sha256:{'0' * 64}"]
        for value in candidates:
            if re.search(f.pattern, value) and (not f.max or len(value) <= f.max):
                return value
        if required:
            raise ValueError(f"synth: no value for {rec.kind.name}.{f.name} fits its pattern {f.pattern}")
        return None

    def day(self, rec: _Record) -> date:
        return FIRST_DAY + timedelta(days=rec.number * DAYS // max(rec.count, 1))

    def struct(self, struct: Struct, rec: _Record) -> dict | None:
        data = {}
        for name, f in struct.fields.items():
            value = self.value(f, rec, f.required)
            if value is None and f.required:
                return None
            if value is not None:
                data[name] = value
        return data

    def list_value(self, f: Field, rec: _Record, required: bool) -> list | None:
        item, n = f.items, rec.number
        if isinstance(item, Struct):
            needs_files = any(s.type == "media" and s.required for s in item.fields.values())
            if not required and (needs_files or not _chosen(n, LIST_SHARE)):
                return None
            one = self.struct(item, rec)
            return [one] if one else None
        if item.type in ("ref", "ref_or_text"):
            if not required and not _chosen(n, REFS_SHARE):
                return None
            picked = sorted({self.value(item, rec, True) for _ in range(self.w.rnd.randint(1, 3))} - {None})
            return picked or None
        if item.type in ("string", "text") and not item.pattern:
            return [_fit(TAGS[n % len(TAGS)], item.max)]
        value = self.value(item, rec, True)
        return [value] if value is not None else None

    def placeholder(self, media: str) -> str:
        name, data = PLACEHOLDERS[media]
        path = self.out / MEDIA_DIR / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is None:
                from PIL import Image
                Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
            else:
                path.write_bytes(data)
        return f"{MEDIA_DIR}/{name}"

    # --- records ----------------------------------------------------------------

    def record(self, kind: Kind, number: int) -> dict:
        rec = _Record(kind, number, self.counts[kind.name])
        data: dict[str, Any] = {}
        for name, f in kind.fields.items():
            if name in LEFT_OUT or (not f.required and self.companion(kind, name, data)):
                continue
            if name == "sample":
                value = True
            elif name == "status":
                value = "published" if "published" in f.values else f.default
            else:
                value = self.value(f, rec, f.required)
            if value is None and f.required:
                raise ValueError(f"synth: no value for the required field {kind.name}.{name}")
            if value is not None:
                data[name] = value
        return data

    @staticmethod
    def companion(kind: Kind, name: str, data: dict) -> bool:
        """Whether `name` describes a media field left out (photo_alt, photo_caption
        beside photo): a description of no picture is what check warns of."""
        media, _, rest = name.partition("_")
        return bool(rest) and media not in data and getattr(kind.fields.get(media), "type", "") == "media"

    def write(self, kind: Kind) -> None:
        folder = self.out / Path(kind.path).parent
        folder.mkdir(parents=True, exist_ok=True)
        suffix = Path(kind.path).suffix
        for number, rid in enumerate(self.ids[kind.name], 1):
            data = self.record(kind, number)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            if kind.front_matter:
                # A lead (the excerpt lists may show), then one or two sections:
                # short and long records alike, about as long as the shipped ones.
                body = f"{self.w.paragraph()}\n\n<!-- more -->\n\n{self.w.body(1 + number % 2)}"
                text = f"---\n{text}---\n\n{body}"
            (folder / f"{rid}{suffix}").write_text(text, encoding="utf-8")


def record_id(kind_name: str, number: int) -> str:
    return f"synth-{kind_name.replace('_', '-').lower()}-{number:05d}"


def split(schema: Schema, count: int) -> dict[str, int]:
    """Records per kind, in the model's order: at least one each, the
    remainder to the largest share (the last of equals)."""
    if count < len(schema.kinds):
        raise ValueError(f"synth: {count} records cannot give each of the {len(schema.kinds)} kinds one")
    shares = {name: SHARES.get(name, DEFAULT_SHARE) for name in schema.kinds}
    total = sum(shares.values())
    counts = {name: max(1, int(count * share / total)) for name, share in shares.items()}
    order = list(shares)
    largest = max(order, key=lambda name: (shares[name], order.index(name)))
    while sum(counts.values()) > count:      # the minimum of one each, at a small count
        counts[max(order, key=lambda name: (counts[name], order.index(name)))] -= 1
    counts[largest] += count - sum(counts.values())
    return counts


def generate(out: Path, count: int, seed: int = 0, model: Path | None = None) -> dict[str, int]:
    """Write a content repository with `count` sample records into `out` (which
    must not be this repository), with the project's model or `model` (a
    schema.yaml, copied into the repository as its own). Returns the number
    of records per kind."""
    out = out.resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise ValueError("refusing to write synthetic records into the real repository")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("mkdocs.yml", "网站设置.yml"):
        shutil.copyfile(ROOT / name, out / name)
    shutil.copytree(ROOT / "templates", out / "templates")
    if model is not None:
        (out / SCHEMA_PATH).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model, out / SCHEMA_PATH)
    schema = schema_for(out)
    # The hand-written pages, not the shipped records (the folders of the kinds).
    record_folders = {(ROOT / Path(k.path).parent).resolve() for k in schema.kinds.values()}
    shutil.copytree(ROOT / "content", out / "content",
                    ignore=lambda d, names: names if Path(d).resolve() in record_folders else [])
    counts = split(schema, count)
    generator = Generator(out, schema, counts, seed)
    for kind in schema.kinds.values():
        generator.write(kind)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.synth",
                                     description="生成示例内容仓库（用于规模测试和性能基准）")
    parser.add_argument("--count", type=int, required=True, help="记录总数")
    parser.add_argument("--out", type=Path, required=True, help="输出目录（会被清空重建）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（相同种子生成相同内容）")
    parser.add_argument("--model", type=Path, help="另一份数据模型（schema.yaml），写入输出仓库作为其自己的模型")
    args = parser.parse_args(argv)
    counts = generate(args.out, args.count, args.seed, args.model)
    print(f"已生成 {sum(counts.values())} 条示例记录到 {args.out}："
          + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

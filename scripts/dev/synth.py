"""Synthetic content repositories for scale tests and `make bench`.

    python -m scripts.dev.synth --count 10000 --out /tmp/synth-10k

writes a whole content repository (mkdocs.yml, templates/, the shipped
hand-written pages of content/, and N generated records of every kind) that
the real pipeline builds: `python -m scripts --root /tmp/synth-10k build`.

Every record is `sample: true` and every name says 示例: the text is put
together from a vocabulary of party-building phrases, with no real names.
The output depends only on (count, seed).
"""
from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# Share of each kind in N records: roughly the mix of a decade of a county
# site (many news posts and members, fewer units and films, few figures).
SHARES = {"news": 0.30, "member": 0.30, "unit": 0.15, "video": 0.08, "sms": 0.16, "figure": 0.01}

PLACES = ["向阳", "红旗", "团结", "前进", "胜利", "幸福", "和平", "光明", "新华", "东升",
          "青松", "长青", "兴安", "富民", "太平", "丰收", "永安", "建设", "民主", "繁荣"]
ORGS = {
    "农村": ["嘎查党支部", "村党支部", "村党总支", "农民专业合作社党支部"],
    "社区": ["社区党委", "社区党支部", "小区网格党支部"],
    "两新组织": ["有限公司党支部", "商会党支部", "物流园区党委", "律师事务所党支部"],
    "机关": ["局机关党支部", "中心党支部", "办公室党支部", "所党支部"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
POSITIONS = ["党支部书记", "村委会主任", "网格员", "驻村第一书记", "党员中心户", "社区党委委员",
             "党建指导员", "党建联络员", "机关党支部组织委员", "合作社理事长"]
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
HONOURS = [("示例荣誉：先进基层党组织", "扎兰屯市级"), ("示例荣誉：五好党支部", "呼伦贝尔市级"),
           ("示例荣誉：党建工作示范点", "扎兰屯市级"), ("示例荣誉：服务型党组织", "自治区级"),
           ("示例荣誉：优秀共产党员", "扎兰屯市级"), ("示例荣誉：优秀党务工作者", "呼伦贝尔市级")]
CATEGORIES = ["党建动态", "基层党建", "组织工作", "干部教育", "人才工作", "远程教育"]
CHANNELS = ["扎兰屯电视台", "远程教育播放站点", "呼伦贝尔电视台"]
SMS_LINES = ["支部建在网格上，服务送到家门口", "党员带头一小步，群众致富一大步", "学理论常补精神之钙",
             "办实事多解群众之忧", "不忘初心守岗位", "牢记使命惠民生", "一名党员一面旗",
             "一个支部一座堡垒", "小事连着民心", "初心写在田野上", "家门口的党员最贴心"]
FIGURE_UNITS = ["个", "人", "次", "场", "户", "万元", "处"]
SECTIONS = ["机制推动", "宣传带动", "活动促动"]


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
        for heading in ["基本情况", "主要做法", "取得成效", "经验启示"][:sections]:
            parts.append(f"## {heading}\n\n{self.paragraph()}\n\n{self.paragraph()}\n")
        return "\n".join(parts)

    def summary(self) -> str:
        return f"示例记录：{self.pick(ACTIONS)}，{self.pick(RESULTS)}。"


def _split(count: int) -> dict[str, int]:
    counts = {k: max(1, int(count * share)) for k, share in SHARES.items()}
    counts["news"] += count - sum(counts.values())  # the remainder
    return counts


def _front(data: dict, body: str = "") -> str:
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{body}"


def generate(out: Path, count: int, seed: int = 0) -> dict[str, int]:
    """Write a content repository with `count` sample records into `out` (which
    must not be this repository). Returns the number of records per kind."""
    out = out.resolve()
    if out == ROOT or ROOT.is_relative_to(out):
        raise ValueError("refusing to write synthetic records into the real repository")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copyfile(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", out / "templates")
    # The hand-written pages and the news index, not the shipped records.
    shutil.copytree(ROOT / "content", out / "content",
                    ignore=lambda d, names: names if Path(d).name == "posts" else [])
    for d in ("exemplars/units", "exemplars/members", "exemplars/videos", "content/news/posts"):
        (out / d).mkdir(parents=True, exist_ok=True)

    w = Writer(seed)
    n = _split(count)
    units = [f"synth-unit-{i:05d}" for i in range(1, n["unit"] + 1)]
    members = [f"synth-member-{i:05d}" for i in range(1, n["member"] + 1)]
    videos = [f"synth-video-{i:05d}" for i in range(1, n["video"] + 1)]
    unit_members: dict[str, list[str]] = {u: [] for u in units}
    member_unit = {m: w.pick(units) for m in members}
    for m, u in member_unit.items():
        unit_members[u].append(m)
    video_subjects = {v: sorted({w.pick(units), w.pick(members)}) for v in videos}
    unit_videos: dict[str, list[str]] = {u: [] for u in units}
    for v, subjects in video_subjects.items():
        for s in subjects:
            if s in unit_videos:
                unit_videos[s].append(v)

    sectors = list(ORGS)
    for i, uid in enumerate(units, 1):
        sector = sectors[i % len(sectors)]
        place = w.pick(PLACES)
        data = {"name": f"示例{place}{w.pick(ORGS[sector])}（{i:05d}）", "sector": sector,
                "town": f"示例{w.pick(PLACES)}镇", "summary": w.summary()}
        if i % 3 == 0:
            title, level = w.pick(HONOURS[:4])
            data["honours"] = [{"title": title, "year": 2008 + i % 15, "body": "示例授予单位", "level": level}]
        # Half the links are kept on both sides, half only on the member/video.
        if unit_members[uid] and i % 2:
            data["members"] = unit_members[uid][:5]
        if unit_videos[uid] and i % 2:
            data["videos"] = unit_videos[uid][:3]
        data.update(featured=i <= 3, sample=True, status="published")
        (out / f"exemplars/units/{uid}.md").write_text(_front(data, w.body(3)), encoding="utf-8")

    for i, mid in enumerate(members, 1):
        data = {"name": f"{w.pick(SURNAMES)}某某（示例{i:05d}）", "unit": member_unit[mid],
                "position": w.pick(POSITIONS), "summary": w.summary()}
        if i % 4 == 0:
            title, level = w.pick(HONOURS[4:])
            data["honours"] = [{"title": title, "year": 2008 + i % 15, "level": level}]
        data.update(featured=i <= 3, sample=True, status="published")
        (out / f"exemplars/members/{mid}.md").write_text(_front(data, w.body(2)), encoding="utf-8")

    for i, vid in enumerate(videos, 1):
        data = {"title": f"示例专题片：{w.pick(PLACES)}{w.pick(['初心', '先锋', '堡垒', '红旗', '连心桥'])}（{i:05d}）",
                "year": 2008 + i % 15, "duration": f"{10 + i % 20}:{i % 60:02d}",
                "producer": "示例制作单位", "subjects": video_subjects[vid],
                "broadcasts": [{"channel": w.pick(CHANNELS), "date": f"{2008 + i % 15}-0{1 + i % 9}-1{i % 10}"}],
                "summary": w.summary(), "featured": i <= 3, "sample": True, "status": "published"}
        (out / f"exemplars/videos/{vid}.md").write_text(_front(data, w.body(1)), encoding="utf-8")

    (out / "exemplars/sms").mkdir(parents=True, exist_ok=True)
    for i in range(1, n["sms"] + 1):
        data = {"text": f"示例短信：{w.pick(SMS_LINES)}，{w.pick(SMS_LINES)}。",
                "author": "示例作者", "unit": w.pick(units), "award": w.pick(["一等奖", "二等奖", "三等奖"]),
                "round": f"示例第{1 + i % 10}批", "sample": True, "status": "published"}
        (out / f"exemplars/sms/synth-sms-{i:05d}.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    (out / "exemplars/figures").mkdir(parents=True, exist_ok=True)
    for i in range(1, n["figure"] + 1):
        data = {"value": w.rnd.randint(2, 500), "unit": w.pick(FIGURE_UNITS),
                "label": f"示例指标{i:05d}", "wording": f"示例表述：{w.sentence()}",
                "section": w.pick(SECTIONS), "featured": i <= 4, "sample": True}
        (out / f"exemplars/figures/synth-figure-{i:05d}.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    start = date(2016, 1, 1)
    for i in range(1, n["news"] + 1):
        day = start + timedelta(days=i * 3650 // max(n["news"], 1))
        data = {"title": f"示例动态：{w.pick(SUBJECTS)}{w.pick(ACTIONS)}（{i:05d}）", "date": day.isoformat(),
                "categories": [w.pick(CATEGORIES)], "summary": w.summary(), "sample": True,
                "status": "published"}
        body = f"{w.paragraph()}\n\n<!-- more -->\n\n{w.body(2)}"
        (out / f"content/news/posts/synth-news-{i:05d}.md").write_text(_front(data, body), encoding="utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.synth",
                                     description="生成示例内容仓库（用于规模测试和性能基准）")
    parser.add_argument("--count", type=int, required=True, help="记录总数")
    parser.add_argument("--out", type=Path, required=True, help="输出目录（会被清空重建）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（相同种子生成相同内容）")
    args = parser.parse_args(argv)
    counts = generate(args.out, args.count, args.seed)
    print(f"已生成 {sum(counts.values())} 条示例记录到 {args.out}："
          + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

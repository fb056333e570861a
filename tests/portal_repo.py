"""A content repository with a few real records and no sample at all: what the
department's site looks like once the samples are deleted. The home page and
every list must still look complete."""
from __future__ import annotations

import io

REVIEW = "review: {first: {by: 编辑部, date: 2026-01-05}, second: {by: 编辑部, date: 2026-01-05}, final: {by: 编辑部, date: 2026-01-05}}"

UNITS = {"hongxing-cun": ("红星村党支部", "农村", "红星镇", "带领村民发展庭院经济的村党支部。"),
         "xingfu-shequ": ("幸福社区党委", "社区", "兴华街道", "以网格化服务群众的社区党委。")}
FIGURES = [("dianxing", 12, "", "个", "培植党建典型", True),
           ("peixun", 240, "多", "人次", "培训党员", True),
           ("touru", 30, "余", "万元", "站点设备投入", False)]


def photo_bytes(colour=(160, 40, 30)) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (800, 450), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


def write_real_records(repo) -> None:
    """Writes the records into a `repo` fixture (an empty repository), with the
    hand-written pages the menu names (content/sandong/)."""
    import shutil
    from pathlib import Path
    shutil.copytree(Path(__file__).resolve().parents[1] / "content" / "sandong", repo.path / "content" / "sandong",
                    dirs_exist_ok=True)
    repo.write("media/photos/hongxing.jpg", photo_bytes())
    repo.write("media/photos/huiyi.jpg", photo_bytes((40, 60, 140)))
    for rid, (name, sector, town, summary) in UNITS.items():
        photo = ("photo: media/photos/hongxing.jpg\nphoto_alt: 红星村党员在田间查看庄稼长势\n"
                 "photo_caption: 图为红星村党员在田间查看庄稼长势。\n") if rid == "hongxing-cun" else ""
        repo.write(f"exemplars/units/{rid}.md",
                   f"---\nname: {name}\nsector: {sector}\ntown: {town}\nsummary: {summary}\n{photo}"
                   f"featured: true\n{REVIEW}\nstatus: published\n---\n\n## 主要做法\n\n{name}坚持支部带头。\n")
    repo.write("exemplars/members/wang-hong.md",
               f"---\nname: 王红\nunit: hongxing-cun\nposition: 党支部书记\nsummary: 扎根农村二十年的党支部书记。\n"
               f"{REVIEW}\nstatus: published\n---\n\n王红同志带头致富。\n")
    repo.write("exemplars/videos/tianye-shouwang.md",
               f"---\ntitle: 田野守望\nyear: 2025\nduration: '12:30'\nsubjects: [hongxing-cun]\n"
               f"broadcasts:\n  - channel: 扎兰屯电视台\nsummary: 记录红星村党支部的专题片。\n"
               f"{REVIEW}\nstatus: published\n---\n\n本片讲述红星村党支部的故事。\n")
    repo.write("content/news/posts/chunji-peixun.md",
               f"---\ntitle: 我市举办春季党员培训班\ndate: 2026-03-02\ncategories: [党建动态]\n"
               f"summary: 市委组织部举办春季党员培训班，240多人次参加。\nsource: 市委组织部\nauthor: 李明\neditor: 张华\n"
               f"photo: media/photos/huiyi.jpg\nphoto_alt: 培训班现场，党员在会场听课\nphoto_caption: 图为培训班现场。\n"
               f"{REVIEW}\nstatus: published\n---\n\n3月2日，市委组织部举办春季党员培训班。\n\n## 培训内容\n\n培训围绕党的基本知识展开。\n")
    repo.write("content/news/posts/dongji-zoufang.md",
               f"---\ntitle: 冬季走访困难党员\ndate: 2026-01-10\ncategories: [党建动态]\n"
               f"summary: 各党支部走访慰问困难党员。\n{REVIEW}\nstatus: published\n---\n\n各党支部走访慰问困难党员。\n")
    # One file per figure; rank keeps FIGURES' order on the figures page.
    for rank, (fid, value, qualifier, unit, label, featured) in enumerate(FIGURES, 1):
        repo.write(f"exemplars/figures/{fid}.yml",
                   f"value: {value}\n" + (f"qualifier: {qualifier}\n" if qualifier else "")
                   + f"unit: {unit}\nlabel: {label}\nwording: 共{label}{value}{qualifier}{unit}。\n"
                   f"section: 宣传带动\n" + ("featured: true\n" if featured else "") + f"rank: {rank}\n")

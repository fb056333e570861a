"""Editors' command line: python -m scripts <command> (messages in Chinese).

The pipeline, one package a stage: records (the model and the files) → check
(every rule) → render (Markdown through the templates) → build (mkdocs, feed,
search index, the swap or the zip); print, beside build, typesets the same
checked records to PDF; editor holds the editors' tools, dev the developers'
(benchmarks, synthetic content), which nothing here imports.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import collector
from .problems import InputError

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description="扎兰屯党建网 网站生成工具")
    parser.add_argument("--root", type=Path, default=ROOT, help="内容仓库所在目录（默认为本仓库）")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    p_build = sub.add_parser("build", help="校验记录并构建网站到 site/")
    p_build.add_argument("--preview", action="store_true", help="预览版：包含未发布的记录，并加标注")
    p_build.add_argument("--site", type=Path, help="输出目录（默认为 site/）")
    p_build.add_argument("--full", action="store_true", help="完整构建（默认只重新生成有变化的页面）")
    p_offline = sub.add_parser("offline", help="生成离线版压缩包（供远程教育终端使用，解压后从 file:// 打开）")
    p_offline.add_argument("--out", type=Path, help="压缩包位置（默认为 dist/zhalantun-dangjian-offline.zip）")
    p_check = sub.add_parser("check", help="校验全部记录和页面（含错别字），列出所有问题")
    p_check.add_argument("--release", action="store_true", help="发布前检查：另查示例记录、未发布的链接、页脚备案信息")
    p_new = sub.add_parser("new", help="新建一条记录（草稿），如：new unit 某某党支部")
    p_new.add_argument("kind", nargs="?", default="",
                       help="记录类型：unit 先进典型、member 优秀共产党员、video 专题片、sms 红色短信、news 工作动态")
    p_new.add_argument("name", nargs="?", default="", help="名称、姓名、片名、标题或短信内容")
    p_samples = sub.add_parser("samples", help="删除全部示例记录及对它们的引用（默认只列出将删除的内容）")
    p_samples.add_argument("--yes", action="store_true", help="确认删除（不加此项时只列出，不改动文件）")
    p_publish = sub.add_parser("publish", help="发布前检查通过后，把网站发布到网站服务器（新版本目录，切换 current 链接）")
    _target_options(p_publish)
    p_publish.add_argument("--keep", type=int, default=5, help="保留最近几个版本（默认 5，至少 2）")
    p_publish.add_argument("--bwlimit", type=int, help="限制上传速度（KB/秒），以免占满单位网络")
    p_publish.add_argument("--nginx-conf", help="服务器上正在使用的 nginx 配置文件；给出时先核对其安全策略是否允许新网页")
    p_rollback = sub.add_parser("rollback", help="回退到上一个发布的版本（或 --to 指定的版本）")
    _target_options(p_rollback)
    p_rollback.add_argument("--to", help="回退到的版本名（见 releases 命令）")
    p_releases = sub.add_parser("releases", help="列出发布目标上的各个版本，标出正在使用的版本")
    _target_options(p_releases)
    p_nginx = sub.add_parser("nginx", help="根据 mkdocs.yml 和已生成的网站，生成 nginx 配置文件")
    p_nginx.add_argument("--site", type=Path, help="已生成的网站（默认为 site/）")
    p_nginx.add_argument("--out", type=Path, help="配置文件位置（默认为 .build/nginx/zhalantun-dangjian.conf）")
    p_nginx.add_argument("--target", default="", help="发布目标（网站目录为其下的 current），默认 /srv/zhalantun-dangjian")
    p_nginx.add_argument("--cert", help="证书文件（含中间证书）路径，默认为待替换的占位路径")
    p_nginx.add_argument("--key", help="证书私钥路径，默认为待替换的占位路径")
    p_nginx.add_argument("--hsts-subdomains", default="1",
                         help="1（默认）：HSTS 含 includeSubDomains，下级域名也只用 HTTPS；0：只对本站域名")
    p_print = sub.add_parser("print", help="排版印制：先进典型事迹材料汇编和专题片目录（PDF，写入 dist/）")
    p_print.add_argument("--poster", metavar="编号", help="只印制这条记录的 A4 海报，如：--poster moguqi-dangwei")
    p_print.add_argument("--review-sheet", metavar="编号",
                         help="只印制这条记录的信息发布审核单（三审的审核人、时间、意见和内容摘要），如：--review-sheet unit/moguqi-dangwei")
    p_print.add_argument("--samples", action="store_true", help="包含示例记录（每页标注“示例”，文件名带 -shili），仅供检查版面")
    p_print.add_argument("--out", type=Path, help="输出目录（默认为 dist/）")
    sub.add_parser("schema", help="把字段说明导出为 JSON Schema（.vscode/schemas/），供 VS Code 提示")
    p_clean = sub.add_parser("clean-photos", help="清除照片中的拍摄地点、相机型号等隐藏信息（画面不变）")
    p_clean.add_argument("photos", nargs="*", help="要清除的照片（默认：仓库中所有带拍摄地点的照片）")
    p_edit = sub.add_parser("edit", help="编辑工作台：在浏览器里用表单编辑记录，旁边是检查结果和网站预览")
    p_edit.add_argument("--address", default="127.0.0.1:8080", help="工作台地址，默认 127.0.0.1:8080（端口写 0 则自动选择）")
    p_save = sub.add_parser("save", help="检查后把修改过的记录和照片提交到 git，提交说明列出改了什么")
    p_save.add_argument("--dry-run", action="store_true", help="只列出将要提交的内容，不提交")
    p_newsroom = sub.add_parser("newsroom", add_help=False,
                                help="审稿系统（新闻编辑室）：init 初始化、user 账号管理、serve 本机试用")
    p_newsroom.add_argument("args", nargs=argparse.REMAINDER)
    p_audit = sub.add_parser("audit", help="网站自查：按政府网站检查指标（单项否决、扣分项）逐项自查，报告写入 .build/audit/index.html")
    p_audit.add_argument("--today", help="按哪一天自查（年-月-日，默认今天；也可用环境变量 ZLT_TODAY），如 --today 2026-12-20 看那天是否合格")
    p_audit.add_argument("--no-build", action="store_true", help="不试生成网站（更快；不查链接和每页的网站标识）")
    p_verify = sub.add_parser("verify", add_help=False,
                              help="防篡改：keygen 生成签名密钥；--target … 检查并恢复网站文件、报警；config 生成定时检查的 systemd 配置")
    p_verify.add_argument("args", nargs=argparse.REMAINDER)
    p_serve = sub.add_parser("serve", help="本地预览，修改后自动刷新（含未发布的记录）")
    p_serve.add_argument("--address", default="127.0.0.1:8000", help="预览地址，默认 127.0.0.1:8000")
    p_serve.add_argument("--framed-by", help="允许在框架中显示预览的页面地址（编辑工作台用）")
    p_serve.add_argument("--no-reload", action="store_true",
                         help="页面不自动刷新（审稿系统转发预览时用：由编辑页面在保存后刷新）")
    return parser


def _target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", default="", help="发布目标：本机目录（/srv/zhalantun-dangjian）或 用户@服务器:/目录")
    p.add_argument("--ssh", help="连接远程服务器的 ssh 命令，如 \"ssh -p 2222 -i ~/.ssh/deploy\"")


def main(argv: list[str] | None = None) -> int:
    # The newsroom's own command line takes everything after its name as it is
    # (argparse's REMAINDER would refuse a leading option such as --help).
    args, rest = _parser().parse_known_args(argv)
    if args.command in ("newsroom", "verify"):
        args.args = [*args.args, *rest]
    elif rest:
        _parser().parse_args(argv)   # the usual message and exit for unknown arguments
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # mkdocs lists every page left out of the fixed nav at INFO: by design.
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    root = args.root.resolve()
    if not (root / "mkdocs.yml").is_file():
        print(f"{root} 不是网站内容仓库（找不到 mkdocs.yml），请检查 --root。", file=sys.stderr)
        return 1
    what = {"offline": "离线版未生成", "print": "未生成 PDF"}.get(args.command, "网站未更新")
    try:
        return _run(args, root)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        print(f"发现 {len(e.problems)} 个错误，{what}。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"已中断，{what}。", file=sys.stderr)
        return 130
    except Exception as e:  # last resort: an editor must never see a traceback
        return _unexpected(e, what)


def _run(args, root: Path) -> int:
    return COMMANDS[args.command](root, args)


# Each handler imports its own stage, so that `check` never loads Django nor
# `newsroom` mkdocs: the command line starts as fast as its command allows.
def _newsroom(root: Path, args) -> int:
    import os
    os.environ.setdefault("NEWSROOM_REPO", str(root))
    from .newsroom.__main__ import main as newsroom_main
    return newsroom_main(args.args)


def _new(root: Path, args) -> int:
    from .editor.new import UsageError, new_record
    try:
        path, rid = new_record(root, args.kind, args.name)
    except UsageError as e:
        print(f"未新建记录：{e}", file=sys.stderr)
        return 1
    print(f"已新建草稿：{path.relative_to(root).as_posix()}（编号 {rid}）。请填写各字段，然后运行 make check。")
    return 0


def _schema(root: Path, args) -> int:
    from .editor.vscode import write_schemas
    for path in write_schemas(root):
        print(f"已写出：{path.relative_to(root).as_posix()}")
    if root == ROOT:  # the workbench's forms, committed beside the code that makes them
        from .editor.decap import write_config
        print(f"已写出：{write_config().relative_to(root).as_posix()}")
    return 0


def _clean_photos(root: Path, args) -> int:
    from .editor.photos import main as clean_photos
    return clean_photos(root, args.photos)


def _deploy(root: Path, args) -> int:
    from .deploy.publish import PublishError
    from .deploy import commands
    try:
        return commands.COMMANDS[args.command](root, args)
    except PublishError as e:
        print(f"{e}\n网站未改变。", file=sys.stderr)
        return 1


def _check(root: Path, args) -> int:
    from .check import check_repository
    built = True
    if args.release:
        from .deploy.gate import release_gate
        problems, site = release_gate(root)
        built = site is not None
    else:
        _, problems = check_repository(root)
    if args.release:
        from .check.release import release_summary
        for line in release_summary(problems):
            print(line)
    for p in problems:
        print(p)
    if not built:
        from .deploy.gate import NOT_BUILT
        print(NOT_BUILT + "。", file=sys.stderr)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if warnings:
        print(f"另有 {warnings} 条提醒（不影响通过）。", file=sys.stderr)
    if errors:
        print(f"发现 {errors} 个错误，请按提示修改。", file=sys.stderr)
        return 1
    print("发布前检查通过。" if args.release else "检查通过。")
    return 0


def _edit(root: Path, args) -> int:
    from .editor.workbench import edit
    return edit(root, args.address)


def _save(root: Path, args) -> int:
    from .editor.save import save
    return save(root, dry_run=args.dry_run)


def _serve(root: Path, args) -> int:
    from .editor.serve import serve
    serve(root, args.address, framed_by=args.framed_by, reload=not args.no_reload)
    return 0


def _offline(root: Path, args) -> int:
    from .build.pipeline import OFFLINE_NAME, build_offline
    out = build_offline(root, args.out)
    print(f"离线版已生成：{out}\n解压后用浏览器打开 {OFFLINE_NAME}/index.html 即可浏览，无需联网。")
    return 0


def _build(root: Path, args) -> int:
    from .build.pipeline import build_site
    site = build_site(root, args.site, preview=args.preview, full=args.full)
    print(f"网站已生成：{site}")
    return 0


def _print(root: Path, args) -> int:
    from .print import print_all, print_poster
    from .print.typeset import MissingFonts
    try:
        if args.review_sheet:
            return _review_sheet(root, args)
        if args.poster:
            run = print_poster(root, args.poster, args.out, samples=args.samples)
        else:
            run = print_all(root, args.out, samples=args.samples)
    except MissingFonts as e:
        print(f"{e}。未生成 PDF。", file=sys.stderr)
        return 1
    return _printed(root, run)


def _printed(root: Path, run) -> int:
    for note in run.notes:
        print(note, file=sys.stderr)
    for done in run.printed:
        where = done.path.relative_to(root) if done.path.is_relative_to(root) else done.path
        print(f"已生成：{where}（{done.title}，{done.pages} 页）")
    return 0


def _review_sheet(root: Path, args) -> int:
    # The facts from the record file and git (newsroom/audit.py, no Django:
    # a news post's unit, which only the newsroom's accounts know, stays blank).
    from .newsroom import audit
    from .print import print_review_sheet
    try:
        record = audit.find(root, args.review_sheet)
    except LookupError as e:
        print(f"{e}。未生成 PDF。", file=sys.stderr)
        return 1
    return _printed(root, print_review_sheet(root, audit.sheet(root, record).as_dict(), args.out))


def _samples(root: Path, args) -> int:
    from .check import check_repository, errors
    from .editor.samples import apply, describe, plan_removal
    plan = plan_removal(root)
    for line in describe(plan):
        print(line)
    if plan.empty:
        return 0
    if not args.yes:
        print("以上只是预览，没有改动任何文件。确认后运行：python -m scripts samples --yes"
              "（或 make samples YES=1）")
        return 0
    apply(root, plan)
    print(f"已删除 {len(plan.samples)} 条示例记录。")
    problems = errors(check_repository(root)[1])
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"删除后发现 {len(problems)} 个错误，请按提示修改。", file=sys.stderr)
        return 1
    print("删除后检查通过。")
    if plan.manual:
        print(f"还有 {len(plan.manual)} 处需要手工修改（见上）。", file=sys.stderr)
        return 1
    return 0


def _audit(root: Path, args) -> int:
    from .audit.cli import main as audit
    return audit(root, args)


def _verify(root: Path, args) -> int:
    from .deploy.verify import main as verify
    return verify(args.args)


# Command name → handler(root, args); _parser declares the same names.
COMMANDS = {
    "build": _build,
    "offline": _offline,
    "check": _check,
    "new": _new,
    "samples": _samples,
    "publish": _deploy,
    "rollback": _deploy,
    "releases": _deploy,
    "nginx": _deploy,
    "print": _print,
    "schema": _schema,
    "clean-photos": _clean_photos,
    "edit": _edit,
    "save": _save,
    "newsroom": _newsroom,
    "serve": _serve,
    "audit": _audit,
    "verify": _verify,
}


def _unexpected(e: Exception, what: str = "网站未更新") -> int:
    from .records import loader
    try:
        from mkdocs.exceptions import MkDocsException
    except ImportError:  # pragma: no cover
        MkDocsException = ()
    if isinstance(e, MkDocsException):
        print(f"网站构建失败（MkDocs）：{e}\n{what}。", file=sys.stderr)
        return 1
    where = f"（正在处理 {loader.current_file}）" if loader.current_file else ""
    print(f"程序内部错误{where}：{type(e).__name__}: {e}\n"
          f"{what}。请把这条消息发给技术人员。", file=sys.stderr)
    return 2


if __name__ == "__main__":
    code = main()
    # The process ends: the collector's last pass over everything the
    # command made (a tenth of an incremental build at 10,000 records) frees
    # nothing that ending does not.
    collector.set_aside()
    sys.exit(code)

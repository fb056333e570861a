"""The newsroom's command line: python -m scripts.newsroom <命令> (messages in Chinese).

    init                      data folder, database, signing key, first administrator
    user add NAME --roles 初审,复审 [--units id1,id2] [--full-name 张三]
    user list | user disable NAME | user enable NAME | user passwd NAME
    serve [--address 127.0.0.1:8090]   try it locally (gunicorn, 127.0.0.1 only), with the
                                       live preview at NEWSROOM_PREVIEW when set (both stop together)
    try [--address 127.0.0.1:8090]     init + serve on a clone in .build/newsroom-try/ (data in
                                       ~/.local/share), with a live preview on a free port
    deploy-config [--out DIR] [--server-name …]   systemd + nginx files (serverconf.py)

Settings come from the environment (config.py). Bad input ends with a
Chinese message and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from . import config as cfg

ROLE_HELP = "角色，可兼任多个，用逗号分隔：撰稿、编辑、初审、复审、终审、管理员"


# argparse speaks English; its few messages that an administrator meets, in Chinese.
_ARGPARSE = (("the following arguments are required", "缺少"), ("unrecognized arguments", "无法识别的参数"),
             ("invalid choice", "没有这个命令"), ("expected one argument", "后面缺少取值"),
             ("choose from", "可选"))


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        for english, chinese in _ARGPARSE:
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        print(f"命令有误：{message}（用 --help 查看用法）", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m scripts.newsroom", description="扎兰屯党建网 审稿系统（新闻编辑室）")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令", parser_class=_Parser)
    p_init = sub.add_parser("init", help="建立数据目录和数据库、生成签名密钥（公钥写入仓库的 newsroom.yml 并提交）、建立第一个管理员")
    p_init.add_argument("--admin", default="admin", help="第一个管理员的账号名（默认 admin）")
    p_init.add_argument("--new-key", action="store_true",
                        help="数据目录中没有私钥而仓库已有公钥时，生成新的密钥对（已有的签名将全部失效）")
    p_user = sub.add_parser("user", help="账号管理：add 新建、list 列出、disable 停用、enable 启用、passwd 重设密码")
    usub = p_user.add_subparsers(dest="user_command", required=True, metavar="操作", parser_class=_Parser)
    p_add = usub.add_parser("add", help="新建账号（显示一次初始密码）")
    p_add.add_argument("name", help="账号：小写英文字母、数字和 . _ -，如 zhangsan")
    p_add.add_argument("--roles", required=True, help=ROLE_HELP)
    p_add.add_argument("--units", default="", help="所属单位的编号（先进典型记录的文件名），用逗号分隔")
    p_add.add_argument("--full-name", default="", help="真实姓名，如 张三（写入审核记录和 git 提交）")
    usub.add_parser("list", help="列出全部账号")
    for name, text in (("disable", "停用账号（不能再登录）"), ("enable", "重新启用账号"),
                       ("passwd", "重设密码（显示一次新密码，并解除登录锁定）")):
        usub.add_parser(name, help=text).add_argument("name", help="账号")
    p_serve = sub.add_parser("serve", help="在本机试用（只监听 127.0.0.1，不加密传输；对外服务须经 nginx）")
    p_serve.add_argument("--address", default="127.0.0.1:8090", help="地址，默认 127.0.0.1:8090")
    p_try = sub.add_parser("try", help="试用：在本仓库的副本（.build/newsroom-try/）上初始化并启动审稿系统，不改动本仓库")
    p_try.add_argument("--address", default="127.0.0.1:8090", help="地址，默认 127.0.0.1:8090")
    from . import serverconf as sc
    p_dep = sub.add_parser("deploy-config", help="生成服务器配置：gunicorn 的 systemd 服务和 nginx 配置（只经 HTTPS）")
    p_dep.add_argument("--out", default=".build/newsroom", help="输出目录，默认 .build/newsroom")
    p_dep.add_argument("--server-name", default="", help="审稿系统的域名，如 newsroom.example.gov.cn（默认取 NEWSROOM_URL）")
    p_dep.add_argument("--data", default=sc.DEFAULT_DATA, help=f"数据目录，默认 {sc.DEFAULT_DATA}")
    p_dep.add_argument("--static", default=sc.DEFAULT_STATIC, help=f"静态文件目录（nginx 直接提供），默认 {sc.DEFAULT_STATIC}")
    p_dep.add_argument("--repo", default="", help="内容仓库，默认 NEWSROOM_REPO 或本项目")
    p_dep.add_argument("--user", default=sc.DEFAULT_USER, help=f"运行 gunicorn 的系统账号，默认 {sc.DEFAULT_USER}")
    p_dep.add_argument("--socket", default=sc.DEFAULT_SOCKET,
                       help=f"gunicorn 监听的 unix 套接字或 127.0.0.1:端口，默认 {sc.DEFAULT_SOCKET}")
    p_dep.add_argument("--workers", type=int, default=0, help="gunicorn 进程数，默认 2×CPU 核数+1（最多 8）")
    p_dep.add_argument("--preview", default=sc.DEFAULT_PREVIEW,
                       help=f"网站预览服务监听的本机地址，默认 {sc.DEFAULT_PREVIEW}（只在本机，审稿系统登录后转发）")
    p_dep.add_argument("--no-preview", action="store_true", help="不运行网站预览（稿件页面和编辑页不显示网站上的样子）")
    p_dep.add_argument("--certificate", default=sc.CERTIFICATE, help="HTTPS 证书（含中间证书链）的路径")
    p_dep.add_argument("--certificate-key", default=sc.CERTIFICATE_KEY, help="HTTPS 证书私钥的路径")
    return p


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.newsroom.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    try:
        django.setup()
    except ImproperlyConfigured as e:
        raise cfg.ConfigError(str(e)) from None


def _init(args, conf: cfg.Config) -> int:
    cfg.make_data_folder(conf)
    _setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
    # The admin's and the newsroom's CSS and scripts, for nginx (NEWSROOM_STATIC).
    call_command("collectstatic", verbosity=0, interactive=False)
    sqlite = conf.data / cfg.DATABASE_FILE
    if conf.database["ENGINE"].endswith("sqlite3") and sqlite.exists():
        os.chmod(sqlite, 0o600)   # password hashes and sessions: the owner's only
    print(f"数据目录：{conf.data}")
    _signing_key(conf, args.new_key)
    from . import accounts
    password = accounts.create_first_admin(args.admin)
    if password:
        print(f"已建立管理员账号 {args.admin}，初始密码：{password}\n"
              "（密码只显示这一次，请记下；登录后可在“账号管理”中建立其他账号）")
    else:
        print("已有管理员账号，未新建。")
    print("审稿系统已就绪。")
    return 0


def _signing_key(conf: cfg.Config, new_key: bool) -> None:
    """The key pair: the private key in the data folder (mode 600), the public
    key in the repository's newsroom.yml, committed, for `check` to verify."""
    from cryptography.hazmat.primitives import serialization

    from ..problems import InputError
    from ..records import signatures
    from .repository import _git

    newsroom_file = conf.repo / signatures.NEWSROOM_FILE
    try:
        public = signatures.newsroom_key(conf.repo)
    except InputError as e:
        raise cfg.ConfigError(f"{e.problems[0]}") from None
    if conf.private_key_file.exists():
        key = signatures.load_private_key(conf.private_key_file)
        pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        if public is not None and public.public_bytes(*raw) == key.public_key().public_bytes(*raw):
            print(f"签名密钥已存在，与仓库的 {signatures.NEWSROOM_FILE} 相符。")
            return
        if public is not None and not new_key:
            raise cfg.ConfigError(f"仓库的 {signatures.NEWSROOM_FILE} 中的公钥与数据目录中的私钥不符：若确要换用本机的密钥"
                                  f"（已有的签名将全部失效），请加 --new-key")
    else:
        if public is not None and not new_key:
            raise cfg.ConfigError(f"仓库已有 {signatures.NEWSROOM_FILE}（审稿系统的公钥），但数据目录 {conf.data} 中没有对应的私钥："
                                  f"请把原来的数据目录（{cfg.PRIVATE_KEY_FILE}）复制回来；若原私钥已丢失，加 --new-key 生成新密钥"
                                  f"（已发布记录的签名将全部失效，须重新三审）")
        private, pem = signatures.generate_keypair()
        cfg.write_private(conf.private_key_file, private)
    newsroom_file.write_text(signatures.newsroom_file_text(pem), encoding="utf-8")
    rel = signatures.NEWSROOM_FILE
    for step in (("add", "--", rel),
                 ("commit", "--quiet", "--no-gpg-sign", "--author=审稿系统 <newsroom@localhost>",
                  "-m", "审稿系统：写入签名公钥（newsroom.yml）", "--", rel)):
        done = _git(conf.repo, *step)
        if done.returncode != 0:
            raise cfg.ConfigError(f"已写出 {newsroom_file}，但提交到 git 失败：{(done.stderr or done.stdout).strip()}；"
                                  f"请手工提交这个文件")
    print(f"已生成签名密钥：私钥 {conf.private_key_file}（仅本账号可读），公钥已写入并提交 {rel}。")


def _user(args) -> int:
    _setup()
    from django.db.utils import OperationalError, ProgrammingError

    from . import accounts
    try:
        if args.user_command == "add":
            password = accounts.add(args.name, accounts.split_list(args.roles),
                                    accounts.split_list(args.units), args.full_name)
            print(f"已建立账号 {args.name}，初始密码：{password}\n（密码只显示这一次，请当面或电话告知本人）")
        elif args.user_command == "list":
            rows = accounts.listing()
            if not rows:
                print("还没有账号。")
            for r in rows:
                state = "启用" if r["active"] else "已停用"
                extra = "，超级管理员" if r["superuser"] else ""
                print(f"{r['account']}\t{r['name'] or '—'}\t角色：{r['roles'] or '无'}\t"
                      f"单位：{r['units'] or '无'}\t{state}{extra}")
        elif args.user_command == "disable":
            accounts.disable(args.name)
            print(f"已停用账号 {args.name}：不能再登录，已登录的页面也随即失效。")
        elif args.user_command == "enable":
            accounts.enable(args.name)
            print(f"已启用账号 {args.name}。")
        else:
            password = accounts.passwd(args.name)
            print(f"已重设账号 {args.name} 的密码：{password}\n（只显示这一次；原来的登录随即失效，锁定已解除）")
    except accounts.AccountError as e:
        print(f"未完成：{e}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError):
        print("数据库还没有建立：请先运行 python -m scripts.newsroom init", file=sys.stderr)
        return 1
    return 0


def _serve(args, conf: cfg.Config) -> int:
    host, _, port = args.address.rpartition(":")
    try:
        local = ipaddress.ip_address(host.strip("[]")).is_loopback
        port_ok = 0 < int(port) < 65536
    except ValueError:
        local = port_ok = False
    if not (local and port_ok):
        print(f"地址“{args.address}”不可用：本机试用只能监听 127.0.0.1（如 127.0.0.1:8090）；"
              "对外服务须由 nginx 经 HTTPS 转发", file=sys.stderr)
        return 1
    env = {**os.environ, "NEWSROOM_LOCAL": "1", "DJANGO_SETTINGS_MODULE": "scripts.newsroom.settings"}
    if not conf.secret_file.exists() and not conf.secret_key:
        print("审稿系统还没有初始化：请先运行 python -m scripts.newsroom init", file=sys.stderr)
        return 1
    print(f"审稿系统（本机试用）：http://{args.address}/ ，按 Ctrl+C 停止。")
    if _has("gunicorn"):
        cmd = [sys.executable, "-m", "gunicorn", "--bind", args.address, "--workers", "2",
               "--no-control-socket", "--access-logfile", "-", "scripts.newsroom.wsgi:application"]
    else:
        cmd = [sys.executable, "-m", "django", "runserver", "--noreload", args.address]
    sys.stdout.flush()
    os.chdir(cfg.PROJECT_ROOT)
    if not conf.preview:
        # The server in this process's place: Ctrl+C and a signal reach it, no orphan stays.
        os.execve(sys.executable, cmd, env)
    return _with_preview(conf, cmd, env)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _with_preview(conf: cfg.Config, server: list[str], env: dict) -> int:
    """The server and the live preview (preview.py) side by side, until Ctrl+C
    or SIGTERM stops both, or one of them ends, which stops the other."""
    import signal
    import subprocess
    import time

    from ..editor.serve import address_free
    if not address_free(conf.preview):
        print(f"网站预览的地址 {conf.preview}（NEWSROOM_PREVIEW）无法使用，可能已有一个预览在运行："
              "请先关闭它，或换一个端口", file=sys.stderr)
        return 1
    preview = [sys.executable, "-m", "scripts", "--root", str(conf.repo), "serve", "--address", conf.preview,
               "--no-reload"]
    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        procs.append(subprocess.Popen(preview, env=env))
        procs.append(subprocess.Popen(server, env=env))
        print(f"网站预览：{conf.preview}（只在本机；登录后在审稿系统的 /preview/ 查看）。", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        which = "网站预览" if procs[0].poll() is not None else "审稿系统"
        print(f"{which}意外结束了，审稿系统和网站预览都已停止：请查看上面的提示，改正后再启动。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("审稿系统和网站预览已停止。", file=sys.stderr)
        return 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


TRY_FOLDER = ".build/newsroom-try"


def _try(args, conf: cfg.Config) -> int:
    """init and serve on a clone of the repository: `init` commits newsroom.yml,
    after which check accepts only the newsroom's signatures, a change that
    trying the newsroom must not make to the department's own repository."""
    import hashlib
    import subprocess
    from pathlib import Path
    place = conf.repo / TRY_FOLDER
    clone = place / "repo"
    # Accounts and keys never inside a repository (config.py refuses it).
    key = hashlib.sha256(str(conf.repo.resolve()).encode()).hexdigest()[:12]
    data = Path.home() / ".local" / "share" / "zhalantun-newsroom-try" / key
    if not (clone / ".git").is_dir():
        if not (conf.repo / ".git").exists():
            raise cfg.ConfigError(f"{conf.repo} 不是 git 仓库，无法复制出试用副本")
        place.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["git", "clone", "-q", str(conf.repo), str(clone)], capture_output=True, text=True)
        if done.returncode:
            raise cfg.ConfigError(f"复制试用副本失败：{done.stderr.strip()}")
        print(f"试用副本：{clone}（本仓库最近一次提交的内容；本仓库不会被改动）")
    env = {**os.environ, "NEWSROOM_REPO": str(clone), "NEWSROOM_DATA": str(data), "NEWSROOM_LOCAL": "1"}
    env.pop("NEWSROOM_DATABASE_URL", None)
    if not conf.preview:
        from ..editor.ports import free_port
        env["NEWSROOM_PREVIEW"] = f"127.0.0.1:{free_port()}"

    me = [sys.executable, "-m", "scripts.newsroom"]
    if subprocess.run([*me, "init"], env=env, cwd=cfg.PROJECT_ROOT).returncode:
        return 1
    print("试用副本中手写的三审记录不被承认：已发布的记录须经审稿系统重新审核（正式使用时也是如此）。")
    sys.stdout.flush()
    os.chdir(cfg.PROJECT_ROOT)
    os.execve(sys.executable, [*me, "serve", "--address", args.address], env)


def _deploy_config(args, conf: cfg.Config) -> int:
    from pathlib import Path

    from . import serverconf as sc
    if args.workers < 0:
        raise cfg.ConfigError("--workers 应为正整数")
    dep = sc.Deployment(
        server_name=args.server_name or sc.server_name_of(conf.url), data=Path(args.data),
        repo=Path(args.repo) if args.repo else conf.repo, static=Path(args.static), user=args.user,
        socket=args.socket, workers=args.workers, database_url=os.environ.get("NEWSROOM_DATABASE_URL", "").strip(),
        certificate=args.certificate, certificate_key=args.certificate_key,
        preview="" if args.no_preview else args.preview)
    if not dep.server_name:
        raise cfg.ConfigError("请用 --server-name 指定审稿系统的域名（如 newsroom.example.gov.cn），或设置 NEWSROOM_URL")
    for warning in sc.check(dep):
        print(warning, file=sys.stderr)
    out = Path(args.out)
    for path in sc.write(dep, out if out.is_absolute() else cfg.PROJECT_ROOT / out):
        print(f"已生成 {path}")
    print(f"安装步骤见各文件开头的说明；审稿系统地址 {dep.url}（只经 HTTPS）。")
    return 0


def _has(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        conf = cfg.load()
        if args.command == "init":
            return _init(args, conf)
        if args.command == "user":
            return _user(args)
        if args.command == "deploy-config":
            return _deploy_config(args, conf)
        if args.command == "try":
            return _try(args, conf)
        return _serve(args, conf)
    except cfg.ConfigError as e:
        print(f"未完成：{e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as e:  # last resort: an administrator must never see a traceback
        print(f"程序内部错误：{type(e).__name__}: {e}\n请把这条消息发给技术人员。", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

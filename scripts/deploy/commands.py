"""The deploy commands of the command line (publish, rollback, releases,
nginx), with their messages in Chinese for the department's administrator."""
from __future__ import annotations

import sys
from pathlib import Path

from . import csp, nginx
from .gate import NOT_BUILT, release_gate
from .publish import PublishError, Target, publish as publish_site, read_file, releases as list_releases, \
    rollback as rollback_site


def publish(root: Path, args) -> int:
    target = Target.parse(args.target, args.ssh)
    print("发布前检查……")
    problems, site = release_gate(root)
    errors = [p for p in problems if p.level == "error"]
    for p in problems:
        print(p)
    if site is None and not errors:
        print(NOT_BUILT + "。", file=sys.stderr)
    if errors or site is None:
        print(f"发布前检查发现 {len(errors)} 个错误，网站未发布。请改正后再运行 make publish。", file=sys.stderr)
        return 1
    if args.nginx_conf:
        check_policy(site, target, args.nginx_conf)
    print(f"发布到 {target} ……")
    release = publish_site(site, target, keep=args.keep, bwlimit=args.bwlimit)
    print(f"已发布：版本 {release.id} 正在使用。"
          + (f"如需回退到上一个版本 {release.previous}，运行 make rollback。" if release.previous else ""))
    return 0


def check_policy(site: Path, target: Target, config_path: str) -> None:
    """Refuse a site whose inline code the server's policy would block."""
    text = read_file(target, config_path)
    if text is None:
        raise PublishError(f"读不到服务器上的 nginx 配置 {config_path}：请检查路径，或先安装 make nginx-conf 生成的配置")
    policy = nginx.policy_of(text)
    if policy is None:
        raise PublishError(f"{config_path} 中没有 Content-Security-Policy：请换成 make nginx-conf 生成的配置")
    missing = csp.missing_from(policy, csp.scan_site(site))
    if missing:
        raise PublishError(
            f"新网页中的内联脚本或样式有变化（共 {len(missing)} 处），服务器现用的安全策略会拦住它们，"
            f"网页功能会失效：请先运行 make nginx-conf 重新生成配置，安装到 {config_path} 并重新加载 nginx"
            "（nginx -t && systemctl reload nginx），然后再发布")


def rollback(root: Path, args) -> int:
    target = Target.parse(args.target, args.ssh)
    live, back = rollback_site(target, args.to)
    print(f"已回退：正在使用的版本由 {live} 改为 {back}。")
    return 0


def releases(root: Path, args) -> int:
    target = Target.parse(args.target, args.ssh)
    live, names = list_releases(target)
    if not names:
        print(f"{target} 还没有发布过网站。")
        return 0
    for name in names:
        print(f"{name}{'  ← 正在使用' if name == live else ''}")
    return 0


def nginx_conf(root: Path, args) -> int:
    site = (args.site or root / "site").resolve()
    spec = args.target or nginx.DEFAULT_TARGET
    web_root = Target.parse(spec).path + "/current"
    server = nginx.Server(root=web_root, certificate=args.cert or nginx.CERTIFICATE,
                          certificate_key=args.key or nginx.CERTIFICATE_KEY)
    out = nginx.write(root, site, args.out or root / ".build" / "nginx" / nginx.FILE_NAME, server)
    print(f"nginx 配置已生成：{out}")
    if server.certificate == nginx.CERTIFICATE:
        print("请把其中的证书路径（CHANGE-ME）改为实际证书文件，或用 SSL_CERT=… SSL_KEY=… 重新生成。")
    return 0


COMMANDS = {"publish": publish, "rollback": rollback, "releases": releases, "nginx": nginx_conf}

"""The deploy commands of the command line (publish, rollback, releases,
nginx), with their messages in Chinese for the department's administrator."""
from __future__ import annotations

import sys
from pathlib import Path

from . import csp, nginx
from .gate import NOT_BUILT, release_gate
from .publish import HISTORY, HISTORY_SHOWN, PUBLISH, ROLLBACK, PublishError, Target, listing, \
    publish as publish_site, read_file, rollback as rollback_site


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
    check_policy(site, target, args.nginx_conf)
    print(f"发布到 {target} ……")
    release = publish_site(site, target, keep=args.keep, bwlimit=args.bwlimit)
    if release.key_created:
        from .manifest import public_path
        print(f"第一次发布：已生成防篡改签名密钥 {release.key}（私钥，只留在本机，权限 600，勿放入仓库、勿外传），"
              f"公钥 {public_path(release.key)}。请把公钥交给服务器管理员，安装为服务器上的 "
              "/etc/zhalantun-dangjian/publish.pub（见 README“防篡改”）。如果以前在另一台电脑上发布过，"
              "服务器认的是那台电脑的密钥：请把那台电脑上的私钥复制到上面的位置后重新发布，否则防篡改检查会报警。")
    if release.leftovers:
        print(f"已删除此前中断的发布留下的临时目录 {len(release.leftovers)} 个。")
    print(f"已发布：版本 {release.id} 正在使用（{release.files} 个文件，清单已签名）。"
          + (f"如需回退到上一个版本 {release.previous}，运行 make rollback。" if release.previous else ""))
    return 0


def check_policy(site: Path, target: Target, config_path: str | None) -> None:
    """Refuse a site with pages the policy blocks (csp.inline_script_pages:
    never allowed, whatever the server sends), or a server (its nginx
    configuration at `config_path`, when given) whose policy would block the
    site's own files."""
    refused = csp.inline_script_pages(site)
    if refused:
        raise PublishError(csp.refusal(refused, "发布。网站未发布"))
    if not config_path:
        return
    text = read_file(target, config_path)
    if text is None:
        raise PublishError(f"读不到服务器上的 nginx 配置 {config_path}：请检查路径，或先安装 make nginx-conf 生成的配置")
    policy = nginx.policy_of(text)
    if policy is None:
        raise PublishError(f"{config_path} 中没有 Content-Security-Policy：请换成 make nginx-conf 生成的配置")
    missing = csp.missing_from(policy)
    if missing:
        raise PublishError(
            f"服务器现用的安全策略（{config_path}）与本网站的不同，会拦住网页所需的文件（{'；'.join(missing[:3])}），"
            "网页功能会失效：请先运行 make nginx-conf 重新生成配置，安装到服务器并重新加载 nginx"
            "（nginx -t && systemctl reload nginx），然后再发布")


def rollback(root: Path, args) -> int:
    target = Target.parse(args.target, args.ssh)
    done = rollback_site(target, args.to)
    if done.note:
        print(done.note)
    print(f"已回退：正在使用的版本由 {done.old} 改为 {done.new}。"
          + (f"再次运行 make rollback 将回到 {done.next}。" if done.next else "再往前已没有可回退的版本。"))
    return 0


def releases(root: Path, args) -> int:
    target = Target.parse(args.target, args.ssh)
    state = listing(target)
    if not state.names:
        print(f"{target} 还没有发布过网站。")
        return 0
    for name in state.names:
        print(name + ("  ← 正在使用" if name == state.live else "  ← make rollback 将回到此版本" if name == state.next
                      else ""))
    if not state.history:
        print(f"\n（发布目标上还没有切换记录 {HISTORY}：从本版工具的下一次发布或回退开始记录。）")
        return 0
    actions = {PUBLISH: "发布", ROLLBACK: "回退"}
    print(f"\n最近 {min(len(state.history), HISTORY_SHOWN)} 次切换（{HISTORY}，时间为 UTC）：")
    for s in state.history[-HISTORY_SHOWN:]:
        print(f"{s.time.replace('T', ' ').rstrip('Z')}  {actions.get(s.action, '回退到指定版本')}  "
              f"{s.old or '（无）'} → {s.new}")
    return 0


def nginx_conf(root: Path, args) -> int:
    site = (args.site or root / "site").resolve()
    spec = args.target or nginx.DEFAULT_TARGET
    web_root = Target.parse(spec).path + "/current"
    server = nginx.Server(root=web_root, certificate=args.cert or nginx.CERTIFICATE,
                          certificate_key=args.key or nginx.CERTIFICATE_KEY, hsts_subdomains=_hsts_subdomains(args.hsts_subdomains))
    out = nginx.write(root, site, args.out or root / ".build" / "nginx" / nginx.FILE_NAME, server)
    print(f"nginx 配置已生成：{out}")
    from ..site_config import site_config
    site_url = str(site_config(root).get("site_url") or "")
    prefix = nginx.site_path(site_url, root)
    if prefix != "/":
        # A site under a path: the parent platform usually serves the host, and
        # includes only our locations in its own server block.
        snippet = nginx.write(root, site, out.with_name(out.stem + ".location" + out.suffix), server, snippet=True)
        print(f"网站位于 {nginx.server_name(site_url)} 的 {prefix} 之下。\n"
              f"- {nginx.server_name(site_url)} 由上级平台的服务器提供时（通常如此）：把配置片段 {snippet} 交给上级平台的"
              f"服务器管理员，放到服务器上（如 /etc/nginx/snippets/{snippet.name}），在该域名的 HTTPS server {{ }} 中"
              f"加一行 include /etc/nginx/snippets/{snippet.name};，然后 nginx -t && systemctl reload nginx。"
              f"发布时核对安全策略用 NGINX_CONF=/etc/nginx/snippets/{snippet.name}。\n"
              f"- 本服务器独自提供 {nginx.server_name(site_url)} 时：用完整配置 {out}。")
    if server.certificate == nginx.CERTIFICATE:
        where = "完整配置" if prefix != "/" else "其"
        print(f"请把{where}中的证书路径（CHANGE-ME）改为实际证书文件，或用 SSL_CERT=… SSL_KEY=… 重新生成。")
    return 0


def _hsts_subdomains(given: str | None) -> bool:
    """--hsts-subdomains 0 (make nginx-conf HSTS_SUBDOMAINS=0): HSTS without includeSubDomains."""
    value = (given or "").strip().lower()
    if value in ("", "1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    raise PublishError(f"HSTS_SUBDOMAINS={value} 看不懂：写 1（下级域名也只用 HTTPS，默认）或 0（只对本站域名）")


COMMANDS = {"publish": publish, "rollback": rollback, "releases": releases, "nginx": nginx_conf}

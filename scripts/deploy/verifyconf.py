"""The systemd service and timer that run the verifier (verify.py) every
minute on the web server, generated (python -m scripts verify config), in
the style of the newsroom's server configuration (newsroom/serverconf.py).

The service runs as root by default: the attacker this guards against is
one who got the publishing account or the web server's, and neither can
stop, edit or fool a root service whose only trusted inputs are root's
public key file and its own code. Root's power is cut down to writing the
target folder and its own state folder (ProtectSystem=strict) with the
three capabilities that needs.
"""
from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import manifest as mf
from .verify_args import USAGE, _Parser

NAME = "zhalantun-dangjian-verify"
PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).parent
DEFAULT_EVERY = 60
HOME_FOLDERS = ("/home", "/root", "/run/user")


@dataclass(frozen=True)
class Unit:
    target: Path
    public_key: Path
    fingerprint: str
    user: str = "root"
    alarm_command: str = ""
    every: int = DEFAULT_EVERY
    python: str = sys.executable       # the venv's python, not resolved (it is the venv)
    project: Path = PROJECT


def _systemd_word(word: str) -> str:
    """One argument of ExecStart: quoted as systemd reads it, `%` (its
    specifiers) and `$` (its variables) doubled."""
    return shlex.quote(word).replace("%", "%%").replace("$", "$$")


def exec_start(unit: Unit) -> str:
    words = [unit.python, "-m", "scripts.deploy.verify", "--target", str(unit.target),
             "--public-key", str(unit.public_key), "--key-fingerprint", unit.fingerprint,
             "--state", f"/var/lib/{NAME}"]
    if unit.alarm_command:
        words += ["--alarm-command", unit.alarm_command]
    return " ".join(_systemd_word(w) for w in words)


def render(unit: Unit) -> dict[str, str]:
    """File name → text."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined)
    under_home = any(Path(p).is_relative_to(h) for p in (unit.python, unit.project, unit.target) for h in HOME_FOLDERS)
    values = dict(name=NAME, every=unit.every, user=unit.user, project=unit.project, target=unit.target,
                  public_key=unit.public_key, public_key_dir=unit.public_key.parent, fingerprint=unit.fingerprint,
                  exec_start=exec_start(unit), root=unit.user == "root",
                  protect_home="read-only" if under_home else "true",
                  capabilities="CAP_DAC_OVERRIDE CAP_FOWNER CAP_CHOWN" if unit.user == "root" else "")
    return {f"{NAME}.service": env.get_template("verify.service.j2").render(**values),
            f"{NAME}.timer": env.get_template("verify.timer.j2").render(**values)}


def main(argv: list[str]) -> int:
    p = _Parser(prog="python -m scripts verify config", description="生成防篡改检查的 systemd 服务和定时器")
    p.add_argument("--target", required=True, help="服务器上的发布目标，如 /srv/zhalantun-dangjian")
    p.add_argument("--public-key", required=True, type=Path,
                   help=f"发布公钥文件（keygen 生成的 .pub；其指纹写入服务），服务器上装在 {mf.DEFAULT_PUBLIC_KEY}")
    p.add_argument("--installed-as", default=mf.DEFAULT_PUBLIC_KEY, help=f"公钥在服务器上的位置，默认 {mf.DEFAULT_PUBLIC_KEY}")
    p.add_argument("--user", default="root", help="运行检查的账号，默认 root（见 README“防篡改”的信任边界）")
    p.add_argument("--alarm-command", default="", help="报警命令（sh -c，报警内容从标准输入读入），如 'sendmail admin@example.gov.cn'")
    p.add_argument("--every", type=int, default=DEFAULT_EVERY, help=f"每隔几秒检查一次，默认 {DEFAULT_EVERY}")
    p.add_argument("--out", type=Path, help="写入此目录（不给时打印到屏幕）")
    args = p.parse_args(argv)
    problems = []
    target = Path(args.target)
    if not target.is_absolute():
        problems.append(f"--target {target} 应为服务器上的绝对路径")
    for label, value in (("--target", args.target), ("--installed-as", args.installed_as), ("--user", args.user)):
        if any(c.isspace() or c in "\"'\\%$" for c in value):
            problems.append(f"{label}“{value}”含空格、引号、%、$ 或反斜杠，systemd 配置中无法可靠使用")
    if args.every < 10:
        problems.append("--every 至少 10 秒")
    try:
        key = mf.load_public_key(args.public_key)
    except mf.ManifestError as e:
        problems.append(str(e))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("未生成配置。", file=sys.stderr)
        return USAGE
    unit = Unit(target, Path(args.installed_as), mf.fingerprint(key), args.user, args.alarm_command, args.every)
    files = render(unit)
    if not args.out:
        for name, text in files.items():
            print(f"# ===== {name} =====\n{text}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = args.out / name
        tmp = path.with_name(name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        print(f"已生成：{path}")
    print(f"公钥指纹 {unit.fingerprint} 已写入服务：服务器上的公钥被替换时检查会报警（key-changed）。")
    return 0

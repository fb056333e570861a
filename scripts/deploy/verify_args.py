"""The verifier's command line, shared by `verify` and `verify config`
(verifyconf.py): its usage text, its exit codes and a parser whose errors are
said in Chinese."""
from __future__ import annotations

import argparse
import sys

OK, REPAIRED, USAGE, REFUSED, UNDELIVERED = 0, 1, 2, 3, 4

USAGE_TEXT = """用法：
  python -m scripts verify keygen [--key 私钥文件]
        在发布机上生成（或再次显示）防篡改签名密钥；私钥留在发布机，公钥交服务器管理员
  python -m scripts verify --target /srv/zhalantun-dangjian [--public-key /etc/zhalantun-dangjian/publish.pub]
        [--key-fingerprint sha256:…] [--state 目录] [--alarm-command '命令']
        在服务器上检查一次：恢复被改动、删除的文件，移走植入的文件，报警
  python -m scripts verify config --target /srv/zhalantun-dangjian --public-key 公钥文件 [--user root]
        [--alarm-command '命令'] [--every 60] [--out 目录]
        生成每分钟运行检查的 systemd 服务和定时器"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        for english, chinese in (("the following arguments are required", "缺少"),
                                 ("unrecognized arguments", "无法识别的参数"),
                                 ("expected one argument", "后面缺少取值"), ("invalid int value", "应为整数")):
            message = message.replace(english, chinese)
        print(f"命令有误：{message}\n\n{USAGE_TEXT}", file=sys.stderr)
        sys.exit(USAGE)

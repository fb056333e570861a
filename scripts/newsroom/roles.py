"""The roles of the newsroom: Django groups made by a data migration
(migrations/0002_roles.py). A person may hold several."""
from __future__ import annotations

CONTRIBUTOR = "撰稿"   # a unit's liaison (联络员): submits the unit's stories
EDITOR = "编辑"        # 信息科: submits any record
FIRST = "初审"
SECOND = "复审"
FINAL = "终审"
ADMIN = "管理员"      # accounts (the admin pages)

ROLES = (CONTRIBUTOR, EDITOR, FIRST, SECOND, FINAL, ADMIN)
# The record's review stages (scripts/records/signatures.STAGES) and who signs them.
STAGE_ROLE = {"first": FIRST, "second": SECOND, "final": FINAL}
# Who publishes the whole site and rolls it back from the 发布网站 page: the
# last signature already answers for what goes out (终审), and the administrator
# runs the server. No role of its own: one less to hand out and forget.
PUBLISHERS = frozenset({FINAL, ADMIN})

"""The newsroom (新闻编辑室, issue #21): accounts, roles and 三审 enforced by a
server, for a department whose people work in a browser on Windows or 信创
PCs. A Django project: `python -m scripts.newsroom init | user | serve`.

The repository stays the single source of truth: a record's status and its
signed review stages live in its file, each action is one git commit
authored by its person; the database (SQLite in the data folder outside the
repository, or PostgreSQL) holds accounts and sessions only.
"""

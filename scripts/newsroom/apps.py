from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "scripts.newsroom"
    label = "newsroom"
    verbose_name = "审稿系统"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)

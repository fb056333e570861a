from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from . import editing
from . import audit_views, preview, views

app_patterns = ([
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="newsroom/login.html",
                                                 redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mine/", views.mine, name="mine"),
    path("queue/<str:stage>/", views.queue, name="queue"),
    path("item/<str:kind>/<str:rid>/", views.item, name="item"),
    path("item/<str:kind>/<str:rid>/act/", views.act, name="act"),
    path("edit/", include(editing.urlpatterns)),
    path("item/<str:kind>/<str:rid>/审核单.pdf", audit_views.review_sheet, name="review_sheet"),
    path("audit/", audit_views.audit_page, name="audit"),
    path("publish/", views.publish_page, name="publish"),
    path("publish/act/", views.publish_action, name="publish_act"),
    re_path(r"^preview/(?P<path>.*)$", preview.proxy, name="preview"),
], "newsroom")

admin.site.site_header = admin.site.site_title = "审稿系统 · 账号管理"
admin.site.index_title = "账号与角色"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include(app_patterns)),
]

if settings.NEWSROOM.local:
    # The local try-out has no nginx in front: the admin's CSS and scripts
    # come from Django itself (a server serves STATIC_ROOT with nginx).
    from django.contrib.staticfiles.views import serve
    urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}))

"""The office's dashboard (`/dasbor`): read-only pages of a kecamatan, a desa, a kabupaten and the deployment, on the
one web application, for people signed in with a one-use link. docs/architecture.md, "The dashboard".

- `common`: the session, templates, headers and refusals every page shares;
- `signin`: the link's page and its "Masuk" button, "Keluar", `/dasbor` itself;
- `kecamatan`: the kecamatan page (matrix, indicator, chart, downloads), the kabupaten and national rankings;
- `desa`: one desa's obligations, versions, files, reminders and open questions;
- `health`: `/dasbor/kesehatan`, the checks of `klambi doctor`, for admins.
"""

from __future__ import annotations

from bot.app import App
from bot.web.dashboard import desa, health, kecamatan, signin
from bot.web.dashboard.common import Dashboard, Routes
from bot.web.server import WebApp


def mount_dashboard(webapp: WebApp, app: App) -> Dashboard:
    """Add every dashboard route to the web application (before it starts)."""
    dashboard = Dashboard(app, webapp)
    routes = Routes(webapp, dashboard)
    signin.mount(routes)
    kecamatan.mount(routes)
    desa.mount(routes)
    health.mount(routes)
    return dashboard

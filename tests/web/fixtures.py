"""Fixtures for the web tests: the campaign the demo ran once for the test run (provisioned
units, answers on time, late, with errors and missing, a draft), copied fresh for each test; the
app over it with CSRF on; a signed-in staff client; a worker run in the test's thread."""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.base import CellBlock
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.settings import Settings
from sonket_gsync.demo.synthetic import answers_for, to_blocks
from sonket_gsync.forms.layout import sheet_layout
from webhooks import create_app
from webhooks.auth import hash_password

STAFF_EMAIL = "canbo@tinhuy.example"
STAFF_PASSWORD = "mat-khau-cua-can-bo-1"
SYNC_SECRET = "bi-mat-cua-cron-0123456789"


@pytest.fixture(scope="session")
def demo_template(demo_run, tmp_path_factory) -> Path:
    """The demo campaign (run once for the test run, ``demo_run``) with a staff account: every
    test gets a copy."""
    assert demo_run.ok, demo_run.result.stderr
    data = tmp_path_factory.mktemp("web-demo") / "data"
    shutil.copytree(demo_run.pristine, data)
    service = CampaignService.open(Settings.from_env({}, data_dir=data))
    try:
        service.add_staff(STAFF_EMAIL, "Nguyễn Văn Cán Bộ", hash_password(STAFF_PASSWORD))
    finally:
        service.close()
    return data


@dataclass
class Web:
    settings: Settings
    service: CampaignService
    app: object

    def client(self):
        return self.app.test_client()

    def run_jobs(self) -> int:
        """Run every due job now, in this thread (the worker's own loop, once)."""
        return self.service.run_worker(once=True)

    def unit_with(self, status: str) -> str:
        return next(r.code for r in self.service.queries.overview().units if r.status == status)

    def token(self, code: str) -> str:
        return self.service.unit_token(code)


def make_web(template: Path, tmp_path: Path, **changes) -> Web:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    values = dict(data_dir=data, sync_secret=SYNC_SECRET, nightly_sync_time="", notification_delay_seconds=0.0)
    values.update(changes)
    settings = Settings.from_env({}, **values)
    service = CampaignService.open(settings)
    app = create_app(settings, service=service)
    return Web(settings, service, app)


@pytest.fixture
def web(demo_template, tmp_path):
    web = make_web(demo_template, tmp_path)
    yield web
    web.service.close()


def csrf_token(client, path: str = "/dang-nhap") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD):
    token = csrf_token(client)
    return client.post("/dang-nhap", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def staff(web):
    client = web.client()
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = csrf_token(client, "/")
    return client


def filled_workbook(web: Web, code: str, tmp_path: Path, *, spoil: bool = False, seed: int = 3) -> bytes:
    """A unit's workbook as the unit would fill it in Excel (from a scratch workspace)."""
    campaign = web.service.campaign
    unit = campaign.unit(code)
    scratch = LocalWorkspace(tmp_path / f"scratch-{code}-{int(spoil)}", campaign)
    scratch.prepare()
    scratch.provision(unit)
    scratch.write_unit(unit, to_blocks(campaign, unit, answers_for(campaign, unit, random.Random(seed))))
    if spoil:  # words typed into a number column
        form = campaign.forms_for(unit)[0]
        numeric = next(c for c in form.columns if c.type in ("integer", "number", "percent") and not c.fixed)
        row = sheet_layout(campaign, unit, form).first_data_row
        scratch.write_unit(unit, [CellBlock(sheet=form.sheet, row=row, column=form.columns.index(numeric) + 1, values=[["chưa có số liệu"]])])
    return scratch.xlsx_path(unit).read_bytes()

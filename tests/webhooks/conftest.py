"""Fixtures for the browser tests of tests/webhooks: the app on a loopback port with a worker
thread (``live``), and Debian's Chromium driven headless by Selenium (``browser``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from sonket_gsync.app.service import CampaignService
from tests.web.fixtures import make_web

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def live(demo_template, tmp_path):
    """The app on 127.0.0.1:<free port> and a worker thread, both stopped afterwards."""
    web = make_web(demo_template, tmp_path, worker_poll_seconds=0.2)
    worker = CampaignService.open(web.settings)
    stop = threading.Event()
    worker_thread = threading.Thread(target=worker.run_worker, kwargs={"stop_event": stop}, daemon=True)
    worker_thread.start()
    server = make_server("127.0.0.1", 0, web.app, threaded=True)
    server_thread = threading.Thread(target=server.serve_forever, daemon=True)
    server_thread.start()
    web.base = f"http://127.0.0.1:{server.server_port}"
    yield web
    server.shutdown()
    server.server_close()
    stop.set()
    worker_thread.join(timeout=60)
    worker.close()
    web.service.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "install Debian's chromium and chromium-driver (see README)"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.downloads = downloads
    yield driver
    driver.quit()

"""Errors fit for jobs and HTTP: a category for each, exit codes and HTTP statuses derived from
it, every error picklable with its fields, and nothing but SonketErrors out of the service."""

from __future__ import annotations

import pickle

import pytest

from sonket_gsync.core import errors
from sonket_gsync.core.errors import CATEGORIES, LeaseHeld, RateLimited, SonketError, StoreBusy, UnitFileError, UnknownUnit


def all_error_classes() -> list[type[SonketError]]:
    found, todo = [], [SonketError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


def build(cls: type[SonketError]) -> SonketError:
    if issubclass(cls, UnitFileError):
        return cls("Tệp hỏng.", unit_code="SO_NV", where="SO_NV_bieu-mau.xlsx", fix="Mở lại bằng Excel.")
    if issubclass(cls, RateLimited):
        return cls("Quá hạn mức.", retry_after=3.5, where="Sheets", fix="Chờ.")
    if issubclass(cls, LeaseHeld):
        return cls("Đang có tiến trình khác ghi.", holder="sync (máy A)", since="2026-11-30T08:00:00+07:00", fix="Chờ.")
    return cls("Có lỗi.", where="đâu đó", fix="Sửa đi.")


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_has_a_category_and_survives_pickling(cls):
    error = build(cls)
    assert error.category in CATEGORIES
    assert error.exit_code == (75 if error.category == "temporary" else 70 if error.category == "bug" else 2)
    assert error.retryable == (error.category == "temporary")
    assert 400 <= error.http_status < 600
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and copy.__dict__ == error.__dict__ and str(copy) == str(error)
    assert copy.to_dict()["category"] == error.category and copy.to_dict()["message"] == error.message


def test_the_categories_that_matter_to_people():
    assert UnknownUnit("x").category == "not_found" and UnknownUnit("x").http_status == 404
    assert isinstance(UnknownUnit("x"), errors.ConfigError)  # callers that caught ConfigError still do
    assert StoreBusy("x").exit_code == 75 and StoreBusy("x").http_status == 503
    assert errors.AccessDenied("x").http_status == 403 and errors.StoreMissing("x").exit_code == 2
    assert errors.Bug.from_exception(KeyError("k")).exit_code == 70
    unit_error = pickle.loads(pickle.dumps(build(UnitFileError)))
    assert unit_error.unit_code == "SO_NV" and unit_error.fix == "Mở lại bằng Excel."


def test_an_unknown_unit_is_not_found_from_the_service(campaign, settings):
    from sonket_gsync.app.service import CampaignService
    from sonket_gsync.backends.local import LocalWorkspace
    from sonket_gsync.store import open_store

    service = CampaignService(settings, campaign, LocalWorkspace(settings.workspace_dir, campaign), open_store(settings))
    with pytest.raises(UnknownUnit) as err:
        service.record("KHONG_CO")
    assert err.value.category == "not_found" and "KHONG_CO" in err.value.message
    with pytest.raises(UnknownUnit):
        service.queries.unit_detail("KHONG_CO")
    with pytest.raises(UnknownUnit):
        service.sync(only=["KHONG_CO"])
    assert service.store.runs()[0].status.startswith("failed")

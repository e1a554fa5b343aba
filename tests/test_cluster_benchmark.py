"""benchmarks/cluster.py's pieces, without the run: the nginx configuration it writes (checked by
nginx itself), the access-log reading, and the check of every save against the database that
both load benchmarks print."""

import importlib.util
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks import synthetic
from strategies.models import IndicatorValue, Item, MonthlyEntry, Organization

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cluster = _load("cluster")
staff_load = _load("staff_load")
UPSTREAMS = ["127.0.0.2:8000", "127.0.0.3:8000"]


def test_nginx_config_balances_two_loopback_nodes_and_keeps_everything_in_its_directory(
    tmp_path: Path,
) -> None:
    written = cluster.nginx_config(tmp_path, 8780, UPSTREAMS, user=None)
    text = "\n".join(line for line in written.splitlines() if not line.strip().startswith("#"))
    assert "listen 127.0.0.1:8780;" in text
    for address in UPSTREAMS:
        assert f"server {address} " in text
    assert "daemon off;" in text
    # Failed GETs go to the other node; a POST is never resent (non_idempotent stays off).
    assert "proxy_next_upstream error timeout;" in text
    assert "non_idempotent" not in text
    assert "$upstream_addr" in text
    paths = [word.rstrip(";") for word in text.split() if word.startswith("/") and word != "/"]
    assert paths
    assert all(Path(p).is_relative_to(tmp_path) for p in paths)


@pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
    reason="nginx (Debian package) not installed",
)
def test_written_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    config = cluster.write_nginx_config(tmp_path, 8780, UPSTREAMS)
    checked = cluster.check_nginx_config(config)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "test is successful" in checked.stderr


def test_access_log_counts_the_node_that_answered_and_the_retries(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(
        '100.0 GET /my-work/ 200 "127.0.0.2:8000" "200"\n'
        '101.0 GET /my-work/ 200 "127.0.0.3:8000" "200"\n'
        # Node A refused the connection; nginx tried B.
        '102.0 GET /items/1/units/2/months/3/ 200 "127.0.0.2:8000, 127.0.0.3:8000" "502, 200"\n'
        '103.0 POST /items/1/units/2/months/3/ 502 "127.0.0.2:8000" "502"\n'
        "not a line of ours\n"
    )
    access = cluster.read_access_log(log, since=102.0)
    assert access.served == {"127.0.0.2": 2, "127.0.0.3": 2}
    assert access.served_after == {"127.0.0.3": 1, "127.0.0.2": 1}
    assert access.retried == 1
    assert access.statuses == {"200": 3, "502": 1}


@pytest.fixture
def entry(db) -> MonthlyEntry:  # type: ignore[no-untyped-def]
    org = Organization.objects.create(code="chk", name="檢查分局", short_name="檢查")
    year = synthetic.build_year(org, 113, scale=1, status="open", with_entries=True)
    item = Item.objects.filter(method__strategy__dimension__year=year).order_by("pk").first()
    return MonthlyEntry.objects.get(item=item)


def _row(entry: MonthlyEntry, narrative: str, status: str, value: int, version: int) -> None:
    MonthlyEntry.objects.filter(pk=entry.pk).update(
        narrative=narrative, status=status, version=version
    )
    IndicatorValue.objects.filter(entry=entry).update(value=Decimal(value))


def _ledger(entry: MonthlyEntry, sends: list[tuple[str, str, int, bool]], start: int = 0):  # type: ignore[no-untyped-def]
    ledger = staff_load.Ledger()
    key = (entry.item_id, entry.unit_id, entry.month)
    indicator = entry.values.get().indicator_id
    for narrative, status, value, acknowledged in sends:
        index = ledger.attempt(key, staff_load.Save(narrative, status, {indicator: value}), start)
        if acknowledged:
            ledger.acknowledge(key, index)
    return ledger


def test_acknowledged_saves_in_the_database_pass(entry: MonthlyEntry) -> None:
    _row(entry, "送出", "submitted", 2, version=2)
    ledger = _ledger(entry, [("草稿", "draft", 1, True), ("送出", "submitted", 2, True)])
    check = staff_load.check_saves(ledger)
    assert (check.checked, check.lost, check.duplicated, check.half_applied) == (1, [], [], [])


def test_a_save_without_answer_may_be_applied_whole_or_not_at_all(entry: MonthlyEntry) -> None:
    sends = [("草稿", "draft", 1, True), ("送出", "submitted", 2, False)]
    _row(entry, "送出", "submitted", 2, version=2)
    applied = staff_load.check_saves(_ledger(entry, sends))
    assert (applied.lost, applied.half_applied, applied.unacknowledged_applied) == ([], [], 1)
    _row(entry, "草稿", "draft", 1, version=1)
    not_applied = staff_load.check_saves(_ledger(entry, sends))
    assert (not_applied.lost, not_applied.half_applied) == ([], [])
    assert (not_applied.unacknowledged, not_applied.unacknowledged_applied) == (1, 0)


def test_an_acknowledged_save_missing_from_the_database_is_lost(entry: MonthlyEntry) -> None:
    _row(entry, "草稿", "draft", 1, version=1)
    ledger = _ledger(entry, [("草稿", "draft", 1, True), ("送出", "submitted", 2, True)])
    check = staff_load.check_saves(ledger)
    assert len(check.lost) == 2  # the row is the older save, and its version rose only once
    assert check.half_applied == []


def test_a_mix_of_two_saves_is_half_applied(entry: MonthlyEntry) -> None:
    _row(entry, "送出", "submitted", 1, version=2)  # the submit's text with the draft's value
    ledger = _ledger(entry, [("草稿", "draft", 1, True), ("送出", "submitted", 2, True)])
    assert len(staff_load.check_saves(ledger).half_applied) == 1


def test_a_save_applied_twice_is_duplicated(entry: MonthlyEntry) -> None:
    _row(entry, "草稿", "draft", 1, version=3)
    ledger = _ledger(entry, [("草稿", "draft", 1, True)], start=1)
    assert len(staff_load.check_saves(ledger).duplicated) == 1

"""Tests for paws_stack.metrics' pure parts: parsing, key series, and the headline numbers."""

from __future__ import annotations

import pytest
from prometheus_client.samples import Sample

from paws_stack.metricendpoints import member_endpoints
from paws_stack.metrics import (
    Endpoint,
    Scrape,
    endpoint_report,
    headlines,
    http_headlines,
    parse_samples,
    redis_commands,
    replication_lag,
)
from paws_stack.probes import Member

LEADER = """# TYPE patroni_master gauge
patroni_master{scope="paws"} 1
patroni_xlog_location{scope="paws"} 5000
"""
# Patroni declares its WAL positions as counters without _total, as 3.0.4 does.
REPLICA = """patroni_master{scope="paws"} 0
# TYPE patroni_xlog_replayed_location counter
patroni_xlog_replayed_location{scope="paws"} 4200
"""
BACKEND = """# TYPE http_server_requests_seconds summary
http_server_requests_seconds_count{method="POST",status="201",uri="/api/notes"} {count}
http_server_requests_seconds_sum{method="POST",status="201",uri="/api/notes"} {seconds}
http_server_requests_seconds_count{method="GET",status="200",uri="/actuator/prometheus"} 500
http_server_requests_seconds_sum{method="GET",status="200",uri="/actuator/prometheus"} 50
"""


def scraped(name: str, text: str, at: float = 0.0) -> Scrape:
    return Scrape(Endpoint(name, f"http://x/{name}", "up"), parse_samples(text), at=at)


def not_actuator(sample: Sample) -> bool:
    return not sample.labels["uri"].startswith("/actuator")


def backend(count: int, seconds: float, at: float) -> Scrape:
    text = BACKEND.replace("{count}", str(count)).replace("{seconds}", str(seconds))
    return scraped("backend", text, at)


class TestEndpointReport:
    def test_answers_with_its_key_series(self) -> None:
        """An endpoint that answered and carries its key series is counted as answering."""
        report = endpoint_report(scraped("x", "up 1\nother 2\n"))
        assert (report.answers, report.has_key_series, report.samples) == (True, True, 2)

    def test_a_body_without_the_key_series_says_so(self) -> None:
        """The right port with the wrong server: the detail names the missing series."""
        report = endpoint_report(scraped("x", "something_else 1\n"))
        assert not report.has_key_series
        assert report.detail == "no up series"

    def test_an_error_is_the_detail(self) -> None:
        """A failed scrape keeps its error and counts as not answering."""
        report = endpoint_report(Scrape(Endpoint("x", "http://x", "up"), error="refused"))
        assert (report.answers, report.detail) == (False, "refused")


class TestReplicationLag:
    def test_bytes_behind_the_leader_per_replica(self) -> None:
        """Lag is the leader's WAL position minus each replica's replayed position."""
        lines = replication_lag([scraped("patroni-0", LEADER), scraped("patroni-1", REPLICA)])
        assert [(h.name, h.value) for h in lines] == [("replication lag patroni-1", 800.0)]

    def test_no_leader_is_said(self) -> None:
        """Without a leader there is no position to compare with: value None, detail says why."""
        [line] = replication_lag([scraped("patroni-1", REPLICA)])
        assert (line.value, line.detail) == (None, "no leader")


class TestRates:
    def test_backend_rate_and_latency_leave_out_our_own_scrapes(self) -> None:
        """10 requests in 2 s is 5 req/s taking 200 ms each (2 s more of the sum); /actuator
        requests (our own scrapes) are not counted."""
        rate, latency = http_headlines(
            [backend(10, 1.0, at=100.0)],
            [backend(20, 3.0, at=102.0)],
            "backend",
            "http_server_requests_seconds",
            not_actuator,
        )
        assert rate.value == pytest.approx(5.0)
        assert latency.value == pytest.approx(200.0)
        assert latency.detail == "over the interval"

    def test_no_request_yet_has_no_latency(self) -> None:
        """Zero requests: the rate is 0 and the latency is unknown, with the reason."""
        _, latency = http_headlines(
            [backend(0, 0, at=1.0)], [backend(0, 0, at=2.0)], "backend",
            "http_server_requests_seconds", not_actuator,
        )  # fmt: skip
        assert (latency.value, latency.detail) == (None, "no request yet")

    def test_redis_commands_per_second_from_the_exporter(self) -> None:
        """The exporter's processed-commands counter over the interval."""
        first = scraped("exporter-redis", "redis_commands_processed_total 100\n", at=10.0)
        second = scraped("exporter-redis", "redis_commands_processed_total 130\n", at=11.5)
        assert redis_commands([first], [second]).value == pytest.approx(20.0)

    def test_without_exporters_the_fix_is_named(self) -> None:
        """No exporter: the numbers that need one say how to get it."""
        numbers = {h.name: h for h in headlines([], [])}
        assert numbers["redis commands"].value is None
        assert "--profile observability" in numbers["redis commands"].detail
        assert "--profile observability" in numbers["postgres connections"].detail


class TestMemberEndpoints:
    @pytest.mark.parametrize("scheme", ["http", "https"])
    def test_members_are_scraped_in_the_stacks_scheme(self, scheme: str) -> None:
        """etcd and Patroni on their container address, https in TLS mode; others left out."""
        members = [
            Member("etcd-0", "etcd", "p-etcd-0-1", "10.0.0.2", "running"),
            Member("patroni-1", "patroni", "p-patroni-1-1", "10.0.0.3", "running"),
            Member("redis-0", "redis", "p-redis-0-1", "10.0.0.4", "running"),
            Member("patroni-2", "patroni", "p-patroni-2-1", "10.0.0.5", "exited"),
        ]
        assert [e.url for e in member_endpoints(members, scheme)] == [
            f"{scheme}://10.0.0.2:2379/metrics",
            f"{scheme}://10.0.0.3:8008/metrics",
        ]

"""A small closed-loop HTTP/1.1 load generator on asyncio streams, for the bench scripts.

Each of `connections` keep-alive connections sends a request, waits for the whole response and
sends the next, for `seconds`; the rate is completed responses per second. A hand-written client
(not httpx) keeps the generator's own CPU cost low, since it shares the machine's cores with the
server under test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok


def request_bytes(method: str, path: str, host: str, headers: dict[str, str] | None = None,
                  body: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _run(host: str, port: int, make_request: Callable[[], bytes], connections: int, seconds: float,
               warmup: float) -> LoadResult:
    result = LoadResult(seconds=seconds)
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop:
                    return
                writer.write(make_request())
                status = await _read_response(reader)
                done = time.perf_counter()
                if measure_from <= sent and done <= stop:
                    result.statuses[status] += 1
                    result.latencies_ms.append((done - sent) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return result


def run_load(host: str, port: int, make_request: Callable[[], bytes], *, connections: int = 16,
             seconds: float = 10.0, warmup: float = 2.0) -> LoadResult:
    return asyncio.run(_run(host, port, make_request, connections, seconds, warmup))

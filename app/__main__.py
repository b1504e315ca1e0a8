"""Command line: `python -m app serve|demo|bench …`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Một Cửa")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="chạy dịch vụ trung tâm (hàng đợi)")
    serve.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8710, help="0 = chọn cổng trống")
    serve.add_argument("--no-mdns", action="store_true", help="không quảng bá trên mạng LAN")

    demo = sub.add_parser("demo", help="chạy thử cả bộ trên một máy với thiết bị giả lập")
    demo.add_argument("--data", type=Path, help="thư mục dữ liệu (mặc định: thư mục mới)")
    demo.add_argument("--port", type=int, default=8710)
    demo.add_argument("--minutes", type=float, default=0, help="tự dừng sau N phút (0 = chạy đến Ctrl+C)")

    bench = sub.add_parser("bench", help="đo hiệu năng, in JSON ở dòng cuối")
    bench.add_argument("target", choices=["queue"])
    bench.add_argument("--issues", type=int, default=3000)
    bench.add_argument("--calls", type=int, default=2000)
    bench.add_argument("--clients", type=int, default=8)

    args = parser.parse_args(argv)
    if args.command == "serve":
        from app.service.server import serve as run_serve

        run_serve(args.data, args.host, args.port, mdns=not args.no_mdns)
        return 0
    if args.command == "demo":
        from app.demo import run_demo

        return run_demo(args.data, args.port, args.minutes)
    if args.command == "bench":
        from app.bench.queue import run_queue_bench

        return run_queue_bench(issues=args.issues, calls=args.calls, clients=args.clients)
    return 2


if __name__ == "__main__":
    sys.exit(main())

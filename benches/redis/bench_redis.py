"""Product lookup the seed's way (Redis cache `product:{code}` holding the row as JSON, through
redis-py) against the bmc_core wheel's embedded index, on the same machine and products.

    benches/redis/run.sh [ROWS]     (default 1000000; starts its own redis-server)
"""

import argparse
import json
import random
import statistics
import time

import redis

import bmc_core


def timed(fn, keys):
    times = []
    for key in keys:
        start = time.perf_counter()
        fn(key)
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)], len(keys) / sum(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--queries", type=int, default=20000)
    args = parser.parse_args()

    catalog = bmc_core.Catalog.open(args.index)
    catalog.warm()
    r = redis.Redis(host="127.0.0.1", port=args.port)
    total = len(catalog)
    if r.dbsize() != total:
        r.flushall()
        pipe = r.pipeline(transaction=False)
        offset = 0
        for prefix in [str(d) for d in range(10)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]:
            for p in catalog.prefix(prefix, limit=10_000_000):
                row = p.to_dict()
                row["created_at"] = str(row["created_at"])
                row["updated_at"] = str(row["updated_at"])
                pipe.set(f"product:{p.product_code}", json.dumps(row))
                offset += 1
                if offset % 10_000 == 0:
                    pipe.execute()
        pipe.execute()
    codes = [p.product_code for p in catalog.prefix("77", limit=200_000)]
    rng = random.Random(7)
    keys = [rng.choice(codes) for _ in range(args.queries)]

    def via_redis(code):
        return json.loads(r.get(f"product:{code}"))

    def via_wheel(code):
        return catalog.get(code)

    def via_wheel_dict(code):
        return catalog.get(code).to_dict()

    rows = [
        ("redis-py GET + json.loads", timed(via_redis, keys)),
        ("bmc_core Catalog.get", timed(via_wheel, keys)),
        ("bmc_core Catalog.get().to_dict()", timed(via_wheel_dict, keys)),
    ]
    batch = 1000
    start = time.perf_counter()
    for i in range(0, len(keys), batch):
        r.mget([f"product:{c}" for c in keys[i : i + batch]])
    mget = len(keys) / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(0, len(keys), batch):
        catalog.get_many(keys[i : i + batch])
    many = len(keys) / (time.perf_counter() - start)

    base = rows[0][1][2]
    print(f"{total} products, {len(keys)} random lookups of existing codes, one client thread")
    print(f"| lookup | p50 | p99 | per second | × redis |")
    print(f"|---|---|---|---|---|")
    for name, (p50, p99, rate) in rows:
        print(f"| {name} | {p50 * 1e6:.1f} µs | {p99 * 1e6:.1f} µs | {rate:,.0f} | {rate / base:.1f} |")
    print(f"| redis-py MGET, batches of {batch} | | | {mget:,.0f} | {mget / base:.1f} |")
    print(f"| bmc_core Catalog.get_many, batches of {batch} | | | {many:,.0f} | {many / base:.1f} |")


if __name__ == "__main__":
    main()

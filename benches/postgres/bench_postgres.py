"""The same catalog queries against PostgreSQL 15 (prepared statements, psycopg) and against
bmc-core's index (through the Python wheel), from the same Python client; prints the ratio
table. Run through benches/postgres/run.sh, which loads the same generated rows into both.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import psycopg

from bmc_core import Catalog

GET = "SELECT * FROM bmc_transactional.products WHERE product_code = %s"
BY_CLASS = ("SELECT * FROM bmc_transactional.products WHERE dian_classification LIKE %s "
            "AND is_active ORDER BY dian_classification, product_code LIMIT 20")
RANKED = ("SELECT * FROM bmc_transactional.products WHERE product_name %% %s "
          "ORDER BY similarity(product_name, %s) DESC, product_id LIMIT 10")
FUZZY = ("SELECT * FROM bmc_transactional.products WHERE %s <%% product_name "
         "ORDER BY word_similarity(%s, product_name) DESC, product_id LIMIT 10")

TWO_WORDS = ["cafe tostado", "arroz blanco", "aceite palma", "queso campesino", "pechuga pollo"]
MISSPELLED = ["panela pulverisada", "aguacte hass", "cafe tostdo", "arros blanco", "bananno cavendish"]


def timings(fn, args_list, rounds: int = 1) -> list[float]:
    out = []
    for _ in range(rounds):
        for args in args_list:
            start = time.perf_counter()
            fn(*args)
            out.append(time.perf_counter() - start)
    return out


def p50_p99(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[int(round((len(times) - 1) * 0.99))]


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--lookups", type=int, default=20_000)
    args = parser.parse_args()

    catalog = Catalog.open(args.index)
    rng = random.Random(7)
    with psycopg.connect(args.dsn, prepare_threshold=0) as conn:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM bmc_transactional.products")
        total = cur.fetchone()[0]
        cur.execute("SELECT product_code, dian_classification FROM bmc_transactional.products "
                    "TABLESAMPLE SYSTEM (1) LIMIT 50000")
        sample = cur.fetchall()
        codes = [(rng.choice(sample)[0],) for _ in range(args.lookups)]
        classes = [(rng.choice(sample)[1][:7],) for _ in range(500)]  # heading + HS-6 digits

        def pg(sql, n_params):
            def run(*values):
                cur.execute(sql, values * n_params if n_params > 1 else values)
                cur.fetchall()
            return run

        # Both sides warm, as the goals are stated: PostgreSQL reads every sampled row once
        # before it is timed (its shared buffers then hold them), bmc-core touches every page
        # of its mapped files once (Catalog.warm).
        timings(pg(GET, 1), codes)
        catalog.warm()
        rows = []
        pg_get = p50_p99(timings(pg(GET, 1), codes))
        bmc_get = p50_p99(timings(catalog.get, codes))
        rows.append(("get by code", pg_get, bmc_get))
        pg_class = p50_p99(timings(pg(BY_CLASS, 1), [(c + "%",) for (c,) in classes]))
        bmc_class = p50_p99(timings(lambda c: catalog.by_classification(c, active_only=True),
                                    [(c.replace(".", ""),) for (c,) in classes]))
        rows.append(("by classification, first page", pg_class, bmc_class))
        ranked = [(q,) for q in TWO_WORDS]
        pg_ranked = p50_p99(timings(pg(RANKED, 2), ranked, rounds=3))
        bmc_ranked = p50_p99(timings(lambda q: catalog.search(q, limit=10), ranked, rounds=3))
        rows.append(("ranked 2-word search", pg_ranked, bmc_ranked))
        fuzzy = [(q,) for q in MISSPELLED]
        pg_fuzzy = p50_p99(timings(pg(FUZZY, 2), fuzzy, rounds=1))
        bmc_fuzzy = p50_p99(timings(lambda q: catalog.search(q, limit=10), fuzzy, rounds=3))
        rows.append(("misspelled search (word_similarity)", pg_fuzzy, bmc_fuzzy))

    print(f"{total} products; PostgreSQL 15 (prepared statements, psycopg) vs bmc-core "
          "(Python wheel), same client, same rows")
    print("| query | PostgreSQL p50 / p99 | bmc-core p50 / p99 | × faster (p50) |")
    print("|---|---|---|---|")
    for name, (pg50, pg99), (b50, b99) in rows:
        print(f"| {name} | {fmt(pg50)} / {fmt(pg99)} | {fmt(b50)} / {fmt(b99)} | {pg50 / b50:,.0f} |")


if __name__ == "__main__":
    main()

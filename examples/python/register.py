"""Register invoices end to end: open the sample catalog's index (built on first use), the
rule book and the sellers' numbering-range keys, register one invoice with its events, then a
whole folder at once.

Run with the wheel installed: ``python examples/python/register.py``.
"""

import datetime
import json
import pathlib

import bmc_core

index = "out/examples-index"
if not pathlib.Path(index, "manifest.json").exists():
    bmc_core.Catalog.build("data/sample-catalog.csv.gz", index)
pipeline = bmc_core.Pipeline(
    index,
    technical_keys="data/invoices/technical-keys.csv",
    environment="test",  # the samples are DIAN test-environment documents
)

events = []
xml = pathlib.Path("data/invoices/FEV-0005.xml").read_bytes()
r = pipeline.register(xml, datetime.date(2026, 9, 10), events.append)
c = json.loads(r.to_json())["commission"]
print(f"{json.loads(r.to_json())['invoice']['number']} registrable: {str(r.registrable).lower()}")
print(f"commission: fee {c['fee']} iva {c['iva']} total {c['total']}")
print("events: " + ", ".join(e["name"] for e in events))

files = sorted(pathlib.Path("data/invoices").glob("*.xml"))
results = pipeline.register_many([f.read_bytes() for f in files], datetime.date(2026, 11, 29))
registered = sum(1 for r in results if isinstance(r, bmc_core.Registration) and r.registrable)
print(f"{len(results)} documents, {registered} registered")

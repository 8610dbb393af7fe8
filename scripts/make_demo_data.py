#!/usr/bin/env python3
"""Regenerates tests/data/demo_customers.csv and tests/data/demo_events.csv
from the CDNOW event log (Fader, Hardie & Lee, via the BTYD R package).

    scripts/make_demo_data.py [CDNOW_ELOG] [FIRST_SAMPLEID] [LAST_SAMPLEID]

CDNOW_ELOG defaults to ../shared/data/cdnow/cdnowElog.csv next to the repo;
the customers taken are sampleid 1..120 by default (315 purchases). The
output is deterministic, so running it again must leave git clean.

It also writes the SYNTHETIC files demo_prospects.csv and
demo_prospect_events.csv from the hand-written table SYNTHETIC below:
invented prospects (external ids "synth-pNN", e-mails at example.com) and a
few invented events for CDNOW customers (complaints, a refund, two win-back
purchases). Nothing in them is real data; see tests/data/README.md.
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(REPO, "tests", "data")


# --- synthetic, hand-written ------------------------------------------------
# (external id, name, source, contacts, qualify payload or None, purchase)
PROSPECTS = [
    ("synth-p01", "Synthetic Prospect 01", "fair", 12, None, None),
    ("synth-p02", "Synthetic Prospect 02", "web", 13, None, None),
    ("synth-p03", "Synthetic Prospect 03", "referral", 14, None, None),
    ("synth-p04", "Synthetic Prospect 04", "web", 2, (True, True, True), None),
    ("synth-p05", "Synthetic Prospect 05", "referral", 3, (True, True, True),
     None),
    ("synth-p06", "Synthetic Prospect 06", "fair", 4, (True, True, True),
     None),
    ("synth-p07", "Synthetic Prospect 07", "web", 5, (True, True, True), None),
    ("synth-p08", "Synthetic Prospect 08", "web", 2, (True, True, True), None),
    ("synth-p09", "Synthetic Prospect 09", "fair", 3, (True, True, False),
     None),
    ("synth-p10", "Synthetic Prospect 10", "referral", 4, (True, True, True),
     ("1998-06-18T15:00:00Z", "24.00", 1)),
    ("synth-p11", "Synthetic Prospect 11", "web", 1, None, None),
    ("synth-p12", "Synthetic Prospect 12", "web", 2, None, None),
    ("synth-p13", "Synthetic Prospect 13", "fair", 3, None, None),
    ("synth-p14", "Synthetic Prospect 14", "referral", 1, None, None),
    ("synth-p15", "Synthetic Prospect 15", "web", 0, None, None),
]

# events for CDNOW customers: (key, customer, type, at, amount, qty, payload)
CDNOW_EXTRA = [
    ("demo-s-complaint-1", "cdnow-0001", "complaint", "1998-06-02T09:30:00Z",
     "", "", '{"summary":"CD arrived broken","category":""}'),
    ("demo-s-complaint-2", "cdnow-0004", "complaint", "1998-06-10T16:05:00Z",
     "", "", '{"summary":"CD arrived broken","category":""}'),
    ("demo-s-refund-1", "cdnow-0002", "refund", "1998-06-05T11:00:00Z",
     "10.00", "1", '{"refund_of":"cdnow-r5","reason":"one CD returned"}'),
    ("demo-s-winback-1", "cdnow-0003", "purchase", "1998-06-20T12:00:00Z",
     "19.99", "1", ""),
    ("demo-s-winback-2", "cdnow-0005", "purchase", "1998-06-25T12:00:00Z",
     "35.50", "2", ""),
]


def synthetic():
    with open(os.path.join(OUT, "demo_prospects.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["external_id", "name", "email", "phone", "timezone",
                    "birthday", "source", "channel"])
        for i, (ext, name, source, _, _, _) in enumerate(PROSPECTS, 1):
            w.writerow([ext, name, "%s@example.com" % ext.replace("-", "."),
                        "+1-555-01%02d" % i, "America/New_York",
                        "19%02d-%02d-%02d" % (60 + i, 1 + i % 12, 1 + i),
                        "synthetic-" + source, "file"])

    rows = []
    for i, (ext, _, _, contacts, qualify, purchase) in enumerate(PROSPECTS):
        day = 0
        for n in range(contacts):
            day = 3 * n + i % 3
            rows.append(["demo-s-%s-c%02d" % (ext, n + 1), ext, "contact",
                         "1998-03-%02dT10:00:00Z" % (2 + day)
                         if day < 29 else
                         "1998-04-%02dT10:00:00Z" % (day - 28),
                         "", "", "", '{"via":"phone"}'])
        if qualify:
            m, a, nd = ("true" if x else "false" for x in qualify)
            rows.append(["demo-s-%s-q" % ext, ext, "qualify",
                         "1998-05-%02dT14:00:00Z" % (4 + i), "", "", "",
                         '{"money":%s,"authority":%s,"need":%s}' % (m, a, nd)])
        if purchase:
            at, amount, qty = purchase
            rows.append(["demo-s-%s-p" % ext, ext, "purchase", at, amount,
                         "USD", str(qty), ""])
    for key, cust, typ, at, amount, qty, payload in CDNOW_EXTRA:
        rows.append([key, cust, typ, at, amount, "USD" if amount else "",
                     qty, payload])
    rows.sort(key=lambda r: (r[3], r[0]))
    with open(os.path.join(OUT, "demo_prospect_events.csv"), "w",
              newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["idempotency_key", "customer", "type", "occurred_at",
                    "amount", "currency", "quantity", "payload"])
        w.writerows(rows)
    print("wrote %d synthetic prospects, %d synthetic events" %
          (len(PROSPECTS), len(rows)))


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(
        REPO, "..", "shared", "data", "cdnow", "cdnowElog.csv")
    first = int(argv[2]) if len(argv) > 2 else 1
    last = int(argv[3]) if len(argv) > 3 else 120

    customers = []  # sampleids in order of first appearance
    events = []
    with open(src, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header != ["masterid", "sampleid", "date", "cds", "sales"]:
            sys.exit("unexpected header in %s: %s" % (src, header))
        for rowno, (masterid, sampleid, date, cds, sales) in enumerate(rows, 1):
            sid = int(sampleid)
            if not first <= sid <= last:
                continue
            if sid not in customers:
                customers.append(sid)
            when = "%s-%s-%sT12:00:00Z" % (date[0:4], date[4:6], date[6:8])
            events.append(["cdnow-r%d" % rowno, "cdnow-%04d" % sid,
                           "purchase", when, sales, "USD", cds, ""])

    with open(os.path.join(OUT, "demo_customers.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["external_id", "name", "email", "phone", "timezone",
                    "birthday", "source", "cohort"])
        for sid in sorted(customers):
            w.writerow(["cdnow-%04d" % sid, "CDNOW %04d" % sid, "", "",
                        "America/New_York", "", "cdnow", "1997Q1"])

    events.sort(key=lambda e: (e[3], int(e[0][len("cdnow-r"):])))
    with open(os.path.join(OUT, "demo_events.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["idempotency_key", "customer", "type", "occurred_at",
                    "amount", "currency", "quantity", "payload"])
        w.writerows(events)

    print("wrote %d customers, %d purchase events" %
          (len(customers), len(events)))
    synthetic()


if __name__ == "__main__":
    main(sys.argv)

#!/bin/sh
# The crmcore demo: a fresh SQLite store, the four in-tree plugins (one of
# every kind: rfm scoring, basic_points reward, file channel, basic_case
# complaints) loaded through conf/crm.conf, the CDNOW sample and the
# synthetic prospects imported, the lifecycle advanced and scores computed
# as of 1998-07-01, one message sent to an at-risk customer, and the final
# report.
#
#   scripts/demo.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR: a configured and built tree (default ./build, or
# $CRM_BUILD_DIR). OUT_DIR: where the store and the message outbox go
# (default ./out/demo); it is emptied first if an earlier demo made it.
# Any failing step stops the demo with a non-zero exit code.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${CRM_BUILD_DIR:-$repo/build}}
out=${2:-$repo/out/demo}
build=$(cd "$build" && pwd)

crm_bin="$build/core/cli/crm"
plugins="$build/plugins"
conf="$repo/conf/crm.conf"
data="$repo/tests/data"

for f in "$crm_bin" "$conf" "$data/demo_customers.csv"; do
  if [ ! -e "$f" ]; then
    echo "demo: $f is missing (build first: scripts/build.sh)" >&2
    exit 1
  fi
done

if [ -e "$out" ]; then
  if [ ! -e "$out/.crm-demo" ]; then
    echo "demo: $out exists and was not made by the demo; give another OUT_DIR" >&2
    exit 1
  fi
  rm -rf "$out"
fi
mkdir -p "$out"
: > "$out/.crm-demo"
out=$(cd "$out" && pwd)
cd "$out" # the file channel writes its outbox relative to here

crm() {
  "$crm_bin" --config "$conf" --plugin-dir "$plugins" --store "$out/demo.db" "$@"
}

step() {
  echo
  echo "\$ crm $*"
  crm "$@"
}

# The demo is a replay: every step runs on a fixed clock (--as-of), so the
# store tells the same story whenever it runs. Customers are created before
# their first purchase; events are ingested once the clock has passed them
# (events in the future are refused).
echo "crmcore demo: store $out/demo.db, plugins from $plugins"
step init
step plugins list
step --as-of 1997-01-01 import customers "$data/demo_customers.csv"
step --as-of 1998-03-01 import customers "$data/demo_prospects.csv"
step --as-of 1998-07-01 import events "$data/demo_events.csv"
step --as-of 1998-07-01 import events "$data/demo_prospect_events.csv"
step lifecycle advance --as-of 1998-07-01
step score run --as-of 1998-07-01

# The lifecycle advance finds customers at risk who lapsed months ago: the
# win_back trigger sends them nothing (max_age_hours, default 48 h).
step case list
step customer show cdnow-0002
step --as-of 1998-07-01 report

# ---- scoring models on the whole CDNOW sample ------------------------------
# All 2,357 customers of the sample (the 120 above included, same ids and
# keys, so nothing is counted twice) are built from tests/data/cdnowElog.csv
# as scripts/make_demo_data.py builds the 120. The clv fit learns from
# weeks 1-39 (to 1997-09-30) and must print the published BG/NBD
# parameters r 0.2426, alpha 4.4136, a 0.7929, b 2.4259 (LL -9582.43) and
# Gamma-Gamma p 6.25, q 3.74, gamma 15.44.
echo
echo "---- scoring models: clv, churn, lead, loyalty index ----"
awk -F, 'NR > 1 && !seen[$2]++ {
    printf "cdnow-%04d,CDNOW %04d,,,America/New_York,,cdnow,1997Q1\n", $2, $2
  }' "$data/cdnowElog.csv" |
  { echo "external_id,name,email,phone,timezone,birthday,source,cohort"; sort; } \
  > "$out/cdnow_all_customers.csv"
awk -F, 'NR > 1 {
    printf "%s,cdnow-r%d,cdnow-%04d,purchase,%s-%s-%sT12:00:00Z,%s,USD,%s,\n",
      $3, NR - 1, $2, substr($3, 1, 4), substr($3, 5, 2), substr($3, 7, 2),
      $5, $4
  }' "$data/cdnowElog.csv" | sort -t, -k1,1 -k2.8n | cut -d, -f2- |
  { echo "idempotency_key,customer,type,occurred_at,amount,currency,quantity,payload"; cat; } \
  > "$out/cdnow_all_events.csv"
step --as-of 1997-01-01 import customers "$out/cdnow_all_customers.csv"
step --as-of 1998-07-01 import events "$out/cdnow_all_events.csv"
step score fit clv --as-of 1997-10-01
# The fitted model scores everyone as of the end of the data; churn reads
# clv's P(alive). Synthetic surveys, NPS answers, referrals and lead
# outcomes (tests/data/demo_scoring_events.csv) feed the loyalty index and
# the lead model as they arrive.
step --as-of 1998-07-01 import events "$data/demo_scoring_events.csv"
step score run --model clv --as-of 1998-07-01
step score run --model churn --as-of 1998-07-01
step score fit loyalty_index --as-of 1998-07-01
step score fit lead --as-of 1998-07-01
step score show cdnow-0001
step score show synth-p05 --model lead
step score fits

# ---- the loyalty engine: one member of each scheme -----------------------
# A car dealer (2025 orders, a car returned in January 2026), three airline
# members and six supermarket shoppers (2026). Each scheme is a plugin
# with its own rules in conf/packs/*.conf.
echo
echo "---- loyalty schemes: air miles, supermarket points, dealer rebate ----"
step --as-of 2025-01-01 import customers "$data/demo_dealer_customers.csv"
step --as-of 2026-01-01 import customers "$data/demo_air_miles_customers.csv"
step --as-of 2026-01-01 import customers "$data/demo_supermarket_customers.csv"
step --as-of 2026-02-01 import events "$data/demo_dealer_events.csv"
step --as-of 2026-06-01 import events "$data/demo_air_miles_events.csv"
step --as-of 2026-06-01 import events "$data/demo_supermarket_events.csv"
# Releases (return windows, the dealer's settlement), expiry, tier reviews:
# only what has fallen due.
step --as-of 2026-06-01 points process
step rewards list

# Airline: miles per great-circle distance x fare class; a tier change
# (silver on qualifying miles) and the tier bonus on the next tickets;
# a cancelled trip reversed in full; an upgrade redeemed.
step --as-of 2026-06-01 points show air-0001 --scheme air_miles
step --as-of 2026-06-01 tier show air-0001 --scheme air_miles
step points history air-0002 --scheme air_miles
step --as-of 2026-06-01 points redeem air-0001 UPG --scheme air_miles \
  --key demo-air-0001-upg
step --as-of 2026-06-01 points show air-0001 --scheme air_miles

# Supermarket: points per euro with category multipliers, a partial refund
# taken back pro rata, 500 points turned into a 5.00 voucher on their own.
step points history sm-0001 --scheme supermarket_points
step --as-of 2026-06-01 voucher list sm-0001

# Dealer: the 1.5 % band reached at the 50th car applies to the whole
# year; the car returned in January lowers it; the settled rebate is paid.
step points statement dealer-0001 --scheme dealer_rebate --year 2025
step payouts list dealer-0001

# ---- communication: consent, triggers, the send gate, the outbox ---------
# E-mail is routed to the file channel (the dry run): each message sent is
# a JSON line in $out/outbox.jsonl. Ana (Paris) and Ben (New York)
# opted in to e-mail, Chloé (Tokyo) never did. Ana prefers French. All
# three make a first purchase: the welcome trigger queues a message each;
# Ana's birthday and the Tuesday member day are due at 09:00 local. At
# 10:00 UTC the outbox sends Ana's welcome and birthday, refuses her
# member-day message (cap: 2 marketing messages a week), holds Ben's
# (05:00 in New York is inside the quiet hours 21:00-08:00) until 08:00
# EST, and refuses Chloé's (marketing without an opt-in). At 13:05 UTC
# Ben's goes.
echo
echo "---- communication: consent, triggers, quiet hours, the outbox ----"
step --as-of 2026-11-24T07:00:00Z import customers "$data/demo_comm_customers.csv"
step --as-of 2026-11-24T07:00:00Z consent set comm-ana email in --source "web form"
step --as-of 2026-11-24T07:00:00Z consent set comm-ben email in --source "web form"
step --as-of 2026-11-24T07:00:00Z prefs set comm-ana --language fr --source "web form"
step --as-of 2026-11-24T10:00:00Z import events "$data/demo_comm_events.csv"
step --as-of 2026-11-24T10:00:00Z send test comm-ben welcome --dry-run
step --as-of 2026-11-24T10:00:00Z outbox run
for who in comm-ana comm-ben comm-chloe; do
  step outbox list --customer "$who"
done
step outbox channels
echo
echo "\$ cat $out/outbox.jsonl"
cat "$out/outbox.jsonl"
step --as-of 2026-11-24T13:05:00Z outbox run
step outbox list --customer comm-ben
held=$(grep -c '"customer_id"' "$out/outbox.jsonl")
echo "messages written by the file channel: $held"

# ---- complaints: a case, its SLA, service recovery, the survey ----------
# Ana answered a satisfaction survey in early November (3/5) and shopped
# again. On Tuesday 24 November at 11:30 Paris time she complains by
# e-mail: her order came late with broken eggs. Triage files it as
# delivery, priority 2: the care team (Paris, 09:00-12:30 and 13:30-18:00)
# owes a first answer within 4 business hours and a resolution within 16.
# Maria assigns it to Lucas, who answers at 12:40 (1 business hour used:
# the lunch break from 12:30 does not count) and resolves it at 15:00
# (2h30m of 16h) with 500 goodwill points, written to the ledger
# once even though the resolve is sent twice. `crm sla run` finds nothing
# breached. A week later the case closes by itself, the survey goes out
# through the outbox (the member-day messages of that Tuesday go in the
# same run: refused for everyone without an opt-in), Ana answers 5/5 and
# would recommend the shop (9/10): her loyalty index moves from "at risk"
# to "neutral".
echo
echo "---- complaints: case, SLA, service recovery, survey ----"
step --as-of 2026-11-24T10:20:00Z import events "$data/demo_case_events.csv"
step --as-of 2026-11-24T10:20:00Z score show comm-ana --model loyalty_index
step --as-of 2026-11-24T10:30:00Z case open comm-ana --origin email \
  --order SM-20261121-0042 --key demo-case-ana-eggs \
  --summary "My order arrived two days late and the eggs were broken"
case=$(crm case list --customer comm-ana | awk 'NR == 2 { print $1 }')
step --as-of 2026-11-24T10:30:00Z sla show "$case"
step --as-of 2026-11-24T11:15:00Z case assign "$case" lucas --by maria \
  --why "delivery specialist"
step --as-of 2026-11-24T11:40:00Z case reply "$case" --by lucas \
  "We are sorry, Ana. A new box of eggs is on its way today and we are checking with the courier."
step --as-of 2026-11-24T14:00:00Z case resolve "$case" --by lucas \
  --why "new eggs delivered, broken ones refunded, 500 goodwill points" \
  --points 500 --scheme supermarket_points
step --as-of 2026-11-24T14:00:00Z case resolve "$case" --by lucas \
  --why "sent twice by mistake" --points 500 --scheme supermarket_points
step --as-of 2026-11-24T14:00:00Z sla run
step --as-of 2026-11-24T14:00:00Z case list --breached
step --as-of 2026-12-01T14:00:00Z sla run
step --as-of 2026-12-01T15:05:00Z outbox run
step --as-of 2026-12-01T18:00:00Z case survey "$case" --score 5 --nps 9 \
  --comment "Quick and kind, thank you"
step --as-of 2026-12-01T18:00:00Z score show comm-ana --model loyalty_index
step points history comm-ana --scheme supermarket_points
step --as-of 2026-12-01T18:00:00Z case show "$case"
step --as-of 2026-12-01T18:00:00Z case stats --since 2026-11-01

# The demo promises all four plugin kinds and the three schemes loaded.
loaded=$(crm plugins list | awk '$2 == "loaded"' | wc -l)
if [ "$loaded" -lt 12 ]; then
  echo "demo: only $loaded plugins loaded, expected 12" >&2
  exit 1
fi
echo
echo "demo: done; store and outbox in $out"

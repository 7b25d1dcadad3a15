#!/usr/bin/env bash
# The north-star benchmark (issue 14): a shop's whole pipeline on a generated sample, each step
# its own process, wall clock per step and in total.
#
#   bench/pipeline.sh [CUSTOMERS] [WORKDIR]      (defaults: 1000000, a new folder under /tmp)
#
# It generates `tailor sample --customers N --seed 1`, dumps its three tables with
# `sqlite3 -header -csv` as a shop would export them, times `sqlite3 .import --csv` of the same
# three files (the disk's pace, for comparison), then times, each as its own process:
# import, segment (k-means, k auto), churn, lifetime value, a fairness audit, a campaign of the
# two largest segments with every customer's offer exported, and a segment export. Every step
# must exit 0. Needs sqlite3, python3 and a release build (`cargo build --release`, or TAILOR=path).
# The 1M run needs about 5 GB of disk in WORKDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-1000000}
work=${2:-$(mktemp -d /tmp/tailor-pipeline.XXXXXX)}
tailor=${TAILOR:-target/release/tailor}
[ -x "$tailor" ] || { echo "error: $tailor not found: run cargo build --release (or set TAILOR)" >&2; exit 2; }
for tool in sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install $tool)" >&2; exit 2; }
done
mkdir -p "$work"
cd "$work"
rm -f sample.sqlite shop.sqlite sqlite3.sqlite ./*.csv

declare -a names=() times=()
now() { date +%s.%N; }
# step NAME COMMAND...: runs it, quiet unless it fails, and records its wall clock.
step() {
  local name=$1; shift
  local t0 t1
  t0=$(now)
  if ! "$@" >step.out 2>step.log; then
    echo "error: step '$name' failed:" >&2
    tail -20 step.log >&2
    exit 1
  fi
  t1=$(now)
  local took
  took=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
  names+=("$name"); times+=("$took")
  printf '%-34s %8s s\n' "$name" "$took"
}

echo "Tailor pipeline on $customers customers in $work ($("$tailor" --version 2>/dev/null || echo tailor))"
"$tailor" sample --customers "$customers" --seed 1 --out sample.sqlite >/dev/null 2>&1
for table in customers products transactions; do
  sqlite3 -header -csv sample.sqlite "SELECT * FROM $table" > "$table.csv"
done
echo "sample: $(du -ch ./*.csv | tail -1 | cut -f1) of CSV"

step "sqlite3 .import --csv (reference)" sqlite3 sqlite3.sqlite \
  ".import --csv customers.csv customers" \
  ".import --csv products.csv products" \
  ".import --csv transactions.csv transactions"
step "import" "$tailor" import customers.csv products.csv transactions.csv --db shop.sqlite
step "segment (k-means, k auto)" "$tailor" segment shop.sqlite --method kmeans --k auto --seed 1 --json
# The two largest segments of the run just stored.
read -r first second < <(python3 -c 'import json,sys; s=sorted(json.load(open("step.out"))["segments"], key=lambda x: -x["size"]); print(s[0]["id"], s[1]["id"])')
step "churn" "$tailor" churn shop.sqlite --seed 1
step "lifetime value" "$tailor" clv shop.sqlite
step "audit (gender, churn top 20%)" "$tailor" audit shop.sqlite --attribute gender --decision churn-top:0.2
step "campaign (2 segments, offers)" "$tailor" campaign shop.sqlite --segment "$first" --segment "$second" \
  --offers --out campaign.csv
step "export --segment 1" "$tailor" export shop.sqlite --segment 1 --out segment-1.csv

audience=$(($(wc -l < campaign.csv) - 1))
total=$(python3 -c "import sys; print(f'{sum(map(float, sys.argv[1:])):.1f}')" "${times[@]:1}")
echo "campaign audience: $audience customers, each with an offer"
printf '%-34s %8s s\n' "total (tailor steps)" "$total"

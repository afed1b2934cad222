#!/usr/bin/env bash
# demo.sh: the end-to-end demonstration that `./run demo` runs (after ./run has installed and
# built everything; this script builds nothing).  docs/DEMO.md explains each section.
#
#   1. the foundation walk-through (build/qiao demo --no-bench);
#   2. a devnet in demo-out/: three anvil chains (judicial 7001, trade 7002, traceability 7003),
#      contracts compiled by solc-js and deployed, four encrypted notary keys, four validated
#      configs (scripts/devnet.js);
#   3. four notaries, `build/qiao run --config …` (k = 3), when build/qiao has `run`;
#   4. a cold-chain record from traceability and a trade document hash from trade, both to the
#      judicial chain's EvidenceRegistry;
#   5. their delivery (when the notaries run), and a summary of each message;
#   5b. the cold-chain record's evidence bundle and trust file (demo-out/evidence-cold-chain.json,
#      demo-out/trust.json), exported from notary-1 and verified offline by `qiao verify`;
#   6. one atomic swap between the trade chain and Bitcoin regtest (scripts/swap_demo.js), each
#      step with its block heights (when the notaries run);
#   7. a short `qiao bench primitives`.
#
# Everything it starts is stopped on exit, success or failure (trap, by PID).
# Options: --keep  leave the devnet running (stop it with: node scripts/devnet.js down --dir demo-out)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/demo-out
QIAO=$ROOT/build/qiao
DEVNET=(node "$ROOT/scripts/devnet.js")
DELIVERY_TIMEOUT=${QIAO_DEMO_TIMEOUT:-120}
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

NOTARY_PIDS=()
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
say() { printf '  %s\n' "$*"; }

# Stop one PID: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${NOTARY_PIDS[@]}"; do stop_pid "$pid"; done
    if [ "$KEEP" = 1 ] && [ "$rc" = 0 ]; then
        say "devnet left running (--keep); stop it with: node scripts/devnet.js down --dir demo-out"
    elif [ -f "$OUT/devnet.json" ]; then
        "${DEVNET[@]}" down --dir "$OUT" --quiet || echo "demo: devnet down reported a problem" >&2
        say "stopped everything the demo started (notaries and chain nodes, by PID)"
    fi
    [ "$rc" = 0 ] || echo "demo: FAILED (exit $rc); logs are in $OUT" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$QIAO" ] || { echo "demo: $QIAO not built (./run demo builds it)" >&2; exit 1; }

bold "1. Foundation: keys, signatures, RLP and Keccak"
"$QIAO" demo --no-bench

bold "2. Devnet: three anvil chains, contracts, notary keys and configs"
"${DEVNET[@]}" up --dir "$OUT" --fresh --notaries 4 --k 3 >/dev/null
"${DEVNET[@]}" describe --dir "$OUT"

bold "3. Notaries (k = 3 of 4)"
RELAY=0
if "$QIAO" run --help >/dev/null 2>&1; then
    RELAY=1
    # The configs name $QIAO_DEVNET_PASSPHRASE; devnet.js kept it in demo-out/passphrase (0600).
    if [ -z "${QIAO_DEVNET_PASSPHRASE:-}" ]; then
        QIAO_DEVNET_PASSPHRASE=$(cat "$OUT/passphrase")
    fi
    export QIAO_DEVNET_PASSPHRASE
    for n in 1 2 3 4; do
        dir=$OUT/notary-$n
        "$QIAO" run --config "$dir/config.json" >>"$dir/qiao.log" 2>&1 &
        NOTARY_PIDS+=($!)
        echo $! >"$dir/pid"
        say "notary-$n: pid $!, log $dir/qiao.log"
    done
    sleep 2
    for i in "${!NOTARY_PIDS[@]}"; do
        kill -0 "${NOTARY_PIDS[$i]}" 2>/dev/null ||
            { echo "demo: notary-$((i + 1)) exited at start-up; see $OUT/notary-$((i + 1))/qiao.log" >&2; exit 1; }
    done
else
    say "relay not built yet: build/qiao has no \`run\` command, so no notary starts."
    say "The chains, contracts, keys and configs above are real; the messages below are sent and"
    say "final on their source chains, but nobody certifies or delivers them yet."
fi

bold "4. Messages"
# (a) A cold-chain record.  The full record keeps every temperature reading; what crosses the
# bridge is its summary plus the SHA-256 of the full record, so a court can check the original.
cat >"$OUT/coldchain-full-record.json" <<'EOF'
{"batch":"CC-2026-0417","product":"frozen shrimp, 20 t","origin":{"country":"EC","site":"Guayaquil packing plant 3"},
 "importer":{"name":"Qiao Demo Imports Ltd","licence":"IMP-440300-0091"},
 "inspection":{"authority":"port customs lab","result":"pass","certificate":"INSP-88213"},
 "quarantine":{"result":"released","hours":36},
 "warehouse":{"site":"cold store B-7","entry_time":"2026-04-17T06:42:00Z"},
 "temperature_log_c":[-19.1,-19.0,-18.8,-18.9,-18.4,-18.6,-19.2,-19.3,-18.7,-18.5,-18.9,-19.0]}
EOF
FULL_SHA=$(sha256sum "$OUT/coldchain-full-record.json" | cut -d' ' -f1)
cat >"$OUT/coldchain-record.json" <<EOF
{"type":"cold-chain-record","batch":"CC-2026-0417","origin":"EC / Guayaquil packing plant 3",
 "importer":"Qiao Demo Imports Ltd","inspection":"pass (INSP-88213)","quarantine":"released after 36 h",
 "warehouse_entry":"2026-04-17T06:42:00Z",
 "temperature":{"readings":12,"min_c":-19.3,"max_c":-18.4,"limit_c":-18.0,"excursions":0},
 "full_record_sha256":"$FULL_SHA"}
EOF
say "(a) cold-chain record, batch CC-2026-0417: full record sha256 $FULL_SHA"
"${DEVNET[@]}" send --dir "$OUT" --lane 7003:7001 --payload "$OUT/coldchain-record.json" \
    --out "$OUT/sent-coldchain.json" >/dev/null

# (b) A trade document: only its hash crosses the bridge.
printf 'COMMERCIAL INVOICE QD-2026-118\nSeller: Pacific Seafood Export SA\nBuyer: Qiao Demo Imports Ltd\nGoods: frozen shrimp, 20 t, batch CC-2026-0417\nAmount: USD 184,000.00, CIF\n' \
    >"$OUT/trade-invoice.txt"
DOC_SHA=$(sha256sum "$OUT/trade-invoice.txt" | cut -d' ' -f1)
printf '{"type":"trade-document","doc":"commercial invoice","number":"QD-2026-118","sha256":"%s"}' \
    "$DOC_SHA" >"$OUT/trade-doc.json"
say "(b) trade document, invoice QD-2026-118: sha256 $DOC_SHA"
"${DEVNET[@]}" send --dir "$OUT" --lane 7002:7001 --payload "$OUT/trade-doc.json" \
    --out "$OUT/sent-trade.json" >/dev/null

bold "5. Delivery and summary"
FAILED=0
for m in coldchain trade; do
    if [ "$RELAY" = 1 ]; then
        id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "$OUT/sent-$m.json")
        "${DEVNET[@]}" wait-delivered --dir "$OUT" --id "$id" --timeout "$DELIVERY_TIMEOUT" \
            --out "$OUT/delivered-$m.json" >/dev/null || FAILED=1
        "${DEVNET[@]}" report --dir "$OUT" --sent "$OUT/sent-$m.json" --delivery "$OUT/delivered-$m.json"
    else
        "${DEVNET[@]}" report --dir "$OUT" --sent "$OUT/sent-$m.json" --wait-final 10
    fi
done
if [ "$RELAY" = 0 ]; then
    say "relay not built yet: messages sent and final on their source chains, not delivered."
elif [ "$FAILED" = 1 ]; then
    echo "demo: a message was not delivered within ${DELIVERY_TIMEOUT}s (notary logs: $OUT/notary-*/qiao.log)" >&2
    exit 1
fi

if [ "$RELAY" = 1 ] && "$QIAO" --help 2>/dev/null | grep -q '^  evidence '; then
    bold "5b. Evidence bundle for the cold-chain record, verified offline"
    EV_CFG=$OUT/notary-1/config.json
    EV_ID=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "$OUT/sent-coldchain.json")
    "$QIAO" evidence trust --config "$EV_CFG" -o "$OUT/trust.json" | sed 's/^/  /'
    # The notary records the delivery a moment after the Inbox consumed it, and the bundle carries
    # the delivery block's confirmations: retry while the refusal says "not yet".
    EV_OK=0
    for _ in $(seq "${QIAO_DEMO_EVIDENCE_TIMEOUT:-60}"); do
        if "$QIAO" evidence export "$EV_ID" -o "$OUT/evidence-cold-chain.json" --config "$EV_CFG" \
            >"$OUT/evidence-export.log" 2>&1; then EV_OK=1; break; fi
        grep -qE 'not-delivered|delivery-unconfirmed|not-final-yet|no-certificate' \
            "$OUT/evidence-export.log" || break
        sleep 1
    done
    sed 's/^/  /' "$OUT/evidence-export.log"
    [ "$EV_OK" = 1 ] || { echo "demo: evidence export failed (see above)" >&2; exit 1; }
    "$QIAO" verify "$OUT/evidence-cold-chain.json" --trust "$OUT/trust.json"
    say "anyone can re-run this offline: build/qiao verify demo-out/evidence-cold-chain.json --trust demo-out/trust.json"
fi

if [ "$RELAY" = 1 ]; then
    bold "6. Swap: 1 ETH on the trade chain (7002) for 0.5 BTC on Bitcoin regtest, through a relay"
    # Starts its own bcoin regtest and a single-notary swap relay under demo-out/swap and stops
    # both when it exits (docs/DEMO.md).
    node "$ROOT/scripts/swap_demo.js" --dir "$OUT"
fi

bold "7. Primitive benchmark (short)"
QIAO_BENCH_SECONDS=${QIAO_BENCH_SECONDS:-0.3} "$QIAO" bench primitives

# Shared helpers of bench/pipeline, bench/stages and bench/scale (sourced, not run).
# Expects to be sourced from the repository root.

PY=.venv/bin/python
[ -x "$PY" ] || { echo "bench: .venv missing, run scripts/setup" >&2; exit 2; }
WEIR=${WEIR:-.build/release/weir}

# The shared directory sits next to the repository: <repo>/../shared. In a git worktree the repository is the
# main checkout (the parent of the common .git directory). WEIR_SHARED overrides.
locate_shared() {
    if [ -n "${WEIR_SHARED:-}" ]; then echo "$WEIR_SHARED"; return; fi
    if [ -d ../shared/baselines ]; then (cd ../shared && pwd); return; fi
    local common
    common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    if [ -n "$common" ] && [ -d "$(dirname "$common")/../shared/baselines" ]; then
        (cd "$(dirname "$common")/../shared" && pwd); return
    fi
    echo "bench: cannot find <repo>/../shared (set WEIR_SHARED)" >&2; exit 2
}

ensure_weir() {
    [ -x "$WEIR" ] || swift build -c release --product weir >/dev/null
}

# gen_events N PATH [IDS]: deterministic events (gen_events.py defaults: 10% invalid, 5% duplicates), cached.
# IDS (default $IDS, else random): `random` rewrites gen_events.py's e0, e1, … into `e` + 18 random-looking digits
# (bench/random_ids.py, the same ids `weir produce` generates), as production ids spread over the dedup store;
# `sequential` keeps them. A benchmark that compares both passes the style and a path per style.
gen_events() {
    local n=$1 path=$2 ids=${3:-${IDS:-random}}
    if [ ! -s "$path" ] || [ ! -s "$path.expected.json" ]; then
        case "$ids" in
            sequential) "$PY" "$SHARED/baselines/gen_events.py" -n "$n" -o "$path" 2>/dev/null ;;
            random)
                local seq="${path%.jsonl}.sequential.jsonl"
                case "$path" in *-random.jsonl) seq="${path%-random.jsonl}-sequential.jsonl" ;; esac
                gen_events "$n" "$seq" sequential
                "$PY" bench/random_ids.py "$seq" "$path" ;;
            *) echo "bench: IDS must be random or sequential, not '$ids'" >&2; exit 2 ;;
        esac
    fi
}

# events_path BASE N: the cached event file of N events with the current IDS style.
events_path() { echo "$1/events-$2-${IDS:-random}.jsonl"; }

# partitions_for N BYTES: enough partitions for the mock broker's cap (~5 MiB and 100k message sets per
# partition): at most 50,000 messages and 6 MiB of uncompressed JSON (~2.5 MiB with lz4) per partition.
partitions_for() {
    local n=$1 bytes=$2
    awk -v n="$n" -v b="$bytes" 'BEGIN {
        p1 = int((n + 49999) / 50000); p2 = int((b + 6291455) / 6291456);
        p = p1 > p2 ? p1 : p2; if (p < 1) p = 1; print p }'
}

# start_broker DIR PARTITIONS: starts `weir broker` with pi2_events and pi2_events_dlq; sets BROKER_PID and BOOTSTRAP.
start_broker() {
    local dir=$1 parts=$2
    # A copy of the weir binary under another name, so that a broad `pkill -f "weir broker"` run by something
    # else on a shared machine cannot stop the benchmark's broker mid-run (it happened).
    local bin=bench/out/bin/bench-kafka-broker
    mkdir -p bench/out/bin
    if [ ! -x "$bin" ] || [ "$WEIR" -nt "$bin" ]; then cp "$WEIR" "$bin"; fi
    "$bin" broker --brokers 1 --topic "pi2_events:$parts" --topic "pi2_events_dlq:$parts" \
        >"$dir/broker.out" 2>"$dir/broker.err" &
    BROKER_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$dir/broker.out" ] && break
        sleep 0.1
    done
    BOOTSTRAP=$(head -n1 "$dir/broker.out")
    [ -n "$BOOTSTRAP" ] || { echo "bench: weir broker did not start" >&2; cat "$dir/broker.err" >&2; exit 1; }
}

# broker_alive: fails loudly when the broker is gone (its topics, and the run's numbers, would be meaningless).
broker_alive() {
    kill -0 "$BROKER_PID" 2>/dev/null && return 0
    echo "bench: the broker died during the run (see its stderr below); numbers discarded" >&2
    cat "$1/broker.err" >&2
    exit 1
}

stop_broker() {
    if [ -n "${BROKER_PID:-}" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
    BROKER_PID=
}

# check_topic BOOTSTRAP TOPIC N: every partition's low watermark is 0 and the high watermarks sum to N.
check_topic() {
    "$PY" - "$1" "$2" "$3" <<'PYEOF'
import sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bench-watermarks'})
md = c.list_topics(topic, timeout=10)
total, bad = 0, []
for p in sorted(md.topics[topic].partitions):
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
    total += hi - lo
    if lo != 0: bad.append(f'{p}: low={lo}')
c.close()
print(f'topic {topic}: {len(md.topics[topic].partitions)} partitions, {total} messages readable, low watermarks moved: {bad or "none"}')
sys.exit(0 if total == n and not bad else 1)
PYEOF
}

# timev FILE FIELD: reads /usr/bin/time -v output. FIELD: rss_mb | cpu_s | wall_s
timev() {
    awk -v f="$2" '
        /Maximum resident set size/ { rss = $NF }
        /User time \(seconds\)/ { u = $NF }
        /System time \(seconds\)/ { s = $NF }
        /Elapsed \(wall clock\) time/ { n = split($NF, a, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + a[i] }
        END {
            if (f == "rss_mb") printf "%.0f", rss / 1024;
            else if (f == "cpu_s") printf "%.2f", u + s;
            else if (f == "wall_s") printf "%.2f", w }' "$1"
}

# parquet_bytes DIR: total size of the lake's .parquet files.
parquet_bytes() {
    find "$1" -name '*.parquet' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

machine_line() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
    echo "nproc $(nproc), $cpu, load average at start $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
}

# append_section DOC "## Heading" ENTRY: inserts ENTRY at the end of the section (creating it at the end of DOC).
append_section() {
    local doc=$1 heading=$2 entry=$3
    [ -f "$doc" ] || printf '# Benchmarks\n' >"$doc"
    grep -qxF "$heading" "$doc" || printf '\n%s\n' "$heading" >>"$doc"
    "$PY" - "$doc" "$heading" "$entry" <<'PYEOF'
import sys
path, heading, entry = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path).read().split('\n')
start = next(i for i, l in enumerate(lines) if l.strip() == heading)
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith('## ')), len(lines))
while end > start + 1 and lines[end - 1] == '':
    end -= 1
body = entry.strip('\n').split('\n')
lines[end:end] = [''] + body + ([''] if end < len(lines) else [])
out = '\n'.join(lines).rstrip('\n') + '\n'
open(path, 'w').write(out)
PYEOF
}

#!/usr/bin/env bash
# Starts or stops a local Redis Cluster of three masters (no replicas) on loopback, for tests.
#   eng/redis-cluster.sh start <dir> <port1> <port2> <port3>   prints "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3" when the cluster is ok
#   eng/redis-cluster.sh stop <dir>                             kills the servers started in <dir> and removes it
# Each server keeps its files (nodes.conf, log, pid) in <dir>/<port>. Needs redis-server and redis-cli (eng/test.sh installs them).
set -euo pipefail

command=${1:?usage: eng/redis-cluster.sh start <dir> <port1> <port2> <port3> | stop <dir>}
dir=${2:?the cluster directory is required}

stop() {
  for pidfile in "$dir"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

case "$command" in
  start)
    [ $# -eq 5 ] || { echo "usage: eng/redis-cluster.sh start <dir> <port1> <port2> <port3>" >&2; exit 2; }
    ports=("$3" "$4" "$5")
    for tool in redis-server redis-cli; do
      command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed; run eng/test.sh, which installs it (apt-get install redis-server redis-tools)." >&2; exit 1; }
    done
    mkdir -p "$dir"
    trap 'stop' ERR
    for port in "${ports[@]}"; do
      mkdir -p "$dir/$port"
      redis-server --port "$port" --bind 127.0.0.1 --protected-mode no --daemonize yes \
        --dir "$dir/$port" --pidfile "$dir/$port/redis.pid" --logfile "$dir/$port/redis.log" \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
        --save "" --appendonly no
    done
    for port in "${ports[@]}"; do
      for _ in $(seq 1 100); do
        [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ] && break
        sleep 0.05
      done
    done
    redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
      --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; false; }
    for port in "${ports[@]}"; do
      ok=""
      for _ in $(seq 1 200); do
        if redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then ok=1; break; fi
        sleep 0.05
      done
      [ -n "$ok" ] || { echo "The cluster node on port $port did not reach cluster_state:ok." >&2; false; }
    done
    trap - ERR
    echo "127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
    ;;
  stop)
    stop
    ;;
  *)
    echo "unknown command '$command'; use start or stop" >&2
    exit 2
    ;;
esac

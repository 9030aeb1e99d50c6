# tests/netns.sh: two network namespaces joined by a veth pair, for the
# scripts that send real traffic (tests/live.sh, pressure.sh, top.sh,
# anomaly_e2e.sh, make_captures.sh, bench/live.sh).  Sourced, not run.
# Each caller names its own namespaces (with its PID) and interfaces, so
# scripts can run side by side; the namespaces have no route anywhere
# else, so traffic stays between them.
#
# netns_pair [-6] NS_A IF_A MAC_A NS_B IF_B MAC_B
#     Both namespaces (lo up) and the veth pair made inside them (MAC ""
#     lets the kernel choose), offloads off where ethtool exists: frames
#     wire-sized, checksums filled in, as a real link carries them.
#     Without -6 IPv6 is off before the veth exists, so nothing but the
#     caller's traffic crosses it; with -6 links come up without DAD or
#     router solicitations.  Links stay down until netns_up.  Non-zero,
#     with the failing command's message on stderr, when something fails.
# netns_up NS IF [ADDR/LEN...]
#     The addresses (IPv6 ones without DAD), then the link up.
# netns_del NS...
#     Ends every process left in the namespaces and deletes them.
# netns_cleanup WORK NS...
#     For an EXIT trap: kills the caller's background processes (its array
#     pids), waits for them, deletes the namespaces and the directory WORK.

netns_pair() {
    local v6=0 ns
    if [ "$1" = -6 ]; then v6=1; shift; fi
    local na=$1 ia=$2 ma=$3 nb=$4 ib=$5 mb=$6
    ip netns add "$na" || return 1
    ip netns add "$nb" || return 1
    for ns in "$na" "$nb"; do
        if [ $v6 = 1 ]; then
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
                net.ipv6.conf.default.router_solicitations=0 \
                net.ipv6.conf.all.accept_dad=0 || return 1
        else
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
                net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
        fi
        ip -n "$ns" link set lo up || return 1
    done
    ip link add name "$ia" netns "$na" ${ma:+address "$ma"} type veth \
        peer name "$ib" netns "$nb" ${mb:+address "$mb"} || return 1
    if command -v ethtool >/dev/null; then
        ip netns exec "$na" ethtool -K "$ia" tx off rx off sg off tso off gso off gro off \
            >/dev/null 2>&1 || true
        ip netns exec "$nb" ethtool -K "$ib" tx off rx off sg off tso off gso off gro off \
            >/dev/null 2>&1 || true
    fi
    return 0
}

netns_up() {
    local ns=$1 dev=$2 a
    shift 2
    for a in "$@"; do
        case $a in
        *:*) ip -n "$ns" -6 addr add "$a" dev "$dev" nodad || return 1 ;;
        *)   ip -n "$ns" addr add "$a" dev "$dev" || return 1 ;;
        esac
    done
    ip -n "$ns" link set "$dev" up
}

netns_del() {
    local ns p
    for ns in "$@"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    return 0
}

netns_cleanup() {
    local work=$1 p
    shift
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    netns_del "$@"
    rm -rf "$work"
}

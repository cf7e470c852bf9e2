#!/usr/bin/env bash
# Stop the single-node SLURM that scripts/slurm/start.sh started: cancel its jobs, then stop
# slurmd, slurmctld and munged by the PIDs in their PID files. Safe to run twice, or when
# nothing runs. Keeps the installed packages, the config and the logs under the state folder.
#
# Environment:
#   ADVGEN_SLURM_DIR         the state folder given to start.sh            (/tmp/advgen-slurm)
#   ADVGEN_SLURM_KEEP_MUNGE  1: leave munged running (start.sh uses it to restart slurm only)
set -uo pipefail

STATE=${ADVGEN_SLURM_DIR:-/tmp/advgen-slurm}
say() { echo "slurm/stop: $*"; }

alive_pid() { # alive_pid PIDFILE NAME: print the PID in PIDFILE if it runs a process called NAME
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}

stop() { # stop PIDFILE NAME: SIGTERM, up to 10 s, then SIGKILL
    local pid
    pid=$(alive_pid "$1" "$2") || { rm -f "$1"; return 0; }
    say "stopping $2 ($pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.2
    done
    if [ -d "/proc/$pid" ]; then
        say "$2 ($pid) ignored SIGTERM, killing it"
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$1"
}

# Jobs first, while slurmctld still answers (their processes would outlive slurmd).
if alive_pid "$STATE/slurmctld.pid" slurmctld >/dev/null && command -v squeue >/dev/null; then
    jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
    if [ -n "${jobs// /}" ]; then
        say "cancelling jobs $jobs"
        # shellcheck disable=SC2086
        scancel $jobs 2>/dev/null
        for _ in $(seq 30); do
            [ -z "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
fi

stop "$STATE/slurmd.pid" slurmd
stop "$STATE/slurmctld.pid" slurmctld
if [ "${ADVGEN_SLURM_KEEP_MUNGE:-0}" != 1 ]; then
    stop /run/munge/munged.pid munged
fi
say "stopped"

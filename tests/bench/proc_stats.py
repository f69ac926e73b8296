"""A snapshot of CPU time, threads and context switches from /proc, as JSON:
parley's process (all its threads) and the embedded PostgreSQL (the
postmaster, its live children, and the children it has already reaped).

   python3 tests/bench/proc_stats.py PARLEY_PID PGDATA
"""
import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()  # after "pid (comm) "


def cpu_seconds(pid, reaped=False):
    """utime + stime (and the reaped children's cutime + cstime)."""
    f = stat_fields(pid)
    ticks = int(f[11]) + int(f[12])  # fields 14, 15 of stat(5)
    if reaped:
        ticks += int(f[13]) + int(f[14])
    return ticks / TICK


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(stat_fields(int(entry))[1]) == pid:
                    out.append(int(entry))
            except (OSError, ValueError):
                pass  # gone meanwhile
    return out


def switches(pid):
    """Voluntary and involuntary context switches summed over all threads."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def main():
    parley, pgdata = int(sys.argv[1]), sys.argv[2]
    with open(os.path.join(pgdata, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pg = cpu_seconds(postmaster, reaped=True)
    for child in children(postmaster):
        try:
            pg += cpu_seconds(child)
        except OSError:
            pass  # exited between the listing and the read: now in cutime
    print(json.dumps({"parley_cpu_s": cpu_seconds(parley), "pg_cpu_s": pg,
                      "parley_threads": threads(parley), "parley_switches": switches(parley)}))


if __name__ == "__main__":
    main()

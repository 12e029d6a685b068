#!/usr/bin/env python3
"""Writes the fixture host trees under Tests/Fixtures/ (run from anywhere; output is committed).

Each tree is a fake root (--root DIR): proc/sys keys, proc/self and proc/1 files, proc/net tables, sys/module,
and /etc files. Values of `debian12-stock` were read from a stock Debian 12 VM (kernel 6.1, 24 GiB, 2 CPUs).
"""
import os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))

STOCK = {
    "net.core.somaxconn": "4096", "net.ipv4.tcp_max_syn_backlog": "2048",
    "net.ipv4.ip_local_port_range": "32768\t60999", "net.ipv4.ip_local_reserved_ports": "",
    "net.ipv4.tcp_tw_reuse": "2", "net.ipv4.tcp_fin_timeout": "60", "net.ipv4.tcp_keepalive_time": "7200",
    "net.ipv4.tcp_keepalive_intvl": "75", "net.ipv4.tcp_keepalive_probes": "9",
    "net.ipv4.tcp_mem": "287901\t383868\t575802", "net.ipv4.tcp_rmem": "4096\t131072\t33554432",
    "net.ipv4.tcp_wmem": "4096\t16384\t4194304", "net.core.rmem_default": "212992", "net.core.rmem_max": "4194304",
    "net.core.wmem_default": "212992", "net.core.wmem_max": "212992", "net.core.netdev_max_backlog": "1000",
    "net.ipv4.tcp_max_orphans": "131072", "net.ipv4.tcp_max_tw_buckets": "131072", "fs.file-max": "2466177",
    "fs.nr_open": "1048576", "fs.file-nr": "937\t0\t2466177", "net.netfilter.nf_conntrack_max": "262144",
    "net.netfilter.nf_conntrack_count": "12", "net.netfilter.nf_conntrack_buckets": "262144",
}

TUNED = dict(STOCK)
TUNED.update({
    "net.core.somaxconn": "65535", "net.ipv4.tcp_max_syn_backlog": "65535",
    "net.ipv4.ip_local_port_range": "10000\t65535", "net.ipv4.ip_local_reserved_ports": "8080",
    "net.ipv4.tcp_tw_reuse": "1", "net.ipv4.tcp_keepalive_time": "180",
    "net.ipv4.tcp_mem": "2097152\t3145728\t4194304", "net.core.netdev_max_backlog": "16384",
    "fs.file-max": "4194304", "fs.nr_open": "2097152", "fs.file-nr": "1200\t0\t4194304",
    "net.netfilter.nf_conntrack_max": "2621440", "net.netfilter.nf_conntrack_buckets": "655360",
})
TUNED_SYSCTL_D = """# tuned for 1M connections
net.core.somaxconn = 65535
net.ipv4.tcp_max_syn_backlog = 65535
net.ipv4.ip_local_port_range = 10000 65535
net.ipv4.ip_local_reserved_ports = 8080
net.ipv4.tcp_tw_reuse = 1
net.ipv4.tcp_keepalive_time = 180
net.ipv4.tcp_mem = 2097152 3145728 4194304
net.core.netdev_max_backlog = 16384
fs.file-max = 4194304
fs.nr_open = 2097152
net.netfilter.nf_conntrack_max = 2621440
"""

LIMITS = """Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max open files            {soft:<20} {hard:<20} files     
Max locked memory         8388608              8388608              bytes     
"""
STATUS = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nCapInh:\t0000000000000000\nCapPrm:\t{cap}\nCapEff:\t{cap}\n"
MEMINFO = "MemTotal:       {total} kB\nMemFree:        {avail} kB\nMemAvailable:   {avail} kB\nBuffers:           1024 kB\n"
NETSTAT = ("TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPMemoryPressures TCPAbortOnMemory\n"
           "TcpExt: 0 {ovf} {drops} 0 0\n"
           "IpExt: InNoRoutes InOctets\nIpExt: 0 12345\n")
SNMP = ("Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab\n"
        "Tcp: 1 200 120000 -1 100 50 0 0 3\n")
SOCKSTAT = "sockets: used 150\nTCP: inuse 5 orphan 0 tw 2 alloc 8 mem 1\nUDP: inuse 2 mem 0\n"
CT_STAT = ("entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
           + "0000000c  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 {failed} {drop} 00000000 00000000  00000000 00000000 00000000 00000000\n"
           + "0000000c  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n")
# One listener on 0.0.0.0:8080 (0x1F90) and one established socket.
TCP = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
       "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
       "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 20 4 30 10 -1\n")
TCP6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue\n"
CPUINFO = "processor\t: 0\nmodel name\t: test\n\nprocessor\t: 1\nmodel name\t: test\n\n"


def write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def tree(name, sysctls, soft=1024, hard=524288, cap="0000000000000000", conntrack=True, ovf=0, drops=0,
         ct_drop=0, ct_failed=0, mem_kb=24 * 1024 * 1024, avail_kb=23 * 1024 * 1024, netns=("4026531840", "4026531840")):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    for key, value in sysctls.items():
        if key.startswith("net.netfilter.") and not conntrack:
            continue
        write(root, "proc/sys/" + key.replace(".", "/"), value + "\n")
    for pid in ("self", "1"):
        write(root, f"proc/{pid}/limits", LIMITS.format(soft=soft, hard=hard))
        write(root, f"proc/{pid}/status", STATUS.format(cap=cap))
        os.makedirs(os.path.join(root, f"proc/{pid}/ns"), exist_ok=True)
    os.symlink(f"net:[{netns[0]}]", os.path.join(root, "proc/self/ns/net"))
    os.symlink(f"net:[{netns[1]}]", os.path.join(root, "proc/1/ns/net"))
    write(root, "proc/meminfo", MEMINFO.format(total=mem_kb, avail=avail_kb))
    write(root, "proc/cpuinfo", CPUINFO)
    write(root, "proc/net/netstat", NETSTAT.format(ovf=ovf, drops=drops))
    write(root, "proc/net/snmp", SNMP)
    write(root, "proc/net/sockstat", SOCKSTAT)
    write(root, "proc/net/tcp", TCP)
    write(root, "proc/net/tcp6", TCP6)
    if conntrack:
        write(root, "proc/net/stat/nf_conntrack", CT_STAT.format(drop=f"{ct_drop:08x}", failed=f"{ct_failed:08x}"))
        write(root, "sys/module/nf_conntrack/parameters/hashsize", sysctls["net.netfilter.nf_conntrack_buckets"] + "\n")
    write(root, "etc/sysctl.conf", "# /etc/sysctl.conf - Configuration file for setting system variables\n#net.ipv4.ip_forward=1\n")
    os.makedirs(os.path.join(root, "etc/sysctl.d"), exist_ok=True)
    os.symlink("../sysctl.conf", os.path.join(root, "etc/sysctl.d/99-sysctl.conf"))
    write(root, "usr/lib/sysctl.d/50-pid-max.conf", "kernel.pid_max = 4194304\n")
    write(root, "etc/security/limits.conf", "# /etc/security/limits.conf\n#*               soft    core            0\n")
    write(root, "etc/systemd/system.conf", "[Manager]\n#DefaultLimitNOFILE=1024:524288\n")
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nchat:x:998:998::/srv/chat:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\ndave:x:1001:1001::/home/dave:/bin/bash\n")
    write(root, "etc/group", "root:x:0:\nchat:x:998:\nalice:x:1000:\nwsops:x:1500:alice\n")
    return root


def main():
    tree("debian12-stock", STOCK)
    r = tree("tuned-1m", TUNED, soft=1048576, hard=1048576)
    write(r, "etc/sysctl.d/90-tuned.conf", TUNED_SYSCTL_D)
    write(r, "etc/modules-load.d/conntrack.conf", "nf_conntrack\n")
    write(r, "etc/security/limits.d/90-ws.conf", "*  soft nofile 1048576\n*  hard nofile 1048576\n")
    tree("no-conntrack", STOCK, conntrack=False)
    r = tree("unit-low-nofile", STOCK)
    write(r, "lib/systemd/system/chat.service", "[Unit]\nDescription=chat\n[Service]\nExecStart=/usr/bin/chat\nLimitNOFILE=65536\n")
    write(r, "etc/systemd/system/chat.service.d/10-limit.conf", "[Service]\nLimitNOFILE=4096\n")
    write(r, "lib/systemd/system/chat.service.d/20-vendor.conf", "[Service]\nLimitNOFILE=200000\n")
    # A unit whose own drop-in lowers the limit (and wins: it sorts last).
    write(r, "lib/systemd/system/ws.service", "[Unit]\nDescription=ws\n[Service]\nExecStart=/usr/bin/ws\nLimitNOFILE=1048576\n")
    write(r, "etc/systemd/system/ws.service.d/override.conf", "[Service]\nLimitNOFILE=4096\n")
    # pam_limits precedence fixture: user over @group over *.
    write(r, "etc/security/limits.d/50-ws.conf",
          "*        soft nofile 2048\n*        hard nofile 4096\n@wsops   soft nofile 50000\n@wsops   hard nofile 60000\nalice    soft nofile 70000\n")
    # Drift: live values differ from what boot restores, a key set in two files, conntrack key without modules-load.
    drift = dict(STOCK)
    drift["net.core.somaxconn"] = "65535"
    r = tree("drift", drift, ovf=42, drops=42, ct_drop=3, ct_failed=1)
    write(r, "etc/sysctl.d/10-web.conf", "net.core.somaxconn = 1024\nnet.netfilter.nf_conntrack_max = 524288\n")
    write(r, "usr/lib/sysctl.d/30-vendor.conf", "net.core.somaxconn = 2048\n")
    os.unlink(os.path.join(r, "etc/sysctl.d/99-sysctl.conf"))
    write(r, "etc/sysctl.conf", "net.ipv4.tcp_tw_reuse = 0\n")
    # Child namespace without global keys, as a container sees it.
    child = {k: v for k, v in STOCK.items() if k.startswith("net.") and k not in (
        "net.ipv4.tcp_mem", "net.core.rmem_default", "net.core.rmem_max", "net.core.wmem_default", "net.core.wmem_max",
        "net.core.netdev_max_backlog", "net.ipv4.tcp_max_orphans")}
    child.update({"fs.file-max": STOCK["fs.file-max"], "fs.nr_open": STOCK["fs.nr_open"], "fs.file-nr": STOCK["fs.file-nr"]})
    r = tree("child-netns", child, netns=("4026532999", "4026531840"))
    os.chmod(os.path.join(r, "proc/sys/net/netfilter/nf_conntrack_max"), 0o444)
    # Malformed files.
    r = tree("malformed", STOCK)
    write(r, "proc/self/limits", "Limit Soft Hard\nMax open files            lots                 4096                 files\n")
    write(r, "etc/sysctl.d/20-bad.conf", "net.core.somaxconn = 1024\nthis line has no equals sign\n")
    # Low-capacity host (cannot raise the hard limit, small somaxconn) for failing examples.
    low = dict(STOCK)
    low.update({"net.core.somaxconn": "128", "fs.file-max": "50000", "fs.nr_open": "20000", "fs.file-nr": "937\t0\t50000",
                "net.ipv4.ip_local_port_range": "1024\t65535"})
    tree("low-capacity", low, soft=1024, hard=20000, conntrack=True)


if __name__ == "__main__":
    main()
    print("fixtures written under", HERE)

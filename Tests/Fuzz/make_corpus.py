#!/usr/bin/env python3
"""Writes the hostile inputs of issue 13 for the nginx, nginx -T and HAProxy parsers into Tests/Fuzz/corpus/<dir>/ (committed; FuzzCorpusReplayTests
replays every file there on each `swift test`, Benchmarks/fuzz/run starts libFuzzer from them).
Inputs that libFuzzer finds later go next to these by hand (keep the crash-<sha1> name or give a short one)."""
import os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


capable = "# a comment first\nworker_processes 4;\nworker_rlimit_nofile 70000;\nevents {\n    worker_connections 60000;\n}\nhttp {\n    server {\n        location /ws {\n            proxy_pass http://127.0.0.1:9;\n        }\n    }\n}\n"
lua = "http {\n  init_by_lua_block {\n    local t = { a = \"}\", b = '{', c = [[ } ]], d = [==[ ]] } ]==] }\n    -- } comment\n    --[[ long } ]]\n    print(\"x\")\n  }\n  server { location / { content_by_lua_block { ngx.say(\"}\") } } }\n}\n"

# nginx parser
put("nginx", "crlf-comment-first.conf", capable.replace("\n", "\r\n"))
put("nginx", "cr-only.conf", capable.replace("\n", "\r"))
put("nginx", "bom.conf", "\ufeffevents {}\n")
put("nginx", "quote-then-text.conf", 'events {}\nworker_processes "1"-x;\n')
put("nginx", "quote-then-brace.conf", "events {}\nerror_log 'x'}\n")
put("nginx", "worker-intmax.conf", "worker_processes 9223372036854775807;\nevents {\n    worker_connections 9223372036854775807;\n}\n")
put("nginx", "worker-overflow.conf", "worker_processes 99999999999999999999;\nevents { worker_connections -9223372036854775808; }\nworker_rlimit_nofile 9223372036854775807;\n")
put("nginx", "worker-zero.conf", "worker_processes 0;\nevents { worker_connections 0; }\n")
put("nginx", "nested-2000.conf", "events {}\n" + "a {\n" * 2000 + "}\n" * 2000)
put("nginx", "unclosed-20000.conf", "{" * 20000)
put("nginx", "closes-20000.conf", "}" * 20000)
put("nginx", "lua-blocks.conf", lua)
put("nginx", "lua-unterminated.conf", "http { content_by_lua_block { local s = [==[ never closed }\n")
put("nginx", "lua-deep.conf", "http { content_by_lua_block " + "{" * 20000 + "}" * 19999 + "\n")
put("nginx", "dollar-braces.conf", "events {}\nset " + "${" * 20000 + ";\n")
put("nginx", "unterminated-quote.conf", "events {}\nerror_log \"x;\n")
put("nginx", "backslash-end.conf", "events {}\nerror_log x\\")
put("nginx", "self-include.conf", "events {}\ninclude self-include.conf;\ninclude self-include.conf;\n")
put("nginx", "nul-bytes.conf", b"events {\x00}\nworker_processes \xff\xfe;\n")

# nginx -T dumps (includes resolve inside the dump)
put("nginx-dump", "self-include-twice.txt", "# configuration file /etc/nginx/nginx.conf:\nevents {}\ninclude /etc/nginx/nginx.conf;\ninclude /etc/nginx/nginx.conf;\n")
put("nginx-dump", "three-files-star.txt", "".join(f"# configuration file /etc/nginx/{n}.conf:\n{'events {}' if n == 'a' else ''}\ninclude /etc/nginx/*.conf;\n" for n in "abc"))
put("nginx-dump", "twelve-files-star.txt", "".join(f"# configuration file /etc/nginx/f{i}.conf:\ninclude /etc/nginx/*.conf;\n" for i in range(12)))
put("nginx-dump", "crlf.txt", ("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\n" + capable).replace("\n", "\r\n"))
put("nginx-dump", "no-marker.txt", "events {}\n")
put("nginx-dump", "marker-only.txt", "# configuration file :\n# configuration file /x:")
put("nginx-dump", "include-depth.txt", "".join(f"# configuration file /d/{i}.conf:\ninclude /d/{i + 1}.conf;\n" for i in range(100)))
put("nginx-dump", "nested-includes.txt", "# configuration file /m.conf:\n" + "a {\n" * 60 + "include /n.conf;\n" + "}\n" * 60 + "# configuration file /n.conf:\n" + "b {\n" * 60 + "}\n" * 60)

# HAProxy
hap = "global\n    maxconn 10000\n    hard-stop-after 40s\ndefaults\n    mode http\n    timeout client 90s\n    timeout server 90s\nfrontend fe\n    bind 127.0.0.1:8080\n    default_backend be\nbackend be\n    server s1 127.0.0.1:9\n"
put("haproxy", "crlf.cfg", hap.replace("\n", "\r\n"))
put("haproxy", "bom.cfg", "\ufeff" + hap)
put("haproxy", "intmax.cfg", "global\n    maxconn 9223372036854775807\n    nbthread 9223372036854775807\n    ulimit-n -9223372036854775808\n")
put("haproxy", "overflow.cfg", "global\n    maxconn 99999999999999999999\n    nbthread -1\n")
put("haproxy", "if-before-section.cfg", ".if defined(WST_UNSET)\n.notice \"x\"\n.endif\n" + hap)
put("haproxy", "false-if-tunnel.cfg", hap.replace("    mode http\n", "    mode http\n.if defined(WST_UNSET)\n    timeout tunnel 1h\n.elif version_atleast(2.4)\n    timeout tunnel 2h\n.else\n    timeout tunnel 3h\n.endif\n"))
put("haproxy", "env-vars.cfg", hap.replace("    mode http\n", "    mode http\n    timeout tunnel \"${WST_UNSET}\"\n    timeout connect \"${WST_FUZZ-5s}\" \"$WST_FUZZ\" \"${\" \"${A[*]}\"\n"))
put("haproxy", "sections-1000.cfg", "global\n" + "".join(f"defaults d{i}\nbackend b{i} from d{i}\n    mode http\n" for i in range(1000)))
put("haproxy", "if-nested-100.cfg", ".if 1\n" * 100 + ".endif\n" * 100)
put("haproxy", "if-unbalanced.cfg", ".endif\n.else\n.elif 1\n.if 1\n.else\n.else\n")
put("haproxy", "condition-parens.cfg", ".if " + "(" * 10000 + "1" + ")" * 10000 + "\n.endif\n.if " + "!" * 10000 + "1\n.endif\n")
put("haproxy", "unterminated-quote.cfg", "global\n    log \"unterminated\n")
put("haproxy", "from-missing.cfg", "backend b from nowhere\n")

# Parsers of other owners: benign seeds here, in the directories 13a's corpus uses (sysctl-d, limits-conf,
# profile, meminfo, proc-net, proc-limits, sysctl-value); their owners add the hostile cases with the fixes.
put("sysctl-d", "crlf-two-keys.conf", "net.core.somaxconn = 4096\r\nfs.file-max = 2097152\r\n")
put("limits-conf", "crlf-soft-hard.conf", "* soft nofile 65536\r\n* hard nofile 65536\r\n")
put("systemd", "crlf.service", "[Service]\r\nLimitNOFILE=65536\r\n")
put("profile", "plain.yaml", "name: fuzz\nconnections: 1000\n")
put("sysctl-value", "file-nr-equal-max", "9223372036854775807 0 9223372036854775807\n")
print("wrote", root)

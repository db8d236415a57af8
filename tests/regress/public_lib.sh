# public_lib.sh — the web view's public face, shared by public.sh and
# screens.sh: two municipalities on 127.0.0.1 (Münster serves the web view,
# Paderborn's lessons reach it by sync), the example lessons, a lesson with
# a table, an edit (for a history) and a retraction; nginx as a reverse
# proxy in front; npm modules in a cache under the build directory.
# Source after lib.sh.

A=$T/a B=$T/b

# public_nodes: starts A (web view) and B, publishes and syncs; sets H (A's
# web address), NID_A, NID_B, ID_TABLE (B's lesson with a table, edited
# once), ID_GONE (a retracted lesson of A), ID_PILOT.
public_nodes() {
	local f
	node_init "$A" "Stadt Münster" --kind municipality --ags 05515000 --listen 127.0.0.1:0 || return 1
	node_init "$B" "Stadt Paderborn" --kind municipality --ags 05774032 --listen 127.0.0.1:0 || return 1
	echo "http = 127.0.0.1:0" >>"$A/knowd.conf"
	echo "http = off" >>"$B/knowd.conf"
	node_start "$A" || return 1
	node_start "$B" || return 1
	pin_port "$A"
	kctl "$A" trust add "$(cat "$B.did")" --name "Stadt Paderborn" >/dev/null || return 1
	kctl "$B" trust add "$(cat "$A.did")" --name "Stadt Münster" >/dev/null || return 1
	kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || return 1
	for f in "$ROOT"/contrib/examples/*.md; do
		case "$f" in */README.md) continue ;; esac
		kctl "$A" publish - <"$f" >>"$T/ids.a" || return 1
	done
	ID_PILOT=$(kctl "$A" list --json | "$PY" -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin) if o["title"].startswith("Start mit einer Pilot")][0])')
	ID_TABLE=$(kctl "$B" publish - <"$ROOT/tests/regress/data/paderborn-kosten.md") || return 1
	kctl "$B" show "$ID_TABLE" | sed -e 's/^title: .*/title: Kosten offen legen – LED-Umrüstung in Zahlen/' \
	    -e 's/Förderquote lag bei 40 Prozent/Förderquote lag bei 45 Prozent/' >"$T/edit.md"
	sleep 1.1	# a later modified time for the edit
	kctl "$B" publish "$T/edit.md" >/dev/null || return 1
	ID_GONE=$(sed -n 2p "$T/ids.a")
	kctl "$A" retract "$ID_GONE" >/dev/null || return 1
	poll 20 bash -c "'$KNOWCTL' --home '$A' show '$ID_TABLE' | grep -q 'LED-Umrüstung in Zahlen'" || return 1
	H=$(kctl "$A" status --json | json_get http)
	NID_A=$(node_nid "$A")
	NID_B=$(node_nid "$B")
}

# free_port: a TCP port on 127.0.0.1 nobody listens on just now.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# proxy_start UPSTREAM: nginx on 127.0.0.1:$PPORT in front of UPSTREAM, "/"
# and "/wissen/" (a path prefix); sets PPORT. 1 when there is no nginx.
proxy_start() {
	local up=$1 ngx
	ngx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
	[ -n "$ngx" ] || return 1
	PPORT=$(free_port)
	mkdir -p "$T/ngx/logs" "$T/ngx/tmp"
	cat >"$T/ngx/nginx.conf" <<NGX
daemon off;
master_process off;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log info;
events { worker_connections 64; }
http {
	access_log $T/ngx/logs/access.log;
	client_body_temp_path $T/ngx/tmp/body;
	proxy_temp_path $T/ngx/tmp/proxy;
	fastcgi_temp_path $T/ngx/tmp/fastcgi;
	uwsgi_temp_path $T/ngx/tmp/uwsgi;
	scgi_temp_path $T/ngx/tmp/scgi;
	server {
		listen 127.0.0.1:$PPORT;
		location /wissen/ {
			proxy_pass http://$up/;
			proxy_set_header Host \$http_host;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
		location / {
			proxy_pass http://$up;
			proxy_set_header Host \$http_host;
		}
	}
}
NGX
	"$ngx" -e "$T/ngx/logs/error.log" -p "$T/ngx" -c "$T/ngx/nginx.conf" 2>>"$T/ngx/logs/stderr" &
	PIDS+=("$!")
	poll 10 curl -sf -o /dev/null "http://127.0.0.1:$PPORT/" || { cat "$T/ngx/logs/"* >&2; return 2; }
}

# npm_modules MODULE...: installs npm modules into $ROOT/$BUILD/npm (a cache,
# not committed) unless there; prints the node_modules path. 1 when npm or
# the registry cannot be had.
npm_modules() {
	local dir=$ROOT/$BUILD/npm m need=""
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || return 1
	for m in "$@"; do
		[ -d "$dir/node_modules/${m%@*}" ] || need="$need $m"
	done
	if [ -n "$need" ]; then
		mkdir -p "$dir"
		# shellcheck disable=SC2086
		timeout 300 npm install --no-audit --no-fund --silent --prefix "$dir" $need \
		    >"$T/npm.log" 2>&1 || { cat "$T/npm.log" >&2; return 1; }
	fi
	echo "$dir/node_modules"
}

# desk_lib.sh — helpers for the desk's tests (/redaktion): accounts, logins
# and forms over curl. Cookies are passed by hand: curl keeps no Secure
# cookie over plain http, and the tests want to see every header anyway.

# desk_user HOME NAME ROLE PASSWORD [UNIT]: knowctl user add, password on stdin.
desk_user() {
	local h=$1 n=$2 r=$3 pw=$4
	shift 4
	printf '%s\n' "$pw" | kctl "$h" user add "$n" --role "$r" ${1:+--unit "$1"}
}

# desk_login BASE NAME PASSWORD: logs in through the form; prints the session id.
# The desk checks at most DESK_CHECKS_PER_SEC passwords a second in all: a 429
# is asked again for up to 5 s (the throttling tests call curl themselves).
desk_login() {
	local base=$1 pre i
	for i in $(seq 100); do
		pre=$(curl -s -D - -o /dev/null "$base/redaktion/anmelden" |
		    sed -n 's/^Set-Cookie: knowd_pre=\([0-9a-f]*\);.*/\1/p' | tr -d '\r')
		curl -s -D "$T/desk_login.h" -o /dev/null -H "Cookie: knowd_pre=$pre" \
		    --data-urlencode "csrf=$pre" --data-urlencode "name=$2" \
		    --data-urlencode "password=$3" "$base/redaktion/anmelden"
		grep -q '^HTTP/1.1 429' "$T/desk_login.h" || break
		sleep 0.05
	done
	sed -n 's/^Set-Cookie: knowd_sid=\([0-9a-f]*\);.*/\1/p' "$T/desk_login.h" | tr -d '\r'
}

# desk_csrf BASE SID: the session's CSRF token, read from a page's form.
desk_csrf() {
	curl -s -H "Cookie: knowd_sid=$2" "$1/redaktion/" |
	    grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
	    sed 's/.*value="//; s/"$//'
}

# desk_post BASE SID PATH ARGS...: a POST with the session; prints status and Location.
desk_post() {
	local base=$1 sid=$2 path=$3
	shift 3
	curl -s -o "$T/post.html" -w '%{http_code} %{redirect_url}\n' \
	    -H "Cookie: knowd_sid=$sid" "$@" "$base$path"
}

# desk_lesson_args TITLE: form fields of a small valid lesson (for curl).
desk_lesson_args() {
	printf '%s\0' --data-urlencode "title=$1" \
	    --data-urlencode "project=buergerbeteiligung" \
	    --data-urlencode "summary=Früh einbinden lohnt sich für alle." \
	    --data-urlencode "field=teilhabe-gesellschaft" \
	    --data-urlencode "status=umsetzung" \
	    --data-urlencode "tags=beteiligung" \
	    --data-urlencode "s0=Wir begannen mit einer Umfrage in drei Stadtteilen."
}

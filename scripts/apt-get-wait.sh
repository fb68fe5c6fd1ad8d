# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and .ci/run: `apt_get ARGS...` runs apt-get, waiting for another
# apt-get or dpkg (unattended-upgrades, a second terminal) to release the package locks instead of
# giving up at once.
#
# apt waits for the dpkg lock itself with `-o DPkg::Lock::Timeout=N`; the package-lists lock that
# `apt-get update` takes has no such option, so a refusal that names a lock is retried too, every
# APT_LOCK_RETRY_SECONDS, until APT_LOCK_TIMEOUT seconds (600) have passed. Any other failure is
# returned at once.

APT_LOCK_TIMEOUT="${APT_LOCK_TIMEOUT:-600}"
APT_LOCK_RETRY_SECONDS="${APT_LOCK_RETRY_SECONDS:-5}"

apt_get() {
    local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) errors rc
    errors="$(mktemp)"
    while true; do
        rc=0
        apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" 2>"$errors" || rc=$?
        if [ "$rc" -eq 0 ]; then
            cat "$errors" >&2
            rm -f "$errors"
            return 0
        fi
        if grep -qiE 'could not (get|open) lock|unable to (acquire|lock)' "$errors" && [ "$SECONDS" -lt "$deadline" ]; then
            printf '[apt] another apt-get or dpkg holds the package lock; waiting (up to %ss in all)\n' "$APT_LOCK_TIMEOUT" >&2
            sleep "$APT_LOCK_RETRY_SECONDS"
            continue
        fi
        cat "$errors" >&2
        rm -f "$errors"
        return "$rc"
    done
}

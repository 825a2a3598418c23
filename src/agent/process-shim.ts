/**
 * The shell shim each `process` container runs under (written to DATA/shim.sh): it starts the container's argv in
 * the background, survives SIGTERM (a trap, which children do not inherit) so it sees the container end, and
 * writes the exit status to a file, so an agent restarted later still learns how a container it did not start
 * ended. The shim leads the container's process group; its stdout/stderr (FIFOs the agent reads) are inherited by
 * the container. Volumes seen at another path than their host path are bind-mounted in a private mount namespace
 * (which takes root: a container with another `runAsUser` is then started as `setpriv --reuid ... -- ARGV`, so it
 * drops to its user after the mounts are made). Binds are recursive (`--rbind`), as the kubelet's runtimes mount
 * volumes, so a hostPath of `/` brings the host's /proc, /dev and other mounts along. A container with stdin
 * reads the FIFO `in` beside the output FIFOs; the shim holds a writer of it until SIGUSR1 (container-stdin.ts).
 */

/** The shim script: `sh shim.sh EXITFILE [MOUNT...] -- ARGV...`, MOUNT = `src:dst:ro|rw`. */
export const shimScript = `# everynode process container shim
c=
trap 'if [ -z "$c" ]; then early=TERM; fi' TERM
trap : INT HUP
trap 'noin=1; exec 6>&-' USR1
exitf=$1; shift
fail() { echo "$1" >&2; echo 128 > "$exitf"; exit 128; }
if [ "$1" != "--" ] && [ "$1" != "+ns" ]; then
  exec unshare --mount --propagation private sh "$0" "$exitf" +ns "$@"
fi
if [ "$1" = "+ns" ]; then
  shift
  while [ "$1" != "--" ]; do
    s=\${1%%:*}; r=\${1#*:}; d=\${r%:*}; m=\${r##*:}
    mkdir -p "$d" && mount --rbind "$s" "$d" || fail "cannot mount $s at $d"
    if [ "$m" = ro ]; then mount -o remount,bind,ro "$d" || fail "cannot make $d read-only"; fi
    shift
  done
fi
shift
# The shim holds its container's output FIFOs open for reading too: while no agent reads them (between an agent
# stopping and the next one re-adopting the container) output waits in the pipe instead of killing the container
# with SIGPIPE; a writer blocks once the pipe is full, as it would behind a slow reader.
o=\${exitf%/*}
exec 7<>"$o/out" 8<>"$o/err"
if [ -p "$o/in" ]; then
  # The shim's writer keeps the container's input open while no client is attached (until SIGUSR1).
  exec 6<>"$o/in"
  if [ -n "$noin" ]; then exec 6>&-; fi
  "$@" <"$o/in" 6>&- 7>&- 8>&- &
else
  "$@" 7>&- 8>&- &
fi
c=$!
# A SIGTERM that came before the container existed is passed on to it.
if [ -n "$early" ]; then kill -TERM $c 2>/dev/null; fi
while :; do wait $c 2>/dev/null; rc=$?; kill -0 $c 2>/dev/null || break; done
# A wait cut short by a trapped signal returns 128+signal even when the container ended meanwhile: the shell
# keeps the container's own status for the next wait.
if [ $rc -gt 128 ]; then wait $c 2>/dev/null; r=$?; if [ $r -ne 127 ]; then rc=$r; fi; fi
echo $rc > "$exitf.tmp" && mv "$exitf.tmp" "$exitf"
exit $rc
`;

/** The arguments of `sh` that run `argv` under the shim at `shimPath`, writing its exit status to `exitFile`. */
export function shimArgs(shimPath: string, exitFile: string, mounts: readonly { hostPath: string; containerPath: string; readOnly: boolean }[], argv: readonly string[]): string[] {
  const binds = mounts.filter((m) => m.hostPath !== m.containerPath);
  return [shimPath, exitFile, ...binds.map((m) => `${m.hostPath}:${m.containerPath}:${m.readOnly ? "ro" : "rw"}`), "--", ...argv];
}

#!/usr/bin/env bash
# linux_net.sh GHOST86 LINUX_DIR [NIC-OPTIONS...]: the test Linux on a user-mode network.
# It takes an address by DHCP (busybox udhcpc), fetches a file from an HTTP server this script
# starts on the host's loopback, through slirp's host alias 10.0.2.2, and prints its SHA-256,
# which must be the file's; then it answers one connection with busybox nc on port 8080, which a
# client here reaches through a hostfwd port on 127.0.0.1, and must read the guest's reply.
# The card comes from the extra arguments (default: -nic user's, an e1000); "HOSTFWD" in them is
# replaced by the forward rule. GUEST_PREP (environment) is a shell command the guest runs first,
# and EXPECT a pattern its output must then contain. Exit 77 (skipped) without python3.
set -u
ghost=$1 dir=$2
shift 2
nic=("$@")
[ ${#nic[@]} -eq 0 ] && nic=(-nic "user,HOSTFWD")
command -v python3 >/dev/null || { echo "python3 is not installed: skipped"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/www"
# 300 KB of bytes from a fixed seed: the same file every run, spanning many TCP segments.
python3 -c 'import random,sys; r=random.Random(86); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(300000)))' > "$work/www/blob"
hash=$(sha256sum "$work/www/blob" | cut -d' ' -f1)
# Two free ports on the loopback: the HTTP server and the forward.
read -r http_port fwd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $http_port)).close()" 2>/dev/null && break
  sleep 0.1
done
# The host client: connects through the forward until the guest's server answers (before it
# listens, slirp's connection is refused by the guest and closes empty).
python3 - "$fwd_port" > "$work/client.out" 2>&1 <<'PY' &
import socket, sys, time
deadline = time.time() + 900
while time.time() < deadline:
    try:
        # No short timeout: a connection made before the guest listens may be accepted by the
        # guest's server much later (slirp retries the SYN), and must still be there then.
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=max(1, deadline - time.time())) as c:
            data = b""
            while True:
                b = c.recv(4096)
                if not b:
                    break
                data += b
            if b"GHOST86-NC-REPLY" in data:
                print(data.decode().strip())
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
print("no reply through the forward")
PY
client=$!
for i in "${!nic[@]}"; do nic[$i]=${nic[$i]//HOSTFWD/hostfwd=tcp:127.0.0.1:$fwd_port-:8080}; done
# pci=noacpi: the generated DSDT describes no PCI root bridge, so Linux finds PCI devices only by
# probing configuration space itself (the IRQ lines are those ghost86 sets up for -kernel).
"$ghost" -m 128 -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.gz" \
  -append "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi" \
  "${nic[@]}" -serial stdio -display none -no-reboot --timeout 600 --wall-timeout 900 \
  --step "serial:# " \
  --step "send:${GUEST_PREP:-true}; echo PREP-DONE\n" --step "serial:PREP-DONE" \
  --step "send:ip link set eth0 up && udhcpc -i eth0 -n -q -s /usr/share/udhcpc/default.script && wget -q -O /tmp/blob http://10.0.2.2:$http_port/blob && sha256sum /tmp/blob\n" \
  --step "serial:$hash" \
  --step "send:echo GHOST86-NC-REPLY | nc -l -p 8080; echo NC-DONE-\$((40+2))\n" \
  --step "serial:NC-DONE-42" --step "send:poweroff\n" > "$work/out" 2>&1
status=$?
wait "$client"
tail -25 "$work/out"
echo "client: $(cat "$work/client.out")"
[ $status -eq 0 ] || { echo "ghost86 exit status $status, expected 0"; exit 1; }
[ -z "${EXPECT:-}" ] || grep -q -- "$EXPECT" "$work/out" || { echo "no '$EXPECT' in the guest's output"; exit 1; }
grep -q "lease of 10.0.2.15 obtained" "$work/out" || { echo "no DHCP lease"; exit 1; }
grep -q "^$hash  /tmp/blob" "$work/out" || { echo "the guest's SHA-256 is not $hash"; exit 1; }
grep -q "reboot: Power down" "$work/out" || { echo "no power-off"; exit 1; }
grep -qx "GHOST86-NC-REPLY" "$work/client.out" || { echo "the host client read no reply"; exit 1; }
echo "PASS: DHCP, HTTP fetch ($hash) and hostfwd"

#!/usr/bin/env bash
# net_determinism.sh GHOST86 LINUX_DIR: traffic between the guest and the user-mode network alone
# (DHCP, ARP) is a function of the guest's instructions: two runs stop at the same instruction
# count with the same machine-state hash (--report), as runs without a network do.
set -u
ghost=$1 dir=$2
run() {
  "$ghost" -m 128 -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.gz" \
    -append "console=ttyS0,115200 quiet cryptomgr.notests ghost86.shell pci=noacpi" -nic user \
    -serial stdio -display none -no-reboot --timeout 120 --report \
    --step "serial:# " --step "send:ip link set eth0 up && udhcpc -i eth0 -n -q -s /usr/share/udhcpc/default.script && arping -c 2 -I eth0 10.0.2.2\n" \
    --until-serial "Received 2 response" 2>&1 | grep -o "icount=[0-9]* hash=[0-9a-f]*" | tail -1
}
a=$(run) b=$(run)
echo "first:  $a"
echo "second: $b"
[[ $a == icount=* ]] || { echo "no --report line"; exit 1; }
[ "$a" = "$b" ] || { echo "the two runs differ"; exit 1; }

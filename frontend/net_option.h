// QEMU's network options: -netdev user,id=ID[,net=ADDR/PREFIX][,hostfwd=RULE]..., -nic
// user|none[,model=e1000|virtio-net-pci][,mac=MAC][,net=...][,hostfwd=...], -net none, and
// -device e1000|virtio-net-pci,netdev=ID[,mac=MAC]. Only user-mode networking exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "machine/config.h"

namespace frontend {

// Each throws std::invalid_argument with the problem (without the option's name).
void parse_netdev(std::string_view text, machine::MachineConfig& cfg);
void parse_nic(std::string_view text, machine::MachineConfig& cfg);
void parse_net(std::string_view text);
// Whether a -device value names a network card; parse_net_device takes it.
bool is_net_device(std::string_view text);
void parse_net_device(std::string_view text, machine::MachineConfig& cfg);
// After every option: each card's netdev exists and serves one card, cards without a MAC get
// QEMU's addresses in turn (52:54:00:12:34:56, ...57, ...). `notes` receives remarks (a netdev
// no card uses). Throws std::invalid_argument; the fault is -device's.
void check_networks(machine::MachineConfig& cfg, std::vector<std::string>& notes);

}  // namespace frontend

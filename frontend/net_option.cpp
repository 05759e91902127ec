#include "frontend/net_option.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>

namespace frontend {
namespace {

using machine::HostForward;
using machine::MachineConfig;
using machine::NetdevConfig;
using machine::NicConfig;

constexpr std::string_view kNicModels = "e1000, virtio-net-pci";
// Marks a card whose MAC is still to be assigned (check_networks): multicast, so never valid.
constexpr std::array<uint8_t, 6> kNoMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

template <typename... Args>
[[noreturn]] void bad(fmt::format_string<Args...> f, Args&&... args) {
  throw std::invalid_argument(fmt::format(f, std::forward<Args>(args)...));
}

struct Field {
  std::string_view key, value;
  bool bare;
};

std::vector<Field> fields_of(std::string_view text) {
  std::vector<Field> out;
  for (size_t pos = 0;;) {
    const size_t comma = text.find(',', pos);
    const std::string_view f = text.substr(pos, comma - pos);
    const size_t eq = f.find('=');
    out.push_back(eq == std::string_view::npos ? Field{f, {}, true}
                                               : Field{f.substr(0, eq), f.substr(eq + 1), false});
    if (comma == std::string_view::npos) return out;
    pos = comma + 1;
  }
}

std::optional<unsigned> number(std::string_view s, unsigned max) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

bool valid_ipv4(std::string_view s) {
  in_addr a{};
  return inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

// net=ADDR[/PREFIX] (QEMU also takes a dotted mask after the slash).
void parse_net_addr(std::string_view v, NetdevConfig& d) {
  const size_t slash = v.find('/');
  const std::string addr(v.substr(0, slash));
  in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) bad("net='{}': not an IPv4 address", v);
  unsigned prefix = 24;
  if (slash != std::string_view::npos) {
    const std::string_view p = v.substr(slash + 1);
    in_addr m{};
    if (auto n = number(p, 32)) {
      prefix = *n;
    } else if (inet_pton(AF_INET, std::string(p).c_str(), &m) == 1) {
      const uint32_t mask = ntohl(m.s_addr);
      prefix = unsigned(__builtin_popcount(mask));
      if (prefix && mask != ~0u << (32 - prefix))
        bad("net='{}': '{}' is not a contiguous netmask", v, p);
    } else {
      bad("net='{}': bad prefix '{}'", v, p);
    }
  }
  if (prefix < 8 || prefix > 29) bad("net='{}': a prefix of 8 to 29 bits is needed", v);
  d.net = ntohl(a.s_addr), d.prefix = prefix;
}

// hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
HostForward parse_hostfwd(std::string_view v) {
  HostForward f;
  const size_t dash = v.find('-');
  if (dash == std::string_view::npos)
    bad("hostfwd='{}': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", v);
  std::string_view host = v.substr(0, dash), guest = v.substr(dash + 1);
  const size_t c1 = host.find(':');
  if (c1 == std::string_view::npos)
    bad("hostfwd='{}': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", v);
  const std::string_view proto = host.substr(0, c1);
  if (proto == "udp")
    f.udp = true;
  else if (!proto.empty() && proto != "tcp")
    bad("hostfwd='{}': protocol '{}' (expected tcp or udp)", v, proto);
  host.remove_prefix(c1 + 1);
  const size_t c2 = host.rfind(':'), c3 = guest.rfind(':');
  if (c2 == std::string_view::npos || c3 == std::string_view::npos)
    bad("hostfwd='{}': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", v);
  f.host_addr = host.substr(0, c2), f.guest_addr = guest.substr(0, c3);
  for (const std::string& a : {f.host_addr, f.guest_addr})
    if (!a.empty() && !valid_ipv4(a)) bad("hostfwd='{}': '{}' is not an IPv4 address", v, a);
  const auto hp = number(host.substr(c2 + 1), 65535), gp = number(guest.substr(c3 + 1), 65535);
  if (!hp || !gp || *gp == 0) bad("hostfwd='{}': bad port", v);
  f.host_port = uint16_t(*hp), f.guest_port = uint16_t(*gp);
  return f;
}

std::array<uint8_t, 6> parse_mac(std::string_view v) {
  std::array<uint8_t, 6> mac{};
  if (v.size() != 17) bad("mac='{}': expected six hex bytes as 52:54:00:12:34:56", v);
  for (unsigned i = 0; i < 6; i++) {
    if (i && v[3 * i - 1] != ':') bad("mac='{}': expected six hex bytes as 52:54:00:12:34:56", v);
    const auto [end, ec] = std::from_chars(v.data() + 3 * i, v.data() + 3 * i + 2, mac[i], 16);
    if (ec != std::errc() || end != v.data() + 3 * i + 2)
      bad("mac='{}': expected six hex bytes as 52:54:00:12:34:56", v);
  }
  if (mac[0] & 1) bad("mac='{}': a multicast address cannot be a card's", v);
  return mac;
}

// The keys of a user network, shared by -netdev and -nic. Returns false for other keys.
bool user_key(const Field& f, NetdevConfig& d) {
  if (f.key == "net") {
    parse_net_addr(f.value, d);
  } else if (f.key == "hostfwd") {
    d.hostfwd.push_back(parse_hostfwd(f.value));
  } else {
    return false;
  }
  return true;
}

void check_model(std::string_view model) {
  if (model != "e1000" && model != "virtio-net-pci") bad("model '{}' is not supported (supported: {})", model, kNicModels);
}

}  // namespace

void parse_netdev(std::string_view text, MachineConfig& cfg) {
  const auto fields = fields_of(text);
  if (!fields[0].bare) bad("'{}': expected a network type first (user)", text);
  if (fields[0].key != "user")
    bad("type '{}' is not supported (only user-mode networking: user)", fields[0].key);
  NetdevConfig d;
  for (size_t i = 1; i < fields.size(); i++) {
    const Field& f = fields[i];
    if (f.key == "id" && !f.bare) {
      d.id = f.value;
    } else if (f.bare || !user_key(f, d)) {
      bad("user: '{}' is not supported (supported: id, net, hostfwd)", f.key);
    }
  }
  if (d.id.empty()) bad("user: id= is needed");
  for (const NetdevConfig& other : cfg.netdevs)
    if (other.id == d.id) bad("id '{}' is given twice", d.id);
  cfg.netdevs.push_back(std::move(d));
}

void parse_nic(std::string_view text, MachineConfig& cfg) {
  const auto fields = fields_of(text);
  if (!fields[0].bare) bad("'{}': expected a network type first (user or none)", text);
  if (fields[0].key == "none" && fields.size() == 1) return;
  if (fields[0].key != "user") bad("type '{}' is not supported (user or none)", fields[0].key);
  NetdevConfig d;
  NicConfig n;
  n.mac = kNoMac;
  for (size_t i = 1; i < fields.size(); i++) {
    const Field& f = fields[i];
    if (f.key == "model" && !f.bare) {
      check_model(f.value);
      n.model = f.value;
    } else if (f.key == "mac" && !f.bare) {
      n.mac = parse_mac(f.value);
    } else if (f.bare || !user_key(f, d)) {
      bad("user: '{}' is not supported (supported: model, mac, net, hostfwd)", f.key);
    }
  }
  d.id = "-nic#" + std::to_string(cfg.nics.size());
  n.netdev = d.id;
  cfg.netdevs.push_back(std::move(d));
  cfg.nics.push_back(std::move(n));
}

void parse_net(std::string_view text) {
  if (text != "none")
    bad("only -net none is supported (use -nic user or -netdev user with -device e1000)");
}

namespace {

std::string_view device_driver(std::string_view text) {
  std::string_view driver = text.substr(0, text.find(','));
  if (driver.starts_with("driver=")) driver.remove_prefix(7);
  return driver;
}

}  // namespace

bool is_net_device(std::string_view text) {
  const std::string_view driver = device_driver(text);
  return driver == "e1000" || driver == "e1000-82540em" || driver == "virtio-net-pci";
}

void parse_net_device(std::string_view text, MachineConfig& cfg) {
  const auto fields = fields_of(text);
  NicConfig n;
  n.mac = kNoMac;
  n.model = device_driver(text) == "virtio-net-pci" ? "virtio-net-pci" : "e1000";
  for (size_t i = 1; i < fields.size(); i++) {
    const Field& f = fields[i];
    if (f.key == "netdev" && !f.bare)
      n.netdev = f.value;
    else if (f.key == "mac" && !f.bare)
      n.mac = parse_mac(f.value);
    else
      bad("{} has no property '{}' (supported: netdev, mac)", n.model, f.key);
  }
  cfg.nics.push_back(std::move(n));
}

void check_networks(MachineConfig& cfg, std::vector<std::string>& notes) {
  unsigned next_mac = 0x56;
  for (NicConfig& n : cfg.nics) {
    if (n.mac == kNoMac) {
      n.mac = {0x52, 0x54, 0x00, 0x12, 0x34, uint8_t(next_mac)};
      next_mac++;
    }
    if (n.netdev.empty()) continue;  // a card with its cable unplugged
    const auto it = std::find_if(cfg.netdevs.begin(), cfg.netdevs.end(),
                                 [&](const NetdevConfig& d) { return d.id == n.netdev; });
    if (it == cfg.netdevs.end()) bad("{}: netdev '{}' does not exist", n.model, n.netdev);
    const auto users = std::count_if(cfg.nics.begin(), cfg.nics.end(),
                                     [&](const NicConfig& o) { return o.netdev == n.netdev; });
    if (users > 1) bad("{}: netdev '{}' is used by {} cards (one each)", n.model, n.netdev, users);
  }
  for (const NetdevConfig& d : cfg.netdevs) {
    if (std::none_of(cfg.nics.begin(), cfg.nics.end(),
                     [&](const NicConfig& n) { return n.netdev == d.id; }))
      notes.push_back(
          fmt::format("-netdev {}: no card uses it (add -device e1000,netdev={})", d.id, d.id));
  }
}

}  // namespace frontend

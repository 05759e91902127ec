#include "frontend/gdb/session.h"

#include <fmt/format.h>

#include <charconv>
#include <exception>

#include "frontend/control/guest_memory.h"
#include "machine/debug_registers.h"
#include "machine/pc_machine.h"

namespace frontend::gdb {
namespace {

using machine::read_register;
using machine::registers;
using machine::target_xml;
using machine::write_register;

using Stop = machine::DebugTarget::Stop;

// The errno gdb expects for memory that cannot be accessed (EFAULT).
constexpr const char* kFault = "E14";
constexpr const char* kError = "E01";

// A hex number filling `text` exactly.
std::optional<uint64_t> hex_number(std::string_view text) {
  uint64_t v = 0;
  if (text.empty() || text.size() > 16) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 16);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "ADDR,LEN" (and what follows `stop`, if given).
bool address_length(std::string_view args, uint64_t& addr, uint64_t& len, char stop = 0,
                    std::string_view* rest = nullptr) {
  const size_t comma = args.find(',');
  if (comma == std::string_view::npos) return false;
  size_t end = stop ? args.find(stop, comma) : args.size();
  if (end == std::string_view::npos) return false;
  const auto a = hex_number(args.substr(0, comma)),
             l = hex_number(args.substr(comma + 1, end - comma - 1));
  if (!a || !l || *a > 0xffffffffu) return false;
  addr = *a;
  len = *l;
  if (rest) *rest = args.substr(end + 1);
  return true;
}

}  // namespace

Session::Session(machine::PcMachine& pc, Send send)
    : pc_(pc), debug_(pc.debug()), send_(std::move(send)) {
  debug_.halt();
  debug_.set_history(true);
}

Session::~Session() {
  debug_.clear_all();
  debug_.set_history(false);
  if (pc_.paused() && !done_) debug_.resume(false);
}

void Session::reply(std::string_view payload) {
  last_sent_ = frame(payload);
  send_(last_sent_);
}

void Session::output(std::string_view text) {
  std::string packet = "O";
  packet += to_hex(text);
  reply(packet);
}

void Session::feed(std::string_view bytes) {
  std::vector<Received> got;
  reader_.feed(bytes, got);
  for (Received& r : got) {
    if (done_) return;
    switch (r.kind) {
      case Received::Kind::Packet:
        if (ack_) send_("+");
        handle(r.payload);
        break;
      case Received::Kind::Corrupt:
        if (ack_) send_("-");
        break;
      case Received::Kind::Interrupt:
        if (running_) debug_.interrupt();
        break;
      case Received::Kind::Nack:
        if (ack_ && !last_sent_.empty()) send_(last_sent_);
        break;
      case Received::Kind::Ack: break;
    }
  }
}

void Session::poll() {
  if (!running_) return;
  if (std::optional<Stop> stop = debug_.take_stop()) {
    running_ = false;
    last_stop_ = *stop;
    reply(stop_reply(*stop));
  }
}

void Session::finish(int exit_status) {
  if (running_ && !done_) reply(fmt::format("W{:02x}", exit_status & 0xff));
  running_ = false;
}

std::string Session::stop_reply(const Stop& stop) const {
  switch (stop.kind) {
    case Stop::Kind::Interrupt: return "T02thread:01;";
    case Stop::Kind::HistoryBegin: return "T05replaylog:begin;thread:01;";
    case Stop::Kind::Watch: {
      const char* kind = stop.read && stop.write ? "awatch" : stop.read ? "rwatch" : "watch";
      return fmt::format("T05{}:{:x};thread:01;", kind, stop.addr);
    }
    case Stop::Kind::Breakpoint:
      // swbreak/hwbreak: the PC is the breakpoint's address, gdb need not move it back. Where
      // CS has a base (real mode), gdb's PC (EIP) is not the linear address it set the
      // breakpoint at, and it would take such a stop for a breakpoint it removed and go on:
      // a plain SIGTRAP then.
      if (stop.addr != pc_.cpu().s.eip) return "T05thread:01;";
      if (soft_.count(stop.addr)) return "T05swbreak:;thread:01;";
      if (hard_.count(stop.addr)) return "T05hwbreak:;thread:01;";
      return "T05thread:01;";
    case Stop::Kind::Step: break;
  }
  return "T05thread:01;";
}

void Session::resume(bool step) {
  running_ = true;
  debug_.resume(step);
}

void Session::reverse(bool step) {
  running_ = true;
  if (const std::string why = debug_.reverse(step); !why.empty()) {
    running_ = false;
    output(fmt::format("reverse execution refused: {}\n", why));
    reply(kError);
    return;
  }
  poll();
}

void Session::handle(const std::string& p) {
  if (p.empty()) return reply("");
  cpu::Cpu& cpu = pc_.cpu();
  switch (p[0]) {
    case '?':
      return reply(stop_reply(last_stop_.kind == Stop::Kind::Interrupt ? Stop{Stop::Kind::Step}
                                                                       : last_stop_));
    case 'q': return query(p);
    case 'Q':
      if (p == "QStartNoAckMode") {
        reply("OK");
        ack_ = false;
        return;
      }
      return reply("");
    case 'H':
    case 'T': return reply("OK");  // one thread, always alive
    case 'g': {
      std::string out;
      for (unsigned n = 0; n < registers().size(); n++) {
        const auto bytes = read_register(cpu, n);
        out += to_hex(bytes->data(), bytes->size());
      }
      return reply(out);
    }
    case 'G': {
      // A replayed run takes changes only from its log; a recorded one logs them (README.md).
      if (pc_.replaying_log()) return reply(kError);
      std::vector<uint8_t> all;
      if (!from_hex(std::string_view(p).substr(1), all)) return reply(kError);
      size_t at = 0;
      for (unsigned n = 0; n < registers().size() && at < all.size(); n++) {
        const size_t size = registers()[n].bits / 8;
        if (at + size > all.size()) return reply(kError);
        const std::vector<uint8_t> value(all.begin() + long(at), all.begin() + long(at + size));
        // Registers that cannot change here (control registers) are taken as they are.
        if (value != *read_register(cpu, n) && !set_register(n, value)) return reply(kError);
        at += size;
      }
      return reply("OK");
    }
    case 'p': {
      const auto n = hex_number(std::string_view(p).substr(1));
      const auto bytes =
          n && *n < registers().size() ? read_register(cpu, unsigned(*n)) : std::nullopt;
      return reply(bytes ? to_hex(bytes->data(), bytes->size()) : std::string(kError));
    }
    case 'P': {
      const size_t eq = p.find('=');
      std::vector<uint8_t> value;
      const auto n = eq == std::string::npos ? std::nullopt
                                             : hex_number(std::string_view(p).substr(1, eq - 1));
      if (!n || *n >= registers().size() || !from_hex(std::string_view(p).substr(eq + 1), value) ||
          !set_register(unsigned(*n), value))
        return reply(kError);
      return reply("OK");
    }
    case 'm': return reply(read_memory(std::string_view(p).substr(1)));
    case 'M': return reply(write_memory(std::string_view(p).substr(1)));
    case 'X': return reply("");  // binary writes: gdb falls back to M
    case 'Z':
    case 'z': return reply(breakpoint(p));
    case 'c':
    case 's':
      if (p.size() > 1) {  // resume at ADDR
        const auto addr = hex_number(std::string_view(p).substr(1));
        if (!addr) return reply(kError);
        cpu.s.eip = uint32_t(*addr);
      }
      return resume(p[0] == 's');
    case 'C':
    case 'S': return resume(p[0] == 'S');  // the signal has no meaning for a machine
    case 'b':
      if (p == "bs" || p == "bc") return reverse(p == "bs");
      return reply("");
    case 'v':
      if (p == "vCont?") return reply("vCont;c;C;s;S");
      if (p.starts_with("vCont;")) {
        // One thread: a step action for it (or for all) steps, anything else continues.
        const bool step = p.find(";s") != std::string::npos || p.find(";S") != std::string::npos;
        return resume(step);
      }
      if (p.starts_with("vKill")) {
        reply("OK");
        done_ = true;
        pc_.request_stop("killed by gdb");
        return;
      }
      return reply("");
    case 'D':
      reply("OK");
      done_ = true;
      debug_.clear_all();
      debug_.resume(false);
      return;
    case 'k':
      done_ = true;
      pc_.request_stop("killed by gdb");
      return;
    default: return reply("");
  }
}

void Session::query(const std::string& p) {
  if (p.starts_with("qSupported"))
    return reply(
        fmt::format("PacketSize={:x};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
                    "ReverseStep+;ReverseContinue+;vContSupported+",
                    kMaxPacket));
  if (p.starts_with("qXfer:features:read:")) {
    // qXfer:features:read:ANNEX:OFFSET,LENGTH
    const std::string_view rest = std::string_view(p).substr(20);
    const size_t colon = rest.find(':');
    uint64_t offset = 0, length = 0;
    if (colon == std::string_view::npos || !address_length(rest.substr(colon + 1), offset, length))
      return reply(kError);
    if (rest.substr(0, colon) != "target.xml") return reply("E00");
    // gdb reads it in pieces: the one it started reading is the one it gets to the end.
    if (offset == 0 || xml_.empty()) xml_ = target_xml(!(pc_.cpu().s.cr0 & cpu::cr0::PE));
    const std::string& xml = xml_;
    if (offset >= xml.size()) return reply("l");
    length = std::min<uint64_t>(length, kMaxPacket / 2);
    const std::string chunk = xml.substr(offset, length);
    return reply((offset + chunk.size() < xml.size() ? "m" : "l") + chunk);
  }
  if (p == "qAttached") return reply("1");
  if (p == "qC") return reply("QC01");
  if (p == "qfThreadInfo") return reply("m01");
  if (p == "qsThreadInfo") return reply("l");
  if (p.starts_with("qSymbol")) return reply("OK");
  if (p.starts_with("qRcmd,")) {
    std::vector<uint8_t> text;
    if (!from_hex(std::string_view(p).substr(6), text)) return reply(kError);
    return monitor(std::string(text.begin(), text.end()));
  }
  return reply("");
}

void Session::monitor(const std::string& command) {
  const size_t space = command.find(' ');
  const std::string verb = command.substr(0, space);
  const std::string arg = space == std::string::npos ? "" : command.substr(space + 1);
  try {
    if (verb == "icount") {
      output(fmt::format("{}\n", pc_.cpu().s.icount));
    } else if (verb == "hash") {
      output(pc_.report_line() + "\n");
    } else if (verb == "savevm" && !arg.empty()) {
      pc_.save_snapshot(arg);
      output(fmt::format("saved {}\n", arg));
    } else if (verb == "loadvm" && !arg.empty()) {
      pc_.load_snapshot(arg);  // the history starts again from it
      output(fmt::format("loaded {} at icount {}\n", arg, pc_.cpu().s.icount));
    } else {
      output("monitor commands: icount, hash, savevm FILE, loadvm FILE\n");
      return reply(kError);
    }
  } catch (const std::exception& e) {
    output(std::string(e.what()) + "\n");
    return reply(kError);
  }
  reply("OK");
}

// Memory as the program sees it: linear addresses through the current page tables (without
// touching their accessed bits), at the current privilege (CPL 3 sees user pages only). MMIO
// is not read or written: a device would notice.
std::string Session::read_memory(std::string_view args) {
  uint64_t addr = 0, len = 0;
  if (!address_length(args, addr, len)) return kError;
  len = std::min<uint64_t>(len, kMaxPacket / 2);
  const cpu::CpuState& s = pc_.cpu().s;
  std::vector<uint8_t> out;
  for (uint64_t i = 0; i < len; i++) {
    const uint64_t lin = addr + i;
    const auto page =
        lin > 0xffffffffu ? std::nullopt : control::walk_linear(pc_.memory(), s, uint32_t(lin));
    uint8_t byte = 0;
    if (!page || (s.cpl == 3 && !page->user) ||
        !control::read_phys(pc_.memory(), page->phys, &byte, 1))
      break;
    out.push_back(byte);
  }
  if (out.empty() && len) return kFault;
  return to_hex(out.data(), out.size());
}

std::string Session::write_memory(std::string_view args) {
  uint64_t addr = 0, len = 0;
  std::string_view data;
  std::vector<uint8_t> bytes;
  if (pc_.replaying_log() || !address_length(args, addr, len, ':', &data) || !from_hex(data, bytes) ||
      bytes.size() != len)
    return kError;
  const cpu::CpuState& s = pc_.cpu().s;
  mmu::PhysMemory& mem = pc_.memory();
  // Every byte is checked before any is written.
  std::vector<uint32_t> phys;
  for (uint64_t i = 0; i < len; i++) {
    const uint64_t lin = addr + i;
    const auto page =
        lin > 0xffffffffu ? std::nullopt : control::walk_linear(mem, s, uint32_t(lin));
    if (!page || page->phys > 0xffffffffu || (s.cpl == 3 && (!page->user || !page->writable)))
      return kFault;
    const mmu::PhysMemory::Page target = mem.page(uint32_t(page->phys & ~0xfffull));
    if (!target.host || !target.writable) return kFault;
    phys.push_back(uint32_t(page->phys));
  }
  // One change per physically contiguous run (a log holds it as address and bytes).
  for (size_t i = 0; i < bytes.size();) {
    machine::InputEvent e{machine::InputEvent::Kind::MemoryWrite, phys[i]};
    do e.data.push_back(bytes[i++]);
    while (i < bytes.size() && phys[i] == phys[i - 1] + 1);
    try {
      pc_.host_change(e);
    } catch (const std::exception&) {
      return kError;
    }
  }
  return "OK";
}

bool Session::set_register(unsigned n, const std::vector<uint8_t>& value) {
  try {
    pc_.host_change({machine::InputEvent::Kind::RegisterWrite, n, false, 0, 0, 0, value, 0, 0});
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string Session::breakpoint(const std::string& p) {
  // Z|z TYPE,ADDR,KIND
  const bool insert = p[0] == 'Z';
  if (p.size() < 3 || p[2] != ',' || p[1] < '0' || p[1] > '4') return "";
  uint64_t addr = 0, kind = 0;
  if (!address_length(std::string_view(p).substr(3), addr, kind)) return kError;
  const uint32_t lin = uint32_t(addr);
  const int type = p[1] - '0';
  if (type <= 1) {
    std::set<uint32_t>& set = type == 0 ? soft_ : hard_;
    if (insert)
      set.insert(lin);
    else
      set.erase(lin);
    debug_.set_breakpoint(lin, soft_.count(lin) || hard_.count(lin));
    return "OK";
  }
  // Watchpoints: 2 write, 3 read, 4 access; KIND is the length.
  if (kind == 0 || kind > 0x1000) return kError;
  if (!debug_.set_watchpoint(lin, uint32_t(kind), type != 2, type != 3, insert)) return kError;
  return "OK";
}

}  // namespace frontend::gdb

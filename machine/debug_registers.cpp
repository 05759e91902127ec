#include "machine/debug_registers.h"

#include <fmt/format.h>

#include <cstring>

#include "cpu/exception.h"
#include "cpu/flags.h"

namespace machine {
namespace {

// Register numbers (the order below).
constexpr unsigned kEip = 8, kEflags = 9, kCs = 10, kSt0 = 16, kFctrl = 24, kCr0 = 32;
// gdb's segment order after EFLAGS: CS, SS, DS, ES, FS, GS.
constexpr cpu::SegReg kSegOrder[6] = {cpu::CS, cpu::SS, cpu::DS, cpu::ES, cpu::FS, cpu::GS};

std::vector<uint8_t> le(uint64_t v, unsigned bytes) {
  std::vector<uint8_t> out(bytes);
  for (unsigned i = 0; i < bytes; i++) out[i] = uint8_t(v >> (8 * i));
  return out;
}

uint64_t from_le(const std::vector<uint8_t>& b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size() && i < 8; i++) v |= uint64_t(b[i]) << (8 * i);
  return v;
}

}  // namespace

const std::vector<RegisterInfo>& registers() {
  static const std::vector<RegisterInfo> kRegs = [] {
    std::vector<RegisterInfo> r;
    for (const char* n : {"eax", "ecx", "edx", "ebx"}) r.push_back({n, 32, "int32", ""});
    r.push_back({"esp", 32, "data_ptr", ""});
    r.push_back({"ebp", 32, "data_ptr", ""});
    r.push_back({"esi", 32, "int32", ""});
    r.push_back({"edi", 32, "int32", ""});
    r.push_back({"eip", 32, "code_ptr", ""});
    r.push_back({"eflags", 32, "i386_eflags", ""});
    for (const char* n : {"cs", "ss", "ds", "es", "fs", "gs"}) r.push_back({n, 32, "int32", ""});
    for (const char* n : {"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"})
      r.push_back({n, 80, "i387_ext", ""});
    for (const char* n : {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"})
      r.push_back({n, 32, "int", "float"});
    for (const char* n : {"cr0", "cr2", "cr3", "cr4"}) r.push_back({n, 32, "int32", "system"});
    return r;
  }();
  return kRegs;
}

std::string target_xml(bool real_mode) {
  // The EFLAGS bits (SDM Vol.1 §3.4.3) so that gdb prints them by name.
  static constexpr std::pair<const char*, int> kFlags[] = {
      {"CF", 0},  {"", 1},    {"PF", 2},   {"AF", 4},   {"ZF", 6},  {"SF", 7},
      {"TF", 8},  {"IF", 9},  {"DF", 10},  {"OF", 11},  {"NT", 14}, {"RF", 16},
      {"VM", 17}, {"AC", 18}, {"VIF", 19}, {"VIP", 20}, {"ID", 21}};
  std::string flags;
  for (const auto& [name, bit] : kFlags)
    flags += fmt::format("<field name=\"{}\" start=\"{}\" end=\"{}\"/>", name, bit, bit);
  std::string core, sys;
  for (unsigned n = 0; n < registers().size(); n++) {
    const RegisterInfo& r = registers()[n];
    std::string line = fmt::format("<reg name=\"{}\" bitsize=\"{}\" type=\"{}\" regnum=\"{}\"",
                                   r.name, r.bits, r.type, n);
    if (!r.group.empty()) line += fmt::format(" group=\"{}\"", r.group);
    line += "/>";
    (n < kCr0 ? core : sys) += line;
  }
  return "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target "
         "version=\"1.0\">"
         "<architecture>" +
         std::string(real_mode ? "i8086" : "i386") +
         "</architecture><feature name=\"org.gnu.gdb.i386.core\">"
         "<flags id=\"i386_eflags\" size=\"4\">" +
         flags + "</flags>" + core + "</feature><feature name=\"org.ghost86.i386.system\">" + sys +
         "</feature></target>";
}

std::optional<std::vector<uint8_t>> read_register(const cpu::Cpu& cpu, unsigned n) {
  const cpu::CpuState& s = cpu.s;
  if (n < 8) return le(s.regs[n], 4);
  if (n == kEip) return le(s.eip, 4);
  if (n == kEflags) return le(cpu::read_eflags(s), 4);
  if (n < kSt0) return le(s.seg[kSegOrder[n - kCs]].sel, 4);
  if (n < kFctrl) {
    // ST(i) is physical register (TOP + i) mod 8 (SDM Vol.1 §8.1.2), as 10 bytes: the
    // significand, then sign and exponent.
    const unsigned top = (s.fpu.fsw >> 11) & 7;
    const sf::F80& r = s.fpu.r[(top + n - kSt0) & 7];
    std::vector<uint8_t> out = le(r.sig, 8);
    out.push_back(uint8_t(r.se));
    out.push_back(uint8_t(r.se >> 8));
    return out;
  }
  const cpu::FpuState& f = s.fpu;
  const uint32_t fpu[8] = {f.fcw, f.fsw, f.ftw, f.fcs, f.fip, f.fds, f.fdp, f.fop};
  if (n < kCr0) return le(fpu[n - kFctrl], 4);
  const uint32_t crs[4] = {s.cr0, s.cr2, s.cr3, s.cr4};
  if (n < kCr0 + 4) return le(crs[n - kCr0], 4);
  return std::nullopt;
}

bool write_register(cpu::Cpu& cpu, unsigned n, const std::vector<uint8_t>& bytes) {
  if (n >= registers().size() || bytes.size() != registers()[n].bits / 8) return false;
  cpu::CpuState& s = cpu.s;
  const uint64_t v = from_le(bytes);
  if (n < 8) {
    s.regs[n] = uint32_t(v);
  } else if (n == kEip) {
    s.eip = uint32_t(v);
  } else if (n == kEflags) {
    // The bits software may write with POPF at CPL 0 (VM and RF excepted, as POPF keeps them).
    cpu::write_eflags(s, uint32_t(v),
                      cpu::fl::kArith | cpu::fl::TF | cpu::fl::IF | cpu::fl::DF | cpu::fl::IOPL |
                          cpu::fl::NT | cpu::fl::AC | cpu::fl::ID);
  } else if (n < kSt0) {
    const unsigned seg = kSegOrder[n - kCs];
    const uint16_t sel = uint16_t(v);
    if (seg == cpu::CS || seg == cpu::SS) {
      // Only real and V86 mode have no descriptor to check; CS and SS change the mode the
      // code is translated for, which the engine reads again at its next block.
      if (cpu.protected_mode() && !cpu.v86()) return false;
    }
    try {
      if (!cpu.protected_mode() || cpu.v86())
        cpu.load_seg_real(seg, sel);
      else
        cpu.load_seg(seg, sel);
    } catch (const cpu::CpuException&) {
      return false;
    }
  } else if (n < kFctrl) {
    const unsigned top = (s.fpu.fsw >> 11) & 7;
    sf::F80& r = s.fpu.r[(top + n - kSt0) & 7];
    std::memcpy(&r.sig, bytes.data(), 8);
    r.se = uint16_t(bytes[8] | bytes[9] << 8);
  } else if (n < kCr0) {
    cpu::FpuState& f = s.fpu;
    switch (n - kFctrl) {
      case 0: f.fcw = uint16_t(v); break;
      case 1: f.fsw = uint16_t(v); break;
      case 2: f.ftw = uint16_t(v); break;
      case 3: f.fcs = uint16_t(v); break;
      case 4: f.fip = uint32_t(v); break;
      case 5: f.fds = uint16_t(v); break;
      case 6: f.fdp = uint32_t(v); break;
      default: f.fop = uint16_t(v & 0x7ff); break;
    }
  } else {
    return false;  // control registers: read only (a change would need the MMU's and the engine's
                   // view)
  }
  cpu::request_exit(s);
  return true;
}

}  // namespace machine

#include "tests/diff/compare.h"

#include <fmt/format.h>

#include "tests/diff/templates.h"

namespace diff {
namespace {

constexpr const char* kRegNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

std::string ending(const Outcome& o) {
  switch (o.end) {
    case Outcome::End::Done: return fmt::format("finished at eip {:08x}", o.eip);
    case Outcome::End::Fault:
      return o.vector >= 0 ? fmt::format("raised vector {} at eip {:08x}", o.vector, o.eip)
                           : fmt::format("faulted (vector unknown) at eip {:08x}", o.eip);
    default: return "failed: " + o.error;
  }
}

bool in_scratch(const Outcome& o, uint32_t lin) {
  for (const MemRange& r : o.scratch)
    if (lin - r.lin < r.len) return true;
  return false;
}

}  // namespace

std::string flag_names(uint32_t bits) {
  static constexpr const char* kNames[22] = {"CF", "1",  "PF", "3",  "AF",  "5",  "ZF", "SF",
                                             "TF", "IF", "DF", "OF", "IOPL0", "IOPL1", "NT", "15",
                                             "RF", "VM", "AC", "VIF", "VIP", "ID"};
  std::string s;
  for (unsigned i = 0; i < 32; i++) {
    if (!((bits >> i) & 1)) continue;
    if (!s.empty()) s += ' ';
    s += i < 22 ? kNames[i] : fmt::format("bit{}", i);
  }
  return s.empty() ? "-" : s;
}

std::vector<std::string> compare(const Stream& s, const Outcome& g, const Outcome& r) {
  std::vector<std::string> d;
  if (g.end != r.end || g.end == Outcome::End::Error) {
    d.push_back("ghost86 " + ending(g) + "; unicorn " + ending(r));
    return d;  // the states are not comparable
  }
  if (g.end == Outcome::End::Fault && g.vector >= 0 && r.vector >= 0 && g.vector != r.vector)
    d.push_back(fmt::format("exception vector: ghost86 {}, unicorn {}", g.vector, r.vector));
  if (g.end == Outcome::End::Fault && g.vector == 14 && r.vector == 14 && g.cr2 != r.cr2)
    d.push_back(fmt::format("cr2: ghost86 {:08x}, unicorn {:08x}", g.cr2, r.cr2));
  if (g.eip != r.eip) d.push_back(fmt::format("eip: ghost86 {:08x}, unicorn {:08x}", g.eip, r.eip));
  for (unsigned i = 0; i < 8; i++)
    if (g.regs[i] != r.regs[i])
      d.push_back(fmt::format("{}: ghost86 {:08x}, unicorn {:08x}", kRegNames[i], g.regs[i], r.regs[i]));
  const uint32_t ignored = s.undef_flags | g.scratch_flags | r.scratch_flags;
  const uint32_t flags = (g.eflags ^ r.eflags) & ~ignored;
  if (flags)
    d.push_back(fmt::format("eflags: ghost86 {:08x}, unicorn {:08x}: {} differ (not compared: {})",
                            g.eflags, r.eflags, flag_names(flags), flag_names(s.undef_flags)));
  for (unsigned i = 0; i < kSegs; i++)
    if (g.sel[i] != r.sel[i])
      d.push_back(fmt::format("{}: ghost86 {:04x}, unicorn {:04x}", seg_name(i), g.sel[i], r.sel[i]));
  if (g.mem.size() != r.mem.size()) {
    d.push_back("memory images differ in size");
    return d;
  }
  size_t off = 0, count = 0;
  std::string bytes;
  for (const MemRange& m : s.ranges) {
    for (uint32_t i = 0; i < m.len; i++, off++) {
      const uint32_t lin = m.lin + i;
      if (g.mem[off] == r.mem[off] || in_scratch(g, lin) || in_scratch(r, lin)) continue;
      if (count++ < 16)
        bytes += fmt::format(" [{:05x}] {:02x}/{:02x}", lin, g.mem[off], r.mem[off]);
    }
  }
  if (count)
    d.push_back(fmt::format("memory: {} bytes differ (linear ghost86/unicorn):{}{}", count, bytes,
                            count > 16 ? " ..." : ""));
  return d;
}

std::string describe(const Stream& s, const cpu::Decoder& dec) {
  std::string out = fmt::format("stream: mode {}, class {}, seed {:016x}, {} bytes of code\n",
                                mode_name(s.mode), cls_name(s.cls), s.seed, s.code.size());
  out += "code (> instruction under test, . pin, ~ flag sanitiser):\n";
  for (const StreamInsn& in : s.insns) {
    const uint32_t eip = s.init.eip + in.off;
    std::string hex;
    for (unsigned i = 0; i < in.len; i++) hex += fmt::format("{:02x} ", s.code[in.off + i]);
    const char mark = in.role == Role::Main ? '>' : in.role == Role::Pin ? '.' : '~';
    out += fmt::format("  {} {:04x}:{:08x}  {:<36} {}{}\n", mark, s.init.sel[sCS], eip, hex,
                       dec.disassemble(&s.code[in.off], in.len, s.code32(), eip),
                       in.role == Role::Main ? fmt::format("  [{}]", cls_name(in.cls)) : "");
  }
  out += fmt::format("    {:04x}:{:08x}  (end)\n", s.init.sel[sCS], s.end_eip());
  out += "initial state:\n ";
  for (unsigned i = 0; i < 8; i++) out += fmt::format(" {}={:08x}", kRegNames[i], s.init.regs[i]);
  out += fmt::format("\n  eflags={:08x} ({})\n ", s.init.eflags, flag_names(s.init.eflags & ~2u));
  for (unsigned i = 0; i < kSegs; i++) out += fmt::format(" {}={:04x}", seg_name(i), s.init.sel[i]);
  out += "\n  memory (random contents):";
  for (const MemRange& r : s.ranges) out += fmt::format(" [{:05x}, {:05x})", r.lin, r.lin + r.len);
  out += fmt::format("\n  flags undefined at the end (not compared): {}\n", flag_names(s.undef_flags));
  return out;
}

std::string describe(const Outcome& o) {
  std::string out = ending(o) + "\n ";
  for (unsigned i = 0; i < 8; i++) out += fmt::format(" {}={:08x}", kRegNames[i], o.regs[i]);
  out += fmt::format(" eflags={:08x}", o.eflags);
  return out;
}

}  // namespace diff

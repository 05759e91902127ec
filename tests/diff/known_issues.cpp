#include "tests/diff/known_issues.h"

#include "cpu/state.h"

namespace diff {
namespace {

// cpu/decoder.cpp truncates an immediate to the size Zydis gives the operand, so the imm8 of
// 83 /r (and of 6B IMUL, 6A PUSH) is zero- instead of sign-extended: "or ebx, -0x46" ORs 0xba.
// Repro: ghost86-difftest --seed 1 --mode flat32 --first 19935 --count 1 --include-known imm8-sext
//        (a lone "adc esi, -8" adds 0xf8)
bool imm8_sign_extension(const cpu::DecodedInsn& d) {
  return d.map == 0 && (d.opcode == 0x83 || d.opcode == 0x6b || d.opcode == 0x6a);
}

// Zydis reads 3Eh on an indirect JMP/CALL as CET's NOTRACK and reports the operand's default
// segment, so "jmp ds:[bp]" reads through SS. Hardware without CET (and with it) uses DS.
// Repro: ghost86-difftest --seed 1 --mode real --first 974 --count 1 --include-known notrack-ds
bool lost_segment_override(const cpu::DecodedInsn& d) {
  for (unsigned i = 0; i < d.nops; i++)
    if (d.ops[i].kind == cpu::OpKind::Mem && d.has_seg_override && d.ops[i].seg != d.seg_override)
      return true;
  return false;
}

// cpu/flags.cpp eval_cond takes its compare fast path for every CcKind::Sub, SBB included, and so
// ignores the borrow: after "sbb cx, cx" with CF=1 (CX = -1, CF = 1) JNB and JZ are taken.
// Repro: ghost86-difftest --seed 1 --mode flat32 --first 33674 --count 1 --include-known sbb-cond
//        ("sbb edi, edi" with CF=1, then JNZ is not taken)
bool sbb(const cpu::DecodedInsn& d) { return d.mnemonic == ZYDIS_MNEMONIC_SBB; }

constexpr KnownIssue kIssues[] = {
    {"imm8-sext", "imm8 of 83/6B/6A not sign-extended (decoder)", imm8_sign_extension, 0},
    {"notrack-ds", "3Eh override lost on indirect JMP/CALL (decoder)", lost_segment_override, 0},
    {"sbb-cond", "conditions after SBB ignore the borrow (eval_cond)", sbb, cpu::fl::kArith},
};

}  // namespace

std::span<const KnownIssue> known_issues() { return kIssues; }

std::optional<KnownSet> parse_known(std::string_view names) {
  if (names == "all") return kAllKnown;
  KnownSet set = 0;
  while (!names.empty()) {
    const size_t comma = names.find(',');
    const std::string_view name = names.substr(0, comma);
    bool found = false;
    for (size_t i = 0; i < std::size(kIssues); i++)
      if (name == kIssues[i].name) {
        set |= KnownSet(1) << i;
        found = true;
      }
    if (!found) return std::nullopt;
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return set;
}

std::string known_names(KnownSet set) {
  std::string out;
  bool all = true;
  for (size_t i = 0; i < std::size(kIssues); i++) {
    if (!((set >> i) & 1)) {
      all = false;
      continue;
    }
    if (!out.empty()) out += ',';
    out += kIssues[i].name;
  }
  return all ? "all" : out;
}

}  // namespace diff

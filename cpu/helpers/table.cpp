#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr std::array<HelperInfo, size_t(Helper::kCount)> kHelpers = {{
    // --- core
    {Helper::RaiseException, "raise_exception", helper_raise_exception},
    // --- arithmetic
    // --- shifts and rotates
    // --- strings and I/O
    {Helper::In, "in", helper_in},
    {Helper::Out, "out", helper_out},
    {Helper::Movs, "movs", helper_movs},
    {Helper::Cmps, "cmps", helper_cmps},
    {Helper::Stos, "stos", helper_stos},
    {Helper::Lods, "lods", helper_lods},
    {Helper::Scas, "scas", helper_scas},
    {Helper::Ins, "ins", helper_ins},
    {Helper::Outs, "outs", helper_outs},
    // --- data movement and stack
    {Helper::Cmpxchg8b, "cmpxchg8b", helper_cmpxchg8b},
    {Helper::Popf, "popf", helper_popf},
    {Helper::V86Pushf, "v86_pushf", helper_v86_pushf},
    {Helper::Enter, "enter", helper_enter},
    // --- control transfer, interrupts, system
    {Helper::Hlt, "hlt", helper_hlt},
    {Helper::LoadSeg, "load_seg", helper_load_seg},
}};

constexpr bool in_order() {
  for (size_t i = 0; i < kHelpers.size(); i++)
    if (size_t(kHelpers[i].id) != i || !kHelpers[i].fn) return false;
  return true;
}
static_assert(in_order(), "kHelpers must list every helper in enum order");

}  // namespace

const HelperInfo& helper_info(Helper h) { return kHelpers[size_t(h)]; }

}  // namespace cpu

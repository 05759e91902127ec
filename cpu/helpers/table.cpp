#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr std::array<HelperInfo, size_t(Helper::kCount)> kHelpers = {{
    // --- core
    {Helper::RaiseException, "raise_exception", helper_raise_exception},
    // --- arithmetic
    {Helper::Div, "div", helper_div},
    {Helper::Daa, "daa", helper_daa},
    {Helper::Das, "das", helper_das},
    {Helper::Aaa, "aaa", helper_aaa},
    {Helper::Aas, "aas", helper_aas},
    {Helper::Aam, "aam", helper_aam},
    {Helper::BitScan, "bit_scan", helper_bit_scan},
    // --- shifts and rotates
    {Helper::Shift, "shift", helper_shift},
    // --- strings and I/O
    {Helper::In, "in", helper_in},
    {Helper::Out, "out", helper_out},
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

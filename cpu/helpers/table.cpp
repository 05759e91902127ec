#include "cpu/helpers/helpers.h"

namespace cpu {
namespace {

constexpr std::array<HelperInfo, size_t(Helper::kCount)> kHelpers = {{
    // --- core
    {Helper::RaiseException, "raise_exception", helper_raise_exception, true},
    // --- arithmetic
    {Helper::Div, "div", helper_div, true},
    {Helper::Daa, "daa", helper_daa, true},
    {Helper::Das, "das", helper_das, true},
    {Helper::Aaa, "aaa", helper_aaa, true},
    {Helper::Aas, "aas", helper_aas, true},
    {Helper::Aam, "aam", helper_aam, true},
    {Helper::BitScan, "bit_scan", helper_bit_scan, true},
    // --- shifts and rotates
    {Helper::Shift, "shift", helper_shift, true},
    // --- strings and I/O
    {Helper::In, "in", helper_in},
    {Helper::Out, "out", helper_out},
    {Helper::Movs, "movs", helper_movs, true},
    {Helper::Cmps, "cmps", helper_cmps, true},
    {Helper::Stos, "stos", helper_stos, true},
    {Helper::Lods, "lods", helper_lods, true},
    {Helper::Scas, "scas", helper_scas, true},
    {Helper::Ins, "ins", helper_ins},
    {Helper::Outs, "outs", helper_outs},
    // --- data movement and stack
    {Helper::Cmpxchg8b, "cmpxchg8b", helper_cmpxchg8b, true},
    {Helper::Popf, "popf", helper_popf},
    {Helper::V86Pushf, "v86_pushf", helper_v86_pushf, true},
    {Helper::Enter, "enter", helper_enter, true},
    // --- control transfer, interrupts, system
    {Helper::Hlt, "hlt", helper_hlt},
    {Helper::LoadSeg, "load_seg", helper_load_seg},
    {Helper::RaiseError, "raise_error", helper_raise_error, true},
    {Helper::FarJmp, "far_jmp", helper_far_jmp},
    {Helper::FarCall, "far_call", helper_far_call},
    {Helper::FarRet, "far_ret", helper_far_ret},
    {Helper::Iret, "iret", helper_iret},
    {Helper::Interrupt, "interrupt", helper_interrupt},
    {Helper::Bound, "bound", helper_bound, true},
    {Helper::Cli, "cli", helper_cli},
    {Helper::Sti, "sti", helper_sti},
    {Helper::Cpuid, "cpuid", helper_cpuid, true},
    {Helper::Rdtsc, "rdtsc", helper_rdtsc, true},
    {Helper::ReadCr, "read_cr", helper_read_cr, true},
    {Helper::WriteCr, "write_cr", helper_write_cr},
    {Helper::ReadDr, "read_dr", helper_read_dr, true},
    {Helper::WriteDr, "write_dr", helper_write_dr},
    {Helper::LoadDtr, "load_dtr", helper_load_dtr},
    {Helper::ReadDtr, "read_dtr", helper_read_dtr, true},
    {Helper::Invlpg, "invlpg", helper_invlpg},
    // --- x87 FPU
    {Helper::X87, "x87", helper_x87, true},
    {Helper::Fwait, "fwait", helper_fwait, true},
    {Helper::Fxsave, "fxsave", helper_fxsave, true},
    // --- MMX
    {Helper::Mmx, "mmx", helper_mmx, true},
    // --- descriptor tables and inspection
    {Helper::Lldt, "lldt", helper_lldt},
    {Helper::Ltr, "ltr", helper_ltr},
    {Helper::Lar, "lar", helper_lar, true},
    {Helper::Lsl, "lsl", helper_lsl, true},
    {Helper::Verify, "verify", helper_verify, true},
    {Helper::ReadSystemSelector, "read_system_selector", helper_read_system_selector, true},
    // --- MSRs and fast system calls
    {Helper::Rdmsr, "rdmsr", helper_rdmsr, true},
    {Helper::Wrmsr, "wrmsr", helper_wrmsr},
    {Helper::Sysenter, "sysenter", helper_sysenter},
    {Helper::Sysexit, "sysexit", helper_sysexit},
}};

constexpr bool in_order() {
  for (size_t i = 0; i < kHelpers.size(); i++)
    if (size_t(kHelpers[i].id) != i) return false;
  return true;
}
static_assert(in_order(), "kHelpers must list every helper in enum order");

}  // namespace

const HelperInfo& helper_info(Helper h) { return kHelpers[size_t(h)]; }

}  // namespace cpu

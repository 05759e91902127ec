// MMX (SDM Vol.1 ch.9, Vol.2 one entry per instruction): MM0-MM7 are the significands of the
// physical x87 registers R0-R7. Every MMX instruction except EMMS sets TOP to 0 and tags all
// registers valid; a write also sets the register's sign/exponent word to FFFFh (§9.5).
#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <utility>

#include "cpu/helpers/x87.h"

namespace cpu {
namespace {

// Applies f lane by lane to two 64-bit operands whose lanes are of type T.
template <typename T, typename F>
uint64_t lanes(uint64_t a, uint64_t b, F f) {
  using U = std::make_unsigned_t<T>;
  constexpr unsigned W = 8 * sizeof(T);
  uint64_t r = 0;
  for (unsigned i = 0; i < 64 / W; i++) {
    const T x = T(U(a >> (i * W))), y = T(U(b >> (i * W)));
    r |= uint64_t(U(f(x, y))) << (i * W);
  }
  return r;
}

template <typename T>
T saturate(int64_t v) {
  return T(std::clamp<int64_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

// Wrapping lane arithmetic, done unsigned (signed overflow is undefined in C++).
template <typename T>
uint64_t add(uint64_t a, uint64_t b) {
  using U = std::make_unsigned_t<T>;
  return lanes<T>(a, b, [](T x, T y) { return T(U(U(x) + U(y))); });
}
template <typename T>
uint64_t sub(uint64_t a, uint64_t b) {
  using U = std::make_unsigned_t<T>;
  return lanes<T>(a, b, [](T x, T y) { return T(U(U(x) - U(y))); });
}
template <typename T>
uint64_t adds(uint64_t a, uint64_t b) {
  return lanes<T>(a, b, [](T x, T y) { return saturate<T>(int64_t(x) + y); });
}
template <typename T>
uint64_t subs(uint64_t a, uint64_t b) {
  return lanes<T>(a, b, [](T x, T y) { return saturate<T>(int64_t(x) - y); });
}
template <typename T>
uint64_t cmpeq(uint64_t a, uint64_t b) {
  return lanes<T>(a, b, [](T x, T y) { return T(x == y ? -1 : 0); });
}
template <typename T>
uint64_t cmpgt(uint64_t a, uint64_t b) {  // signed
  return lanes<T>(a, b, [](T x, T y) { return T(x > y ? -1 : 0); });
}

// Packs the lanes of a (low half of the result) then b (high half), each narrowed with
// saturation to N.
template <typename W, typename N>
uint64_t pack(uint64_t a, uint64_t b) {
  constexpr unsigned WB = 8 * sizeof(W), NB = 8 * sizeof(N), n = 64 / WB;
  uint64_t r = 0;
  for (unsigned i = 0; i < 2 * n; i++) {
    const uint64_t src = i < n ? a : b;
    const W v = W(std::make_unsigned_t<W>(src >> ((i % n) * WB)));
    r |= uint64_t(std::make_unsigned_t<N>(saturate<N>(v))) << (i * NB);
  }
  return r;
}

// Interleaves the lanes of the low (high = false) or high halves of a and b: a0 b0 a1 b1 ...
template <typename T>
uint64_t unpack(uint64_t a, uint64_t b, bool high) {
  constexpr unsigned W = 8 * sizeof(T), n = 32 / W;
  const uint64_t mask = W == 32 ? 0xffffffffull : (1ull << W) - 1;
  uint64_t r = 0;
  for (unsigned i = 0; i < n; i++) {
    const unsigned from = (high ? 32 : 0) + i * W;
    r |= ((a >> from) & mask) << (2 * i * W);
    r |= ((b >> from) & mask) << ((2 * i + 1) * W);
  }
  return r;
}

// Shifts: counts beyond the lane width clear the lane (logical) or fill it with the sign.
template <typename T>
uint64_t shift(uint64_t a, uint64_t count, int dir /* -1 left, 1 logical right, 2 arith */) {
  using U = std::make_unsigned_t<T>;
  constexpr unsigned W = 8 * sizeof(T);
  return lanes<T>(a, 0, [&](T x, T) -> T {
    if (count >= W) return dir == 2 ? T(x < 0 ? -1 : 0) : T(0);
    const unsigned n = unsigned(count);
    if (dir < 0) return T(U(U(x) << n));
    if (dir == 1) return T(U(x) >> n);
    using S = std::make_signed_t<T>;
    return T(S(x) >> n);
  });
}

uint64_t shift_q(uint64_t a, uint64_t count, bool left) {
  if (count > 63) return 0;
  return left ? a << count : a >> count;
}

uint64_t pmaddwd(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 2; i++) {
    const int32_t p0 = int32_t(int16_t(a >> (32 * i))) * int16_t(b >> (32 * i));
    const int32_t p1 = int32_t(int16_t(a >> (32 * i + 16))) * int16_t(b >> (32 * i + 16));
    // Only 8000h*8000h twice overflows; it wraps to 80000000h as the SDM describes.
    r |= uint64_t(uint32_t(uint32_t(p0) + uint32_t(p1))) << (32 * i);
  }
  return r;
}

uint64_t pmullw(uint64_t a, uint64_t b) {
  return lanes<int16_t>(a, b, [](int16_t x, int16_t y) { return int16_t(int32_t(x) * y); });
}
uint64_t pmulhw(uint64_t a, uint64_t b) {
  return lanes<int16_t>(a, b, [](int16_t x, int16_t y) { return int16_t((int32_t(x) * y) >> 16); });
}
uint64_t pand(uint64_t a, uint64_t b) { return a & b; }
uint64_t pandn(uint64_t a, uint64_t b) { return ~a & b; }
uint64_t por(uint64_t a, uint64_t b) { return a | b; }
uint64_t pxor(uint64_t a, uint64_t b) { return a ^ b; }
template <typename T, bool high>
uint64_t unpack_half(uint64_t a, uint64_t b) {
  return unpack<T>(a, b, high);
}
template <typename T, int dir>
uint64_t shift_lanes(uint64_t a, uint64_t count) {
  return shift<T>(a, count, dir);
}
template <bool left>
uint64_t shift_quad(uint64_t a, uint64_t count) {
  return shift_q(a, count, left);
}
// The moves take the source; MOVD only its low doubleword.
uint64_t movd(uint64_t, uint64_t b) { return b & 0xffffffffu; }
uint64_t movq(uint64_t, uint64_t b) { return b; }
[[noreturn]] uint64_t invalid(uint64_t, uint64_t) { raise(kUD); }

// The operation of each MmxOp (k of Helper::Mmx): destination, source -> result. EMMS has no
// operands and is handled before; every other k raises #UD.
using OpFn = uint64_t (*)(uint64_t, uint64_t);
constexpr std::array<OpFn, 256> kOps = [] {
  std::array<OpFn, 256> t{};
  t.fill(&invalid);
  const std::pair<MmxOp, OpFn> ops[] = {
      {MmxOp::Movd, &movd},
      {MmxOp::Movq, &movq},
      {MmxOp::Paddb, &add<int8_t>},
      {MmxOp::Paddw, &add<int16_t>},
      {MmxOp::Paddd, &add<int32_t>},
      {MmxOp::Paddsb, &adds<int8_t>},
      {MmxOp::Paddsw, &adds<int16_t>},
      {MmxOp::Paddusb, &adds<uint8_t>},
      {MmxOp::Paddusw, &adds<uint16_t>},
      {MmxOp::Psubb, &sub<int8_t>},
      {MmxOp::Psubw, &sub<int16_t>},
      {MmxOp::Psubd, &sub<int32_t>},
      {MmxOp::Psubsb, &subs<int8_t>},
      {MmxOp::Psubsw, &subs<int16_t>},
      {MmxOp::Psubusb, &subs<uint8_t>},
      {MmxOp::Psubusw, &subs<uint16_t>},
      {MmxOp::Pcmpeqb, &cmpeq<int8_t>},
      {MmxOp::Pcmpeqw, &cmpeq<int16_t>},
      {MmxOp::Pcmpeqd, &cmpeq<int32_t>},
      {MmxOp::Pcmpgtb, &cmpgt<int8_t>},
      {MmxOp::Pcmpgtw, &cmpgt<int16_t>},
      {MmxOp::Pcmpgtd, &cmpgt<int32_t>},
      {MmxOp::Pmullw, &pmullw},
      {MmxOp::Pmulhw, &pmulhw},
      {MmxOp::Pmaddwd, &pmaddwd},
      {MmxOp::Pand, &pand},
      {MmxOp::Pandn, &pandn},
      {MmxOp::Por, &por},
      {MmxOp::Pxor, &pxor},
      {MmxOp::Packsswb, &pack<int16_t, int8_t>},
      {MmxOp::Packssdw, &pack<int32_t, int16_t>},
      {MmxOp::Packuswb, &pack<int16_t, uint8_t>},
      {MmxOp::Punpckhbw, &unpack_half<uint8_t, true>},
      {MmxOp::Punpckhwd, &unpack_half<uint16_t, true>},
      {MmxOp::Punpckhdq, &unpack_half<uint32_t, true>},
      {MmxOp::Punpcklbw, &unpack_half<uint8_t, false>},
      {MmxOp::Punpcklwd, &unpack_half<uint16_t, false>},
      {MmxOp::Punpckldq, &unpack_half<uint32_t, false>},
      {MmxOp::Psllw, &shift_lanes<int16_t, -1>},
      {MmxOp::Pslld, &shift_lanes<int32_t, -1>},
      {MmxOp::Psllq, &shift_quad<true>},
      {MmxOp::Psrlw, &shift_lanes<int16_t, 1>},
      {MmxOp::Psrld, &shift_lanes<int32_t, 1>},
      {MmxOp::Psrlq, &shift_quad<false>},
      {MmxOp::Psraw, &shift_lanes<int16_t, 2>},
      {MmxOp::Psrad, &shift_lanes<int32_t, 2>},
  };
  for (const auto& [op, fn] : ops) t[unsigned(op)] = fn;
  return t;
}();

constexpr bool every_op_set() {
  for (unsigned op = 0; op < unsigned(MmxOp::kCount); op++)
    if (MmxOp(op) != MmxOp::Emms && kOps[op] == &invalid) return false;
  return true;
}
static_assert(every_op_set(), "an MmxOp without its function in kOps");

}  // namespace

uint32_t helper_mmx(Cpu& cpu, uint32_t off, uint32_t b, uint32_t c, uint32_t k) {
  const MmxOp op = MmxOp(k);
  FpuState& f = cpu.s.fpu;
  // SDM Vol.3 §2.5 table 2-2 and §12.5: EM makes MMX instructions #UD; TS gives #NM; a pending
  // unmasked x87 exception is reported first.
  if (cpu.s.cr0 & cr0::EM) raise(kUD);
  if (cpu.s.cr0 & cr0::TS) raise(kNM);
  x87::check_pending(cpu);
  if (op == MmxOp::Emms) {
    f.ftw = 0xffff;
    return 0;
  }
  const auto dk = MmxKind(b & 3), sk = MmxKind((b >> 5) & 3);
  const unsigned dreg = (b >> 2) & 7, sreg = (b >> 7) & 7;
  const x87::Mem mem{(b >> 10) & 7, off, ((b >> 13) & 1) != 0};
  const unsigned msize = (b >> 14) & 1 ? 8 : 4;
  x87::Fpu fpu(cpu);

  auto read = [&](MmxKind kind, unsigned reg) -> uint64_t {
    switch (kind) {
      case MmxKind::Mm: return f.r[reg].sig;
      case MmxKind::Mem: return msize == 8 ? fpu.ld64(mem, 0) : fpu.ld(mem, 0, 4);
      case MmxKind::Gpr: return c;
      default: return c & 0xff;
    }
  };
  const uint64_t src = read(sk, sreg);
  const uint64_t dst = dk == MmxKind::Mm ? f.r[dreg].sig : 0;
  const uint64_t v = kOps[k & 0xff](dst, src);
  switch (dk) {
    case MmxKind::Mem:
      fpu.probe_store(mem, msize);
      if (msize == 8)
        fpu.st64(mem, 0, v);
      else
        fpu.st_(mem, 0, 4, uint32_t(v));
      break;
    case MmxKind::Gpr: cpu.set_reg(dreg, 4, uint32_t(v)); break;
    default:
      f.r[dreg].sig = v;
      f.r[dreg].se = 0xffff;
      break;
  }
  f.fsw = uint16_t(f.fsw & ~fsw::TOP);
  f.ftw = 0;
  return 0;
}

}  // namespace cpu

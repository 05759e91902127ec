// MMX (SDM Vol.1 ch.9, Vol.2 one entry per instruction): MM0-MM7 are the significands of the
// physical x87 registers R0-R7. Every MMX instruction except EMMS sets TOP to 0 and tags all
// registers valid; a write also sets the register's sign/exponent word to FFFFh (§9.5).
#include <algorithm>
#include <limits>
#include <type_traits>

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

uint64_t compute(MmxOp op, uint64_t a, uint64_t b) {
  switch (op) {
    case MmxOp::Paddb: return add<int8_t>(a, b);
    case MmxOp::Paddw: return add<int16_t>(a, b);
    case MmxOp::Paddd: return add<int32_t>(a, b);
    case MmxOp::Paddsb: return adds<int8_t>(a, b);
    case MmxOp::Paddsw: return adds<int16_t>(a, b);
    case MmxOp::Paddusb: return adds<uint8_t>(a, b);
    case MmxOp::Paddusw: return adds<uint16_t>(a, b);
    case MmxOp::Psubb: return sub<int8_t>(a, b);
    case MmxOp::Psubw: return sub<int16_t>(a, b);
    case MmxOp::Psubd: return sub<int32_t>(a, b);
    case MmxOp::Psubsb: return subs<int8_t>(a, b);
    case MmxOp::Psubsw: return subs<int16_t>(a, b);
    case MmxOp::Psubusb: return subs<uint8_t>(a, b);
    case MmxOp::Psubusw: return subs<uint16_t>(a, b);
    case MmxOp::Pcmpeqb: return cmpeq<int8_t>(a, b);
    case MmxOp::Pcmpeqw: return cmpeq<int16_t>(a, b);
    case MmxOp::Pcmpeqd: return cmpeq<int32_t>(a, b);
    case MmxOp::Pcmpgtb: return cmpgt<int8_t>(a, b);
    case MmxOp::Pcmpgtw: return cmpgt<int16_t>(a, b);
    case MmxOp::Pcmpgtd: return cmpgt<int32_t>(a, b);
    case MmxOp::Pmullw:
      return lanes<int16_t>(a, b, [](int16_t x, int16_t y) { return int16_t(int32_t(x) * y); });
    case MmxOp::Pmulhw:
      return lanes<int16_t>(a, b,
                            [](int16_t x, int16_t y) { return int16_t((int32_t(x) * y) >> 16); });
    case MmxOp::Pmaddwd: return pmaddwd(a, b);
    case MmxOp::Pand: return a & b;
    case MmxOp::Pandn: return ~a & b;
    case MmxOp::Por: return a | b;
    case MmxOp::Pxor: return a ^ b;
    case MmxOp::Packsswb: return pack<int16_t, int8_t>(a, b);
    case MmxOp::Packssdw: return pack<int32_t, int16_t>(a, b);
    case MmxOp::Packuswb: return pack<int16_t, uint8_t>(a, b);
    case MmxOp::Punpckhbw: return unpack<uint8_t>(a, b, true);
    case MmxOp::Punpckhwd: return unpack<uint16_t>(a, b, true);
    case MmxOp::Punpckhdq: return unpack<uint32_t>(a, b, true);
    case MmxOp::Punpcklbw: return unpack<uint8_t>(a, b, false);
    case MmxOp::Punpcklwd: return unpack<uint16_t>(a, b, false);
    case MmxOp::Punpckldq: return unpack<uint32_t>(a, b, false);
    case MmxOp::Psllw: return shift<int16_t>(a, b, -1);
    case MmxOp::Pslld: return shift<int32_t>(a, b, -1);
    case MmxOp::Psllq: return shift_q(a, b, true);
    case MmxOp::Psrlw: return shift<int16_t>(a, b, 1);
    case MmxOp::Psrld: return shift<int32_t>(a, b, 1);
    case MmxOp::Psrlq: return shift_q(a, b, false);
    case MmxOp::Psraw: return shift<int16_t>(a, b, 2);
    case MmxOp::Psrad: return shift<int32_t>(a, b, 2);
    default: return b;  // MOVD/MOVQ: the source
  }
}

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
  const uint64_t dst =
      dk == MmxKind::Mm && op != MmxOp::Movd && op != MmxOp::Movq ? f.r[dreg].sig : 0;
  uint64_t v = compute(op, dst, src);
  if (op == MmxOp::Movd) v &= 0xffffffffu;
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

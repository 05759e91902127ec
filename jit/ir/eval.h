// What the pure value ops compute, written once: the interpreter evaluates them with these
// templates and the constant folder with eval_pure(), so both agree by construction.
#pragma once

#include <cstdint>
#include <optional>

#include "jit/ir/cmp.h"
#include "jit/ir/op.h"

namespace ir {

template <Op op>
constexpr uint32_t eval(uint32_t a, uint32_t b, uint32_t c, uint8_t sz) {
  if constexpr (op == Op::Add) return a + b;
  else if constexpr (op == Op::Sub) return a - b;
  else if constexpr (op == Op::And) return a & b;
  else if constexpr (op == Op::Or) return a | b;
  else if constexpr (op == Op::Xor) return a ^ b;
  else if constexpr (op == Op::Shl) return a << (b & 31);
  else if constexpr (op == Op::Shr) return a >> (b & 31);
  else if constexpr (op == Op::Sar) return uint32_t(int32_t(a) >> (b & 31));
  else if constexpr (op == Op::Mul) return a * b;
  else if constexpr (op == Op::MulHiU) return uint32_t((uint64_t(a) * b) >> 32);
  else if constexpr (op == Op::MulHiS) return uint32_t(uint64_t(int64_t(int32_t(a)) * int32_t(b)) >> 32);
  else if constexpr (op == Op::Not) return ~a;
  else if constexpr (op == Op::Neg) return 0u - a;
  else if constexpr (op == Op::Sext8) return uint32_t(int32_t(int8_t(a)));
  else if constexpr (op == Op::Sext16) return uint32_t(int32_t(int16_t(a)));
  else if constexpr (op == Op::Zext8) return a & 0xff;
  else if constexpr (op == Op::Zext16) return a & 0xffff;
  else if constexpr (op == Op::Eq) return a == b;
  else if constexpr (op == Op::Ne) return a != b;
  else if constexpr (op == Op::LtU) return a < b;
  else if constexpr (op == Op::Cmp) return cmp_holds(a, b, sz);
  else if constexpr (op == Op::Select) return a ? b : c;
  else if constexpr (op == Op::Bswap) return __builtin_bswap32(a);
  else static_assert(op == Op::Add, "not a pure value op");
}

// The value of a pure op on known operands; nullopt for ops that are not pure values.
constexpr std::optional<uint32_t> eval_pure(Op op, uint32_t a, uint32_t b, uint32_t c, uint8_t sz) {
  switch (op) {
    case Op::Add: return eval<Op::Add>(a, b, c, sz);
    case Op::Sub: return eval<Op::Sub>(a, b, c, sz);
    case Op::And: return eval<Op::And>(a, b, c, sz);
    case Op::Or: return eval<Op::Or>(a, b, c, sz);
    case Op::Xor: return eval<Op::Xor>(a, b, c, sz);
    case Op::Shl: return eval<Op::Shl>(a, b, c, sz);
    case Op::Shr: return eval<Op::Shr>(a, b, c, sz);
    case Op::Sar: return eval<Op::Sar>(a, b, c, sz);
    case Op::Mul: return eval<Op::Mul>(a, b, c, sz);
    case Op::MulHiU: return eval<Op::MulHiU>(a, b, c, sz);
    case Op::MulHiS: return eval<Op::MulHiS>(a, b, c, sz);
    case Op::Not: return eval<Op::Not>(a, b, c, sz);
    case Op::Neg: return eval<Op::Neg>(a, b, c, sz);
    case Op::Sext8: return eval<Op::Sext8>(a, b, c, sz);
    case Op::Sext16: return eval<Op::Sext16>(a, b, c, sz);
    case Op::Zext8: return eval<Op::Zext8>(a, b, c, sz);
    case Op::Zext16: return eval<Op::Zext16>(a, b, c, sz);
    case Op::Eq: return eval<Op::Eq>(a, b, c, sz);
    case Op::Ne: return eval<Op::Ne>(a, b, c, sz);
    case Op::LtU: return eval<Op::LtU>(a, b, c, sz);
    case Op::Cmp: return eval<Op::Cmp>(a, b, c, sz);
    case Op::Select: return eval<Op::Select>(a, b, c, sz);
    case Op::Bswap: return eval<Op::Bswap>(a, b, c, sz);
    default: return std::nullopt;
  }
}

}  // namespace ir

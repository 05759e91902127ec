#include "jit/ir/builder.h"

#include <stdexcept>

namespace ir {

Builder::Builder(Block& block) : b_(block) {
  if (b_.values.empty()) {
    new_temp(true, 0);  // kNoTemp
    consts_[0] = kNoTemp;
  }
}

Temp Builder::new_temp(bool is_const, uint32_t value) {
  if (b_.values.size() >= 0xffff) throw std::length_error("IR block has too many temps");
  b_.values.push_back(value);
  b_.is_const.push_back(is_const);
  return Temp(b_.values.size() - 1);
}

Temp Builder::imm(uint32_t value) {
  auto [it, fresh] = consts_.try_emplace(value, kNoTemp);
  if (fresh) it->second = new_temp(true, value);
  return it->second;
}

Temp Builder::emit(Op op, Temp a, Temp b, Temp c, uint8_t sz, uint32_t imm) {
  Inst in{op, sz, kNoTemp, a, b, c, 0, imm};
  if (info(op).flags & kHasDst) in.dst = new_temp(false, 0);
  b_.insts.push_back(in);
  return in.dst;
}

bool Builder::ended() const {
  return !b_.insts.empty() && (info(b_.insts.back().op).flags & kEndsBlock);
}

}  // namespace ir

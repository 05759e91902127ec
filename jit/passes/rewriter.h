// A pass rewrites a block in one forward walk: it reads the old ops in order, may drop them or
// replace them with other ops, and renames the temps later ops read (`alias`). Temps stay
// single-assignment: a replacement defines new temps or the dropped op's own destination.
#pragma once

#include <unordered_map>
#include <vector>

#include "jit/ir/block.h"

namespace jit::passes {

class Rewriter {
 public:
  explicit Rewriter(ir::Block& b) : b_(b), alias_(b.values.size()) {
    for (size_t t = 0; t < alias_.size(); t++) alias_[t] = ir::Temp(t);
    in_.swap(b.insts);
    out_.reserve(in_.size());
  }
  // Installs the rewritten op list.
  ~Rewriter() { b_.insts.swap(out_); }

  const std::vector<ir::Inst>& input() const { return in_; }
  // The op at `i` with its operands renamed.
  ir::Inst read(size_t i) const {
    ir::Inst in = in_[i];
    in.a = alias_[in.a], in.b = alias_[in.b], in.c = alias_[in.c];
    return in;
  }
  void keep(const ir::Inst& in) { out_.push_back(in); }
  // Later reads of `from` read `to` instead (the op defining `from` is dropped).
  void rename(ir::Temp from, ir::Temp to) { alias_[from] = to; }

  bool is_const(ir::Temp t) const { return b_.is_const[t]; }
  uint32_t value(ir::Temp t) const { return b_.values[t]; }
  ir::Temp imm(uint32_t v) {
    // The table of existing constants is made on first use: most rewrites make none, and it
    // would cost an allocation per constant of the block.
    if (!consts_made_) {
      consts_made_ = true;
      for (size_t t = 0; t < b_.values.size(); t++)
        if (b_.is_const[t]) consts_.try_emplace(b_.values[t], ir::Temp(t));
    }
    auto [it, fresh] = consts_.try_emplace(v, ir::kNoTemp);
    if (fresh) it->second = new_temp(true, v);
    return it->second;
  }
  // Appends a new op computing into a fresh temp (or into `dst` when given).
  ir::Temp emit(ir::Op op, ir::Temp a = 0, ir::Temp b = 0, ir::Temp c = 0, uint8_t sz = 0, uint32_t imm = 0,
                ir::Temp dst = 0) {
    ir::Inst in{op, sz, 0, a, b, c, 0, imm};
    if (ir::info(op).flags & ir::kHasDst) in.dst = dst ? dst : new_temp(false, 0);
    out_.push_back(in);
    return in.dst;
  }

 private:
  ir::Temp new_temp(bool is_const, uint32_t v) {
    b_.values.push_back(v);
    b_.is_const.push_back(is_const);
    alias_.push_back(ir::Temp(alias_.size()));
    return ir::Temp(b_.values.size() - 1);
  }

  ir::Block& b_;
  std::vector<ir::Temp> alias_;
  std::unordered_map<uint32_t, ir::Temp> consts_;
  bool consts_made_ = false;
  std::vector<ir::Inst> in_, out_;
};

}  // namespace jit::passes

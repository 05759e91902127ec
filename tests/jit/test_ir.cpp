#include <catch2/catch.hpp>

#include "jit/ir/builder.h"

TEST_CASE("the op table lists every op once, in order", "[ir]") {
  for (size_t i = 0; i < ir::kOpTable.size(); i++) {
    CHECK(size_t(ir::kOpTable[i].op) == i);
    CHECK_FALSE(ir::kOpTable[i].name.empty());
  }
  // Exactly the block-exit ops end a block.
  CHECK(ir::info(ir::Op::Jmp).flags & ir::kEndsBlock);
  CHECK(ir::info(ir::Op::JmpInd).flags & ir::kEndsBlock);
  CHECK_FALSE(ir::info(ir::Op::BranchIf).flags & ir::kEndsBlock);
  CHECK(ir::info(ir::Op::Store).flags & ir::kMayFault);
}

TEST_CASE("builder interns constants and the verifier accepts a well-formed block", "[ir]") {
  ir::Block blk;
  ir::Builder b(blk);
  ir::Temp one = b.imm(1);
  CHECK(b.imm(1) == one);
  CHECK(b.imm(0) == ir::kNoTemp);
  b.emit(ir::Op::InsnStart, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, 0, 0x100);
  ir::Temp eax = b.emit(ir::Op::GetReg32, ir::kNoTemp, ir::kNoTemp, ir::kNoTemp, 0);
  ir::Temp sum = b.add(eax, one);
  b.emit(ir::Op::SetReg32, sum, ir::kNoTemp, ir::kNoTemp, 0);
  b.jmp(0x103);
  CHECK(ir::verify(blk).empty());
  const std::string text = ir::print(blk);
  CHECK_THAT(text, Catch::Contains("add t") && Catch::Contains("#0x1") && Catch::Contains("jmp"));
}

TEST_CASE("the verifier rejects malformed blocks", "[ir]") {
  SECTION("use before definition") {
    ir::Block blk;
    ir::Builder b(blk);
    ir::Temp t = b.emit(ir::Op::GetReg32);
    blk.insts.back().op = ir::Op::Add;  // now uses temps it has not defined
    blk.insts.back().a = ir::Temp(t + 5);
    b.jmp(0);
    CHECK_THAT(ir::verify(blk), Catch::Contains("undefined"));
  }
  SECTION("no block exit at the end") {
    ir::Block blk;
    ir::Builder b(blk);
    b.emit(ir::Op::InsnStart);
    CHECK_THAT(ir::verify(blk), Catch::Contains("does not end"));
  }
  SECTION("exit in the middle") {
    ir::Block blk;
    ir::Builder b(blk);
    b.jmp(1);
    b.jmp(2);
    CHECK_THAT(ir::verify(blk), Catch::Contains("ends the block early"));
  }
  SECTION("bad access size") {
    ir::Block blk;
    ir::Builder b(blk);
    b.load(3, b.imm(4), 3);
    b.jmp(0);
    CHECK_THAT(ir::verify(blk), Catch::Contains("access size"));
  }
  SECTION("temp assigned twice") {
    ir::Block blk;
    ir::Builder b(blk);
    ir::Temp t = b.emit(ir::Op::GetReg32);
    b.emit(ir::Op::GetReg32);
    blk.insts.back().dst = t;
    b.jmp(0);
    CHECK_THAT(ir::verify(blk), Catch::Contains("assigned twice"));
  }
}

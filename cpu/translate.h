// The front half of the pipeline: fetch guest code through the MMU, decode, lower to one IR
// block (DESIGN.md §3).
#pragma once

#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/decoder.h"
#include "cpu/lower/lower.h"
#include "jit/ir/block.h"

namespace cpu {

struct TranslatedBlock {
  ir::Block ir;
  uint32_t eip = 0;      // EIP of the first instruction
  uint32_t lin = 0;      // linear address of the first byte
  uint32_t phys = 0;     // physical address of the first byte
  uint32_t byte_len = 0; // guest code bytes covered
  uint32_t pages[2] = {};  // physical pages the bytes live on
  uint8_t npages = 0;

  uint32_t last_lin() const { return lin + byte_len - 1; }  // linear address of the last byte
};

constexpr unsigned kMaxBlockInsns = 32;
// Forward conditional branches a block may go on past (each a side exit): longer blocks keep
// guest registers in host registers and check the instruction budget once.
constexpr unsigned kMaxSideExits = 4;

TranslationMode current_mode(const Cpu& cpu);

// Translates the block at CS:EIP. Throws CpuException when the first instruction cannot be
// fetched; an undecodable or unimplemented instruction becomes an IR block that raises #UD
// (or #GP for an over-long instruction) when executed.
void translate_block(Cpu& cpu, const Decoder& dec, const TranslationMode& mode, TranslatedBlock& out);

}  // namespace cpu

/* Interpreter code: a stack-machine bytecode VM with switch dispatch, running a program that
 * sums the Collatz sequence lengths of 1..2000+round. */
#include "rt.h"

const char bench_name[] = "vm";
const uint32_t bench_default_scale = 60;

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV2, AND1, DUP, DROP, JZ, JMP, LT, EQ, HALT };

/* Variables: 0 n (outer counter), 1 x (current value), 2 steps, 3 total, 4 limit. */
#define NCODE 96
static int32_t code[NCODE];

/* Builds the program with labels resolved, so the offsets above need not be counted by hand. */
static void emit_program(void) {
  int n = 0, outer, inner, even, done_patch, inner_done_patch, body_patch, end_patch;
#define E(x) (code[n++] = (x))
  E(PUSH), E(1), E(STORE), E(0);
  outer = n;
  E(LOAD), E(0), E(LOAD), E(4), E(LT), E(JZ), done_patch = n, E(0);
  E(LOAD), E(0), E(STORE), E(1), E(PUSH), E(0), E(STORE), E(2);
  inner = n;
  E(LOAD), E(1), E(PUSH), E(1), E(EQ), E(JZ), body_patch = n, E(0), E(JMP), inner_done_patch = n, E(0);
  code[body_patch] = n;
  E(LOAD), E(1), E(AND1), E(JZ), even = n, E(0);
  E(LOAD), E(1), E(PUSH), E(3), E(MUL), E(PUSH), E(1), E(ADD), E(JMP), end_patch = n, E(0);
  code[even] = n;
  E(LOAD), E(1), E(DIV2);
  code[end_patch] = n;
  E(STORE), E(1), E(LOAD), E(2), E(PUSH), E(1), E(ADD), E(STORE), E(2), E(JMP), E(inner);
  code[inner_done_patch] = n;
  E(LOAD), E(3), E(LOAD), E(2), E(ADD), E(STORE), E(3);
  E(LOAD), E(0), E(PUSH), E(1), E(ADD), E(STORE), E(0), E(JMP), E(outer);
  code[done_patch] = n;
  E(HALT);
#undef E
}

static uint32_t run(const int32_t* pc0, int32_t* vars) {
  int32_t stack[32];
  int sp = 0;
  const int32_t* pc = pc0;
  uint32_t executed = 0;
  for (;;) {
    executed++;
    switch (*pc++) {
      case PUSH: stack[sp++] = *pc++; break;
      case LOAD: stack[sp++] = vars[*pc++]; break;
      case STORE: vars[*pc++] = stack[--sp]; break;
      case ADD: sp--, stack[sp - 1] += stack[sp]; break;
      case SUB: sp--, stack[sp - 1] -= stack[sp]; break;
      case MUL: sp--, stack[sp - 1] *= stack[sp]; break;
      case DIV2: stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] >> 1); break;
      case AND1: stack[sp - 1] &= 1; break;
      case DUP: stack[sp] = stack[sp - 1], sp++; break;
      case DROP: sp--; break;
      case JZ: pc = stack[--sp] ? pc + 1 : pc0 + *pc; break;
      case JMP: pc = pc0 + *pc; break;
      case LT: sp--, stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case EQ: sp--, stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      default: return executed;
    }
  }
}

uint32_t bench_run(uint32_t scale) {
  emit_program();
  uint32_t h = MIX_INIT;
  for (uint32_t r = 0; r < scale; r++) {
    int32_t vars[5] = {0, 0, 0, 0, (int32_t)(2000 + r)};
    h = mix(h, run(code, vars));
    h = mix(h, (uint32_t)vars[3]);
  }
  return h;
}
